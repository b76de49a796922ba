/// The straightforward serving computations, kept as the reference the fast paths in
/// ``Recommender`` (``ColdItemTable``, ``UserQueryBlocks``, ``ItemNorms``) are tested against
/// (ServingFastPathTests) and that `driftscope bench serve --reference` times: each cold
/// item's vector rebuilt per request, row-major GEMV plus a per-user session dot product for
/// audiences, a norm per row per similarity query.
extension Recommender {
    /// Reference ``scoreItems(forUser:graph:into:)``.
    /// - Complexity: O(items * d) plus O(cold items * side nodes * d), allocating per cold item.
    public func referenceScoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        score(user: user, graph: graph, into: scores)
        guard let embedding else { return }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        let items = cold.coldItems()
        guard !items.isEmpty else { return }
        let stride = embedding.stride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { q in
            embedding.writeQuery(user: user, into: q.baseAddress!)
            for item in items where Int(item) < scores.count {
                guard let v = cold.vector(for: item) else { scores[Int(item)] = -.infinity; continue }
                scores[Int(item)] = v.withUnsafeBufferPointer { VectorKernels.dot(q.baseAddress!, $0.baseAddress!, stride) }
            }
        }
    }

    /// Reference ``scoreUsers(forItem:graph:into:)``.
    public func referenceScoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else { return scoreUsers(forItem: item, graph: graph, into: scores) }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        if cold.isKnown(item) {
            embedding.scoreUsers(item: item, into: scores)
        } else if let v = cold.vector(for: item) {
            v.withUnsafeBufferPointer { embedding.scoreUsers(vector: $0.baseAddress!, into: scores) }
        } else {
            for u in scores.indices { scores[u] = -.infinity }
        }
    }

    /// Reference ``itemSimilarities(to:graph:into:)``.
    public func referenceItemSimilarities(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else { return itemSimilarities(to: item, graph: graph, into: scores) }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        guard let v = cold.vector(for: item) else {
            for i in scores.indices { scores[i] = 0 }
            return
        }
        v.withUnsafeBufferPointer { EmbeddingModel.cosines(of: $0.baseAddress!, table: embedding.finalItems, into: scores) }
        for other in cold.coldItems() where Int(other) < scores.count {
            scores[Int(other)] = cold.vector(for: other).map { Self.cosine(v, $0) } ?? 0
        }
    }

    /// Reference ``itemSimilarities(to:among:graph:)``.
    public func referenceItemSimilarities(to item: Int32, among others: [Int32], graph: HeteroGraph) -> [Float] {
        guard let embedding else { return itemSimilarities(to: item, among: others, graph: graph) }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        guard let v = cold.vector(for: item) else { return others.map { _ in 0 } }
        return others.map { other in cold.vector(for: other).map { Self.cosine(v, $0) } ?? 0 }
    }
}

extension Serving {
    /// The reference top-`k` (``Recommender/referenceScoreItems(forUser:graph:into:)`` and a
    /// heap offered every admitted item), without explanations.
    public static func referenceRecommend(
        user: Int32, k: Int, excludeSeen: Bool = true, filter: RecommendationFilter = .init(), graph: HeteroGraph, model: Recommender
    ) -> [ScoredItem] {
        let n = graph.itemCapacity
        guard k > 0, user >= 0, graph.isLive(user: user), n > 0 else { return [] }
        let admit = filter.resolved(in: graph)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.referenceScoreItems(forUser: user, graph: graph, into: scores)
            if excludeSeen { for item in graph.items(ofUser: user) where Int(item) < n { scores[Int(item)] = -.infinity } }
            var heap = TopKHeap(capacity: k)
            for i in 0..<n where scores[i] > -.infinity && graph.isLive(item: Int32(i)) && admit.admits(Int32(i), graph: graph) {
                heap.offer(Int32(i), scores[i])
            }
            return heap.sortedDescending()
        }
    }

    /// The reference audience (``Recommender/referenceScoreUsers(forItem:graph:into:)``).
    public static func referenceAudience(item: Int32, k: Int, includeExisting: Bool = false, graph: HeteroGraph, model: Recommender) -> [ScoredUser] {
        let n = graph.userCapacity
        guard k > 0, item >= 0, graph.isLive(item: item), n > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.referenceScoreUsers(forItem: item, graph: graph, into: scores)
            for u in 0..<n where !graph.isLive(user: Int32(u)) { scores[u] = -.infinity }
            if !includeExisting { for u in graph.users(ofItem: item) where Int(u) < n { scores[Int(u)] = -.infinity } }
            var heap = TopKHeap(capacity: k)
            heap.offer(all: UnsafeBufferPointer(scores))
            return heap.sortedDescending().map { ScoredUser(user: $0.item, score: $0.score) }
        }
    }

    /// The reference similar items (``Recommender/referenceItemSimilarities(to:graph:into:)``).
    public static func referenceSimilarItems(to item: Int32, k: Int, graph: HeteroGraph, model: Recommender) -> [ScoredItem] {
        let n = graph.itemCapacity
        guard k > 0, item >= 0, graph.isLive(item: item) else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.referenceItemSimilarities(to: item, graph: graph, into: scores)
            for i in 0..<n where i == Int(item) || !graph.isLive(item: Int32(i)) { scores[i] = -.infinity }
            var heap = TopKHeap(capacity: k)
            heap.offer(all: UnsafeBufferPointer(scores))
            return heap.sortedDescending()
        }
    }
}
