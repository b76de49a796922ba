/// Graph embeddings for users, items, categories, brands and knowledge-graph entities,
/// trained with BPR and propagated LightGCN-style over the heterogeneous graph.
///
/// With `layers == 0` and `sideWeight == 0` it is plain matrix factorisation (MF-BPR).
///
/// **Tables.** Every node kind has an *ego* table (the trained parameters) and a *final*
/// table (the layer mean of the propagation, used for scoring). Users also have a *session*
/// vector: `s_u <- decay * s_u + w * f_item` on each event, the seeds' online rule, which
/// lets a user's query drift with what they did last.
///
/// **Training.** ``trainBatch(graph:)`` runs one mini-batch on the whole propagation graph:
/// forward propagation, BPR loss with sampled negatives and L2 on the batch's ego rows,
/// backward propagation (the normalised adjacency is symmetric), then Adam or SGD. Positives
/// come from a replay buffer that favours recent interactions. A divergence guard rolls back
/// to the last good parameters and halves the learning rate; nothing here traps.
///
/// **Online.** ``observe(_:at:graph:)`` is the per-event update: cold-start rows for new
/// nodes, a few BPR steps on the event's user and item, a one-hop refresh of their final
/// embeddings, and the session update.
///
/// ```swift
/// var model = EmbeddingModel(hyperparameters: Hyperparameters())
/// model.fit(graph: graph, epochs: 30)
/// let top = model.recommend(user: 0, k: 20, graph: graph)
/// ```
public struct EmbeddingModel: Sendable {
    /// The hyperparameters as set (see ``update(hyperparameters:)``).
    public internal(set) var hyperparameters: Hyperparameters
    /// The sanitised copy the hot paths read.
    var h: Hyperparameters

    // MARK: Tables

    var egoUsers: EmbeddingTable
    var egoItems: EmbeddingTable
    var egoCategories: EmbeddingTable
    var egoBrands: EmbeddingTable
    var egoEntities: EmbeddingTable
    /// Adam moments, indexed by `NodeKind.rawValue`.
    var moments: [OptimizerState] = Array(repeating: OptimizerState(), count: NodeKind.allCases.count)
    var adamStep = 0

    /// Propagated embeddings used for scoring.
    public internal(set) var finalUsers: EmbeddingTable
    public internal(set) var finalItems: EmbeddingTable
    var finalCategories: EmbeddingTable
    var finalBrands: EmbeddingTable
    var finalEntities: EmbeddingTable
    /// Per-user session vectors.
    public internal(set) var sessions: EmbeddingTable
    /// ``finalItems`` transposed in blocks of 16 items, for fast scoring (see
    /// ``rebuildItemBlocks()``); a changed row is copied in by ``flushItemBlocks()``.
    var itemBlocks = AlignedFloats()
    /// Item rows whose final values changed since they were copied into ``itemBlocks``, in
    /// the order noted, and the same as a flag per row (``syncItemBlock(row:)``).
    var pendingItemRows: [Int32] = []
    var itemRowIsPending: [Bool] = []
    /// ``itemBlocks`` rounded to bfloat16, two dimensions per 32-bit lane: the screening
    /// pass of an exact top-K streams half the bytes (see ``EmbeddingModel+ItemScreen``).
    var itemScreen = AlignedFloats()
    /// An upper bound of the norm of every final item row written to ``itemScreen`` since
    /// the last ``rebuildItemBlocks()`` (infinite once a row was not finite).
    var itemNormBound: Float = 0
    /// Blocks of 16 items whose float rows changed since ``itemScreen`` was last packed, and
    /// the same as a flag per block: the screen is refreshed before serving, not per event.
    var staleScreenBlocks: [Int32] = []
    var screenBlockIsStale: [Bool] = []
    /// Catalogues smaller than this are scored directly: their table sits in cache, and a
    /// screening pass would cost more than the bytes it saves (tests lower it).
    var screenMinimumRows = 2048
    /// Changes (to a fresh ``ServingStamp``) whenever final rows, sessions or the session
    /// weight may have changed: the key of the serving caches in ``servingCache``.
    var finalsStamp = ServingStamp.next()
    /// Serving tables derived from the finals (cold-item vectors, user query blocks, item
    /// norms), built on the first query after a change. A reference shared by copies of the
    /// model; entries are keyed by ``finalsStamp``, which is unique across copies.
    let servingCache = ServingCache()

