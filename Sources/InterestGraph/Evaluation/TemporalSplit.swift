/// Protocol A's split: all interactions in time order (stable: ties keep file order), the
/// first 80% for training and the last 20% for testing.
public struct TemporalSplit: Sendable {
    public var train: [Event]
    public var test: [Event]

    /// Splits `events` at `trainFraction` of the time-ordered stream (`floor(n * fraction)`
    /// events go to train).
    public init(events: [Event], trainFraction: Double = 0.8) {
        let ordered = TemporalSplit.timeOrdered(events)
        let cut = min(ordered.count, max(0, Int(Double(ordered.count) * trainFraction)))
        train = Array(ordered[..<cut])
        test = Array(ordered[cut...])
    }

    /// The events sorted by timestamp; equal timestamps keep their input order.
    ///
    /// A log already in time order (the usual case) is returned as it is, sharing its storage:
    /// at 23M events a sorted copy is gigabytes and the index sort tens of seconds.
    /// - Complexity: O(n) when already ordered, else O(n log n) and one copy.
    public static func timeOrdered(_ events: [Event]) -> [Event] {
        if isTimeOrdered(events) { return events }
        let order = events.indices.sorted {
            events[$0].timestamp < events[$1].timestamp || (events[$0].timestamp == events[$1].timestamp && $0 < $1)
        }
        return order.map { events[$0] }
    }

    /// True when no event has a later timestamp than the one after it.
    /// - Complexity: O(n).
    static func isTimeOrdered(_ events: [Event]) -> Bool {
        events.withUnsafeBufferPointer { buffer in
            guard buffer.count > 1 else { return true }
            for k in 1..<buffer.count where buffer[k].timestamp < buffer[k - 1].timestamp { return false }
            return true
        }
    }

    /// The validation split inside training: the last 10% of `train` by time becomes the
    /// held-out part. Hyperparameters are chosen here, never on `test`.
    public var validation: TemporalSplit {
        TemporalSplit(events: train, trainFraction: 0.9)
    }
}

/// The ground truth of protocol A for one graph built from the training events.
public struct TemporalGroundTruth: Sendable {
    /// Test users (dense ids, ascending) and their relevant items G_u (dense ids).
    public var users: [Int32]
    public var relevant: [Set<Int32>]

    /// Test users are those with at least one training interaction and at least one test
    /// interaction on a known item (one with a training interaction) that they did not
    /// interact with in training; G_u is that set of items.
    public init(graph: HeteroGraph, test: [Event]) {
        var sets: [Int32: Set<Int32>] = [:]
        for event in test {
            guard let user = graph.users.lookup(event.user), graph.eventCount(ofUser: user) > 0,
                  let item = graph.items.lookup(event.item), graph.itemEventCount[Int(item)] > 0,
                  !graph.hasEdge(user: user, item: item)
            else { continue }
            sets[user, default: []].insert(item)
        }
        users = sets.keys.sorted()
        relevant = users.map { sets[$0]! }
        eligibleUsers = users.count
    }

    /// Test users who met the conditions, before any ``sampled(users:graph:)``.
    public private(set) var eligibleUsers = 0
    /// Whether ``users`` is a sample of the eligible test users.
    public private(set) var isSample = false

    /// The `count` test users with the smallest ``userHash(_:)`` of their original id (ties:
    /// the lower dense id), in ascending dense id like the full set; all of them when there
    /// are no more than `count`.
    ///
    /// The hash depends on the id alone, not on the model, the file order or the seed, so every
    /// model and every rerun ranks for the same users, and a larger sample contains a smaller
    /// one. Protocol A's cost is then bounded by `count` rankings per model on any log.
    /// - Complexity: O(users log users).
    public func sampled(users count: Int, graph: HeteroGraph) -> TemporalGroundTruth {
        guard count < users.count else { return self }
        let keyed = users.indices.map { (hash: Self.userHash(graph.users.name(users[$0])), index: $0) }
        let kept = keyed.sorted { $0.hash < $1.hash || ($0.hash == $1.hash && users[$0.index] < users[$1.index]) }
            .prefix(max(0, count)).map(\.index).sorted()
        var sample = self
        sample.users = kept.map { users[$0] }
        sample.relevant = kept.map { relevant[$0] }
        sample.isSample = true
        return sample
    }

    /// FNV-1a, 64-bit, of the id's UTF-8 bytes: the documented rule behind `--test-users`
    /// (offset basis 0xcbf29ce484222325, prime 0x100000001b3), so an outside script can pick
    /// the same users.
    public static func userHash(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
