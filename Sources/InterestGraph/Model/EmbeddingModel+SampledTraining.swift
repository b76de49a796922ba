import Foundation

/// How background batches see the graph.
public enum TrainingMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Whole-graph batches on small graphs, sampled subgraphs on large ones
    /// (``EmbeddingModel/sampledTrainingThreshold``).
    case automatic
    /// Every batch propagates over the whole graph (exact LightGCN; cost grows with the shop).
    case wholeGraph
    /// Every batch propagates over a sampled subgraph of its own nodes (cost independent of
    /// the shop's size).
    case sampled
}

extension EmbeddingModel {
    /// Above this estimated cost of a whole-graph batch (see ``wholeGraphBatchCost(graph:)``),
    /// ``TrainingMode/automatic`` trains on sampled subgraphs: from there a sampled batch
    /// trains more interactions per second (docs/BENCHMARKS.md, "Training at any size").
    /// ml-100k (about 0.9 M) and the bundled simulated shops (default: about 2.6 M at its end)
    /// stay on the exact whole-graph path; a 100,000-item catalogue alone (about 7 M) does not.
    static let sampledTrainingThreshold = 5_000_000

    /// Triples per sampled batch at most: a sampled batch touches a few hundred rows per
    /// triple, so the configured whole-graph batch (2,048) would be mostly gather and Adam
    /// traffic; smaller batches, more often, keep the published embeddings fresh.
    static let sampledBatchLimit = 512

    /// Whether sampled batches step the ego rows of side nodes (categories, brands): no.
    ///
    /// A category or brand is a hub reached by nearly every sampled batch, and only a batch's
    /// own users and items get the L2 penalty. Stepping side rows in every batch cost a sixth
    /// of the prequential HR@10 on a large stream: one engine over the first 1M events of
    /// the `large` shop scored HR@10 0.230 stepping them every batch, 0.271 stepping them every
    /// other batch (what each of two engines that split the users did, since side rows are not
    /// shared between engines: that was why two engines scored 19% above one), 0.278 not
    /// stepping them, and 0.270 with no side edges at all (`sideWeight 0`); docs/SCALE-OUT.md
    /// §3 has the commands. The likely reason (not measured directly): Adam moves a hub's row
    /// by about the learning rate per batch in a steady direction, so it drifts for as long as
    /// the stream runs, and with it every item's propagated row and every new item's cold
    /// start. Side rows still train on whole-graph batches (graphs below
    /// ``sampledTrainingThreshold`` in `automatic` mode: ml-100k, the bundled simulated shops);
    /// only the sampled path leaves them.
    static let stepsSideRows = false

    /// Nodes ahead whose rows a sampled batch prefetches while it gathers or steps a row:
    /// enough misses in flight to cover memory latency, few enough to stay in L1.
    static let sampledPrefetchDistance = 6

    /// Positives per batch on `graph`: the configured batch size, capped at
    /// ``sampledBatchLimit`` for sampled batches (epochs and fit budgets count in these).
    func effectiveBatchSize(graph: HeteroGraph) -> Int {
        let size = max(1, h.batchSize)
        return usesSampledTraining(graph: graph) ? min(size, Self.sampledBatchLimit) : size
    }

    /// Whether the next batch on `graph` is a sampled one. Inlined: `observe` asks it per
    /// event, and out of line each call copied the model struct (1.5 KB) to pass it.
    @inline(__always)
    func usesSampledTraining(graph: HeteroGraph) -> Bool {
        switch trainingMode {
        case .wholeGraph: return false
        case .sampled: return true
        case .automatic: return wholeGraphBatchCost(graph: graph) > Self.sampledTrainingThreshold
        }
    }

    /// The work of one whole-graph batch in the units of ``PropagationGraph/balancedPartitions``:
    /// every layer streams every row (weight 8) and nonzero (weight 1) forward and backward,
    /// and the optimiser steps every row (weight 40), so rows cost `8 L + 40` and nonzeros `L`.
    /// Counted from the graph without building the adjacency: two nonzeros per user-item
    /// edge and, when side nodes propagate, four per item (a category and a brand edge).
    /// - Complexity: O(1).
    @inline(__always)
    func wholeGraphBatchCost(graph: HeteroGraph) -> Int {
        let sides = h.sideWeight > 0
        let rows = graph.users.count + graph.items.count + (sides ? graph.categories.count + graph.brands.count : 0)
        let nonzeros = 2 * graph.liveEdgeCount + (sides ? 4 * graph.items.count : 0)
        let layers = h.layers
        return (PropagationGraph.rowWeight * layers + PropagationGraph.optimizerRowWeight) * rows + layers * nonzeros
    }

