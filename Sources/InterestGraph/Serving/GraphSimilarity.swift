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
            // The degree, not the list built to count it (an array per scored item).
            scores[j] /= (a * Float(max(graph.itemEdges[j].count, 1))).squareRoot()
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
            scores[v] /= (a * Float(max(graph.userEdges[v].count, 1))).squareRoot()
        }
    }

    /// The cosine of two items' user sets.
    ///
    /// Walks the less popular item's users and looks each up against the other item's edges:
    /// nothing is allocated (it built both user lists and hashed the larger into a set, O(sum
    /// of the degrees), for every pair). The explanations of a MostPop or ItemKNN top-20
    /// compare each candidate with the user's history twice a second, and on the million-user
    /// shop both items of most pairs are popular: that is still about a tenth of the engine
    /// thread's samples either way (docs/BENCHMARKS.md).
    /// - Complexity: O(min(degree a, degree b)) edge lookups.
    static func items(_ a: Int32, _ b: Int32, graph: HeteroGraph) -> Float {
        let da = graph.itemEdges[Int(a)].count, db = graph.itemEdges[Int(b)].count
        guard da > 0, db > 0 else { return 0 }
        let (small, other) = da <= db ? (a, b) : (b, a)
        var shared = 0
        for e in graph.itemEdges[Int(small)] where graph.hasEdge(user: graph.edgeUser[Int(e)], item: other) { shared += 1 }
        return Float(shared) / (Float(da) * Float(db)).squareRoot()
    }
}
