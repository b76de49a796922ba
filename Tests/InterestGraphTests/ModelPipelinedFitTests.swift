import Foundation
import Testing
@testable import InterestGraph

/// The pipelined sampled fit (EmbeddingModel+PipelinedFit.swift): one thread draws batch
/// `k + 1` while the fitting thread trains batch `k`. It must be the sequential fit bit for
/// bit (same generator, consumed in the same order), whatever the threads' timing.
@Suite("Pipelined sampled fit")
struct ModelPipelinedFitTests {
    /// A scaled-down shop with fan-outs below most degrees, so building a subgraph draws from
    /// the generator (a batch handed the wrong subgraph or drawn out of order trains on other
    /// rows), and small batches, so a fit is dozens of them.
    static let graph = ToyWorld(users: 300, categories: 6, itemsPerCategory: 25, perUser: 8).graph()

    static func model(seed: UInt64 = 3, pipelined: Bool) -> EmbeddingModel {
        var h = ToyWorld.hyperparameters(seed: seed)
        h.layers = 3
        h.batchSize = 48
        h.epochs = 3
        h.entityMinItems = 0
        var model = EmbeddingModel(hyperparameters: h)
        model.trainingMode = .sampled
        model.sampledFanouts = [4, 3, 2]
        model.pipelinedFit = pipelined
        return model
    }

