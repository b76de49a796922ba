/// A user idle for longer than their own rhythm suggests.
public struct DormantUser: Sendable, Hashable, Codable {
    public var user: String
    public var lastSeen: Double
    public var idleSeconds: Double
    public var typicalGapSeconds: Double
    /// Idle time over the typical gap between sessions.
    public var ratio: Double
    public var events: Int

    public init(user: String, lastSeen: Double, idleSeconds: Double, typicalGapSeconds: Double, ratio: Double, events: Int) {
        self.user = user
        self.lastSeen = lastSeen
        self.idleSeconds = idleSeconds
        self.typicalGapSeconds = typicalGapSeconds
        self.ratio = ratio
        self.events = events
    }
}

/// The churn audience: users whose idle time is at least `factor` times their typical gap
/// between sessions (``HeteroGraph/dormancy(ofUser:)``), at the graph clock.
public enum DormantList {
    /// Dormant users, most overdue first (ties by id).
    /// - Complexity: O(users): run it on demand, never per event.
    public static func users(graph: HeteroGraph, factor: Double, limit: Int = .max) -> [DormantUser] {
        var out: [DormantUser] = []
        for u in 0..<graph.userCapacity {
            let id = Int32(u)
            guard graph.isLive(user: id), let d = graph.dormancy(ofUser: id), let ratio = d.ratio, ratio >= factor,
                  let seen = graph.lastSeen(user: id) else { continue }
            out.append(DormantUser(user: graph.name(of: NodeRef(.user, id)), lastSeen: seen, idleSeconds: d.idleSeconds,
                                   typicalGapSeconds: d.typicalGapSeconds, ratio: ratio, events: graph.eventCount(ofUser: id)))
        }
        out.sort { $0.ratio != $1.ratio ? $0.ratio > $1.ratio : $0.user < $1.user }
        if out.count > limit { out.removeLast(out.count - limit) }
        return out
    }
}