    /// One BPR mini-batch on the sampled subgraph of its own users and items
    /// (see ``SampledSubgraph``): forward propagation over the batch's nodes only, the BPR
    /// gradient, its exact transpose back to the ego rows, and one lazy Adam (or SGD) step on
    /// the rows the batch touched. The final embeddings of the batch's users and items are
    /// published from this batch's forward pass (one step behind, as on the whole-graph path).
    ///
    /// Divergence: the loss is checked before any parameter moves, as on the whole-graph path,
    /// but there is no whole-table snapshot to roll back to (copying every table would cost
    /// O(shop) per snapshot): a diverging batch is dropped and the learning rate halved, and a
    /// row an overflowing step left non-finite is reset with its moments.
    /// - Complexity: O(batch * prod(fanouts) * dimension), independent of the graph's size.
    mutating func trainSampledBatch(graph: HeteroGraph) -> TrainingStep {
        ensureRows(graph: graph, random: false)
        // No whole-table snapshots on this path (see above); drop one left by an initialisation.
        snapshot = nil
        if drawsAhead { return trainSampledBatchDrawingAhead(graph: graph) }
        let source = sampledBatchSource(graph: graph)
        // The model's reusable batch, moved out and back (O(1)); its triples live in
        // `batchRows` between batches, as on the whole-graph path.
        var batch = SampledBatch()
        swap(&batch, &sampledBatch)
        swap(&batch.triples, &batchRows)
        // Moved, not copied: the degrees other engines reported (O(1)).
        swap(&batch.subgraph.otherItemDegree, &otherItemDegree)
        var localRng = rng
        batch.draw(from: source, graph: graph, rng: &localRng)
        rng = localRng
        swap(&batch.subgraph.otherItemDegree, &otherItemDegree)
        let step = runSampledBatch(batch, graph: graph)
        swap(&batch.triples, &batchRows)
        swap(&batch, &sampledBatch)
        return step
    }

    /// What a sampled batch draws from, taken from the model now (see ``SampledBatchSource``).
    func sampledBatchSource(graph: HeteroGraph) -> SampledBatchSource {
        SampledBatchSource(
            replay: replay, knownItems: knownItems, batch: min(h.batchSize, Self.sampledBatchLimit),
            negatives: h.negatives, negativeSampling: h.negativeSampling,
            userLimit: egoUsers.rows, itemLimit: egoItems.rows, layers: h.layers, sideWeight: h.sideWeight,
            fanouts: sampledFanouts)
    }