    /// Bit-level equality of two float buffers (NaN equals NaN of the same bits).
    static func identical(_ a: AlignedFloats, _ b: AlignedFloats) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Everything a fit leaves that later training or scoring reads, compared bit for bit.
    static func expectIdentical(_ a: EmbeddingModel, _ b: EmbeddingModel, _ what: String) {
        let tables: [(String, KeyPath<EmbeddingModel, EmbeddingTable>)] = [
            ("ego users", \.egoUsers), ("ego items", \.egoItems), ("ego categories", \.egoCategories),
            ("ego brands", \.egoBrands), ("final users", \.finalUsers), ("final items", \.finalItems),
            ("sessions", \.sessions),
        ]
        for (name, path) in tables {
            #expect(identical(a[keyPath: path].storage, b[keyPath: path].storage), "\(what): \(name) differ")
        }
        for k in a.moments.indices {
            #expect(identical(a.moments[k].first, b.moments[k].first) && identical(a.moments[k].second, b.moments[k].second),
                    "\(what): Adam moments of kind \(k) differ")
        }
        #expect(a.rng == b.rng, "\(what): generator states differ")
        #expect(a.adamStep == b.adamStep && a.batches == b.batches && a.sampledRows == b.sampledRows)
        #expect(a.batchRows == b.batchRows, "\(what): last batch's triples differ")
        #expect(a.recentLoss?.bitPattern == b.recentLoss?.bitPattern)
    }

    /// A budgeted fit (what protocol A, the calibration and the validation search run) and an
    /// epoch fit give the sequential fit's every parameter, moment and generator state.
    @Test(arguments: [true, false])
    func pipelinedFitIsTheSequentialFit(budgeted: Bool) throws {
        let graph = Self.graph
        var sequential = Self.model(pipelined: false)
        var pipelined = Self.model(pipelined: true)
        let budget: Int? = budgeted ? 48 * 37 : nil
        let a = sequential.fit(graph: graph, epochs: 3, budget: budget)
        let b = pipelined.fit(graph: graph, epochs: 3, budget: budget)
        try #require(sequential.usesSampledTraining(graph: graph))
        try #require(sequential.batches >= 30, "only \(sequential.batches) batches")
        #expect(sequential.sampledRows > 0)
        #expect(a.bitPattern == b.bitPattern, "fit losses \(a) vs \(b)")
        Self.expectIdentical(sequential, pipelined, budgeted ? "budgeted fit" : "epoch fit")
    }

    /// Batch by batch: the pipeline's k-th step trains exactly the k-th batch the sequential
    /// order draws (its loss and pair count), so a batch handed the subgraph or triples of
    /// its neighbour, or drawn out of order, fails here even if the totals happened to agree.
    @Test func everyBatchTrainsOnItsOwnDraw() throws {
        let graph = Self.graph
        let count = 25
        var reference = Self.model(pipelined: false)
        reference.reinitialise(graph: graph)
        var expected: [TrainingStep] = []
        for _ in 0..<count { expected.append(reference.trainBatch(graph: graph)) }
        // Neighbouring batches really differ, so a mix-up would show.
        try #require(zip(expected, expected.dropFirst()).allSatisfy { $0.loss != $1.loss })

        var pipelined = Self.model(pipelined: true)
        pipelined.reinitialise(graph: graph)
        var steps: [TrainingStep] = []
        var order: [Int] = []
        pipelined.trainSampledBatches(graph: graph, count: count) { k, step in
            order.append(k)
            steps.append(step)
        }
        #expect(order == Array(0..<count))
        try #require(steps.count == count)
        for k in 0..<count {
            #expect(steps[k].pairs == expected[k].pairs, "batch \(k): pairs")
            #expect(steps[k].loss.bitPattern == expected[k].loss.bitPattern, "batch \(k): loss \(steps[k].loss) vs \(expected[k].loss)")
        }
        Self.expectIdentical(reference, pipelined, "after \(count) batches")
        // The model trains on sequentially afterwards from the same state.
        let next = (reference.trainBatch(graph: graph), pipelined.trainBatch(graph: graph))
        #expect(next.0.loss.bitPattern == next.1.loss.bitPattern)
        Self.expectIdentical(reference, pipelined, "one sequential batch later")
    }

    /// Two pipelined fits with one seed are bit-identical (the threads' timing differs from
    /// run to run, the result must not); another seed gives another model, so the comparison
    /// can fail.
    @Test func sameSeedSameModel() {
        let graph = Self.graph
        var first = Self.model(pipelined: true)
        var second = Self.model(pipelined: true)
        var other = Self.model(seed: 4, pipelined: true)
        for k in 0..<3 {
            first.fit(graph: graph, epochs: 2, budget: 48 * (20 + k))
            second.fit(graph: graph, epochs: 2, budget: 48 * (20 + k))
            other.fit(graph: graph, epochs: 2, budget: 48 * (20 + k))
            Self.expectIdentical(first, second, "fit \(k)")
            #expect(!Self.identical(first.egoUsers.storage, other.egoUsers.storage), "seed 4 trained the same model")
        }
    }

    /// One batch, and a budget of one positive, run the pipeline to its end too.
    @Test(arguments: [1, 2])
    func shortFits(batches: Int) {
        let graph = Self.graph
        var sequential = Self.model(pipelined: false)
        var pipelined = Self.model(pipelined: true)
        let budget = batches == 1 ? 1 : 48 * batches
        sequential.fit(graph: graph, epochs: 1, budget: budget)
        pipelined.fit(graph: graph, epochs: 1, budget: budget)
        #expect(pipelined.batches == batches)
        Self.expectIdentical(sequential, pipelined, "\(batches)-batch fit")
    }

    /// A subgraph built from a fit's frozen lists (``FrozenNeighbours``) is the one built
    /// from the graph itself: the same nodes, neighbours, weights and generator state after.
    @Test(arguments: [Float(0), 0.5])
    func frozenListsBuildTheSameSubgraph(sideWeight: Float) throws {
        let graph = Self.graph
        var plain = SampledSubgraph()
        var fast = SampledSubgraph()
        fast.frozen = FrozenNeighbours(graph: graph, sideWeight: sideWeight, otherItemDegree: [])
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        var pick = SeededGenerator(seed: 6)
        let users = graph.users.count
        let items = graph.items.count
        for _ in 0..<20 {
            let seeds = (0..<30).map { k in Int32(k % 3 == 0 ? pick.index(below: users) : users + pick.index(below: items)) }
            let x = plain.build(seeds: seeds, layers: 3, graph: graph, sideWeight: sideWeight, fanouts: [4, 3, 2], rng: &a)
            let y = fast.build(seeds: seeds, layers: 3, graph: graph, sideWeight: sideWeight, fanouts: [4, 3, 2], rng: &b)
            #expect(x == y)
            #expect(plain.nodes == fast.nodes && plain.depthEnd == fast.depthEnd && plain.rowStart == fast.rowStart)
            #expect(plain.columns == fast.columns)
            #expect(plain.weights.map(\.bitPattern) == fast.weights.map(\.bitPattern))
            #expect(a == b)
        }
        try #require(plain.columns.count > plain.nodes.count, "the subgraphs sampled almost nothing")
    }
}
