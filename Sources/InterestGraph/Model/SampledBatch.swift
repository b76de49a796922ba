/// The random half of a sampled training batch: its (user, positive, negative) triples and
/// its ``SampledSubgraph``, drawn before any arithmetic. It owns the drawing, nothing else:
/// the arithmetic is ``EmbeddingModel/runSampledBatch(_:graph:)``.
///
/// Why a value of its own: what a batch draws depends only on the graph, the replay buffer,
/// the known items and the generator, never on the embeddings, so during a fit (graph fixed)
/// the next batch can be drawn on another thread while this one trains
/// (EmbeddingModel+PipelinedFit.swift), and the result is the one a single thread gets.
struct SampledBatch: Sendable {
    /// Flat (user, positive, negative) triples.
    var triples: [Int32] = []
    /// Virtual ids of the triples' users and items, in triple order (the subgraph's seeds).
    var seeds: [Int32] = []
    /// Local id in ``subgraph`` of every seed, in the same order.
    var seedLocals: [Int32] = []
    /// The batch's computation graph (stale when ``pairs`` is 0: nothing was built).
    var subgraph = SampledSubgraph()

    var pairs: Int { triples.count / 3 }
}

/// Everything ``SampledBatch/draw(from:graph:rng:)`` reads besides the graph and the
/// generator: a copy of the model's sampling state (its arrays are shared, not copied, until
/// the model changes them), so another thread can draw from it while the model trains.
struct SampledBatchSource: Sendable {
    /// Only read: drawing writes nothing of it.
    var replay: ReplayBuffer
    var knownItems: [Int32]
    var batch: Int
    var negatives: Int
    var negativeSampling: Hyperparameters.NegativeSampling
    var userLimit: Int
    var itemLimit: Int
    var layers: Int
    var sideWeight: Float
    var fanouts: [Int]
}

extension SampledBatch {
    /// Draws the next batch into `self` (reusing its storage): the triples, then the subgraph
    /// of their users and items, both from `rng`, in that order. When no triple was drawn the
    /// subgraph is not built (and draws nothing from `rng`).
    ///
    /// Deterministic: the same source, graph and generator state give the same batch and the
    /// same generator state after it, whichever thread runs it.
    /// - Complexity: O(batch * negatives) for the triples, O(batch * prod(fanouts)) for the
    ///   subgraph; independent of the graph's size.
    mutating func draw(from source: SampledBatchSource, graph: HeteroGraph, rng: inout SeededGenerator) {
        EmbeddingModel.drawTriples(
            into: &triples, batch: source.batch, negatives: source.negatives, sampling: source.negativeSampling,
            replay: source.replay, known: source.knownItems, userLimit: source.userLimit, itemLimit: source.itemLimit,
            graph: graph, edges: nil, rng: &rng)
        let pairs = self.pairs
        guard pairs > 0 else { return }
        let itemBase = Int32(graph.users.count)
        seeds.removeAll(keepingCapacity: true)
        for t in 0..<pairs {
            seeds.append(triples[3 * t])
            seeds.append(itemBase + triples[3 * t + 1])
            seeds.append(itemBase + triples[3 * t + 2])
        }
        seedLocals = subgraph.build(
            seeds: seeds, layers: source.layers, graph: graph, sideWeight: source.sideWeight,
            fanouts: source.fanouts, rng: &rng)
    }
}
