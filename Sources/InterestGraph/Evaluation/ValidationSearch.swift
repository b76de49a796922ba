/// One point of a hyperparameter search and its validation score.
public struct TuningTrial: Sendable {
    /// The `key=value` settings tried, on top of the model's tuned defaults.
    public var settings: [(key: String, value: String)]
    /// The selection metric: NDCG@20 for protocol A, HR@10 for protocol B.
    public var score: Double
    /// A second metric for the table: Recall@20 (A) or MRR (B).
    public var secondary: Double

    public var label: String { settings.isEmpty ? "(defaults)" : settings.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}

/// The grid search behind ``TunedHyperparameters``, run on validation splits only.
///
/// Protocol A: the training events' first 90% (by time) train and their last 10% are the
/// held-out part, selected by NDCG@20. Settings that only change scoring (popularity and
/// co-visitation weights, the popularity half-life) are tried on one fitted model.
/// Protocol B: the prequential protocol on the warm-up half alone, its last 10% scored,
/// selected by HR@10.
public enum ValidationSearch {
    public typealias Settings = [(key: String, value: String)]

    /// Keys that change scoring only, so one fit serves every value.
    static let scoringKeys: Set<String> = ["popularityweight", "covisitweight", "halflife", "sessionweight"]

    /// The grid for one model and protocol: training settings x scoring settings.
    public static func grid(for kind: ModelKind, protocol p: TunedHyperparameters.EvaluationProtocol) -> (training: [Settings], scoring: [Settings]) {
        func product(_ axes: [(String, [String])]) -> [Settings] {
            var result: [Settings] = [[]]
            for (key, values) in axes {
                result = result.flatMap { partial in values.map { partial + [(key, $0)] } }
            }
            return result
        }
        switch (kind, p) {
        case (.mostPop, .temporal):
            return ([[]], product([("halfLife", ["1d", "3d", "7d", "14d", "30d", "90d", "inf"])]))
        case (.mostPop, .prequential):
            return (product([("halfLife", ["1d", "7d", "30d", "inf"])]), [[]])
        case (.itemKNN, .temporal):
            return (product([("halfLife", ["7d", "30d", "inf"]), ("neighbours", ["50", "200"])]), [[]])
        case (.itemKNN, .prequential):
            return (product([("halfLife", ["30d", "inf"])]), [[]])
        case (.mfBPR, .temporal):
            return (product([("learningRate", ["0.005", "0.01"]), ("l2", ["0.0001", "0.001"]), ("replayHalfLife", ["7d", "inf"])]), [[]])
        case (.lightGCN, .temporal):
            return (product([
                ("layers", ["2", "3"]), ("sideWeight", ["0", "0.5"]), ("replayHalfLife", ["7d", "inf"]),
                ("edgeWeighting", ["binary", "logStrength"]),
            ]), [[]])
        case (.mfBPR, .prequential), (.lightGCN, .prequential):
            return (product([("onlineSteps", ["0", "2"]), ("sessionWeight", ["0", "1"])]), [[]])
        case (.hybrid, .temporal):
            return ([[]], product([
                ("popularityWeight", ["0", "2", "4", "8", "16", "32"]), ("covisitWeight", ["0", "0.3", "1"]),
                ("halfLife", ["7d", "14d"]),
            ]))
        case (.hybrid, .prequential):
            return (product([("covisitWeight", ["1", "3", "10", "30"]), ("sessionWeight", ["0", "1"]), ("popularityWeight", ["0", "0.5"])]), [[]])
        }
    }

