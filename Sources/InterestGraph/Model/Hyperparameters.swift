/// Every knob of the learning engine, in one value that can be logged, saved and compared.
///
/// Changes take effect at the next training batch or event; ``dimension`` is the exception:
/// a table cannot change width in place, so a new dimension needs an explicit
/// ``EmbeddingModel/reinitialise(graph:)`` (the engine does it on request).
///
/// The defaults are generic starting points. The values chosen per model and protocol on the
/// ml-100k validation splits live in ``TunedHyperparameters`` (for a live stream use
/// `TunedHyperparameters.hyperparameters(for: .hybrid, protocol: .prequential)`); see
/// docs/EVALUATION.md for the searches. Every knob can be set from text with ``set(_:to:)``.
public struct Hyperparameters: Sendable, Codable, Hashable {
    /// The optimiser for full-graph training batches.
    public enum Optimizer: String, Sendable, Codable, Hashable, CaseIterable {
        case adam, sgd
    }

    /// How negatives are drawn for the BPR loss.
    public enum NegativeSampling: String, Sendable, Codable, Hashable, CaseIterable {
        /// Uniform over the items known to the model.
        case uniform
        /// Proportional to interaction counts (a random replayed interaction's item): harder
        /// negatives, which push popular items down where they are not wanted.
        case popularity
    }

    /// How a user-item edge is weighted in the propagation graph.
    public enum EdgeWeighting: String, Sendable, Codable, Hashable, CaseIterable {
        /// 1 for every live edge (classic LightGCN).
        case binary
        /// The decayed strength of the edge.
        case strength
        /// `log(1 + strength)`: recency and repetition count, but sublinearly.
        case logStrength
    }

    // MARK: Embeddings and training

    /// Embedding width (rows are padded to a multiple of 16 in memory).
    public var dimension: Int = 64
    /// Propagation layers, 0 (matrix factorisation) to 4.
    public var layers: Int = 3
    public var learningRate: Float = 0.005
    /// L2 penalty on the ego embeddings of each batch's users, positives and negatives.
    public var l2: Float = 1e-4
    /// Negatives drawn per positive.
    public var negatives: Int = 1
    public var batchSize: Int = 2048
    public var optimizer: Optimizer = .adam
    public var negativeSampling: NegativeSampling = .uniform
    /// Worker threads for propagation and the optimiser step. Results do not depend on it:
    /// each thread owns whole output rows, so any thread count gives the same floats.
    public var threads: Int = 2
    public var seed: UInt64 = 42
    /// Passes over the replay buffer in a full ``EmbeddingModel/fit(graph:epochs:)``.
    public var epochs: Int = 30
    /// Standard deviation of the N(0, sigma^2) initialisation.
    public var initialScale: Float = 0.1

    // MARK: Graph

    /// Half-life, in seconds, of edge strength and of the popularity prior.
    public var halfLife: Double = 14 * 86_400
    /// What each action adds to a user-item edge and to a user's session vector.
    public var actionWeights: ActionWeights = .default
    public var edgeWeighting: EdgeWeighting = .binary
    /// Weight of item-category, item-brand and item-entity edges relative to a binary
    /// user-item edge. 0 leaves side information out of the propagation.
    public var sideWeight: Float = 0.5
    /// A knowledge-graph entity joins the propagation graph when at least this many items
    /// reach it (through their linked entity or one KG hop from it); 0 leaves the KG out.
    public var entityMinItems: Int = 3

    // MARK: Replay

    /// Half-life, in seconds, of the replay sampler's preference for recent interactions
    /// (`.infinity` samples uniformly).
    public var replayHalfLife: Double = 7 * 86_400
    /// Most interactions the replay buffer keeps (oldest dropped first).
    public var replayCapacity: Int = 1_000_000

    // MARK: Online updates

    /// BPR steps on the event's user and item, each with fresh sampled negatives.
    public var onlineSteps: Int = 2
    public var onlineLearningRate: Float = 0.05
    /// Per-event decay of the user's session vector: `s_u <- decay * s_u + w * f_item`.
    public var sessionDecay: Float = 0.9
    /// Weight of the session vector in the user's query vector.
    public var sessionWeight: Float = 1

    // MARK: Hybrid scoring

    /// Weight of `log(1 + decayed popularity)` added to every item's score (0 = off).
    public var popularityWeight: Float = 0
    /// Weight of the co-visitation term (items that followed the user's recent items in
    /// other users' streams); 0 = off.
    public var covisitWeight: Float = 0
    /// Co-visitation pairs are counted between an item and each of the user's previous
    /// `covisitWindow` items.
    public var covisitWindow: Int = 20
    /// ItemKNN keeps at most this many neighbours per item after a full fit.
    public var neighbours: Int = 200

    // MARK: Divergence guard

    /// A batch loss above `divergenceFactor` times the recent mean counts as divergence.
    public var divergenceFactor: Float = 5

    public init() {}
}

extension Hyperparameters {
    /// Clamps every value into its valid range, so a bad edit from the dashboard or a config
    /// file can slow learning down but never crash it.
    public var sanitised: Hyperparameters {
        var h = self
        h.dimension = min(max(h.dimension, 1), 1024)
        h.layers = min(max(h.layers, 0), 4)
        if !(h.learningRate.isFinite && h.learningRate > 0) { h.learningRate = 0.001 }
        if !(h.l2.isFinite && h.l2 >= 0) { h.l2 = 0 }
        h.negatives = min(max(h.negatives, 1), 64)
        h.batchSize = min(max(h.batchSize, 1), 1 << 20)
        h.threads = min(max(h.threads, 1), 64)
        h.epochs = min(max(h.epochs, 0), 10_000)
        if !(h.initialScale.isFinite && h.initialScale >= 0) { h.initialScale = 0.1 }
        if !(h.halfLife > 0) { h.halfLife = .infinity }
        if !(h.replayHalfLife > 0) { h.replayHalfLife = .infinity }
        h.replayCapacity = max(h.replayCapacity, 1)
        if !(h.sideWeight.isFinite && h.sideWeight >= 0) { h.sideWeight = 0 }
        h.entityMinItems = max(h.entityMinItems, 0)
        h.onlineSteps = min(max(h.onlineSteps, 0), 64)
        if !(h.onlineLearningRate.isFinite && h.onlineLearningRate >= 0) { h.onlineLearningRate = 0 }
        if !(h.sessionDecay.isFinite) { h.sessionDecay = 0 }
        h.sessionDecay = min(max(h.sessionDecay, 0), 1)
        if !h.sessionWeight.isFinite { h.sessionWeight = 0 }
        if !h.popularityWeight.isFinite { h.popularityWeight = 0 }
        if !h.covisitWeight.isFinite { h.covisitWeight = 0 }
        h.covisitWindow = min(max(h.covisitWindow, 1), 1000)
        h.neighbours = max(h.neighbours, 1)
        if !(h.divergenceFactor.isFinite && h.divergenceFactor > 1) { h.divergenceFactor = 5 }
        return h
    }
}