    /// The arithmetic of one sampled batch drawn by ``SampledBatch/draw(from:graph:rng:)``:
    /// forward over its subgraph, the BPR loss and gradient, the backward pass, the optimiser
    /// step and the publication of its users' and items' final rows. Draws nothing from
    /// ``rng``: that is what lets the next batch be drawn on another thread meanwhile.
    /// Expects ``ensureRows(graph:random:)`` to have run on `graph`.
    /// - Complexity: O(batch * prod(fanouts) * dimension).
    mutating func runSampledBatch(_ batch: SampledBatch, graph: HeteroGraph) -> TrainingStep {
        let stride = self.stride
        let layers = h.layers
        let pairs = batch.pairs
        guard pairs > 0 else { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        // The batch's own numbering: a batch drawn ahead was drawn on the graph of a moment
        // ago, and its virtual ids follow that graph's node counts (ids only grow).
        let space = batch.subgraph.space
        let seedLocals = batch.seedLocals
        let sub = batch.subgraph
        let n = sub.nodes.count
        let top = sub.count(throughDepth: 0)
        let count = n * stride
        for buffer in [\EmbeddingModel.bufferX, \.bufferScratch, \.bufferFinal, \.bufferGradient] where self[keyPath: buffer].count < count {
            self[keyPath: buffer] = AlignedFloats(count: count)
        }
        for k in NodeKind.allCases where k != .entity { moments[Int(k.rawValue)].ensure(table(k).storage.count) }

        // Per-kind row pointers of the ego tables and their moments.
        let egoU = egoUsers.storage.uniqueBaseAddress()
        let egoI = egoItems.storage.uniqueBaseAddress()
        let egoC = egoCategories.storage.uniqueBaseAddress()
        let egoB = egoBrands.storage.uniqueBaseAddress()
        func row(_ virtual: Int) -> (kind: Int, offset: Int) {
            if virtual < space.itemBase { return (0, virtual * stride) }
            if virtual < space.categoryBase { return (1, (virtual - space.itemBase) * stride) }
            if virtual < space.brandBase { return (2, (virtual - space.categoryBase) * stride) }
            return (3, (virtual - space.brandBase) * stride)
        }
        let egoBases = [egoU, egoI, egoC, egoB]

        let x = bufferX.uniqueBaseAddress()
        let gradient = bufferGradient.uniqueBaseAddress()
        // Forward: x = ego rows; `final` sums the top rows of x, Ãx, …, Ã^L x, then / (L + 1).
        // The ego rows are scattered over tables of a million rows: each is a cache miss, so
        // ask for the rows a few nodes ahead while copying this one (a hint; no result changes).
        let ahead = Self.sampledPrefetchDistance
        for local in 0..<n {
            if local + ahead < n {
                let (k, o) = row(Int(sub.nodes[local + ahead]))
                Prefetch.read(egoBases[k] + o, count: stride)
            }
            let (kind, offset) = row(Int(sub.nodes[local]))
            (x + local * stride).update(from: egoBases[kind] + offset, count: stride)
        }
        sampledFinal.resize(to: top * stride)
        let final = sampledFinal.uniqueBaseAddress()
        final.update(from: x, count: top * stride)
        sub.rowStart.withUnsafeBufferPointer { rowStart in
            sub.columns.withUnsafeBufferPointer { columns in
                sub.weights.withUnsafeBufferPointer { weights in
                    var input = UnsafePointer(x)
                    var output = bufferScratch.uniqueBaseAddress()
                    var spare = bufferFinal.uniqueBaseAddress()
                    for l in Swift.stride(from: 1, through: layers, by: 1) {
                        // Layer l is needed on the nodes within L - l hops of the batch.
                        for r in 0..<sub.count(throughDepth: layers - l) {
                            let out = output + r * stride
                            out.initialize(repeating: 0, count: stride)
                            for nz in Int(rowStart[r])..<Int(rowStart[r + 1]) {
                                VectorKernels.axpy(weights[nz], input + Int(columns[nz]) * stride, out, stride)
                            }
                        }
                        VectorKernels.axpy(1, UnsafePointer(output), final, top * stride)
                        input = UnsafePointer(output)
                        swap(&output, &spare)
                    }
                }
            }
        }
        let mean = 1 / Float(layers + 1)
        VectorKernels.scale(mean, final, top * stride)

        // BPR terms and the gradient with respect to the top rows' final embeddings.
        let scale = 1 / Float(pairs)
        var mfLoss: Double = 0
        var regularisation: Double = 0
        gradient.initialize(repeating: 0, count: count)
        do {
            let fb = UnsafePointer(final)
            for t in 0..<pairs {
                let u = Int(seedLocals[3 * t]) * stride
                let i = Int(seedLocals[3 * t + 1]) * stride
                let j = Int(seedLocals[3 * t + 2]) * stride
                let margin = VectorKernels.dot(fb + u, fb + i, stride) - VectorKernels.dot(fb + u, fb + j, stride)
                let c = -scale / (1 + exp(margin))
                mfLoss += Double(margin > 0 ? log1p(exp(-margin)) : -margin + log1p(exp(margin)))
                regularisation += Double(VectorKernels.squaredNorm(x + u, stride)
                    + VectorKernels.squaredNorm(x + i, stride) + VectorKernels.squaredNorm(x + j, stride))
                VectorKernels.axpy(c, fb + i, gradient + u, stride)
                VectorKernels.axpy(-c, fb + j, gradient + u, stride)
                VectorKernels.axpy(c, fb + u, gradient + i, stride)
                VectorKernels.axpy(-c, fb + u, gradient + j, stride)
            }
        }
        let loss = Float(mfLoss / Double(pairs) + Double(h.l2) * 0.5 * regularisation / Double(pairs))
        if let reason = divergenceReason(loss: loss, floor: Self.sampledExplodingFloor) {
            return TrainingStep(loss: loss, pairs: pairs, divergence: halveLearningRate(reason: reason, loss: loss))
        }

        // Backward: d loss / d x = (Σ_l (Ãᵀ)^l) g / (L + 1), g nonzero on the top rows only.
        // `acc` (bufferX, no longer needed as input) gathers the sum; `current` is (Ãᵀ)^l g.
        let acc = x
        acc.update(from: gradient, count: count)
        var current = gradient
        var next = bufferScratch.uniqueBaseAddress()
        sub.rowStart.withUnsafeBufferPointer { rowStart in
            sub.columns.withUnsafeBufferPointer { columns in
                sub.weights.withUnsafeBufferPointer { weights in
                    for l in Swift.stride(from: 1, through: layers, by: 1) {
                        let reached = sub.count(throughDepth: l)
                        next.initialize(repeating: 0, count: reached * stride)
                        for r in 0..<sub.count(throughDepth: l - 1) {
                            let source = UnsafePointer(current + r * stride)
                            for nz in Int(rowStart[r])..<Int(rowStart[r + 1]) {
                                VectorKernels.axpy(weights[nz], source, next + Int(columns[nz]) * stride, stride)
                            }
                        }
                        VectorKernels.axpy(1, UnsafePointer(next), acc, reached * stride)
                        swap(&current, &next)
                    }
                }
            }
        }
        VectorKernels.scale(mean, acc, count)
        // L2 on the batch's ego rows, once per occurrence (as the loss counts them).
        let l2Step = h.l2 * scale
        if l2Step > 0 {
            for local in seedLocals {
                let (kind, offset) = row(Int(sub.nodes[Int(local)]))
                VectorKernels.axpy(l2Step, UnsafePointer(egoBases[kind] + offset), acc + Int(local) * stride, stride)
            }
        }
        guard VectorKernels.allFinite(UnsafePointer(acc), count) else {
            let report = halveLearningRate(reason: .nonFiniteParameters, loss: loss)
            return TrainingStep(loss: loss, pairs: pairs, divergence: report)
        }

        // Lazy Adam (or SGD) on the touched user and item rows; bias correction by the global
        // step count. Side rows (categories, brands) carry the gradient through to deeper
        // nodes but are not stepped on this path (they train on whole-graph batches):
        // see ``stepsSideRows``.
        adamStep += 1
        let adam = OptimizerKernels.AdamStep(learningRate: h.learningRate, step: adamStep)
        let firsts = (0..<4).map { moments[$0].first.uniqueBaseAddress() }
        let seconds = (0..<4).map { moments[$0].second.uniqueBaseAddress() }
        for local in 0..<n {
            if local + ahead < n {
                let (k, o) = row(Int(sub.nodes[local + ahead]))
                if k < 2 || Self.stepsSideRows {
                    Prefetch.write(egoBases[k] + o, count: stride)
                    if h.optimizer == .adam {
                        Prefetch.write(firsts[k] + o, count: stride)
                        Prefetch.write(seconds[k] + o, count: stride)
                    }
                }
            }
            let (kind, offset) = row(Int(sub.nodes[local]))
            if kind >= 2, !Self.stepsSideRows { continue }
            let parameters = egoBases[kind] + offset
            let g = UnsafePointer(acc + local * stride)
            let ok: Bool
            switch h.optimizer {
            case .adam:
                ok = OptimizerKernels.adam(parameters: parameters, gradient: g, first: firsts[kind] + offset,
                                           second: seconds[kind] + offset, count: stride, step: adam)
            case .sgd:
                ok = OptimizerKernels.sgd(parameters: parameters, gradient: g, count: stride, learningRate: h.learningRate)
            }
            if !ok {
                parameters.initialize(repeating: 0, count: stride)
                firsts[kind].advanced(by: offset).initialize(repeating: 0, count: stride)
                seconds[kind].advanced(by: offset).initialize(repeating: 0, count: stride)
            }
        }

        // The ego rows of every item in the subgraph moved (not only the batch's own, whose
        // final rows are synced below): other engines get them too.
        if itemSync != nil {
            for local in 0..<n {
                let virtual = Int(sub.nodes[local])
                if virtual >= space.itemBase, virtual < space.categoryBase { markItemChanged(virtual - space.itemBase) }
            }
        }

        // Publish the batch's users and items (this batch's forward pass, before the step).
        let finalU = finalUsers.storage.uniqueBaseAddress()
        let finalI = finalItems.storage.uniqueBaseAddress()
        for local in 0..<top {
            let virtual = Int(sub.nodes[local])
            let source = UnsafePointer(final + local * stride)
            if virtual < space.itemBase {
                (finalU + virtual * stride).update(from: source, count: stride)
            } else if virtual < space.categoryBase {
                (finalI + (virtual - space.itemBase) * stride).update(from: source, count: stride)
            }
        }
        for local in 0..<top {
            let virtual = Int(sub.nodes[local])
            if virtual >= space.itemBase, virtual < space.categoryBase { syncItemBlock(row: virtual - space.itemBase) }
        }
        finalsFresh = false
        batches += 1
        sampledRows += n
        recordHealthy(loss: loss, snapshots: false)
        return TrainingStep(loss: loss, pairs: pairs, divergence: nil)
    }
}
