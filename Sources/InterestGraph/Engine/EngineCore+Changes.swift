import Foundation

/// The engine side of interest change detection: the per-event hook, the live settings in the
/// Hyperparameters panel, and what the snapshot carries (recent changes, the dormant list).
extension EngineCore {
    /// Changes published per snapshot (newest first).
    static let publishedChanges = 200
    /// Dormant users published per ``EngineCommand/listDormant(factor:)``.
    static let publishedDormant = 200

    /// Tests one applied event for a change of its user's interests.
    /// - Complexity: O(categories kept per user); never depends on the number of users.
    @inline(__always)
    mutating func observeChange(user: Int32, category: Int32?, at time: Double) {
        Self.observeChange(user: user, category: category, at: time, graph: graph, changes: &interestChanges)
    }

    /// ``observeChange(user:category:at:)`` on given state (shared with a resume's replay).
    @inline(__always)
    static func observeChange(user: Int32, category: Int32?, at time: Double, graph: HeteroGraph, changes: inout ChangeTracker) {
        guard let category else { return }
        if graph.categoryCount > changes.registeredCategories {
            // Rare: only when the catalogue grows.
            changes.registerCategories(upTo: graph.categoryCount) { graph.name(of: NodeRef(.category, Int32($0))) }
        }
        changes.observe(user: user, category: category, at: time, categoryCount: graph.categoryCount)
    }

    // MARK: Live settings

    /// The change detector's settings as tunables (after the model's in the panel).
    struct ChangeTunableSpec: Sendable {
        var key: String
        var label: String
        var minimum: Double
        var maximum: Double
        var step: Double
        var isMultiplicative: Bool
        var format: String
        var read: @Sendable (ChangeDetectorSettings) -> Double
        var write: @Sendable (inout ChangeDetectorSettings, Double) -> Void

        static let all: [ChangeTunableSpec] = [
            ChangeTunableSpec(key: "change.threshold", label: "change: threshold (nats)", minimum: 1, maximum: 20, step: 0.5, isMultiplicative: false, format: "%.1f",
                              read: { $0.threshold }, write: { $0.threshold = $1 }),
            ChangeTunableSpec(key: "change.short_half_life", label: "change: short half-life (draws)", minimum: 1, maximum: 64, step: 1.5, isMultiplicative: true, format: "%.1f",
                              read: { $0.shortHalfLife }, write: { $0.shortHalfLife = $1 }),
            ChangeTunableSpec(key: "change.reference_half_life_days", label: "change: reference half-life (days)", minimum: 1, maximum: 365, step: 1.5, isMultiplicative: true, format: "%.1f",
                              read: { $0.referenceHalfLife / 86_400 }, write: { $0.referenceHalfLife = $1 * 86_400 }),
        ]
    }

    var changeTunables: [Tunable] {
        let s = interestChanges.settings
        return ChangeTunableSpec.all.map {
            Tunable(key: $0.key, label: $0.label, value: $0.read(s), minimum: $0.minimum, maximum: $0.maximum, step: $0.step, isMultiplicative: $0.isMultiplicative, format: $0.format)
        }
    }

    /// Sets a change-detector tunable; `false` when `key` is not one (a model hyperparameter).
    /// Takes effect at the user's next draw: a lower threshold raises the alarms that are due.
    mutating func setChangeTunable(_ key: String, to requested: Double) -> Bool {
        guard let spec = ChangeTunableSpec.all.first(where: { $0.key == key }) else { return false }
        guard requested.isFinite else {
            message = "\(spec.label): \(requested) is not a number"
            return true
        }
        var s = interestChanges.settings
        let old = spec.read(s)
        spec.write(&s, min(max(requested, spec.minimum), spec.maximum))
        s = ChangeDetectorSettings(threshold: s.threshold, shortHalfLife: s.shortHalfLife, referenceHalfLife: s.referenceHalfLife, novelty: s.novelty, minimumReference: s.minimumReference, referenceLag: s.referenceLag)
        let new = spec.read(s)
        guard new != old else { return true }
        interestChanges.settings = s
        log(ChangeRecord(step: trainingStep, time: Date().timeIntervalSince1970, key: key, oldValue: old, newValue: new, origin: .user, note: "applied from each user's next draw"))
        message = "\(spec.label): \(String(format: spec.format, old)) → \(String(format: spec.format, new))"
        return true
    }

    // MARK: Snapshot

    /// The latest changes with names, newest first.
    func publishedInterestChanges() -> [NamedInterestChange] {
        interestChanges.recent(limit: Self.publishedChanges).map { graph.named($0) }
    }

    /// The selected user's detected changes (oldest first), for the drift panel's marks.
    func detectedChanges(ofUser u: Int32) -> [NamedInterestChange] {
        interestChanges.recent(user: u).reversed().map { graph.named($0) }
    }

    /// Answers ``EngineCommand/listDormant(factor:)``.
    /// - Complexity: O(users), on demand only.
    mutating func listDormant(factor: Double) {
        guard factor.isFinite, factor > 0 else {
            message = "dormant: the factor must be a positive number"
            return
        }
        let all = DormantList.users(graph: graph, factor: factor)
        dormant = DormantListView(factor: factor, time: graph.now, total: all.count, users: Array(all.prefix(Self.publishedDormant)))
    }
}

/// Users idle for more than `factor` times their usual gap, as of `time` (the churn audience).
public struct DormantListView: Sendable, Hashable, Codable {
    public var factor: Double
    /// The graph clock when the list was made.
    public var time: Double
    /// Dormant users in all (``users`` holds the most overdue).
    public var total: Int
    public var users: [DormantUser]

    public init(factor: Double, time: Double, total: Int, users: [DormantUser]) {
        self.factor = factor
        self.time = time
        self.total = total
        self.users = users
    }
}
