import Foundation
import Testing
@testable import InterestGraph

/// Sampled-subgraph batches (``TrainingMode/sampled``): exact when the fan-outs cover every
/// degree, bounded in size whatever the graph's size, and learning on their own.
@Suite("Sampled-subgraph training")
struct ModelSampledTrainingTests {
    static func model(mode: TrainingMode, layers: Int, fanouts: [Int] = [1_000]) -> EmbeddingModel {
        var h = ToyWorld.hyperparameters()
        h.layers = layers
        h.l2 = 0.01
        h.entityMinItems = 0
        var model = EmbeddingModel(hyperparameters: h)
        model.trainingMode = mode
        model.sampledFanouts = fanouts
        return model
    }

    /// With fan-outs above every degree the sampled subgraph holds every path of length
    /// `<= L` from the batch, so one batch must move the user and item rows exactly as the
    /// whole-graph batch does (same triples: both draw them from the same generator first),
    /// and leave the side rows where they were.
    @Test(arguments: [0, 1, 2, 3])
    func exactWhenTheFanoutsCoverEveryDegree(layers: Int) throws {
        let graph = ToyWorld().graph()
        var whole = Self.model(mode: .wholeGraph, layers: layers)
        // SGD keeps the step linear in the gradient: Adam's first step is lr * sign(g), which
        // float rounding could flip on a near-zero gradient.
        var h = whole.hyperparameters
        h.optimizer = .sgd
        h.learningRate = 0.5
        whole.update(hyperparameters: h)
        whole.reinitialise(graph: graph)
        var sampled = whole
        sampled.trainingMode = .sampled
        let sidesBefore = (sampled.egoCategories.storage, sampled.egoBrands.storage)
        let a = whole.trainBatch(graph: graph)
        let b = sampled.trainBatch(graph: graph)
        try #require(a.pairs > 0)
        #expect(a.pairs == b.pairs)
        #expect(whole.batchRows == sampled.batchRows)
        #expect(abs(a.loss - b.loss) <= 1e-5 * max(1, abs(a.loss)))
        // The step moves exactly the user and item rows with a nonzero gradient, on both
        // paths; side rows only on the whole-graph path (``EmbeddingModel/stepsSideRows``).
        #expect(sampled.egoCategories.storage == sidesBefore.0 && sampled.egoBrands.storage == sidesBefore.1, "a sampled batch stepped side rows")
        if layers > 0 {
            #expect(whole.egoCategories.storage != sidesBefore.0, "the whole-graph batch steps categories")
        }
        for (x, y) in [(whole.egoUsers, sampled.egoUsers), (whole.egoItems, sampled.egoItems)] {
            #expect(x.storage.count == y.storage.count)
            var worst: Float = 0
            for k in 0..<min(x.storage.count, y.storage.count) { worst = max(worst, abs(x.storage[k] - y.storage[k])) }
            #expect(worst <= 2e-5, "largest parameter difference \(worst)")
        }
        // The batch's users and items publish the same final embeddings.
        for t in 0..<b.pairs {
            let u = Int(sampled.batchRows[3 * t])
            let i = Int(sampled.batchRows[3 * t + 1])
            for k in 0..<whole.dimension {
                #expect(abs(whole.finalUsers.storage[u * whole.stride + k] - sampled.finalUsers.storage[u * sampled.stride + k]) <= 1e-5)
                #expect(abs(whole.finalItems.storage[i * whole.stride + k] - sampled.finalItems.storage[i * sampled.stride + k]) <= 1e-5)
            }
        }
    }

    /// The batch's node count is bounded by the batch and the fan-outs, not by the graph:
    /// on a graph ten times larger a batch touches no more than the same bound, a fraction of
    /// the graph (fewer rows on the smaller graph only because more of them repeat).
    @Test func batchSizeDoesNotGrowWithTheGraph() {
        // 64 triples, 3 seeds each, at most 1 + 4 + 8 + 16 nodes per seed.
        let bound = 64 * 3 * 29
        func rowsPerBatch(users: Int) -> (rows: Int, nodes: Int) {
            let graph = ToyWorld(users: users, categories: 8, itemsPerCategory: users / 8).graph()
            var model = Self.model(mode: .sampled, layers: 3, fanouts: [4, 2, 2])
            model.reinitialise(graph: graph)
            let before = model.sampledRows
            for _ in 0..<4 { model.trainBatch(graph: graph) }
            return ((model.sampledRows - before) / 4, graph.users.count + graph.items.count)
        }
        let large = rowsPerBatch(users: 2_000)
        let larger = rowsPerBatch(users: 20_000)
        #expect(large.rows > 0 && large.rows <= bound)
        #expect(larger.rows <= bound && larger.nodes > 4 * bound)
    }

