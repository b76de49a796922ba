import Foundation

extension EmbeddingModel {
    // MARK: Propagation graph

    /// Batches between rebuilds of a stale adjacency while the graph keeps changing.
    static let rebuildInterval = 8

    /// True when the adjacency should be rebuilt before the next batch: it was never built or
    /// its settings changed, a user was forgotten or edges were removed (they must leave the
    /// training graph at once), or the graph changed and either a few batches have passed or
    /// the edge count grew by more than 5%.
    ///
    /// Between rebuilds, nodes and edges that arrived later are served by the online updates
    /// (cold-start rows, one-hop refresh) and simply sit out the batches, which keeps a busy
    /// stream from paying an O(edges) rebuild on every batch.
    func needsRebuild(graph: HeteroGraph) -> Bool {
        let p = propagation
        if p.builtEvents < 0 { return true }
        if graph.liveEdgeCount < p.builtLiveEdges { return true }
        let changed = p.userCount != graph.users.count || p.itemCount != graph.items.count
            || (h.sideWeight > 0 && (p.categoryCount != graph.categories.count || p.brandCount != graph.brands.count))
            || p.builtLiveEdges != graph.liveEdgeCount
            || (h.edgeWeighting != .binary && p.builtEvents != graph.eventsApplied)
        guard changed else { return false }
        if batchesSinceRebuild >= Self.rebuildInterval { return true }
        return Double(graph.liveEdgeCount - p.builtLiveEdges) > 0.05 * Double(max(p.builtLiveEdges, 1))
    }

    /// Rebuilds the normalised adjacency and sizes tables and work buffers to it.
    mutating func rebuildPropagation(graph: HeteroGraph) {
        ensureRows(graph: graph, random: false)
        batchesSinceRebuild = 0
        propagation = PropagationGraph.build(
            graph: graph, hyperparameters: h, entityRow: &entityRow, entityRows: &entityRows,
            entityCache: &entityCache, threads: h.threads)
        ensureEntityRows()
        edgeBits = EdgeBitset(graph: graph)
        let count = propagation.nodeCount * stride
        for k in NodeKind.allCases { moments[Int(k.rawValue)].ensure(table(k).storage.count) }
        if bufferX.count != count {
            bufferX = AlignedFloats(count: count)
            bufferScratch = AlignedFloats(count: count)
            bufferFinal = AlignedFloats(count: count)
            bufferGradient = AlignedFloats(count: count)
        }
    }

    func table(_ kind: NodeKind) -> EmbeddingTable {
        switch kind {
        case .user: egoUsers
        case .item: egoItems
        case .category: egoCategories
        case .brand: egoBrands
        case .entity: egoEntities
        }
    }

    /// Node count and base row of each kind in the propagation layout.
    func layout(_ kind: NodeKind) -> (base: Int, count: Int) {
        let p = propagation
        switch kind {
        case .user: return (0, p.userCount)
        case .item: return (p.itemBase, p.itemCount)
        case .category: return (p.categoryBase, p.categoryCount)
        case .brand: return (p.brandBase, p.brandCount)
        case .entity: return (p.entityBase, p.entityCount)
        }
    }

    /// The worker pool for propagation: one worker per partition of the adjacency.
    var pool: WorkerPool { WorkerPool.shared(workers: propagation.partitions.count) }

    /// Where each node kind's rows live, in layout order, for the parallel regions: the ego
    /// table and its Adam moments (made unique first, so writing through them is safe).
    mutating func optimizerTargets() -> [OptimizerTarget] {
        var targets: [OptimizerTarget] = []
        targets.reserveCapacity(NodeKind.allCases.count)
        for kind in NodeKind.allCases {
            let (base, count) = layout(kind)
            let k = Int(kind.rawValue)
            let parameters: UnsafeMutablePointer<Float>
            switch kind {
            case .user: parameters = egoUsers.storage.uniqueBaseAddress()
            case .item: parameters = egoItems.storage.uniqueBaseAddress()
            case .category: parameters = egoCategories.storage.uniqueBaseAddress()
            case .brand: parameters = egoBrands.storage.uniqueBaseAddress()
            case .entity: parameters = egoEntities.storage.uniqueBaseAddress()
            }
            moments[k].ensure(table(kind).storage.count)
            targets.append(OptimizerTarget(
                base: base, count: count, parameters: SendablePointer(parameters),
                first: SendablePointer(moments[k].first.uniqueBaseAddress()),
                second: SendablePointer(moments[k].second.uniqueBaseAddress())))
        }
        return targets
    }