    // MARK: Graph view

    var propagation = PropagationGraph()
    /// Graph entity id -> entity table row (-1 when the entity is not in the model).
    var entityRow: [Int32] = []
    var entityRows = 0
    var entityCache = EntityLinkCache()
    /// Items with at least one interaction, the uniform negative pool.
    var knownItems: [Int32] = []
    /// The graph's user-item edges at the last rebuild, for the negative sampler.
    var edgeBits = EdgeBitset()
    var itemKnown: [Bool] = []

    // MARK: Training state

    var replay: ReplayBuffer
    var rng: SeededGenerator
    /// Work buffers, `nodeCount * stride` floats each, reused across batches.
    var bufferX = AlignedFloats()
    var bufferScratch = AlignedFloats()
    var bufferFinal = AlignedFloats()
    var bufferGradient = AlignedFloats()
    /// The batch's (user, positive, negative) triples, flat.
    var batchRows: [Int32] = []
    /// Per triple: the loss derivative, the BPR term and the ego rows' squared norms.
    var batchTerms = AlignedFloats()
    /// Per layout row: occurrences in the batch (zero between batches).
    var batchOccurrences: [Int32] = []
    /// Whether final tables reflect the ego tables (false after a rollback or re-initialise).
    var finalsFresh = false
    /// Whole-graph or sampled batches (see ``TrainingMode``); not a hyperparameter, since it
    /// changes the cost of a batch, not what the model learns towards.
    public var trainingMode: TrainingMode = .automatic
    /// Neighbours kept per node on sampled batches, by depth from the batch (last repeats).
    public var sampledFanouts = SampledSubgraph.defaultFanouts
    /// The last sampled batch's computation graph and seeds, reused across batches (its
    /// triples are in ``batchRows``).
    var sampledBatch = SampledBatch()
    /// Per item, the user edges other engines' users have with it (engines that split the
    /// users add up each other's counts, docs/SCALE-OUT.md §2): LightGCN's degree
    /// normalisation then uses the item's degree over all users, as one engine would.
    var otherItemDegree: [Float] = []
    /// The last sampled batch's final embeddings of its own users and items.
    var sampledFinal = AlignedFloats()
    /// Whether ``fit(graph:epochs:budget:)`` draws sampled batches on a second thread while it
    /// trains (bit-identical either way; tests turn it off for the sequential reference).
    var pipelinedFit = true
    /// Whether sampled batches draw the next batch on a second core while this one trains
    /// (the live engine's; ``trainSampledBatchDrawingAhead(graph:)``). Off for fits and
    /// evaluations, which stay bit for bit what they were.
    public var drawsAhead = false
    /// The batch drawn during the last sampled batch, trained by the next (``drawsAhead``).
    var drawnAhead: SampledBatch?
    /// The generator of batches drawn ahead (the online steps keep ``rng``: the two threads
    /// never share one).
    var aheadRng: SeededGenerator
    /// Rows propagated by sampled batches so far (for benchmarks).
    public internal(set) var sampledRows = 0

    var batchesSinceRebuild = 0
    /// Batches run since the last (re)initialisation.
    public internal(set) var batches = 0
    /// Exponential moving average of healthy batch losses (nil before the first batch).
    public internal(set) var recentLoss: Float?
    var healthyBatches = 0
    var snapshot: ParameterSnapshot?
    /// Every rollback so far, oldest first.
    public internal(set) var divergences: [DivergenceReport] = []
    /// Item rows changed since the last exchange with other engines (`nil`: one engine, no
    /// exchange); see EmbeddingModel+ItemSync.swift.
    var itemSync: ItemSyncState?
    /// Online updates dropped because they produced a non-finite value.
    public internal(set) var rejectedOnlineUpdates = 0
    /// Whether the last event's online steps wrote the ego rows (whole-graph training; sampled
    /// training leaves them to its batches): ``prefetchRows(user:item:)`` asks for the user's
    /// ego row only then.
    var onlineStepsWriteEgoRows = true

