import Foundation
import Testing
@testable import InterestGraph

/// The training batch runs on ``WorkerPool`` with forward, gradient, backward, L2 and Adam
/// fused across phases; these tests hold it to a plain double-precision reference of the
/// same maths and to bit-identical results for any thread count.
@Suite("Parallel training batch against a reference")
struct ModelParallelTrainingTests {
    /// Layout-order ego rows of `model` (users, items, categories, brands, entities).
    static func egoLayout(_ model: EmbeddingModel) -> [Double] {
        let stride = model.stride
        var x = [Double](repeating: 0, count: model.propagation.nodeCount * stride)
        for kind in NodeKind.allCases {
            let (base, count) = model.layout(kind)
            let table = model.table(kind)
            for k in 0..<(count * stride) { x[base * stride + k] = Double(table.storage[k]) }
        }
        return x
    }

    /// `(x + Âx + ... + Â^L x) / (L + 1)` in doubles, straight from the CSR.
    static func layerMean(_ graph: PropagationGraph, _ x: [Double], stride: Int, layers: Int) -> [Double] {
        var sum = x
        var current = x
        for _ in 0..<layers {
            var next = [Double](repeating: 0, count: x.count)
            for r in 0..<graph.nodeCount {
                for nz in Int(graph.rowStart[r])..<Int(graph.rowStart[r + 1]) {
                    let c = Int(graph.columns[nz])
                    for k in 0..<stride { next[r * stride + k] += Double(graph.values[nz]) * current[c * stride + k] }
                }
            }
            for k in sum.indices { sum[k] += next[k] }
            current = next
        }
        return sum.map { $0 / Double(layers + 1) }
    }

    static func hyperparameters(dimension: Int, layers: Int, threads: Int) -> Hyperparameters {
        var h = ToyWorld.hyperparameters(threads: threads)
        h.dimension = dimension
        h.layers = layers
        h.l2 = 0.01  // large enough for the L2 term to show in the gradient
        return h
    }