    /// Read-only pointers to the ego tables, per kind in layout order (no copy is made).
    func egoSources() -> [OptimizerTarget] {
        NodeKind.allCases.map { kind in
            let (base, count) = layout(kind)
            let pointer = SendablePointer(table(kind).storage.baseAddress)
            return OptimizerTarget(base: base, count: count, parameters: pointer, first: pointer, second: pointer)
        }
    }

    /// Copies the ego rows of `rows` (layout order) into `x`; one worker's share of the input.
    @inline(__always)
    static func gatherEgo(rows: Range<Int>, from sources: [OptimizerTarget], into x: UnsafeMutablePointer<Float>, stride: Int) {
        for source in sources {
            let lower = max(rows.lowerBound, source.base)
            let upper = min(rows.upperBound, source.base + source.count)
            guard lower < upper else { continue }
            (x + lower * stride).update(from: source.parameters.base + (lower - source.base) * stride, count: (upper - lower) * stride)
        }
    }

    /// Forward propagation of the current ego tables into `bufferFinal`, every row.
    mutating func forward() {
        let stride = self.stride
        let layers = h.layers
        let graph = propagation
        let sources = egoSources()
        let x = SendablePointer(bufferX.uniqueBaseAddress())
        let scratch = SendablePointer(bufferScratch.uniqueBaseAddress())
        let sum = SendablePointer(bufferFinal.uniqueBaseAddress())
        pool.run { region in
            Self.gatherEgo(rows: graph.partitions[region.worker], from: sources, into: x.base, stride: stride)
            region.barrier()
            graph.propagate(region: region, x: x.base, scratch: scratch.base, sum: sum.base, stride: stride,
                            layers: layers, lastRows: graph.partitions)
        }
    }

    /// Copies `bufferFinal` into the final tables.
    mutating func scatterFinals() {
        let stride = self.stride
        let source = bufferFinal  // shares storage; nothing writes it during the copy
        func copy(_ range: (base: Int, count: Int), into table: inout EmbeddingTable) {
            guard range.count > 0 else { return }
            source.withUnsafeBufferPointer { f in
                table.storage.withUnsafeMutableBufferPointer { t in
                    t.baseAddress!.update(from: f.baseAddress! + range.base * stride, count: range.count * stride)
                }
            }
        }
        copy(layout(.user), into: &finalUsers)
        copy(layout(.item), into: &finalItems)
        copy(layout(.category), into: &finalCategories)
        copy(layout(.brand), into: &finalBrands)
        copy(layout(.entity), into: &finalEntities)
        if h.sideWeight > 0 { coldStartUnseenItems() }
        rebuildItemBlocks()
    }

