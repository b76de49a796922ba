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

    /// Copies the ego tables into `bufferX` in layout order.
    mutating func gatherEgo() {
        let stride = self.stride
        for kind in NodeKind.allCases {
            let (base, count) = layout(kind)
            guard count > 0 else { continue }
            let source = table(kind)
            bufferX.withUnsafeMutableBufferPointer { x in
                source.storage.withUnsafeBufferPointer { s in
                    (x.baseAddress! + base * stride).update(from: s.baseAddress!, count: count * stride)
                }
            }
        }
    }

    /// Forward propagation of the current ego tables into `bufferFinal`.
    mutating func forward() {
        gatherEgo()
        let stride = self.stride
        let layers = h.layers
        let graph = propagation
        bufferX.withUnsafeMutableBufferPointer { x in
            bufferScratch.withUnsafeMutableBufferPointer { scratch in
                bufferFinal.withUnsafeMutableBufferPointer { sum in
                    guard let xb = x.baseAddress, let sb = scratch.baseAddress, let fb = sum.baseAddress else { return }
                    graph.propagate(x: xb, scratch: sb, sum: fb, stride: stride, layers: layers)
                }
            }
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
        let n = max(1, (replay.count + h.batchSize - 1) / h.batchSize)
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
    /// - Complexity: O(L * (nodes + nonzeros) * dimension) for the two propagations, plus
    ///   O(batch * negatives * dimension).
    @discardableResult
    public mutating func trainBatch(graph: HeteroGraph, publish: Bool = true) -> TrainingStep {
        guard !replay.isEmpty else { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        if needsRebuild(graph: graph) { rebuildPropagation(graph: graph) }
        if snapshot == nil { takeSnapshot() }
        forward()

        // Loss and gradient with respect to the final embeddings.
        let stride = self.stride
        let p = propagation
        let itemBase = p.itemBase
        let negatives = h.negatives
        let batch = h.batchSize
        var localRng = rng
        var mfLoss: Double = 0
        var pairs = 0
        batchRows.removeAll(keepingCapacity: true)
        let known = knownItems
        let replayItems = replay.items
        let sampling = h.negativeSampling
        bufferGradient.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
        }
        // First pass: draw the triples (keeps the RNG sequence independent of arithmetic).
        for _ in 0..<batch {
            let index = replay.sampleIndex(using: &localRng)
            let user = replay.users[index]
            let item = replay.items[index]
            guard Int(user) < p.userCount, Int(item) < p.itemCount else { continue }
            for _ in 0..<negatives {
                guard let negative = Self.sampleNegative(user: user, positive: item, known: known, replayItems: replayItems, sampling: sampling, limit: p.itemCount, graph: graph, rng: &localRng) else { continue }
                batchRows.append(user)
                batchRows.append(item)
                batchRows.append(negative)
            }
        }
        rng = localRng
        pairs = batchRows.count / 3
        guard pairs > 0 else { return TrainingStep(loss: .nan, pairs: 0, divergence: nil) }
        let scale = 1 / Float(pairs)
        bufferFinal.withUnsafeBufferPointer { f in
            bufferGradient.withUnsafeMutableBufferPointer { g in
                batchRows.withUnsafeBufferPointer { rows in
                    let fb = f.baseAddress!
                    let gb = g.baseAddress!
                    var t = 0
                    while t < rows.count {
                        let u = Int(rows[t]) * stride
                        let i = (itemBase + Int(rows[t + 1])) * stride
                        let j = (itemBase + Int(rows[t + 2])) * stride
                        let x = VectorKernels.dot(fb + u, fb + i, stride) - VectorKernels.dot(fb + u, fb + j, stride)
                        // -log sigmoid(x) = softplus(-x), computed stably.
                        mfLoss += Double(x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x)))
                        let coefficient = -scale / (1 + exp(x))  // d loss / dx, averaged
                        // g_u += c (f_i - f_j); g_i += c f_u; g_j -= c f_u
                        VectorKernels.axpy(coefficient, fb + i, gb + u, stride)
                        VectorKernels.axpy(-coefficient, fb + j, gb + u, stride)
                        VectorKernels.axpy(coefficient, fb + u, gb + i, stride)
                        VectorKernels.axpy(-coefficient, fb + u, gb + j, stride)
                        t += 3
                    }
                }
            }
        }

        // Backward: d loss / d ego = P^T g = P g (P is symmetric). Result lands in bufferX.
        let layers = h.layers
        bufferGradient.withUnsafeMutableBufferPointer { g in
            bufferScratch.withUnsafeMutableBufferPointer { scratch in
                bufferX.withUnsafeMutableBufferPointer { x in
                    p.propagate(x: g.baseAddress!, scratch: scratch.baseAddress!, sum: x.baseAddress!, stride: stride, layers: layers)
                }
            }
        }

        // L2 on the batch's ego rows: (l2 / pairs) * e, and its loss term.
        var regularisation: Double = 0
        let l2 = h.l2
        bufferX.withUnsafeMutableBufferPointer { x in
            egoUsers.storage.withUnsafeBufferPointer { eu in
                egoItems.storage.withUnsafeBufferPointer { ei in
                    batchRows.withUnsafeBufferPointer { rows in
                        let xb = x.baseAddress!
                        var t = 0
                        while t < rows.count {
                            let u = Int(rows[t])
                            let i = Int(rows[t + 1])
                            let j = Int(rows[t + 2])
                            let pu = eu.baseAddress! + u * stride
                            let pi = ei.baseAddress! + i * stride
                            let pj = ei.baseAddress! + j * stride
                            regularisation += Double(VectorKernels.squaredNorm(pu, stride) + VectorKernels.squaredNorm(pi, stride) + VectorKernels.squaredNorm(pj, stride))
                            if l2 > 0 {
                                VectorKernels.axpy(l2 * scale, pu, xb + u * stride, stride)
                                VectorKernels.axpy(l2 * scale, pi, xb + (itemBase + i) * stride, stride)
                                VectorKernels.axpy(l2 * scale, pj, xb + (itemBase + j) * stride, stride)
                            }
                            t += 3
                        }
                    }
                }
            }
        }
        let loss = Float(mfLoss / Double(pairs) + Double(l2) * 0.5 * regularisation / Double(pairs))

        // Divergence guard, before any parameter moves.
        if let report = checkDivergence(loss: loss) {
            return TrainingStep(loss: loss, pairs: pairs, divergence: report)
        }

        guard applyOptimizer() else {
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

    /// Draws a negative for `user`: an item that is not `positive` and that the user has not
    /// interacted with, within the first `limit` items. Gives up after a few tries (dense users).
    /// Popularity sampling takes the item of a uniformly drawn replayed interaction.
    @inline(__always)
    static func sampleNegative(
        user: Int32, positive: Int32, known: [Int32], replayItems: [Int32],
        sampling: Hyperparameters.NegativeSampling, limit: Int, graph: HeteroGraph,
        rng: inout SeededGenerator
    ) -> Int32? {
        guard !known.isEmpty else { return nil }
        for _ in 0..<8 {
            let candidate: Int32
            switch sampling {
            case .uniform: candidate = known[rng.index(below: known.count)]
            case .popularity: candidate = replayItems.isEmpty ? known[rng.index(below: known.count)] : replayItems[rng.index(below: replayItems.count)]
            }
            if candidate == positive || Int(candidate) >= limit { continue }
            if Int(user) < graph.userEdges.count, graph.hasEdge(user: user, item: candidate) { continue }
            return candidate
        }
        return nil
    }

    /// One optimiser step for every ego row in the layout, gradient in `bufferX`.
    /// - Returns: whether every parameter is still finite afterwards.
    mutating func applyOptimizer() -> Bool {
        adamStep += 1
        let step = adamStep
        let stride = self.stride
        let rate = h.learningRate
        let optimizer = h.optimizer
        let threads = h.threads
        let gradient = bufferX  // shares storage; read only below
        var finite = true
        func update(_ range: (base: Int, count: Int), _ table: inout EmbeddingTable, _ state: inout OptimizerState) {
            let (base, count) = range
            guard count > 0 else { return }
            state.ensure(table.storage.count)
            let ranges = ParallelFor.ranges(count: count, parts: count >= 512 ? threads : 1)
            var flags = [Bool](repeating: true, count: ranges.count)
            gradient.withUnsafeBufferPointer { g in
                table.storage.withUnsafeMutableBufferPointer { parameters in
                    state.first.withUnsafeMutableBufferPointer { m in
                        state.second.withUnsafeMutableBufferPointer { v in
                            flags.withUnsafeMutableBufferPointer { f in
                                let gp = SendablePointer(g.baseAddress! + base * stride)
                                let pp = SendablePointer(parameters.baseAddress!)
                                let mp = SendablePointer(m.baseAddress!)
                                let vp = SendablePointer(v.baseAddress!)
                                let fp = SendablePointer(f.baseAddress!)
                                ParallelFor.run(chunks: ranges.count) { chunk in
                                    let r = ranges[chunk]
                                    let offset = r.lowerBound * stride
                                    let n = r.count * stride
                                    switch optimizer {
                                    case .adam:
                                        fp.base[chunk] = OptimizerKernels.adam(
                                            parameters: pp.base + offset, gradient: gp.base + offset,
                                            first: mp.base + offset, second: vp.base + offset,
                                            count: n, learningRate: rate, step: step)
                                    case .sgd:
                                        fp.base[chunk] = OptimizerKernels.sgd(
                                            parameters: pp.base + offset, gradient: gp.base + offset, count: n, learningRate: rate)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if flags.contains(false) { finite = false }
        }
        update(layout(.user), &egoUsers, &moments[0])
        update(layout(.item), &egoItems, &moments[1])
        update(layout(.category), &egoCategories, &moments[2])
        update(layout(.brand), &egoBrands, &moments[3])
        update(layout(.entity), &egoEntities, &moments[4])
        return finite
    }
}

extension EmbeddingModel {
    /// Size of the propagation graph and batches per epoch, for benchmarks and the dashboard.
    public var propagationShape: (nodes: Int, nonzeros: Int, batchesPerEpoch: Int) {
        (propagation.nodeCount, propagation.nonzeros, max(1, (replay.count + h.batchSize - 1) / h.batchSize))
    }
}
