/// Interest change detection: one online change test per user between a short-term and a
/// reference category profile (``ChangeDetector``), the changes it reports
/// (``InterestChange``), two scalar baselines (``PageHinkleyDetector``, ``ADWINDetector``) and
/// their measurement against the simulator's ground truth (``ChangeEvaluation``).

/// One detected change of a user's interests.
///
/// A plain value (dense ids and numbers) so that it can travel in snapshots and over the
/// network; ``NamedInterestChange`` carries the names for display.
public struct InterestChange: Sendable, Hashable, Codable {
    /// The dense user id in the graph.
    public var user: Int32
    /// When the test crossed its threshold (seconds since the epoch, event time).
    public var time: Double
    /// The category that lost the most share (reference against short-term profile), or -1.
    public var from: Int32
    /// The category that gained the most share, or -1.
    public var to: Int32
    /// The posterior probability of a change at the alarm (``ChangeDetector/posterior(statistic:hazard:)``):
    /// the test statistic `g` (a log-likelihood ratio) weighed by the population's change rate.
    public var confidence: Double

    public init(user: Int32, time: Double, from: Int32, to: Int32, confidence: Double) {
        self.user = user
        self.time = time
        self.from = from
        self.to = to
        self.confidence = confidence
    }
}

/// An ``InterestChange`` with external ids, as snapshots and commands show it.
public struct NamedInterestChange: Sendable, Hashable, Codable {
    public var user: String
    public var time: Double
    public var from: String
    public var to: String
    public var confidence: Double

    public init(user: String, time: Double, from: String, to: String, confidence: Double) {
        self.user = user
        self.time = time
        self.from = from
        self.to = to
        self.confidence = confidence
    }
}

extension HeteroGraph {
    /// Names an ``InterestChange`` ("" for an unknown category).
    public func named(_ change: InterestChange) -> NamedInterestChange {
        func category(_ c: Int32) -> String { c >= 0 && Int(c) < categoryCount ? name(of: NodeRef(.category, c)) : "" }
        return NamedInterestChange(user: name(of: NodeRef(.user, change.user)), time: change.time, from: category(change.from), to: category(change.to), confidence: change.confidence)
    }
}

/// Which changes a category filter keeps (the `changes --to` option, the who-changed view).
public enum InterestChangeFilter {
    /// A category name matches a filter equal to it, its department ("Baby" for
    /// "Baby/Nursery"), or any name containing the filter (case-insensitive).
    public static func matches(_ category: String, _ filter: String) -> Bool {
        let c = category.lowercased(), f = filter.lowercased()
        return f.isEmpty || c.contains(f)
    }
}
