extension Serving {
    /// The best `k` of `scores` (as ``top(_:k:admits:)``: finite, admitted, ties to the lower
    /// id), where `scores` are screened values each within `bound` of the true score, and
    /// `exact(j)` gives the true score of item `j`.
    ///
    /// Why it is exact: let `T` be the `k`-th best screened score among admitted items. Those
    /// `k` items have true scores `>= T - bound`, and an item screened below `T - 2 bound` has a
    /// true score `< T - bound`, so it cannot be among the best `k`, not even on a tie. Every
    /// other admitted item gets its true score and is offered to the heap in id order, as
    /// ``top(_:k:admits:)`` would offer it.
    /// - Complexity: O(n / 16) twice plus O(c * (exact + log k)) for the c candidates.
    static func screenedTop(
        _ scores: UnsafeMutableBufferPointer<Float>, k: Int, bound: Float, admits: (Int) -> Bool, exact: (Int) -> Float
    ) -> [ScoredItem] {
        let screened = top(scores, k: k, admits: admits)
        // Fewer than k admitted: every admitted item is a candidate.
        let floor = screened.count == k ? screened[k - 1].score - 2 * bound : -Float.greatestFiniteMagnitude
        var heap = TopKHeap(capacity: k)
        let n = scores.count
        guard let base = UnsafePointer(scores.baseAddress) else { return [] }
        var i = 0
        while i < n {
            let end = min(i + 16, n)
            if end - i < 16 || any(VectorKernels.load(base, i) .>= SIMD16<Float>(repeating: floor)) {
                for j in i..<end where base[j] >= floor && base[j] > -.infinity && admits(j) {
                    heap.offer(Int32(j), exact(j))
                }
            }
            i = end
        }
        return heap.sortedDescending()
    }
}

