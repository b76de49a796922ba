/// The hyperparameters each model uses in `driftscope eval`, per protocol.
///
/// Every value here was chosen on the validation split inside the training data (protocol A:
/// the last 10% of the training events by time; protocol B: the prequential protocol run on
/// the warm-up half alone, scoring its last 10%), never on the test part. docs/EVALUATION.md
/// lists the grids and the validation scores behind each choice.
public enum TunedHyperparameters {
    /// The model `driftscope eval` and the engine use when none is named: the best on validation.
    public static let defaultModel: ModelKind = .hybrid

    /// Prequential runs do one background training batch every this many streamed events,
    /// standing in for the engine's trainer thread.
    public static let backgroundEvery = 2048

    public enum EvaluationProtocol: String, Sendable, CaseIterable {
        case temporal, prequential
    }

    /// The chosen hyperparameters of `kind` for `protocol`, with `seed`.
    public static func hyperparameters(for kind: ModelKind, protocol p: EvaluationProtocol, seed: UInt64 = 42) -> Hyperparameters {
        var h = Hyperparameters()
        h.seed = seed
        switch (kind, p) {
        case (.mostPop, .temporal):
            h.halfLife = 14 * 86_400
        case (.mostPop, .prequential):
            h.halfLife = 30 * 86_400
        case (.itemKNN, .temporal):
            h.halfLife = 30 * 86_400
            h.neighbours = 200
        case (.itemKNN, .prequential):
            h.halfLife = .infinity
            h.neighbours = 200
        case (.mfBPR, .temporal):
            h.learningRate = 0.005
            h.l2 = 0.001
            h.replayHalfLife = .infinity
            h.epochs = 30
        case (.lightGCN, .temporal), (.hybrid, .temporal):
            // Validation put sideWeight 0 and 0.5 within 0.002 NDCG@20 (standard error ~0.02);
            // 0.5 is kept because cold-start items need their category and KG embeddings.
            h.layers = 3
            h.sideWeight = 0.5
            h.edgeWeighting = .logStrength
            h.replayHalfLife = 7 * 86_400
            h.learningRate = 0.005
            h.epochs = 30
            if kind == .hybrid {
                h.popularityWeight = 16
                h.covisitWeight = 0.3
                h.halfLife = 14 * 86_400
            }
        case (.mfBPR, .prequential), (.lightGCN, .prequential), (.hybrid, .prequential):
            // The stream is timed (<= 5 s for the whole run), so the warm-up fit is short.
            h.layers = kind == .mfBPR ? 0 : 2
            h.sideWeight = kind == .mfBPR ? 0 : 0.5
            // Validation HR@10 0.2126 at 10 vs 0.2123 at 3, with a graph half the size.
            h.entityMinItems = 10
            h.replayHalfLife = 7 * 86_400
            h.learningRate = 0.01
            h.epochs = 10
            switch kind {
            case .mfBPR:
                h.onlineSteps = 0
                h.sessionWeight = 1
            case .lightGCN:
                // onlineSteps 0 and 2 tie on validation HR@10 (0.1512); 0 has the higher MRR.
                h.onlineSteps = 0
                h.sessionWeight = 1
            default:
                h.onlineSteps = 2
                h.sessionWeight = 0
                h.covisitWeight = 10
                h.popularityWeight = 0
            }
        }
        return h
    }
}
