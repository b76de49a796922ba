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
    ///
    /// Cold vectors come from the model's ``ColdItemTable`` (built once per model and
    /// catalogue state), scored with the same block kernel as the known items.
    /// - Complexity: O(items * dimension), SIMD; one scratch buffer of the cold count.
    public func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        score(user: user, graph: graph, into: scores)
        guard let embedding else { return }
        ColdOverlay(model: embedding, graph: graph, count: scores.count).apply(forUser: user, into: scores)
    }

    /// - Complexity: O(users * dimension): one block-kernel pass over the cached
    ///   ``UserQueryBlocks``, or (first query on a model state) the final and session tables.
    public func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else {
            categoryAffinity(ofItem: item, graph: graph, into: scores)
            return
        }
        let stride = embedding.stride
        let found = withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { v -> Bool in
            guard servingVector(of: item, graph: graph, into: v.baseAddress!) != nil else { return false }
            guard let users = embedding.servingCache.userQueries(model: embedding) else {
                embedding.scoreUsers(vector: v.baseAddress!, into: scores)
                return true
            }
            users.score(vector: v.baseAddress!, into: scores.baseAddress!, count: scores.count)
            for u in min(users.rows, scores.count)..<scores.count { scores[u] = 0 }
            return true
        }
        if !found { for u in scores.indices { scores[u] = -.infinity } }
    }

    /// Writes the item's serving vector (its final row, or its cold estimate) into `out`
    /// (`stride` floats) and returns its norm; `nil` when it has neither.
    /// - Complexity: O(dimension) once the cold table is built.
    func servingVector(of item: Int32, graph: HeteroGraph, into out: UnsafeMutablePointer<Float>) -> Float? {
        guard let embedding else { return nil }
        let stride = embedding.stride
        let i = Int(item)
        if i >= 0, i < embedding.itemKnown.count, embedding.itemKnown[i], i < embedding.finalItems.rows {
            embedding.finalItems.storage.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + i * stride, count: stride) }
            return VectorKernels.squaredNorm(out, stride).squareRoot()
        }
        let cold = embedding.servingCache.coldTable(model: embedding, graph: graph)
        guard i >= 0, i < cold.slot.count, cold.slot[i] >= 0 else { return nil }
        cold.withRow(cold.slot[i]) { out.update(from: $0, count: stride) }
        return cold.norms[Int(cold.slot[i])]
    }

    /// Cosines with every item: one block-kernel pass over the known items and one over the
    /// cold table, divided by cached norms (the first query on a model state computes the
    /// norms as it goes, see ``ServingCache/itemNorms(model:)``).
    /// - Complexity: O(items * dimension), SIMD; no per-item allocation.
    public func itemSimilarities(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        guard let embedding else {
            GraphSimilarity.items(to: item, graph: graph, into: scores)
            return
        }
        let stride = embedding.stride
        let cold = embedding.servingCache.coldTable(model: embedding, graph: graph)
        let m = cold.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride + m) { scratch in
            let v = scratch.baseAddress!
            guard let norm = servingVector(of: item, graph: graph, into: v) else {
                for i in scores.indices { scores[i] = 0 }
                return
            }
            if let norms = embedding.servingCache.itemNorms(model: embedding) {
                let rows = min(scores.count, embedding.finalItems.rows)
                if rows > 0 { embedding.scoreItemBlocks(query: v, rows: rows, into: scores.baseAddress!) }
                norms.norms.withUnsafeBufferPointer { norms in
                    for r in 0..<rows {
                        let d = norm * norms[r]
                        scores[r] = d > 0 ? scores[r] / d : 0
                    }
                }
                if rows < scores.count { for r in rows..<scores.count { scores[r] = 0 } }
            } else {
                EmbeddingModel.cosines(of: v, table: embedding.finalItems, into: scores)
            }
            // Rows of cold items hold untrained values: replace them by their estimates.
            for other in cold.unscored where Int(other) < scores.count { scores[Int(other)] = 0 }
            guard m > 0 else { return }
            let coldScores = v + stride
            cold.score(query: v, into: coldScores)
            cold.items.withUnsafeBufferPointer { items in
                cold.norms.withUnsafeBufferPointer { norms in
                    for s in 0..<m where Int(items[s]) < scores.count {
                        let d = norm * norms[s]
                        scores[Int(items[s])] = d > 0 ? coldScores[s] / d : 0
                    }
                }
            }
        }
    }

    /// - Complexity: O(others * dimension), reading known rows and cold estimates in place.
    public func itemSimilarities(to item: Int32, among others: [Int32], graph: HeteroGraph) -> [Float] {
        guard let embedding else { return others.map { GraphSimilarity.items(item, $0, graph: graph) } }
        let stride = embedding.stride
        let cold = embedding.servingCache.coldTable(model: embedding, graph: graph)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { scratch in
            let query = scratch.baseAddress!
            guard let norm = servingVector(of: item, graph: graph, into: query) else { return others.map { _ in 0 } }
            return embedding.finalItems.storage.withUnsafeBufferPointer { table in
                others.map { other -> Float in
                    let o = Int(other)
                    if o >= 0, o < embedding.itemKnown.count, embedding.itemKnown[o], o < embedding.finalItems.rows {
                        // Read the row in place: this runs for every history item of every candidate.
                        let row = table.baseAddress! + o * stride
                        let d = norm * VectorKernels.squaredNorm(row, stride).squareRoot()
                        return d > 0 ? VectorKernels.dot(query, row, stride) / d : 0
                    }
                    guard o >= 0, o < cold.slot.count, cold.slot[o] >= 0 else { return 0 }
                    let s = cold.slot[o]
                    let d = norm * cold.norms[Int(s)]
                    return d > 0 ? cold.withRow(s) { VectorKernels.dot(query, $0, stride) } / d : 0
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
