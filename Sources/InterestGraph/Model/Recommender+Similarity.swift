extension Recommender {
    /// Scores every user for `item` into `scores` (index = dense user id): the raw material
    /// of an item's audience. Embedding models use one matrix-vector product over the user
    /// query vectors; baselines fall back to scoring each user in turn.
    /// - Complexity: O(users * dimension) for embedding models, O(users * scoring) otherwise.
    public func scoreUsers(item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        if let embedding = hybrid?.embedding {
            embedding.scoreUsers(item: item, into: scores)
            return
        }
        let n = graph.items.count
        guard Int(item) >= 0, Int(item) < n else {
            for k in scores.indices { scores[k] = 0 }
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { itemScores in
            for u in scores.indices {
                score(user: Int32(truncatingIfNeeded: u), graph: graph, into: itemScores)
                scores[u] = itemScores[Int(item)]
            }
        }
    }

    /// The `k` items most similar to `item`: cosine of final embeddings for embedding models,
    /// the co-occurrence neighbours for ItemKNN, nothing for MostPop. Items without any
    /// interaction are skipped unless `includeColdItems`.
    public func similarItems(to item: Int32, k: Int, graph: HeteroGraph, includeColdItems: Bool = false) -> [ScoredItem] {
        let n = graph.items.count
        guard Int(item) >= 0, Int(item) < n, k > 0 else { return [] }
        var heap = TopKHeap(capacity: k)
        func eligible(_ i: Int) -> Bool {
            i != Int(item) && graph.itemActive[i] && (includeColdItems || graph.itemEventCount[i] > 0)
        }
        if let embedding = hybrid?.embedding {
            for i in 0..<min(n, embedding.finalItems.rows) where eligible(i) {
                heap.offer(Int32(i), embedding.itemSimilarity(item, Int32(i)))
            }
        } else if let neighbours {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
                scores.initialize(repeating: 0)
                neighbours.index.accumulate(row: item, coefficient: 1, alpha: 0.5, into: scores)
                neighbours.index.normalise(scores, alpha: 0.5)
                for i in 0..<n where eligible(i) && scores[i] > 0 { heap.offer(Int32(i), scores[i]) }
            }
        }
        return heap.sortedDescending()
    }

    /// The `k` users most similar to `user` by cosine of final embeddings (embedding models
    /// only; empty for baselines).
    public func similarUsers(to user: Int32, k: Int, graph: HeteroGraph) -> [(user: Int32, similarity: Float)] {
        guard let embedding = hybrid?.embedding, Int(user) >= 0, Int(user) < embedding.finalUsers.rows, k > 0 else { return [] }
        var heap = TopKHeap(capacity: k)
        for u in 0..<min(graph.users.count, embedding.finalUsers.rows) where u != Int(user) && graph.userActive[u] {
            heap.offer(Int32(u), embedding.userSimilarity(user, Int32(u)))
        }
        return heap.sortedDescending().map { ($0.item, $0.score) }
    }
}
