import Foundation

extension EmbeddingModel {
    /// Users with at most this many events have their embedding set to the mean of their
    /// items' embeddings (cold start) rather than updated incrementally.
    static let coldStartEvents = 3

    /// The per-event update, called after the graph applied the event.
    ///
    /// 1. New rows: a new user starts at the mean of their items' embeddings; an item seen for
    ///    the first time starts at the mean of its categories', brand's and entities' embeddings
    ///    (plus a little noise), so it is recommendable at once.
    /// 2. ``Hyperparameters/onlineSteps`` BPR steps on the final and ego rows of the user and
    ///    the item, each against a sampled negative (whose row is read, not moved).
    /// 3. For a new edge, a one-hop refresh: `f_u += c f_i`, `f_i += c f_u` with
    ///    `c = 1 / ((L + 1) sqrt(d_u d_i))`, the first-layer term the edge adds to the layer mean.
    /// 4. The session vector: `s_u <- decay * s_u + w * f_i` (`w` the event's action weight).
    ///
    /// The event also enters the replay buffer for background training.
    /// - Complexity: O((onlineSteps + cold-start rows) * dimension); no allocation in the
    ///   steady state.
    public mutating func observe(_ event: EventApplication, at time: Double, graph: HeteroGraph) {
        let u = Int(event.user)
        let i = Int(event.item)
        if u >= egoUsers.rows || i >= egoItems.rows || u >= sessions.rows {
            ensureRows(graph: graph, random: false)
        }
        let firstTime = i >= itemKnown.count || !itemKnown[i]
        if firstTime { coldStartItem(event.item, graph: graph) }
        replay.append(user: event.user, item: event.item, time: time)
        markKnown(event.item)
        if event.isNewEdge { noteNewItemEdge(i) }

        let stride = self.stride
        let userEvents = graph.eventCount(ofUser: event.user)
        if userEvents <= Self.coldStartEvents {
            coldStartUser(event.user, graph: graph)
        } else if event.isNewEdge {
            // One-hop refresh of the propagated embeddings along the new edge.
            let du = Float(max(graph.userEdges[u].count, 1))
            let di = Float(max(Float(graph.itemEdges[i].count) + (i < otherItemDegree.count ? otherItemDegree[i] : 0), 1))
            let c = 1 / (Float(h.layers + 1) * (du * di).squareRoot())
            finalUsers.storage.withUnsafeMutableBufferPointer { fu in
                finalItems.storage.withUnsafeMutableBufferPointer { fi in
                    let pu = fu.baseAddress! + u * stride
                    let pi = fi.baseAddress! + i * stride
                    VectorKernels.axpy(c, UnsafePointer(pi), pu, stride)
                    VectorKernels.axpy(c, UnsafePointer(pu), pi, stride)
                }
            }
        }
        let stepsRun = h.onlineSteps > 0 && h.onlineLearningRate > 0
        onlineStepsWriteEgoRows = stepsRun && !usesSampledTraining(graph: graph)
        if stepsRun {
            onlineSteps(user: event.user, item: event.item, graph: graph, egoRows: onlineStepsWriteEgoRows)
        }
        syncItemBlock(row: i)

        // Session vector.
        let decay = h.sessionDecay
        let weight = event.weight
        sessions.storage.withUnsafeMutableBufferPointer { s in
            finalItems.storage.withUnsafeBufferPointer { fi in
                VectorKernels.blend(decay, s.baseAddress! + u * stride, weight, fi.baseAddress! + i * stride, stride)
            }
        }
    }

