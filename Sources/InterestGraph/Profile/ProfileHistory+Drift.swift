/// Thresholds for drift scores.
public struct DriftSettings: Sendable, Hashable {
    /// How far back the "older" profile lies from the newest one, in seconds.
    public var window: Double
    /// Jensen-Shannon divergence (bits) between the older and the newest profile at or above
    /// which the user's current drift is flagged as a change point.
    public var changeThreshold: Double
    /// Per-bucket score at or above which a heatmap bucket is marked as a change point. Lower
    /// than `changeThreshold` because a bucket is compared with the few buckets just before it.
    public var bucketThreshold: Double
    /// A category is "present" at this share or more and "absent" below `absent`; gained
    /// categories go from absent to present, lost ones the other way.
    public var present: Double
    public var absent: Double
    /// Each bucket's score compares it with the mean of up to this many previous buckets.
    public var referenceBuckets: Int

    public init(window: Double = 7 * 86_400, changeThreshold: Double = 0.2, bucketThreshold: Double = 0.1, present: Double = 0.10, absent: Double = 0.05, referenceBuckets: Int = 3) {
        self.window = window
        self.changeThreshold = changeThreshold
        self.bucketThreshold = bucketThreshold
        self.present = present
        self.absent = absent
        self.referenceBuckets = max(1, referenceBuckets)
    }

    public static let `default` = DriftSettings()
}

/// How much a user's interests moved between an older and the newest checkpoint.
public struct DriftScores: Sendable, Hashable {
    /// Jensen-Shannon divergence (bits, 0...1) between the older and the newest profile.
    public var divergence: Double
    /// `1 - cos` between the older and the newest stored embedding (0 = unchanged).
    public var embeddingShift: Double
    /// Category ids absent before and present now, largest share first.
    public var gained: [Int32]
    /// Category ids present before and absent now.
    public var lost: [Int32]
    public var isChangePoint: Bool
    public var recentTime: Double?
    public var referenceTime: Double?
}

extension ProfileHistory {
    /// Drift scores of the user's newest checkpoint against the one `settings.window` earlier
    /// (or the oldest kept, when the history is shorter).
    public func scores(ofUser user: Int32, settings: DriftSettings = .default) -> DriftScores {
        let line = timeline(ofUser: user)
        var result = DriftScores(divergence: 0, embeddingShift: 0, gained: [], lost: [], isChangePoint: false, recentTime: line.last?.time, referenceTime: nil)
        if line.count >= 2, let recent = line.last {
            let reference = line.last { $0.time <= recent.time - settings.window } ?? line[0]
            result.referenceTime = reference.time
            result.divergence = Divergence.jensenShannon(reference.pairs, recent.pairs)
            result.isChangePoint = result.divergence >= settings.changeThreshold
            let before = Dictionary(reference.pairs, uniquingKeysWith: +)
            let now = Dictionary(recent.pairs, uniquingKeysWith: +)
            result.gained = recent.shares.filter { $0.share >= settings.present && (before[$0.category] ?? 0) < settings.absent }.map(\.category)
            result.lost = reference.shares.filter { $0.share >= settings.present && (now[$0.category] ?? 0) < settings.absent }.map(\.category)
        }
        let rows = embeddings(ofUser: user)
        if rows.count >= 2, let recent = rows.last {
            let reference = rows.last { $0.time <= recent.time - settings.window } ?? rows[0]
            result.embeddingShift = Divergence.cosineShift(reference.row, recent.row)
        }
        return result
    }

    /// Per-bucket drift scores: each checkpoint against the mean of up to
    /// `settings.referenceBuckets` before it (0 for the first).
    public func bucketScores(_ line: [Checkpoint], settings: DriftSettings = .default) -> [Double] {
        line.indices.map { b in
            guard b > 0 else { return 0 }
            let from = max(0, b - settings.referenceBuckets)
            var mean: [Int32: Double] = [:]
            for k in from..<b { for s in line[k].shares { mean[s.category, default: 0] += s.share / Double(b - from) } }
            return Divergence.jensenShannon(mean.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }, line[b].pairs)
        }
    }

    /// The dashboard's drift data for a user: a heatmap of the `rows` categories with the
    /// largest total share over the kept checkpoints, per-bucket scores and change points
    /// (the first bucket of each run at or above `settings.bucketThreshold`, counting only
    /// buckets with a full reference, so a new user's first few checkpoints, which always
    /// move a lot, are not flagged), the current scores, and, when
    /// `trueShares` is given (simulated users), the true shares at each bucket time.
    public func driftView(ofUser user: Int32, graph: HeteroGraph, settings: DriftSettings = .default, rows: Int = 8, trueShares: ((Double) -> [String: Double]?)? = nil) -> DriftView {
        let line = timeline(ofUser: user)
        guard !line.isEmpty else { return DriftView() }
        var totals: [Int32: Double] = [:]
        for checkpoint in line { for s in checkpoint.shares { totals[s.category, default: 0] += s.share } }
        let top = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(max(rows, 1)).map(\.key)
        func name(_ c: Int32) -> String { graph.name(of: NodeRef(.category, c)) }
        var view = DriftView()
        view.categories = top.map(name)
        view.bucketTimes = line.map(\.time)
        view.shares = top.map { c in line.map { checkpoint in Float(checkpoint.shares.first { $0.category == c }?.share ?? 0) } }
        if let trueShares {
            let truth = line.map { trueShares($0.time) }
            if truth.allSatisfy({ $0 != nil }) {
                view.trueShares = view.categories.map { c in truth.map { Float($0?[c] ?? 0) } }
            }
        }
        let bucket = bucketScores(line, settings: settings)
        view.scores = bucket.map { Float($0) }
        let flagged = bucket.indices.map { $0 >= settings.referenceBuckets && bucket[$0] >= settings.bucketThreshold }
        view.changePoints = bucket.indices.filter { b in flagged[b] && (b == 0 || !flagged[b - 1]) }
        let now = scores(ofUser: user, settings: settings)
        view.divergence = now.divergence
        view.embeddingShift = now.embeddingShift
        view.gained = now.gained.map(name)
        view.lost = now.lost.map(name)
        return view
    }
}
