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
    public static func timeOrdered(_ events: [Event]) -> [Event] {
        let order = events.indices.sorted {
            events[$0].timestamp < events[$1].timestamp || (events[$0].timestamp == events[$1].timestamp && $0 < $1)
        }
        return order.map { events[$0] }
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
            guard let user = graph.users.lookup(event.user), graph.userEventCount[Int(user)] > 0,
                  let item = graph.items.lookup(event.item), graph.itemEventCount[Int(item)] > 0,
                  !graph.hasEdge(user: user, item: item)
            else { continue }
            sets[user, default: []].insert(item)
        }
        users = sets.keys.sorted()
        relevant = users.map { sets[$0]! }
    }
}
