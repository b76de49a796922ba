/// The graph's user-item edges as a `users x items` bit matrix, for the negative sampler's
/// "has this user interacted with this item?" test.
///
/// Why: the graph answers that with a hash probe into a table of every edge (several MB), a
/// cache miss per candidate; on ml-100k those probes were 80% of a batch's serial part (13 ms
/// of a 0.15 s epoch). The bit matrix is 200 KB there and stays in L2.
///
/// It is built with the propagation graph and answers only while the graph is unchanged
/// since (``matches(_:)``); otherwise, and for graphs whose matrix would exceed
/// ``maximumBits``, the sampler asks the graph. The answers are the graph's own.
struct EdgeBitset: Sendable {
    /// Larger matrices are not built (8 MB): the hash probe is then the cheaper choice.
    static let maximumBits = 1 << 26

    private(set) var users = 0
    private(set) var items = 0
    private var words: [UInt64] = []
    /// The graph state it was built from.
    private var key: [Double] = []

    /// An empty matrix that matches no graph.
    init() {}

    /// The edges of `graph`, or an empty matrix when it would be too large.
    /// - Complexity: O(users * items / 64 + edges).
    init(graph: HeteroGraph) {
        let u = graph.userEdges.count
        let i = graph.items.count
        guard u > 0, i > 0, u.multipliedReportingOverflow(by: i).partialValue <= Self.maximumBits,
              !u.multipliedReportingOverflow(by: i).overflow else { return }
        users = u
        items = i
        words = [UInt64](repeating: 0, count: (u * i + 63) / 64)
        for user in 0..<u {
            for edge in graph.userEdges[user] {
                let item = Int(graph.edgeItem[Int(edge)])
                guard item >= 0, item < i else { continue }
                let bit = user * i + item
                words[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        key = Self.key(graph)
    }

    private static func key(_ graph: HeteroGraph) -> [Double] {
        [Double(graph.eventsApplied), Double(graph.liveEdgeCount), Double(graph.edgeUser.count),
         Double(graph.freeEdges.count), Double(graph.userEdges.count), Double(graph.items.count), graph.now]
    }

    /// True when the matrix was built from `graph` in its current state (every edge change
    /// moves one of the event count, the live edge count, the edge slots or the clock).
    func matches(_ graph: HeteroGraph) -> Bool {
        !key.isEmpty && key == Self.key(graph)
    }

    /// Whether `user` has an edge to `item`; both must be inside the matrix.
    @inline(__always)
    func contains(user: Int, item: Int) -> Bool {
        let bit = user * items + item
        return words.withUnsafeBufferPointer { $0[bit >> 6] & (1 << UInt64(bit & 63)) != 0 }
    }
}
