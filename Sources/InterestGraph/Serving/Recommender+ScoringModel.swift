/// Every model kind can serve.
///
/// Embedding models (MF-BPR, LightGCN, Hybrid) answer from their final tables, with
/// ``ColdItemVectors`` standing in for catalogue items that have no interaction yet.
/// The baselines have no vectors and fall back on the graph: audiences by how much of a
/// user's profile is in the item's categories, similarity by co-occurrence (cosine of the
/// users two items share, or of the items two users share).
extension Recommender: ScoringModel {
    /// The model's scores; for embedding models, cold items get `query(u) · v_cold` (the
    /// co-visitation and popularity terms are zero for an item nobody touched), and items
    /// with neither interactions nor side information get `-infinity`.
    /// - Complexity: O(items * dimension) plus O(cold items * side nodes * dimension).
    public func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
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

    public func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else {
            categoryAffinity(ofItem: item, graph: graph, into: scores)
            return
        }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        if cold.isKnown(item) {
            embedding.scoreUsers(item: item, into: scores)
        } else if let v = cold.vector(for: item) {
            v.withUnsafeBufferPointer { embedding.scoreUsers(vector: $0.baseAddress!, into: scores) }
        } else {
            for u in scores.indices { scores[u] = -.infinity }
        }
    }

    public func itemSimilarities(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else {
            GraphSimilarity.items(to: item, graph: graph, into: scores)
            return
        }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        guard let v = cold.vector(for: item) else {
            for i in scores.indices { scores[i] = 0 }
            return
        }
        v.withUnsafeBufferPointer { EmbeddingModel.cosines(of: $0.baseAddress!, table: embedding.finalItems, into: scores) }
        // Rows of cold items hold untrained values: replace them by their estimates.
        for other in cold.coldItems() where Int(other) < scores.count {
            scores[Int(other)] = cold.vector(for: other).map { Self.cosine(v, $0) } ?? 0
        }
    }

    /// - Complexity: O(others * dimension) when they are known; a cold one adds its estimate.
    public func itemSimilarities(to item: Int32, among others: [Int32], graph: HeteroGraph) -> [Float] {
        guard let embedding else { return others.map { GraphSimilarity.items(item, $0, graph: graph) } }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        guard let v = cold.vector(for: item) else { return others.map { _ in 0 } }
        let stride = embedding.stride
        return v.withUnsafeBufferPointer { pv in
            let query = pv.baseAddress!
            let norm = VectorKernels.squaredNorm(query, stride).squareRoot()
            return embedding.finalItems.storage.withUnsafeBufferPointer { table in
                others.map { other -> Float in
                    if cold.isKnown(other) {
                        // Read the row in place: this runs for every history item of every candidate.
                        let row = table.baseAddress! + Int(other) * stride
                        let d = norm * VectorKernels.squaredNorm(row, stride).squareRoot()
                        return d > 0 ? VectorKernels.dot(query, row, stride) / d : 0
                    }
                    return cold.vector(for: other).map { Self.cosine(v, $0) } ?? 0
                }
            }
        }
    }

    public func userSimilarities(to user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding, Int(user) >= 0, Int(user) < embedding.finalUsers.rows else {
            GraphSimilarity.users(to: user, graph: graph, into: scores)
            return
        }
        let base = Int(user) * embedding.stride
        let v = Array(embedding.finalUsers.storage[base..<(base + embedding.stride)])
        v.withUnsafeBufferPointer { EmbeddingModel.cosines(of: $0.baseAddress!, table: embedding.finalUsers, into: scores) }
    }

    /// For baselines: the share of each user's interest profile in the item's categories.
    func categoryAffinity(ofItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        let categories = Set(graph.categories(ofItem: item).map { graph.name(of: NodeRef(.category, $0)) })
        for u in scores.indices {
            guard graph.isLive(user: Int32(u)) else { scores[u] = 0; continue }
            let profile = graph.profile(ofUser: Int32(u))
            scores[u] = Float(profile.categories.filter { categories.contains($0.name) }.reduce(0) { $0 + $1.share })
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let n = min(pa.count, pb.count)
                let d = (VectorKernels.squaredNorm(pa.baseAddress!, n) * VectorKernels.squaredNorm(pb.baseAddress!, n)).squareRoot()
                return d > 0 ? VectorKernels.dot(pa.baseAddress!, pb.baseAddress!, n) / d : 0
            }
        }
    }
}