    @Test(arguments: [(16, 0), (16, 2), (40, 3), (64, 3)], [1, 2, 3])
    func oneBatchMatchesTheReferenceMaths(shape: (dimension: Int, layers: Int), threads: Int) throws {
        let graph = ToyWorld().graph()
        var model = EmbeddingModel(hyperparameters: Self.hyperparameters(dimension: shape.dimension, layers: shape.layers, threads: threads))
        model.reinitialise(graph: graph)
        let stride = model.stride
        let p = model.propagation
        let ego = Self.egoLayout(model)
        let step = model.trainBatch(graph: graph, publish: true)
        #expect(step.divergence == nil)
        let pairs = step.pairs
        try #require(pairs > 0 && model.batchRows.count == 3 * pairs)

        // Forward: the published forward pass covers every row.
        let final = Self.layerMean(p, ego, stride: stride, layers: shape.layers)
        let fb = model.bufferFinal.array
        for k in final.indices { #expect(abs(Double(fb[k]) - final[k]) <= 1e-5, "final[\(k)]") }

        // Loss and gradient with respect to the finals, then backward, then L2.
        var g = [Double](repeating: 0, count: final.count)
        var loss = 0.0
        var norms = 0.0
        let scale = 1 / Double(pairs)
        let l2 = Double(model.h.l2)
        for t in 0..<pairs {
            let u = Int(model.batchRows[3 * t]) * stride
            let i = (p.itemBase + Int(model.batchRows[3 * t + 1])) * stride
            let j = (p.itemBase + Int(model.batchRows[3 * t + 2])) * stride
            var x = 0.0
            for k in 0..<stride { x += final[u + k] * (final[i + k] - final[j + k]) }
            loss += log(1 + exp(-x))
            let c = -scale / (1 + exp(x))
            for k in 0..<stride {
                g[u + k] += c * (final[i + k] - final[j + k])
                g[i + k] += c * final[u + k]
                g[j + k] -= c * final[u + k]
            }
            for row in [u, i, j] { for k in 0..<stride { norms += ego[row + k] * ego[row + k] } }
        }
        var gradient = Self.layerMean(p, g, stride: stride, layers: shape.layers)
        for t in 0..<pairs {
            for row in [Int(model.batchRows[3 * t]), p.itemBase + Int(model.batchRows[3 * t + 1]), p.itemBase + Int(model.batchRows[3 * t + 2])] {
                for k in 0..<stride { gradient[row * stride + k] += l2 * scale * ego[row * stride + k] }
            }
        }
        let expectedLoss = loss * scale + l2 * 0.5 * norms * scale
        #expect(abs(Double(step.loss) - expectedLoss) <= 1e-5 * max(1, expectedLoss))
        // The fused last layer leaves the full gradient in bufferX.
        let gx = model.bufferX.array
        for k in gradient.indices { #expect(abs(Double(gx[k]) - gradient[k]) <= 1e-6, "gradient[\(k)]") }

        // Adam, first step from zero moments, on every ego row of the layout.
        let after = Self.egoLayout(model)
        let rate = Double(model.h.learningRate)
        for k in after.indices {
            let gk = Double(gx[k])
            let m = 0.1 * gk / 0.1
            let v = 0.001 * gk * gk / 0.001
            let expected = ego[k] - rate * m / (v.squareRoot() + 1e-8)
            #expect(abs(after[k] - expected) <= 1e-6, "ego[\(k)]")
        }
    }

    @Test(arguments: [16, 64])
    func anyThreadCountGivesBitIdenticalParameters(dimension: Int) {
        let graph = ToyWorld().graph()
        func train(threads: Int) -> EmbeddingModel {
            var model = EmbeddingModel(hyperparameters: Self.hyperparameters(dimension: dimension, layers: 3, threads: threads))
            model.fit(graph: graph, epochs: 3)
            return model
        }
        let one = train(threads: 1)
        for threads in [2, 3] {
            let other = train(threads: threads)
            for kind in NodeKind.allCases {
                #expect(one.table(kind).storage == other.table(kind).storage, "\(kind) with \(threads) threads")
                #expect(one.moments[Int(kind.rawValue)] == other.moments[Int(kind.rawValue)], "\(kind) moments with \(threads) threads")
            }
            #expect(one.finalItems.storage == other.finalItems.storage)
            #expect(one.finalUsers.storage == other.finalUsers.storage)
        }
    }

    @Test func edgeBitsetAnswersLikeTheGraphAndGoesStaleWhenItChanges() {
        let world = ToyWorld()
        var graph = world.graph()
        let bits = EdgeBitset(graph: graph)
        #expect(bits.matches(graph))
        for user in 0..<graph.users.count {
            for item in 0..<graph.items.count {
                #expect(bits.contains(user: user, item: item) == graph.hasEdge(user: Int32(user), item: Int32(item)))
            }
        }
        graph.apply(Event(user: "u0", item: ToyWorld.item(3, 9), action: .view, timestamp: 9_000_000))
        #expect(!bits.matches(graph))
        #expect(!EdgeBitset().matches(graph))
    }

    @Test(arguments: [16, 64])
    func itemRowsStoppingBeforeZeroSideColumnsGiveTheSameBits(dimension: Int) throws {
        let graph = ToyWorld().graph()
        var model = EmbeddingModel(hyperparameters: Self.hyperparameters(dimension: dimension, layers: 3, threads: 1))
        model.reinitialise(graph: graph)
        let p = model.propagation
        let stride = model.stride
        try #require(p.interactionEnds.count == p.nodeCount)
        // Some item rows really are cut short, and only side columns are cut.
        var cut = 0
        for r in 0..<p.nodeCount where Int(p.interactionEnds[r]) < Int(p.rowStart[r + 1]) {
            cut += 1
            #expect(r >= p.itemBase && r < p.categoryBase)
            for nz in Int(p.interactionEnds[r])..<Int(p.rowStart[r + 1]) { #expect(Int(p.columns[nz]) >= p.categoryBase) }
        }
        #expect(cut > 0)
        // An input like a batch gradient: zero on side rows, odd and even row lengths.
        var rng = SeededGenerator(seed: 11)
        var input = AlignedFloats(count: p.nodeCount * stride)
        for k in 0..<(p.categoryBase * stride) where k % stride < dimension { input[k] = rng.gaussian() }
        func run(_ ends: Bool) -> (AlignedFloats, AlignedFloats) {
            var output = AlignedFloats(count: input.count)
            var sum = AlignedFloats(count: input.count)
            let o = output.uniqueBaseAddress()
            let s = sum.uniqueBaseAddress()
            p.rowStart.withUnsafeBufferPointer { rs in
                p.columns.withUnsafeBufferPointer { cs in
                    p.values.withUnsafeBufferPointer { vs in
                        p.interactionEnds.withUnsafeBufferPointer { es in
                            p.multiply(rows: 0..<p.nodeCount, input: input.baseAddress, output: o, sum: s, first: true, scale: 0.25,
                                       stride: stride, rowStart: rs.baseAddress!, columns: cs.baseAddress!, values: vs.baseAddress!,
                                       ends: ends ? es.baseAddress! : nil)
                        }
                    }
                }
            }
            return (output, sum)
        }
        let full = run(false)
        let short = run(true)
        #expect(full.0.map(\.bitPattern) == short.0.map(\.bitPattern))
        #expect(full.1.map(\.bitPattern) == short.1.map(\.bitPattern))
    }
}
