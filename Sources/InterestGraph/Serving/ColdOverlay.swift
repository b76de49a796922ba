/// The cold-item part of ``Recommender/scoreItems(forUser:graph:into:)``: catalogue items
/// the model has no trained row for are scored from their ``ColdItemTable`` estimate, and
/// those without any estimate get `-infinity`.
struct ColdOverlay {
    let model: EmbeddingModel
    let table: ColdItemTable
    /// A live engine may serve a table a few seconds old (``ServingCache/allowStaleColdTable(seconds:)``):
    /// items that got their first event since then keep the score of their trained row.
    let stale: Bool
    let known: [Bool]
    /// The length of the score buffers.
    let count: Int

    init(model: EmbeddingModel, graph: HeteroGraph, count: Int) {
        self.model = model
        table = model.servingCache.coldTable(model: model, graph: graph)
        stale = table.modelStamp != model.finalsStamp
        known = model.itemKnown
        self.count = count
    }

    /// Whether the table's entry for `item` (if any) replaces the trained row's score.
    @inline(__always)
    func replaces(_ item: Int) -> Bool {
        item >= 0 && item < count && (!stale || item >= known.count || !known[item])
    }

    /// Whether ``apply(forUser:into:)`` wrote `item`'s score from its estimate.
    @inline(__always)
    func scoresFromEstimate(_ item: Int) -> Bool {
        replaces(item) && item < table.slot.count && table.slot[item] >= 0
    }

    /// Overwrites the scores of cold items with their estimates' and of unscorable ones with
    /// `-infinity`.
    /// - Complexity: O(cold items * dimension), SIMD; one scratch buffer of the cold count.
    func apply(forUser user: Int32, into scores: UnsafeMutableBufferPointer<Float>) {
        for item in table.unscored where replaces(Int(item)) { scores[Int(item)] = -.infinity }
        let m = table.count
        guard m > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: model.stride + m) { scratch in
            let q = scratch.baseAddress!
            let coldScores = q + model.stride
            model.writeQuery(user: user, into: q)
            table.score(query: q, into: coldScores)
            table.items.withUnsafeBufferPointer { items in
                for s in 0..<m where replaces(Int(items[s])) { scores[Int(items[s])] = coldScores[s] }
            }
        }
    }
}
