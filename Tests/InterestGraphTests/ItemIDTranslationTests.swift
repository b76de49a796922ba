import Testing
@testable import InterestGraph

/// Received item rows find this engine's items through the senders' ids (``ItemIDTranslation``),
/// and always the item their name says: whatever each side's numbering, after a sender
/// renumbers its items, for an item this engine removed, and for batches that carry no ids.
@Suite struct ItemIDTranslationTests {
    /// A receiver whose ids differ from any sender's: y = 2, x = 3, z = 4.
    static func receiver() -> HeteroGraph {
        var graph = HeteroGraph()
        for name in ["pad0", "pad1", "y", "x", "z"] { _ = graph.addItem(name) }
        return graph
    }

    static func batch(from engine: String, items: [String], ids: [Int32]) -> ItemDeltaBatch {
        var batch = ItemDeltaBatch(engine: engine, sequence: 1, since: 0, at: 1, dimension: 1, items: items, ego: items.map { _ in 0.5 })
        batch.senderIDs = ids
        return batch
    }

    @Test func rowsFindTheItemTheirNameSaysAcrossRenumberingAndRemoval() {
        var graph = Self.receiver()
        var translation = ItemIDTranslation()
        // First batch: learned from the names.
        #expect(translation.ids(of: Self.batch(from: "A", items: ["x", "y", "w"], ids: [0, 1, 2]), in: graph) == [3, 2, -1])
        // Again, the same ids: found through the table (and still right).
        #expect(translation.ids(of: Self.batch(from: "A", items: ["y", "x"], ids: [1, 0]), in: graph) == [2, 3])
        // Sender A restarted and renumbered: id 0 is now y, id 1 is z. The stale entries are
        // noticed (the names differ) and replaced.
        #expect(translation.ids(of: Self.batch(from: "A", items: ["y", "z"], ids: [0, 1]), in: graph) == [2, 4])
        #expect(translation.ids(of: Self.batch(from: "A", items: ["z", "y"], ids: [1, 0]), in: graph) == [4, 2])
        // Another sender's id 0 is its own item, not A's.
        #expect(translation.ids(of: Self.batch(from: "B", items: ["x"], ids: [0]), in: graph) == [3])
        #expect(translation.ids(of: Self.batch(from: "A", items: ["y"], ids: [0]), in: graph) == [2])
        // An item this engine removed is unknown, even though the table knew it.
        graph.removeItem(4)
        #expect(translation.ids(of: Self.batch(from: "A", items: ["z", "y"], ids: [1, 0]), in: graph) == [-1, 2])
        // A batch that crossed a wire carries no ids: names alone, as before.
        var wire = Self.batch(from: "A", items: ["x", "nope", "y"], ids: [])
        wire.senderIDs = []
        #expect(translation.ids(of: wire, in: graph) == [3, -1, 2])
        // A sender id far beyond the table grows it.
        #expect(translation.ids(of: Self.batch(from: "A", items: ["x"], ids: [100_000]), in: graph) == [3])
        #expect(translation.ids(of: Self.batch(from: "A", items: ["x"], ids: [100_000]), in: graph) == [3])
    }

    /// A batch collected from a model names its rows by the sender's ids, in step with its names.
    @Test func collectedBatchesCarryTheSendersIDs() throws {
        let (a, _) = SharedItemEngineTests.streams()
        let channel = LocalItemSync.connected(2)[0]
        var core = SharedItemEngineTests.engine(a, channel: channel)
        SharedItemEngineTests.drain(&core, events: a.count)
        let batch = try #require(ItemDeltaExchange.collect(from: &core.model, graph: core.graph, since: 0, at: 1))
        #expect(!batch.items.isEmpty)
        #expect(batch.senderIDs.count == batch.items.count)
        for (k, name) in batch.items.enumerated() { #expect(core.graph.itemID(name) == batch.senderIDs[k]) }
    }
}

/// Another engine's delta is added to an item's rows only when every value is finite: a
/// NaN or an infinity anywhere in it (each of the sixteen-lane chunks and the tail) leaves
/// the rows as they were.
@Suite struct ItemDeltaApplyTests {
    /// Dimension 40: two whole chunks of sixteen and a tail of eight.
    @Test(arguments: [0, 5, 16, 31, 32, 39])
    func aDeltaWithANonFiniteValueChangesNothing(at lane: Int) throws {
        let graph = ServingTestWorld().graph()
        var h = ServingTestWorld.hyperparameters()
        h.dimension = 40
        h.epochs = 1
        var model = Recommender(kind: .lightGCN, hyperparameters: h)
        model.fit(graph: graph)
        let row: Int32 = 3
        let d = model.hyperparameters.sanitised.dimension
        #expect(d == 40)
        let before = try #require(model.itemRows(row))
        for bad in [Float.nan, .infinity, -.infinity] {
            var delta = [Float](repeating: 0.25, count: d)
            delta[lane] = bad
            let applied = model.applyItemDelta(row: row, ego: delta[...])
            #expect(!applied)
            #expect(model.itemRows(row)?.ego == before.ego)
            #expect(model.itemRows(row)?.final == before.final)
        }
        let delta = [Float](repeating: 0.25, count: d)
        let applied = model.applyItemDelta(row: row, ego: delta[...])
        #expect(applied)
        let after = try #require(model.itemRows(row))
        for k in 0..<d { #expect(abs(after.ego[k] - (before.ego[k] + 0.25)) <= 1e-6) }
    }
}