    /// A fresh, empty model. Call ``fit(graph:epochs:)`` or let ``observe(_:at:graph:)`` grow it.
    public init(hyperparameters: Hyperparameters) {
        self.hyperparameters = hyperparameters
        h = hyperparameters.sanitised
        let d = h.dimension
        egoUsers = EmbeddingTable(dimension: d)
        egoItems = EmbeddingTable(dimension: d)
        egoCategories = EmbeddingTable(dimension: d)
        egoBrands = EmbeddingTable(dimension: d)
        egoEntities = EmbeddingTable(dimension: d)
        finalUsers = EmbeddingTable(dimension: d)
        finalItems = EmbeddingTable(dimension: d)
        finalCategories = EmbeddingTable(dimension: d)
        finalBrands = EmbeddingTable(dimension: d)
        finalEntities = EmbeddingTable(dimension: d)
        sessions = EmbeddingTable(dimension: d)
        replay = ReplayBuffer(capacity: h.replayCapacity, halfLife: h.replayHalfLife)
        rng = SeededGenerator(seed: h.seed)
        aheadRng = SeededGenerator(seed: h.seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// Embedding width in use (may differ from ``hyperparameters`` until ``reinitialise(graph:)``).
    public var dimension: Int { egoUsers.dimension }
    var stride: Int { egoUsers.stride }

    /// Applies new hyperparameters from the next batch or event on.
    ///
    /// A new ``Hyperparameters/dimension`` is recorded but not applied: call
    /// ``reinitialise(graph:)`` to rebuild the tables at the new width (that forgets training).
    /// Returns `true` when such a re-initialise is pending.
    @discardableResult
    public mutating func update(hyperparameters new: Hyperparameters) -> Bool {
        let old = h
        hyperparameters = new
        finalsStamp = ServingStamp.next()  // the session weight is part of every query
        h = new.sanitised
        // A batch drawn ahead was drawn with the old settings (fan-outs, side weight, negatives).
        drawnAhead = nil
        if h.replayHalfLife != old.replayHalfLife { replay.setHalfLife(h.replayHalfLife) }
        replay.capacity = h.replayCapacity
        if h.sideWeight != old.sideWeight || h.entityMinItems != old.entityMinItems
            || h.edgeWeighting != old.edgeWeighting || h.threads != old.threads {
            propagation.builtEvents = -1  // rebuild at the next batch
        }
        return needsReinitialise
    }

    /// True when ``hyperparameters`` asks for a different dimension than the tables have.
    public var needsReinitialise: Bool { h.dimension != egoUsers.dimension }

    /// Drops all learned state and rebuilds the tables for `graph` at the current
    /// hyperparameters (including a new dimension), replaying the graph's edges into the
    /// replay buffer. Does not train; see ``fit(graph:epochs:)``.
    public mutating func reinitialise(graph: HeteroGraph) {
        var fresh = EmbeddingModel(hyperparameters: hyperparameters)
        fresh.divergences = divergences
        fresh.trainingMode = trainingMode
        fresh.sampledFanouts = sampledFanouts
        fresh.pipelinedFit = pipelinedFit
        fresh.drawsAhead = drawsAhead
        // Sharing survives a rebuild; the published copy starts again from the new rows.
        if itemSync != nil { fresh.itemSync = ItemSyncState() }
        self = fresh
        ensureRows(graph: graph, random: true)
        // Replay every live edge, oldest first, so recency weighting sees real times.
        let edges = (0..<graph.edgeUser.count).filter { graph.edgeUser[$0] >= 0 }
            .sorted { graph.edgeStates[$0].time < graph.edgeStates[$1].time || (graph.edgeStates[$0].time == graph.edgeStates[$1].time && $0 < $1) }
        for e in edges {
            let item = graph.edgeItem[e]
            replay.append(user: graph.edgeUser[e], item: item, time: graph.edgeStates[e].time)
            markKnown(item)
        }
        rebuildPropagation(graph: graph)
        refreshFinals()
        takeSnapshot()
        // Session vectors from each user's history in time order.
        rebuildSessions(graph: graph)
    }

    /// Re-initialises, trains `epochs` passes' worth of batches over the replay buffer, and
    /// refreshes the final embeddings.
    ///
    /// - Returns: the mean loss of the last epoch.
    @discardableResult
    public mutating func fit(graph: HeteroGraph, epochs: Int) -> Float {
        fit(graph: graph, epochs: epochs, budget: nil)
    }

    /// ``fit(graph:epochs:)`` with at most `budget` training positives: when `epochs` passes
    /// would sample more, it runs `ceil(budget / batchSize)` batches instead.
    ///
    /// Why: a pass over the replay buffer is `edges / batchSize` batches, so an epoch count
    /// tuned on a small log makes the fit grow with the log (10 epochs of a 750k-event warm-up
    /// are 3,700 batches). An evaluation bounds it here; within the budget (ml-100k's tuned
    /// fits) nothing changes, bit for bit.
    /// - Returns: the mean loss of the last epoch, or of the last epoch's worth of batches.
    @discardableResult
    public mutating func fit(graph: HeteroGraph, epochs: Int, budget: Int?) -> Float {
        reinitialise(graph: graph)
        var last: Float = 0
        let batchSize = effectiveBatchSize(graph: graph)
        let epochBatches = max(1, (replay.count + batchSize - 1) / batchSize)
        let planned = max(0, epochs) * epochBatches
        if let budget, planned > 0, budget < planned * batchSize {
            let batches = max(1, (max(budget, 1) + batchSize - 1) / batchSize)
            last = trainBatches(graph: graph, count: batches, lossWindow: epochBatches)
        } else if usesSampledTraining(graph: graph) {
            // `epochs` passes of `epochBatches` batches, as trainEpoch would run them, but
            // pipelined (EmbeddingModel+PipelinedFit.swift).
            if planned > 0 { last = trainBatches(graph: graph, count: planned, lossWindow: epochBatches) }
        } else {
            for _ in 0..<max(0, epochs) { last = trainEpoch(graph: graph) }
        }
        refreshFinals()
        rebuildSessions(graph: graph)
        return last
    }

    /// `count` batches of a fit on `graph`: sampled ones pipelined on two threads
    /// (``trainSampledBatches(graph:count:onStep:)``) unless ``pipelinedFit`` is off,
    /// whole-graph ones one after another, publishing on the last.
    /// - Returns: the mean loss of the healthy batches among the last `lossWindow`, NaN if none.
    mutating func trainBatches(graph: HeteroGraph, count: Int, lossWindow: Int) -> Float {
        var total: Float = 0
        var counted = 0
        func record(_ b: Int, _ step: TrainingStep) {
            if b >= count - lossWindow, step.pairs > 0, step.divergence == nil, step.loss.isFinite {
                total += step.loss
                counted += 1
            }
        }
        if pipelinedFit, usesSampledTraining(graph: graph), !replay.isEmpty {
            trainSampledBatches(graph: graph, count: count, onStep: record)
        } else {
            for b in 0..<count { record(b, trainBatch(graph: graph, publish: b == count - 1)) }
        }
        return counted > 0 ? total / Float(counted) : .nan
    }

    // MARK: Rows

    mutating func markKnown(_ item: Int32) {
        let i = Int(item)
        if i >= itemKnown.count { itemKnown.append(contentsOf: repeatElement(false, count: i + 1 - itemKnown.count)) }
        if !itemKnown[i] {
            itemKnown[i] = true
            knownItems.append(item)
        }
    }

    /// Grows every table to the graph's node counts. New rows are random when `random`
    /// (initialisation) and zero otherwise (the online path fills them by cold start).
    mutating func ensureRows(graph: HeteroGraph, random: Bool) {
        let sigma = random ? h.initialScale : 0
        let itemRowsBefore = finalItems.rows
        egoUsers.ensureRows(graph.users.count, standardDeviation: sigma, using: &rng)
        egoItems.ensureRows(graph.items.count, standardDeviation: sigma, using: &rng)
        egoCategories.ensureRows(graph.categories.count, standardDeviation: h.initialScale, using: &rng)
        egoBrands.ensureRows(graph.brands.count, standardDeviation: h.initialScale, using: &rng)
        finalUsers.ensureRows(graph.users.count, standardDeviation: 0, using: &rng)
        finalItems.ensureRows(graph.items.count, standardDeviation: 0, using: &rng)
        finalCategories.ensureRows(graph.categories.count, standardDeviation: 0, using: &rng)
        finalBrands.ensureRows(graph.brands.count, standardDeviation: 0, using: &rng)
        sessions.ensureRows(graph.users.count, standardDeviation: 0, using: &rng)
        if random {
            // Until the first propagation, final = ego.
            finalUsers.storage.replaceSubrange(0..<egoUsers.storage.count, with: egoUsers.storage)
            finalItems.storage.replaceSubrange(0..<egoItems.storage.count, with: egoItems.storage)
            rebuildItemBlocks()
        } else {
            // Only the new rows: rebuilding every block here made each growth O(items).
            for r in itemRowsBefore..<finalItems.rows { syncItemBlock(row: r) }
        }
    }

    mutating func ensureEntityRows() {
        egoEntities.ensureRows(entityRows, standardDeviation: h.initialScale, using: &rng)
        finalEntities.ensureRows(entityRows, standardDeviation: 0, using: &rng)
    }

    /// Recomputes every user's session vector from their history, oldest event first.
    mutating func rebuildSessions(graph: HeteroGraph) {
        finalsStamp = ServingStamp.next()
        sessions.zeroAll()
        let decay = h.sessionDecay
        let stride = self.stride
        for u in 0..<min(graph.users.count, sessions.rows) {
            let edges = graph.userEdges[u].sorted { graph.edgeStates[Int($0)].time < graph.edgeStates[Int($1)].time || (graph.edgeStates[Int($0)].time == graph.edgeStates[Int($1)].time && $0 < $1) }
            for edge in edges {
                let item = Int(graph.edgeItem[Int(edge)])
                guard item < finalItems.rows else { continue }
                let w = h.actionWeights[Action(rawValue: graph.edgeStates[Int(edge)].lastAction) ?? .view]
                sessions.storage.withUnsafeMutableBufferPointer { s in
                    finalItems.storage.withUnsafeBufferPointer { f in
                        VectorKernels.blend(decay, s.baseAddress! + u * stride, w, f.baseAddress! + item * stride, stride)
                    }
                }
            }
        }
    }
}

/// A copy of the trainable state, for the divergence guard.
struct ParameterSnapshot: Sendable {
    var tables: [EmbeddingTable]
    var moments: [OptimizerState]
    var adamStep: Int
}

/// What the divergence guard did.
public struct DivergenceReport: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable {
        case nonFiniteLoss, explodingLoss, nonFiniteParameters
    }

    /// Batch count at the time (since the last initialisation).
    public var batch: Int
    public var reason: Reason
    /// The offending loss (may be NaN or infinite).
    public var loss: Float
    public var previousLearningRate: Float
    public var newLearningRate: Float
}

/// The outcome of one training batch.
public struct TrainingStep: Sendable, Hashable {
    /// Mean BPR loss plus the L2 term; NaN when nothing was trained.
    public var loss: Float
    /// Positive-negative pairs in the batch (0 when the replay buffer was empty).
    public var pairs: Int
    /// Set when the batch diverged and parameters were rolled back.
    public var divergence: DivergenceReport?
    /// CPU seconds another thread spent for this batch meanwhile (drawing the next sampled
    /// batch, ``EmbeddingModel/trainSampledBatchDrawingAhead(graph:)``): part of training's
    /// cost that the engine thread's own clock does not see.
    public var helperCPUSeconds = 0.0
}