extension Recommender {
    /// The user's top-`k` items from a screening pass over the bfloat16 item blocks
    /// (``EmbeddingModel+ItemScreen``), then the float score of every item that could still be
    /// in the top-`k` (``Serving/screenedTop(_:k:bound:admits:exact:)``): the same items,
    /// scores and order as ranking ``scoreItems(forUser:graph:into:)`` with
    /// ``Serving/top(_:k:admits:)``, for about half the memory traffic. A known item's float
    /// score comes from its whole block of 16, computed as the unscreened scan computes it;
    /// cold items already carry their estimate's exact score.
    ///
    /// - Returns: `nil` when screening does not apply (no embedding, a hybrid score with
    ///   co-visitation or popularity terms, a small catalogue, a row that is not finite); the
    ///   caller then scores directly.
    /// - Complexity: O(n * d) over half the bytes, plus O(n / 16) twice to select and
    ///   O(c * 16 * d) for the c candidates' blocks.
    public func screenedTopItems(user: Int32, k: Int, excludeSeen: Bool, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]? {
        guard let hybrid, hybrid.scoresAreDotProducts else { return nil }
        let embedding = hybrid.embedding
        let n = graph.itemCapacity
        let rows = min(n, embedding.finalItems.rows)
        guard k > 0, rows >= embedding.screenMinimumRows, embedding.screenCovers(rows: rows) else { return nil }
        let stride = embedding.stride
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n + stride + EmbeddingModel.blockRows) { buffer -> [ScoredItem]? in
            let scores = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            let query = buffer.baseAddress! + n
            embedding.writeQuery(user: user, into: query)
            let bound = embedding.screeningErrorBound(query: query)
            guard bound.isFinite else { return nil }
            embedding.screenItemBlocks(query: query, rows: rows, into: scores.baseAddress!)
            for r in rows..<n { scores[r] = 0 }
            let cold = ColdOverlay(model: embedding, graph: graph, count: n)
            cold.apply(forUser: user, into: scores)
            if excludeSeen { for item in graph.items(ofUser: user) where Int(item) < n { scores[Int(item)] = -.infinity } }
            var blocks = ExactBlockScores(embedding: embedding, query: query, rows: rows, scratch: query + stride)
            return Serving.screenedTop(scores, k: k, bound: bound, admits: admits) { j in
                j >= rows || cold.scoresFromEstimate(j) ? scores[j] : blocks.score(j)
            }
        }
    }

    /// The `k` items most similar to `item` (cosines), screened like ``screenedTopItems(user:k:excludeSeen:graph:admits:)``:
    /// the same list as ``Serving/similarItems(to:k:graph:model:)`` scores directly.
    ///
    /// A screened dot product is within `2^-8 |v| |w|` (plus rounding) of the float one, so a
    /// screened cosine is within about `2^-8` of the float cosine, whatever the norms.
    /// - Returns: `nil` without an embedding, below the screening size, or before the item
    ///   norms are cached (the first query on a model state).
    public func screenedSimilarItems(to item: Int32, k: Int, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]? {
        guard let embedding else { return nil }
        let n = graph.itemCapacity
        let rows = min(n, embedding.finalItems.rows)
        guard k > 0, rows >= embedding.screenMinimumRows, embedding.screenCovers(rows: rows), embedding.itemNormBound.isFinite,
              let norms = embedding.servingCache.cachedItemNorms(model: embedding), norms.norms.count >= rows else { return nil }
        let stride = embedding.stride
        let cold = embedding.servingCache.coldTable(model: embedding, graph: graph)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n + stride + EmbeddingModel.blockRows + cold.count) { buffer -> [ScoredItem]? in
            let scores = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            let v = buffer.baseAddress! + n
            guard let norm = servingVector(of: item, graph: graph, into: v) else { return nil }
            embedding.screenItemBlocks(query: v, rows: rows, into: scores.baseAddress!)
            var blocks = ExactBlockScores(embedding: embedding, query: v, rows: rows, scratch: v + stride)
            let coldScores = v + stride + EmbeddingModel.blockRows
            return norms.norms.withUnsafeBufferPointer { norms -> [ScoredItem] in
                for r in 0..<rows {
                    let d = norm * norms[r]
                    scores[r] = d > 0 ? scores[r] / d : 0
                }
                for r in rows..<n { scores[r] = 0 }
                // Cold items: as itemSimilarities(to:graph:into:) scores them, exactly.
                for other in cold.unscored where Int(other) < n { scores[Int(other)] = 0 }
                cold.score(query: v, into: coldScores)
                cold.items.withUnsafeBufferPointer { items in
                    cold.norms.withUnsafeBufferPointer { coldNorms in
                        for s in 0..<cold.count where Int(items[s]) < n {
                            let d = norm * coldNorms[s]
                            scores[Int(items[s])] = d > 0 ? coldScores[s] / d : 0
                        }
                    }
                }
                let bound = EmbeddingModel.screenRelativeError * 1.01 + 1e-5
                return Serving.screenedTop(scores, k: k, bound: bound, admits: admits) { j in
                    guard j < rows, cold.slot.count <= j || cold.slot[j] == ColdItemTable.notCold else { return scores[j] }
                    let d = norm * norms[j]
                    return d > 0 ? blocks.score(j) / d : 0
                }
            }
        }
    }
}

/// Float scores of single items, one block of 16 at a time (the block of the last item asked
/// is kept: candidates arrive in id order, often several per block).
struct ExactBlockScores {
    let embedding: EmbeddingModel
    let query: UnsafePointer<Float>
    let rows: Int
    /// 16 floats of scratch.
    let scratch: UnsafeMutablePointer<Float>
    var block = -1

    init(embedding: EmbeddingModel, query: UnsafePointer<Float>, rows: Int, scratch: UnsafeMutablePointer<Float>) {
        self.embedding = embedding
        self.query = query
        self.rows = rows
        self.scratch = scratch
    }

    /// The score ``EmbeddingModel/scoreItemBlocks(query:rows:into:)`` writes for item `j < rows`.
    mutating func score(_ j: Int) -> Float {
        let b = j / EmbeddingModel.blockRows
        if b != block {
            embedding.scoreItemBlock(b, query: query, rows: rows, into: scratch)
            block = b
        }
        return scratch[j % EmbeddingModel.blockRows]
    }
}
