import Testing
@testable import InterestGraph

@Suite("Embedding model training, determinism and the divergence guard")
struct ModelTrainingTests {
    @Test(arguments: [0, 2])
    func trainingReducesBPRLoss(layers: Int) {
        let world = ToyWorld()
        let graph = world.graph()
        var h = ToyWorld.hyperparameters()
        h.layers = layers
        var model = EmbeddingModel(hyperparameters: h)
        model.reinitialise(graph: graph)
        let first = model.trainEpoch(graph: graph)
        var last = first
        for _ in 0..<30 { last = model.trainEpoch(graph: graph) }
        #expect(first > 0.6)  // starts near log 2
        #expect(last < 0.7 * first)
        #expect(model.divergences.isEmpty)
    }

    @Test func sameSeedGivesBitIdenticalEmbeddingsAndThreadsDoNotMatter() {
        let graph = ToyWorld().graph()
        func train(threads: Int, seed: UInt64) -> EmbeddingModel {
            var model = EmbeddingModel(hyperparameters: ToyWorld.hyperparameters(seed: seed, threads: threads))
            model.fit(graph: graph, epochs: 5)
            return model
        }
        let a = train(threads: 1, seed: 3)
        let b = train(threads: 1, seed: 3)
        #expect(a.egoUsers.storage == b.egoUsers.storage)
        #expect(a.finalItems.storage == b.finalItems.storage)
        // Each worker owns whole rows, so two threads give the same floats.
        let c = train(threads: 2, seed: 3)
        #expect(a.finalItems.storage == c.finalItems.storage)
        let d = train(threads: 1, seed: 4)
        #expect(a.finalItems.storage != d.finalItems.storage)
    }

    /// A batch dropped halfway (a dashboard's command is waiting) moves no parameter and
    /// counts no pairs; the next one trains as usual.
    @Test func aBatchThatYieldsMovesNothing() {
        let graph = ToyWorld().graph()
        var model = EmbeddingModel(hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph, epochs: 2)
        let (users, items, finals) = (model.egoUsers.storage, model.egoItems.storage, model.finalItems.storage)
        var asked = 0
        let dropped = model.trainBatch(graph: graph) { asked += 1; return true }
        #expect(asked == 1)
        #expect(dropped.pairs == 0)
        #expect(dropped.divergence == nil)
        #expect(model.egoUsers.storage == users)
        #expect(model.egoItems.storage == items)
        #expect(model.finalItems.storage == finals)
        let trained = model.trainBatch(graph: graph) { false }
        #expect(trained.pairs > 0)
        #expect(model.egoItems.storage != items)
    }

    @Test func injectedNaNRollsBackAndHalvesTheLearningRate() throws {
        let graph = ToyWorld().graph()
        var model = EmbeddingModel(hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph, epochs: 3)
        let rate = model.hyperparameters.learningRate
        // Poison every item's ego row: the next batch must see a non-finite loss.
        for k in model.egoItems.storage.indices where k % model.stride == 0 { model.egoItems.storage[k] = .nan }
        let step = model.trainBatch(graph: graph)
        let report = try #require(step.divergence)
        #expect(report.reason == .nonFiniteLoss)
        #expect(model.hyperparameters.learningRate == rate / 2)
        #expect(model.egoItems.isFinite)
        #expect(model.finalItems.isFinite)
        // Training continues normally afterwards.
        let next = model.trainBatch(graph: graph)
        #expect(next.divergence == nil)
        #expect(next.loss.isFinite)
    }

    @Test func hugeLearningRateIsCaughtAndLowered() {
        let graph = ToyWorld().graph()
        var h = ToyWorld.hyperparameters()
        h.optimizer = .sgd
        h.learningRate = 1
        var model = EmbeddingModel(hyperparameters: h)
        model.fit(graph: graph, epochs: 2)
        var updated = model.hyperparameters
        updated.learningRate = 1e7
        model.update(hyperparameters: updated)
        for _ in 0..<20 { model.trainBatch(graph: graph) }
        #expect(!model.divergences.isEmpty)
        #expect(model.hyperparameters.learningRate < 1e7)
        #expect(model.egoUsers.isFinite)
        #expect(model.finalItems.isFinite)
    }

    @Test func hyperparameterChangesApplyAtTheNextBatchAndDimensionNeedsReinitialise() {
        let graph = ToyWorld().graph()
        var model = EmbeddingModel(hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph, epochs: 1)
        var h = model.hyperparameters
        h.dimension = 32
        h.layers = 1
        let pending = model.update(hyperparameters: h)
        #expect(pending)
        #expect(model.dimension == 16)
        model.trainBatch(graph: graph)
        #expect(model.h.layers == 1)
        model.reinitialise(graph: graph)
        #expect(model.dimension == 32)
        #expect(!model.needsReinitialise)
        #expect(model.trainBatch(graph: graph).loss.isFinite)
    }

    @Test func hyperparameterTextSettingValidates() throws {
        var h = Hyperparameters()
        try h.set("halfLife", to: "7d")
        #expect(h.halfLife == 7 * 86_400)
        try h.set("optimizer", to: "SGD")
        #expect(h.optimizer == .sgd)
        try h.set("weight.purchase", to: "10")
        #expect(h.actionWeights[.purchase] == 10)
        #expect(throws: HyperparameterError.self) { try h.set("layers", to: "three") }
        #expect(throws: HyperparameterError.self) { try h.set("colour", to: "red") }
        var wild = Hyperparameters()
        wild.layers = 99
        wild.learningRate = -.infinity
        #expect(wild.sanitised.layers == 4)
        #expect(wild.sanitised.learningRate > 0)
    }
}