    /// A node with more neighbours than its fan-out keeps its side neighbours (category,
    /// brand) exactly and draws the rest, each draw weighted `Â_vw * sqrt(n / draws)`:
    /// averaged over many draws a side weight converges to the exact `Â_vw` and a drawn
    /// neighbour's to `Â_vw * sqrt(draws / n)` (damped, the noise kept at the exact row's
    /// scale; the unbiased `n / draws` diverged at a million users).
    @Test func sampledRowsAreExactOnSidesAndDampedOnDraws() throws {
        let graph = ToyWorld(users: 200, categories: 2, itemsPerCategory: 6, perUser: 4).graph()
        var h = ToyWorld.hyperparameters()
        h.entityMinItems = 0
        var entityRow: [Int32] = []
        var entityRows = 0
        var cache = EntityLinkCache()
        let exact = PropagationGraph.build(graph: graph, hyperparameters: h, entityRow: &entityRow, entityRows: &entityRows, entityCache: &cache, threads: 1)
        let item = try #require(graph.itemID(ToyWorld.item(0, 0)))
        let row = exact.itemBase + Int(item)
        var expected: [Int: Double] = [:]
        for nz in Int(exact.rowStart[row])..<Int(exact.rowStart[row + 1]) { expected[Int(exact.columns[nz]), default: 0] += Double(exact.values[nz]) }
        try #require(expected.count > 6)  // more neighbours than the fan-out below

        let fanout = 6
        let sides = graph.itemCategories[Int(item)].count + (graph.itemBrand[Int(item)] >= 0 ? 1 : 0)
        let users = graph.itemEdges[Int(item)].count
        let draws = fanout - sides
        try #require(sides > 0 && users > draws)
        let damping = (Double(draws) / Double(users)).squareRoot()

        var subgraph = SampledSubgraph()
        var rng = SeededGenerator(seed: 9)
        var totals: [Int: Double] = [:]
        let batches = 40_000
        for _ in 0..<batches {
            _ = subgraph.build(seeds: [Int32(row)], layers: 1, graph: graph, sideWeight: h.sideWeight, fanouts: [fanout], rng: &rng)
            for nz in Int(subgraph.rowStart[0])..<Int(subgraph.rowStart[1]) {
                totals[Int(subgraph.nodes[Int(subgraph.columns[nz])]), default: 0] += Double(subgraph.weights[nz])
            }
        }
        var sideCount = 0
        for (node, weight) in expected {
            let isUser = node < exact.itemBase
            if !isUser { sideCount += 1 }
            let target = isUser ? weight * damping : weight
            let mean = (totals[node] ?? 0) / Double(batches)
            #expect(abs(mean - target) <= 0.1 * target + 1e-4, "node \(node) (\(isUser ? "drawn user" : "side")): \(mean) vs \(target)")
        }
        #expect(sideCount == sides)
    }

    /// The divergence guard: a loss counts as exploding only when it is both far above the
    /// recent healthy loss and worse than a random model's (`ln 2`; twice that on the
    /// sampled path). A model fitted to loss 0.01 that meets a batch at 0.24 (new events
    /// on a live stream) is not diverging; at 5 it is; a NaN always is.
    @Test(arguments: [TrainingMode.wholeGraph, .sampled])
    func aLossBetterThanChanceIsNeverAnExplosion(mode: TrainingMode) {
        var model = Self.model(mode: mode, layers: 2)
        for _ in 0..<(EmbeddingModel.warmupBatches + 20) { model.recordHealthy(loss: 0.01, snapshots: false) }
        let floor = mode == .sampled ? EmbeddingModel.sampledExplodingFloor : EmbeddingModel.randomModelLoss
        #expect(model.divergenceReason(loss: 0.24, floor: floor) == nil)
        #expect(model.divergenceReason(loss: 0.6, floor: floor) == nil)
        #expect(model.divergenceReason(loss: 5, floor: floor) == .explodingLoss)
        #expect(model.divergenceReason(loss: .nan, floor: floor) == .nonFiniteLoss)
        // The whole-graph default is the random model's loss.
        #expect(model.divergenceReason(loss: 0.5) == nil)
        #expect(model.divergenceReason(loss: 0.8) == .explodingLoss)
    }

    /// Sampled training on its own lowers the loss and ranks held-in positives well above
    /// chance (the toy users each like one category).
    @Test func sampledTrainingLearns() {
        let graph = ToyWorld().graph()
        var model = Self.model(mode: .sampled, layers: 2, fanouts: SampledSubgraph.defaultFanouts)
        model.reinitialise(graph: graph)
        var first: Float = .nan
        var last: Float = .nan
        for b in 0..<300 {
            let step = model.trainBatch(graph: graph)
            if b < 10 { first = b == 0 ? step.loss : first + step.loss }
            if b >= 290 { last = b == 290 ? step.loss : last + step.loss }
        }
        #expect(model.divergences.isEmpty)
        #expect(last < 0.6 * first, "loss \(first / 10) -> \(last / 10)")
    }

    /// ``TrainingMode/automatic`` keeps small shops on the exact whole-graph path and moves a
    /// shop with a 100,000-item catalogue to sampled batches, by the estimated batch cost.
    @Test func automaticModeChoosesBySize() {
        let small = ToyWorld().graph()
        var model = Self.model(mode: .automatic, layers: 3)
        #expect(!model.usesSampledTraining(graph: small))
        var catalogue = ItemCatalogue()
        for k in 0..<100_000 {
            catalogue.merge(item: "i\(k)", attributes: ItemAttributes(categories: ["c\(k % 1_000)"], brand: "b\(k % 5_000)"))
        }
        var large = HeteroGraph()
        large.load(catalogue)
        large.apply(Event(user: "u0", item: "i0", action: .view, timestamp: 1))
        #expect(model.wholeGraphBatchCost(graph: large) > EmbeddingModel.sampledTrainingThreshold)
        #expect(model.usesSampledTraining(graph: large))
        model.trainingMode = .wholeGraph
        #expect(!model.usesSampledTraining(graph: large))
    }
}
