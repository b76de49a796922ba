/// Similarity from the interaction graph alone, for models without embeddings: the cosine
/// of two items' user sets (or two users' item sets), counting each edge once.
enum GraphSimilarity {
    /// `co(i, j) / sqrt(deg i * deg j)` for every item `j`, by walking item -> users -> items.
    /// - Complexity: O(sum of the degrees of the item's users).
    static func items(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
        let users = graph.users(ofItem: item)
        guard !users.isEmpty else { return }
        for u in users { for j in graph.items(ofUser: u) where Int(j) < scores.count { scores[Int(j)] += 1 } }
        let a = Float(users.count)
        for j in scores.indices where scores[j] > 0 {
            scores[j] /= (a * Float(max(graph.users(ofItem: Int32(j)).count, 1))).squareRoot()
        }
    }

    /// The same for users: walk user -> items -> users.
    static func users(to user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
        guard graph.isLive(user: user) else { return }
        let items = graph.items(ofUser: user)
        guard !items.isEmpty else { return }
        for i in items { for v in graph.users(ofItem: i) where Int(v) < scores.count { scores[Int(v)] += 1 } }
        let a = Float(items.count)
        for v in scores.indices where scores[v] > 0 {
            scores[v] /= (a * Float(max(graph.items(ofUser: Int32(v)).count, 1))).squareRoot()
        }
    }

    /// The cosine of two items' user sets.
    static func items(_ a: Int32, _ b: Int32, graph: HeteroGraph) -> Float {
        let ua = graph.users(ofItem: a), ub = graph.users(ofItem: b)
        guard !ua.isEmpty, !ub.isEmpty else { return 0 }
        let (small, large) = ua.count <= ub.count ? (ua, Set(ub)) : (ub, Set(ua))
        let shared = small.reduce(0) { $0 + (large.contains($1) ? 1 : 0) }
        return Float(shared) / (Float(ua.count) * Float(ub.count)).squareRoot()
    }
}