    /// Items in the layout without interactions get the mean final embedding of their side
    /// nodes (their own ego row was never trained, so it is noise).
    mutating func coldStartUnseenItems() {
        let stride = self.stride
        let p = propagation
        let known = itemKnown
        let source = bufferFinal
        p.rowStart.withUnsafeBufferPointer { rowStart in
            p.columns.withUnsafeBufferPointer { columns in
                source.withUnsafeBufferPointer { f in
                    finalItems.storage.withUnsafeMutableBufferPointer { t in
                        for item in 0..<p.itemCount where item >= known.count || !known[item] {
                            let row = p.itemBase + item
                            let begin = Int(rowStart[row])
                            let end = Int(rowStart[row + 1])
                            var sides = 0
                            for nz in begin..<end where Int(columns[nz]) >= p.categoryBase { sides += 1 }
                            guard sides > 0 else { continue }
                            let out = t.baseAddress! + item * stride
                            out.initialize(repeating: 0, count: stride)
                            let share = 1 / Float(sides)
                            for nz in begin..<end where Int(columns[nz]) >= p.categoryBase {
                                VectorKernels.axpy(share, f.baseAddress! + Int(columns[nz]) * stride, out, stride)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Recomputes every final embedding from the ego tables (one forward pass).
    public mutating func refreshFinals() {
        guard propagation.nodeCount > 0 else { return }
        forward()
        scatterFinals()
        finalsFresh = true
    }

    // MARK: Batches

    /// Runs batches until about one pass over the replay buffer has been sampled.
    /// - Returns: the mean batch loss (NaN when nothing was trained).
    @discardableResult
    public mutating func trainEpoch(graph: HeteroGraph) -> Float {
        let batchSize = effectiveBatchSize(graph: graph)
        let n = max(1, (replay.count + batchSize - 1) / batchSize)
        var total: Float = 0
        var counted = 0
        for b in 0..<n {
            // Only the last batch publishes its final embeddings: nothing reads them in between.
            let step = trainBatch(graph: graph, publish: b == n - 1)
            if step.pairs > 0, step.divergence == nil, step.loss.isFinite {
                total += step.loss
                counted += 1
            }
        }
        return counted > 0 ? total / Float(counted) : .nan
    }

    /// One mini-batch of BPR on the propagated graph.
    ///
    /// Rebuilds the adjacency first when the graph changed. When `publish` is true the final
    /// tables are refreshed from this batch's forward pass (so they lag the optimiser by one
    /// step, which spares a second propagation per batch); a caller running many batches in a
    /// row can skip that copy and publish on the last one.
    ///
    /// The batch is two parallel regions on ``WorkerPool`` (see docs/ARCHITECTURE.md):
    /// forward propagation and the BPR gradient, then, once the loss has passed the divergence
    /// guard, backward propagation with L2 and the optimiser fused into its last layer. Every
    /// row is written by one worker with the same arithmetic whatever the split, so the floats
    /// do not depend on ``Hyperparameters/threads``.
    /// - Complexity: O(L * (nodes + nonzeros) * dimension) for the two propagations, plus
    ///   O(batch * negatives * dimension).
    @discardableResult
    ///
    /// `yielding` is asked after a rebuild of the propagation graph and between the forward
    /// and the backward pass of a whole-graph batch: when it says yes the batch is dropped
    /// (its forward pass only wrote scratch buffers; no parameter moved) and the step reports
    /// no pairs, so a dashboard's key waits for at most half a batch. The sampled path's batches are short and always finish.
    public mutating func trainBatch(graph: HeteroGraph, publish: Bool = true, yielding: () -> Bool = { false }) -> TrainingStep {
        guard !replay.isEmpty else { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        if usesSampledTraining(graph: graph) { return trainSampledBatch(graph: graph) }
        if needsRebuild(graph: graph) {
            rebuildPropagation(graph: graph)
            // A rebuild is a pass over every edge: a waiting key goes first, the batch after.
            if yielding() { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        }
        if snapshot == nil { takeSnapshot() }

        // Draw the triples first: the RNG sequence does not depend on any arithmetic.
        let p = propagation
        drawTriples(batch: h.batchSize, userLimit: p.userCount, itemLimit: p.itemCount, graph: graph,
                    edges: edgeBits.matches(graph) ? edgeBits : nil)
        let pairs = batchRows.count / 3
        guard pairs > 0 else { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }

        let loss = forwardAndGradient(pairs: pairs, publish: publish)
        if yielding() { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        // Divergence guard, before any parameter moves (the loss is known before the backward pass).
        if let report = checkDivergence(loss: loss) {
            return TrainingStep(loss: loss, pairs: pairs, divergence: report)
        }
        guard backwardAndOptimize(pairs: pairs) else {
            // A finite loss with non-finite parameters: an overflowing step. Undo it.
            let report = rollBack(reason: .nonFiniteParameters, loss: loss)
            return TrainingStep(loss: loss, pairs: pairs, divergence: report)
        }
        batchesSinceRebuild += 1
        if publish { scatterFinals() }
        finalsFresh = false  // finals are at least one step behind the ego tables
        batches += 1
        recordHealthy(loss: loss)
        return TrainingStep(loss: loss, pairs: pairs, divergence: nil)
    }

    /// Region one of a batch: forward propagation into `bufferFinal`, then the BPR loss terms
    /// and the gradient with respect to the final embeddings into `bufferGradient`.
    /// - Returns: the batch loss, mean BPR plus the L2 term on the batch's ego rows.
    mutating func forwardAndGradient(pairs: Int, publish: Bool) -> Float {
        let stride = self.stride
        let graph = propagation
        let layers = h.layers
        let itemBase = graph.itemBase
        let scale = 1 / Float(pairs)
        // Only the published copy reads the side rows' final embeddings; the loss needs users and items.
        let lastRows = publish ? graph.partitions : graph.interactionPartitions
        let sources = egoSources()
        batchTerms.resize(to: 3 * pairs)
        let x = SendablePointer(bufferX.uniqueBaseAddress())
        let scratch = SendablePointer(bufferScratch.uniqueBaseAddress())
        let final = SendablePointer(bufferFinal.uniqueBaseAddress())
        let gradient = SendablePointer(bufferGradient.uniqueBaseAddress())
        // Per triple: d loss / dx (averaged), the BPR term and the squared norms of the ego rows.
        let terms = SendablePointer(batchTerms.uniqueBaseAddress())
        batchRows.withUnsafeBufferPointer { rowsBuffer in
            let rows = SendablePointer(rowsBuffer.baseAddress!)
            pool.run { region in
                Self.gatherEgo(rows: graph.partitions[region.worker], from: sources, into: x.base, stride: stride)
                region.barrier()
                graph.propagate(region: region, x: x.base, scratch: scratch.base, sum: final.base, stride: stride,
                                layers: layers, lastRows: lastRows)
                let fb = UnsafePointer(final.base)
                let users = UnsafePointer(sources[0].parameters.base)
                let items = UnsafePointer(sources[1].parameters.base)
                for t in region.share(of: pairs) {
                    let user = Int(rows.base[3 * t])
                    let positive = Int(rows.base[3 * t + 1])
                    let negative = Int(rows.base[3 * t + 2])
                    let u = user * stride
                    let i = (itemBase + positive) * stride
                    let j = (itemBase + negative) * stride
                    let margin = VectorKernels.dot(fb + u, fb + i, stride) - VectorKernels.dot(fb + u, fb + j, stride)
                    // -log sigmoid(x) = softplus(-x), computed stably.
                    terms.base[3 * t] = -scale / (1 + exp(margin))
                    terms.base[3 * t + 1] = margin > 0 ? log1p(exp(-margin)) : -margin + log1p(exp(margin))
                    terms.base[3 * t + 2] = VectorKernels.squaredNorm(users + u, stride)
                        + VectorKernels.squaredNorm(items + positive * stride, stride)
                        + VectorKernels.squaredNorm(items + negative * stride, stride)
                }
                region.barrier()
                // Scatter: every worker scans all triples in order and adds only into the rows
                // it owns, so each row sums its terms in triple order, as one thread would.
                // g_u += c (f_i - f_j); g_i += c f_u; g_j -= c f_u
                let own = graph.partitions[region.worker]
                if !own.isEmpty { (gradient.base + own.lowerBound * stride).initialize(repeating: 0, count: own.count * stride) }
                let gb = gradient.base
                for t in 0..<pairs {
                    let user = Int(rows.base[3 * t])
                    let i = itemBase + Int(rows.base[3 * t + 1])
                    let j = itemBase + Int(rows.base[3 * t + 2])
                    let c = terms.base[3 * t]
                    if own.contains(user) {
                        VectorKernels.axpy(c, fb + i * stride, gb + user * stride, stride)
                        VectorKernels.axpy(-c, fb + j * stride, gb + user * stride, stride)
                    }
                    if own.contains(i) { VectorKernels.axpy(c, fb + user * stride, gb + i * stride, stride) }
                    if own.contains(j) { VectorKernels.axpy(-c, fb + user * stride, gb + j * stride, stride) }
                }
            }
        }
        var mfLoss: Double = 0
        var regularisation: Double = 0
        batchTerms.withUnsafeBufferPointer { terms in
            for t in 0..<pairs {
                mfLoss += Double(terms[3 * t + 1])
                regularisation += Double(terms[3 * t + 2])
            }
        }
        return Float(mfLoss / Double(pairs) + Double(h.l2) * 0.5 * regularisation / Double(pairs))
    }

    /// Region two of a batch: backward propagation of `bufferGradient` (d loss / d ego =
    /// P^T g = P g, P being symmetric) with, fused into its last layer while each chunk of rows
    /// is in L1, the L2 term `(l2 / pairs) * e` once per occurrence of a row in the batch and
    /// one optimiser step on every ego row of the layout.
    /// - Returns: whether every parameter is still finite afterwards.
    mutating func backwardAndOptimize(pairs: Int) -> Bool {
        adamStep += 1
        let stride = self.stride
        let graph = propagation
        let layers = h.layers
        let itemBase = graph.itemBase
        let l2Step = h.l2 * (1 / Float(pairs))
        let optimizer = h.optimizer
        let rate = h.learningRate
        let adam = OptimizerKernels.AdamStep(learningRate: rate, step: adamStep)
        let targets = optimizerTargets()
        let workers = graph.partitions.count
        // Occurrences of each row in the batch: the L2 term is added once per occurrence.
        if batchOccurrences.count < graph.nodeCount { batchOccurrences = [Int32](repeating: 0, count: graph.nodeCount) }
        if l2Step > 0 {
            for t in 0..<pairs {
                batchOccurrences[Int(batchRows[3 * t])] += 1
                batchOccurrences[itemBase + Int(batchRows[3 * t + 1])] += 1
                batchOccurrences[itemBase + Int(batchRows[3 * t + 2])] += 1
            }
        }
        var finite = [Bool](repeating: true, count: workers)
        let input = SendablePointer(bufferGradient.uniqueBaseAddress())
        let scratch = SendablePointer(bufferScratch.uniqueBaseAddress())
        let sum = SendablePointer(bufferX.uniqueBaseAddress())
        batchOccurrences.withUnsafeBufferPointer { occurrencesBuffer in
            finite.withUnsafeMutableBufferPointer { finiteBuffer in
                let occurrences = SendablePointer(occurrencesBuffer.baseAddress!)
                let flags = SendablePointer(finiteBuffer.baseAddress!)
                pool.run { region in
                    var ok = true
                    graph.propagate(region: region, x: input.base, scratch: scratch.base, sum: sum.base, stride: stride,
                                    layers: layers, lastRows: graph.optimizerPartitions, zeroSides: true) { rows in
                        let g = sum.base
                        if l2Step > 0 {
                            // Users and items only: side nodes are never in a batch.
                            for target in targets.prefix(2) {
                                let lower = max(rows.lowerBound, target.base)
                                let upper = min(rows.upperBound, target.base + target.count)
                                guard lower < upper else { continue }
                                for r in lower..<upper {
                                    let ego = UnsafePointer(target.parameters.base + (r - target.base) * stride)
                                    for _ in 0..<occurrences.base[r] { VectorKernels.axpy(l2Step, ego, g + r * stride, stride) }
                                }
                            }
                        }
                        for target in targets {
                            let lower = max(rows.lowerBound, target.base)
                            let upper = min(rows.upperBound, target.base + target.count)
                            guard lower < upper else { continue }
                            let offset = (lower - target.base) * stride
                            let count = (upper - lower) * stride
                            switch optimizer {
                            case .adam:
                                ok = OptimizerKernels.adam(
                                    parameters: target.parameters.base + offset, gradient: g + lower * stride,
                                    first: target.first.base + offset, second: target.second.base + offset,
                                    count: count, step: adam) && ok
                            case .sgd:
                                ok = OptimizerKernels.sgd(
                                    parameters: target.parameters.base + offset, gradient: g + lower * stride,
                                    count: count, learningRate: rate) && ok
                            }
                        }
                    }
                    flags.base[region.worker] = ok
                }
            }
        }
        if l2Step > 0 {
            for t in 0..<pairs {
                batchOccurrences[Int(batchRows[3 * t])] = 0
                batchOccurrences[itemBase + Int(batchRows[3 * t + 1])] = 0
                batchOccurrences[itemBase + Int(batchRows[3 * t + 2])] = 0
            }
        }
        return !finite.contains(false)
    }

    /// Fills ``batchRows`` with up to `batch * negatives` (user, positive, negative) triples:
    /// positives from the replay buffer (recency-weighted), negatives by ``sampleNegative``,
    /// users and items below the limits only. Advances ``rng``.
    /// - Complexity: O(batch * negatives) expected.
    mutating func drawTriples(batch: Int, userLimit: Int, itemLimit: Int, graph: HeteroGraph, edges: EdgeBitset?) {
        var localRng = rng
        let replay = self.replay
        let known = knownItems
        var rows = [Int32]()
        swap(&rows, &batchRows)
        Self.drawTriples(into: &rows, batch: batch, negatives: h.negatives, sampling: h.negativeSampling,
                         replay: replay, known: known, userLimit: userLimit, itemLimit: itemLimit,
                         graph: graph, edges: edges, rng: &localRng)
        swap(&rows, &batchRows)
        rng = localRng
    }

    /// ``drawTriples(batch:userLimit:itemLimit:graph:edges:)`` on explicit state, for a thread
    /// that draws while the model trains: `replay` is only read.
    /// - Complexity: O(batch * negatives) expected.
    static func drawTriples(
        into rows: inout [Int32], batch: Int, negatives: Int, sampling: Hyperparameters.NegativeSampling,
        replay: ReplayBuffer, known: [Int32], userLimit: Int, itemLimit: Int, graph: HeteroGraph,
        edges: EdgeBitset?, rng: inout SeededGenerator
    ) {
        rows.removeAll(keepingCapacity: true)
        let replayItems = replay.items
        for _ in 0..<batch {
            let index = replay.sampleIndex(using: &rng)
            let user = replay.users[index]
            let item = replay.items[index]
            guard Int(user) < userLimit, Int(item) < itemLimit else { continue }
            for _ in 0..<negatives {
                guard let negative = sampleNegative(
                    user: user, positive: item, known: known, replayItems: replayItems, sampling: sampling,
                    limit: itemLimit, graph: graph, edges: edges, rng: &rng) else { continue }
                rows.append(user)
                rows.append(item)
                rows.append(negative)
            }
        }
    }

    /// Draws a negative for `user`: an item that is not `positive` and that the user has not
    /// interacted with, within the first `limit` items. Gives up after a few tries (dense users).
    /// Popularity sampling takes the item of a uniformly drawn replayed interaction.
    /// `edges`, when given, must match `graph` (``EdgeBitset/matches(_:)``) and answers the
    /// edge test without a hash probe.
    @inline(__always)
    static func sampleNegative(
        user: Int32, positive: Int32, known: [Int32], replayItems: [Int32],
        sampling: Hyperparameters.NegativeSampling, limit: Int, graph: HeteroGraph,
        edges: EdgeBitset? = nil, rng: inout SeededGenerator
    ) -> Int32? {
        guard !known.isEmpty else { return nil }
        for _ in 0..<8 {
            let candidate: Int32
            switch sampling {
            case .uniform: candidate = known[rng.index(below: known.count)]
            case .popularity: candidate = replayItems.isEmpty ? known[rng.index(below: known.count)] : replayItems[rng.index(below: replayItems.count)]
            }
            if candidate == positive || Int(candidate) >= limit { continue }
            if Int(user) < graph.userEdges.count {
                if let edges, Int(user) < edges.users, Int(candidate) < edges.items {
                    if edges.contains(user: Int(user), item: Int(candidate)) { continue }
                } else if graph.hasEdge(user: user, item: candidate) {
                    continue
                }
            }
            return candidate
        }
        return nil
    }
}

/// One node kind's rows in the layout and where its parameters and Adam moments live, for
/// the workers of a parallel region (each writes only the rows it owns).
struct OptimizerTarget: Sendable {
    /// First layout row and number of rows of the kind.
    let base: Int
    let count: Int
    let parameters: SendablePointer<Float>
    let first: SendablePointer<Float>
    let second: SendablePointer<Float>
}

extension EmbeddingModel {
    /// Size of the propagation graph and batches per epoch, for benchmarks and the dashboard.
    public var propagationShape: (nodes: Int, nonzeros: Int, batchesPerEpoch: Int) {
        (propagation.nodeCount, propagation.nonzeros, max(1, (replay.count + h.batchSize - 1) / h.batchSize))
    }
}