    /// BPR steps on final and (when `egoRows`) ego rows of `user` and `item`, against sampled
    /// negatives whose item rows are read, never written.
    ///
    /// The user learns from both sides of each pair (`u += s (f_i - f_j)`), the positive item
    /// from the user (`i += s f_u`); the negatives' item side is left to background training,
    /// as in many streaming recommenders (issue 10, item 2). Why: at a shop's size an item row
    /// write is 64 scattered cache lines in the transposed scoring blocks (``itemBlocks``),
    /// and with two negatives those copies were 128 of the about 220 lines an event touched.
    /// Engine cost per event on the large shop fell a fifth, ranking quality moved within its
    /// standard error (docs/BENCHMARKS.md, "Online steps that leave the negatives' rows to
    /// training").
    ///
    /// With sampled background training the ego rows are left to it: whole-graph batches
    /// recompute every final row from the ego tables, which keeps the online steps' plain,
    /// unregularised SGD in check, but a sampled batch refreshes only its own rows, and a
    /// popular item's ego row, pushed by every one of its events, grew until batches diverged.
    ///
    /// Every step's negative is drawn before the first step, and the negatives' final rows
    /// (the only lines of theirs the steps read) are asked for at once (``Prefetch``). The
    /// draws come from the same generator in the same order (sampling reads only the graph,
    /// which the steps do not change), so the result is the one step-by-step drawing gives;
    /// when a step is rejected the generator is put back where step-by-step drawing would
    /// have stopped.
    /// - Complexity: O(onlineSteps * dimension); writes the user's and the item's rows only.
    mutating func onlineSteps(user: Int32, item: Int32, graph: HeteroGraph, egoRows: Bool = true) {
        let steps = h.onlineSteps
        let limit = min(finalItems.rows, egoItems.rows)
        let known = knownItems
        let sampling = h.negativeSampling
        let replayItems = replay.items
        let rngAtStart = rng
        var localRng = rng
        let itemTable = finalItems.storage.baseAddress, itemRows = finalItems.rows, stride = self.stride
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(steps, 1)) { negatives in
            var drawn = 0
            while drawn < steps, let negative = Self.sampleNegative(user: user, positive: item, known: known, replayItems: replayItems, sampling: sampling, limit: limit, graph: graph, rng: &localRng) {
                negatives[drawn] = negative
                drawn += 1
            }
            for k in 0..<drawn { Self.prefetchRow(Int(negatives[k]), of: itemTable, rows: itemRows, stride: stride) }
            let (rejectedAt, finite) = bprSteps(user: user, item: item, negatives: UnsafeBufferPointer(rebasing: negatives[0..<drawn]), egoRows: egoRows)
            if let rejectedAt {
                // Step-by-step drawing stopped after the rejected step's draw.
                localRng = rngAtStart
                for _ in 0...rejectedAt {
                    _ = Self.sampleNegative(user: user, positive: item, known: known, replayItems: replayItems, sampling: sampling, limit: limit, graph: graph, rng: &localRng)
                }
            }
            rng = localRng
            if rejectedAt != nil || !finite {
                // Never let a blown-up step poison scores: reset the two rows from cold start.
                rejectedOnlineUpdates += 1
                egoUsers.zeroRow(Int(user))
                finalUsers.zeroRow(Int(user))
                sessions.zeroRow(Int(user))
                coldStartItem(item, graph: graph)
                coldStartUser(user, graph: graph)
            }
        }
        // Outside the closure, which holds `self` in place (see ``prefetchRow(_:of:rows:stride:)``).
        prefetchNextNegatives(steps: steps, known: known, replayItems: replayItems, sampling: sampling, limit: limit)
    }

    /// Asks for the rows the next event's online steps will most likely read as negatives.
    ///
    /// Why: a negative is known only when drawn, and its row (a random line of a 100k-item
    /// table) was then asked for and read at once: half of the steps' arithmetic sat on those
    /// loads, and the draw itself on the candidate's entry. The generator is deterministic,
    /// so a copy of it draws now what the next event will draw (``predictedNegatives(steps:known:replayItems:sampling:limit:_:)``):
    /// the rows arrive while the next event updates the graph. Only hints: the next event
    /// still draws for itself, so results are the same as without them.
    /// - Complexity: O(steps * dimension / 16) hints.
    @inline(__always)
    private func prefetchNextNegatives(steps: Int, known: [Int32], replayItems: [Int32], sampling: Hyperparameters.NegativeSampling, limit: Int) {
        // The closure holds the table's address, not the model (whose capture was a copy).
        let table = finalItems.storage.baseAddress, rows = finalItems.rows, stride = self.stride
        predictedNegatives(steps: steps, known: known, replayItems: replayItems, sampling: sampling, limit: limit) {
            Self.prefetchRow(Int($0), of: table, rows: rows, stride: stride)
        }
    }

    /// The candidates the next event's online steps will draw first, in order, when nothing
    /// takes from the generator before them and no draw is rejected (both rare; a popularity
    /// draw of the next event's own interaction is not known yet and is skipped).
    /// - Complexity: O(min(steps, ``negativesPredictedAhead``)).
    @inline(__always)
    func predictedNegatives(steps: Int, known: [Int32], replayItems: [Int32], sampling: Hyperparameters.NegativeSampling, limit: Int, _ body: (Int32) -> Void) {
        guard !known.isEmpty else { return }
        var ahead = rng
        // The next event appends its interaction to the replay before drawing.
        let replayCount = replayItems.count + 1
        for _ in 0..<min(steps, Self.negativesPredictedAhead) {
            let slot: Int32?
            switch sampling {
            case .uniform: slot = known[ahead.index(below: known.count)]
            case .popularity:
                let k = ahead.index(below: replayCount)
                slot = k < replayItems.count ? replayItems[k] : nil
            }
            if let candidate = slot, Int(candidate) < limit { body(candidate) }
        }
    }

    /// At most this many of the next event's negatives are asked for ahead.
    static let negativesPredictedAhead = 4

    /// The arithmetic of ``onlineSteps(user:item:graph:egoRows:)`` on drawn negatives.
    /// - Returns: the step whose margin was not finite (nothing after it ran), and whether the
    ///   user's and item's rows are finite after them (checked only when no step was rejected).
    private mutating func bprSteps(user: Int32, item: Int32, negatives: UnsafeBufferPointer<Int32>, egoRows: Bool) -> (rejectedAt: Int?, finite: Bool) {
        let stride = self.stride
        let rate = h.onlineLearningRate
        let u = Int(user) * stride
        let i = Int(item) * stride
        var rejectedAt: Int?
        var finite = true
        finalUsers.storage.withUnsafeMutableBufferPointer { fu in
            finalItems.storage.withUnsafeMutableBufferPointer { fi in
                egoUsers.storage.withUnsafeMutableBufferPointer { eu in
                    egoItems.storage.withUnsafeMutableBufferPointer { ei in
                        let fub = fu.baseAddress!, fib = fi.baseAddress!
                        let eub = eu.baseAddress!, eib = ei.baseAddress!
                        for (step, negative) in negatives.enumerated() {
                            let j = Int(negative) * stride
                            let x = VectorKernels.dot(fub + u, fib + i, stride) - VectorKernels.dot(fub + u, fib + j, stride)
                            guard x.isFinite else { rejectedAt = step; break }
                            let step = rate / (1 + exp(x))  // rate * sigmoid(-x)
                            // The item first, from the current user vector; then the user.
                            VectorKernels.axpy(step, fub + u, fib + i, stride)
                            if egoRows { VectorKernels.axpy(step, fub + u, eib + i, stride) }
                            VectorKernels.axpy(step, fib + i, fub + u, stride)
                            VectorKernels.axpy(-step, fib + j, fub + u, stride)
                            if egoRows {
                                VectorKernels.axpy(step, fib + i, eub + u, stride)
                                VectorKernels.axpy(-step, fib + j, eub + u, stride)
                            }
                        }
                        if rejectedAt == nil {
                            let check = VectorKernels.squaredNorm(fub + u, stride) + VectorKernels.squaredNorm(fib + i, stride)
                            finite = check.isFinite
                        }
                    }
                }
            }
        }
        return (rejectedAt, finite)
    }

    /// Sets an item's ego and final rows to the mean of its side nodes' rows (categories,
    /// brand, entities in the model), plus noise of 1% of the initial scale; zero-mean noise
    /// alone when it has no side information.
    mutating func coldStartItem(_ item: Int32, graph: HeteroGraph) {
        let i = Int(item)
        guard i < egoItems.rows, i < finalItems.rows, i < graph.itemCategories.count else { return }
        let stride = self.stride
        var sides: [(NodeKind, Int)] = []
        for c in graph.itemCategories[i] where Int(c) < egoCategories.rows && Int(c) < finalCategories.rows {
            sides.append((.category, Int(c)))
        }
        if graph.itemBrand[i] >= 0, Int(graph.itemBrand[i]) < egoBrands.rows, Int(graph.itemBrand[i]) < finalBrands.rows {
            sides.append((.brand, Int(graph.itemBrand[i])))
        }
        for entity in graph.itemEntities[i] where Int(entity) < entityRow.count {
            let row = Int(entityRow[Int(entity)])
            if row >= 0, row < egoEntities.rows, row < finalEntities.rows { sides.append((.entity, row)) }
        }
        egoItems.zeroRow(i)
        finalItems.zeroRow(i)
        if !sides.isEmpty {
            let share = 1 / Float(sides.count)
            for (kind, row) in sides {
                let (ego, final): (EmbeddingTable, EmbeddingTable)
                switch kind {
                case .category: (ego, final) = (egoCategories, finalCategories)
                case .brand: (ego, final) = (egoBrands, finalBrands)
                default: (ego, final) = (egoEntities, finalEntities)
                }
                ego.storage.withUnsafeBufferPointer { src in
                    egoItems.storage.withUnsafeMutableBufferPointer { dst in
                        VectorKernels.axpy(share, src.baseAddress! + row * stride, dst.baseAddress! + i * stride, stride)
                    }
                }
                final.storage.withUnsafeBufferPointer { src in
                    finalItems.storage.withUnsafeMutableBufferPointer { dst in
                        VectorKernels.axpy(share, src.baseAddress! + row * stride, dst.baseAddress! + i * stride, stride)
                    }
                }
            }
        }
        let noise = h.initialScale * 0.01
        for k in 0..<dimension {
            egoItems.storage[i * stride + k] += rng.gaussian() * noise
            finalItems.storage[i * stride + k] += rng.gaussian() * noise
        }
        syncItemBlock(row: i)
        // A cold start is this engine's own starting row, not a step to share.
        republishItemRow(i)
    }

    /// Sets a user's ego and final rows to the mean of their items' final rows.
    mutating func coldStartUser(_ user: Int32, graph: HeteroGraph) {
        let u = Int(user)
        guard u < graph.userEdges.count, u < egoUsers.rows, u < finalUsers.rows else { return }
        let edges = graph.userEdges[u]
        let stride = self.stride
        finalsStamp = ServingStamp.next()
        finalUsers.zeroRow(u)
        guard !edges.isEmpty else {
            egoUsers.zeroRow(u)
            return
        }
        let share = 1 / Float(edges.count)
        finalUsers.storage.withUnsafeMutableBufferPointer { fu in
            finalItems.storage.withUnsafeBufferPointer { fi in
                for edge in edges {
                    let item = Int(graph.edgeItem[Int(edge)])
                    guard item < finalItems.rows else { continue }
                    VectorKernels.axpy(share, fi.baseAddress! + item * stride, fu.baseAddress! + u * stride, stride)
                }
            }
        }
        // One row copy (the collection-generic replaceSubrange went element by element).
        finalUsers.storage.withUnsafeBufferPointer { fu in
            egoUsers.storage.withUnsafeMutableBufferPointer { eu in
                (eu.baseAddress! + u * stride).update(from: fu.baseAddress! + u * stride, count: stride)
            }
        }
    }

    /// Forgets a user's embeddings and training data (the graph forgets its edges separately).
    public mutating func forget(user: Int32) {
        let u = Int(user)
        finalsStamp = ServingStamp.next()
        if u < egoUsers.rows { egoUsers.zeroRow(u) }
        if u < finalUsers.rows { finalUsers.zeroRow(u) }
        if u < sessions.rows { sessions.zeroRow(u) }
        replay.remove(user: user)
        // A batch drawn ahead may hold the user: it must not bring their row back.
        drawnAhead = nil
        propagation.builtEvents = -1  // the user's edges leave the training graph at the next batch
        for k in moments.indices where k == Int(NodeKind.user.rawValue) && (u + 1) * stride <= moments[k].first.count {
            for x in (u * stride)..<((u + 1) * stride) {
                moments[k].first[x] = 0
                moments[k].second[x] = 0
            }
        }
        snapshot = nil
        takeSnapshot()
    }
}
