import Foundation
import Testing
@testable import InterestGraph

/// The live engine's sampled batches draw the next batch on another thread while one trains
/// (EmbeddingModel+DrawAhead.swift). On a graph that does not change, that must train exactly
/// the batches drawing each in turn trains (same generator, same order); on a graph that grew
/// meanwhile, a batch must train the rows it was drawn for.
@Suite("Sampled batches drawn ahead")
struct ModelDrawAheadTests {
    static func model(drawsAhead: Bool) -> EmbeddingModel {
        var model = ModelPipelinedFitTests.model(pipelined: false)
        model.drawsAhead = drawsAhead
        return model
    }

    /// Batch by batch: losses, pairs and every table, moment and step count equal the
    /// sequential batches drawn from the same generator; a batch trained twice, skipped, or
    /// trained on the storage of the one drawn after it fails here.
    @Test func onAFixedGraphItTrainsWhatDrawingEachBatchInTurnTrains() throws {
        let graph = ModelPipelinedFitTests.graph
        var sequential = Self.model(drawsAhead: false)
        var ahead = Self.model(drawsAhead: true)
        sequential.reinitialise(graph: graph)
        ahead.reinitialise(graph: graph)
        // The sequential batches draw from `rng`, batches drawn ahead from `aheadRng`: start
        // the reference's `rng` where the other's draws start.
        sequential.rng = ahead.aheadRng
        try #require(sequential.usesSampledTraining(graph: graph))
        var losses: [Float] = []
        for k in 0..<20 {
            let expected = sequential.trainBatch(graph: graph)
            let got = ahead.trainBatch(graph: graph)
            #expect(got.pairs == expected.pairs && got.pairs > 0, "batch \(k)")
            #expect(got.loss.bitPattern == expected.loss.bitPattern, "batch \(k): \(got.loss) vs \(expected.loss)")
            #expect(ahead.batchRows == sequential.batchRows, "batch \(k): triples differ")
            // The drawing thread's CPU time is reported, for the engine's training share;
            // a batch drawn on the engine thread has none.
            #expect(got.helperCPUSeconds > 0, "batch \(k): the draw's CPU time is not reported")
            #expect(expected.helperCPUSeconds == 0)
            losses.append(got.loss)
        }
        #expect(Set(losses.map(\.bitPattern)).count > 10, "batches differ from each other")
        #expect(ahead.drawnAhead?.pairs ?? 0 > 0, "the next batch is drawn")
        // The reference's generator is where the other's is minus the one batch drawn ahead:
        // compare everything but the generators.
        var reference = sequential
        reference.rng = ahead.rng
        ModelPipelinedFitTests.expectIdentical(reference, ahead, "20 batches drawn ahead")
    }

    /// A batch drawn before new users arrived numbers its items after the users it knew; it
    /// must train those items, not the rows the grown graph's numbering would give them.
    @Test func aBatchDrawnBeforeTheGraphGrewTrainsTheRowsItWasDrawnFor() throws {
        let before = ModelPipelinedFitTests.graph
        var grown = before
        for u in 0..<40 {
            grown.apply(Event(user: "newcomer\(u)", item: ToyWorld.item(u % 6, u % 25), action: .view, timestamp: 2e9 + Double(u)))
        }
        try #require(grown.users.count == before.users.count + 40)
        var model = Self.model(drawsAhead: false)
        model.reinitialise(graph: before)
        model.ensureRows(graph: grown, random: false)
        var rng = SeededGenerator(seed: 11)
        var batch = SampledBatch()
        batch.draw(from: model.sampledBatchSource(graph: before), graph: before, rng: &rng)
        try #require(batch.pairs > 0)
        var onOld = model
        var onGrown = model
        let a = onOld.runSampledBatch(batch, graph: before)
        let b = onGrown.runSampledBatch(batch, graph: grown)
        #expect(a.loss.bitPattern == b.loss.bitPattern)
        ModelPipelinedFitTests.expectIdentical(onOld, onGrown, "one batch on the old and the grown graph")
        // And the batch moved item rows: a mapping that read items as users would not.
        #expect(!ModelPipelinedFitTests.identical(onGrown.egoItems.storage, model.egoItems.storage))
    }

    /// A forgotten user or new hyperparameters drop the batch drawn ahead (it may hold the
    /// user, or was drawn with the old fan-outs and weights).
    @Test func forgettingAUserOrChangingHyperparametersDropsTheBatchDrawnAhead() throws {
        let graph = ModelPipelinedFitTests.graph
        var model = Self.model(drawsAhead: true)
        model.reinitialise(graph: graph)
        _ = model.trainBatch(graph: graph)
        #expect(model.drawnAhead != nil)
        model.forget(user: 0)
        #expect(model.drawnAhead == nil)
        _ = model.trainBatch(graph: graph)
        #expect(model.drawnAhead != nil)
        var h = model.hyperparameters
        h.negatives += 1
        model.update(hyperparameters: h)
        #expect(model.drawnAhead == nil)
        // A new dimension rebuilds the model; it keeps drawing ahead.
        h.dimension = 16
        model.update(hyperparameters: h)
        model.reinitialise(graph: graph)
        #expect(model.drawsAhead)
    }
}