    /// Runs the grid for `kind` on the validation split of `protocol`, best trial first.
    /// - Parameter progress: called after each trial (for a command-line progress line).
    /// - Parameters:
    ///   - scoringOnly: keep the tuned training settings and search the scoring grid alone
    ///     (one fit; ``EvaluationRunner`` calibrates every dataset this way).
    ///   - overrides: `key=value` settings applied after the tuned ones and before each trial's.
    ///   - testUsers: protocol A, rank for this many validation users only, chosen as
    ///     ``TemporalGroundTruth/sampled(users:graph:)`` does (nil: all).
    ///   - fitBudget: most training positives per fit (see ``EmbeddingModel/fit(graph:epochs:budget:)``).
    public static func run(
        kind: ModelKind, protocol p: TunedHyperparameters.EvaluationProtocol, dataset: LoadedDataset,
        seed: UInt64 = 42, scoringOnly: Bool = false, overrides: Settings = [], testUsers: Int? = nil,
        fitBudget: Int? = nil, progress: ((TuningTrial) -> Void)? = nil
    ) throws -> [TuningTrial] {
        var (training, scoring) = grid(for: kind, protocol: p)
        if scoringOnly { training = [[]] }
        func tuned(_ p: TunedHyperparameters.EvaluationProtocol) throws -> Hyperparameters {
            var h = TunedHyperparameters.hyperparameters(for: kind, protocol: p, seed: seed)
            for (key, value) in overrides { try h.set(key, to: value) }
            return h
        }
        var trials: [TuningTrial] = []
        switch p {
        case .temporal:
            let (graph, fullTruth): (HeteroGraph, TemporalGroundTruth) = {
                let split = TemporalSplit(events: dataset.events, trainFraction: 0.8).validation
                let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: dataset.catalogue)
                return (graph, TemporalGroundTruth(graph: graph, test: split.test))
            }()
            let truth = testUsers.map { fullTruth.sampled(users: $0, graph: graph) } ?? fullTruth
            for trainingSettings in training {
                var h = try tuned(.temporal)
                for (key, value) in trainingSettings { try h.set(key, to: value) }
                var model = Recommender(kind: kind, hyperparameters: h)
                model.fit(graph: graph, budget: fitBudget)
                // Trials run grouped by half-life, so the popularity state is rebuilt once per
                // half-life rather than on every other trial (each rebuild replays every edge);
                // they are listed in grid order, and each trial's scores do not depend on the
                // order (a rebuild is a function of the graph and the settings).
                var results = [TuningTrial?](repeating: nil, count: scoring.count)
                let order = scoring.indices.sorted { a, b in
                    let ka = scoring[a].first { $0.key.lowercased() == "halflife" }?.value ?? ""
                    let kb = scoring[b].first { $0.key.lowercased() == "halflife" }?.value ?? ""
                    return ka < kb || (ka == kb && a < b)
                }
                for index in order {
                    let scoringSettings = scoring[index]
                    var scored = h
                    for (key, value) in scoringSettings { try scored.set(key, to: value) }
                    if kind == .mostPop {
                        // Popularity is rebuilt at the new half-life.
                        model = Recommender(kind: kind, hyperparameters: scored)
                        model.fit(graph: graph, budget: fitBudget)
                    } else {
                        model.update(hyperparameters: scored, graph: graph)
                    }
                    let (metrics, _) = TemporalEvaluation.evaluate(model: model, graph: graph, truth: truth)
                    results[index] = TuningTrial(settings: trainingSettings + scoringSettings, score: metrics.ndcg20, secondary: metrics.recall20)
                }
                for case let trial? in results {
                    trials.append(trial)
                    progress?(trial)
                }
            }
        case .prequential:
            let ordered = TemporalSplit.timeOrdered(dataset.events)
            let warm = Array(ordered[..<(ordered.count / 2)])
            for settings in training {
                var h = try tuned(.prequential)
                for (key, value) in settings { try h.set(key, to: value) }
                var model = Recommender(kind: kind, hyperparameters: h)
                let metrics = PrequentialEvaluation.run(
                    model: &model, events: warm, catalogue: dataset.catalogue, warmupFraction: 0.9,
                    backgroundEvery: TunedHyperparameters.backgroundEvery, fitBudget: fitBudget)
                let trial = TuningTrial(settings: settings, score: metrics.hitRate10, secondary: metrics.mrr)
                trials.append(trial)
                progress?(trial)
            }
        }
        return trials.enumerated().sorted { $0.element.score > $1.element.score || ($0.element.score == $1.element.score && $0.offset < $1.offset) }.map(\.element)
    }
}
