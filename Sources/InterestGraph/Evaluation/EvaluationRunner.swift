/// One model's protocol A row.
public struct TemporalEntry: Sendable, Codable, Hashable {
    public var model: ModelKind
    public var metrics: TemporalMetrics
    /// Full fit wall time.
    public var trainSeconds: Double
    /// Epochs in that fit (0 for baselines) and the time per epoch.
    public var epochs: Int
    public var epochSeconds: Double?
    /// Peak resident set size of the process after this model's row, bytes.
    public var peakResidentBytes = 0
    /// Scoring settings chosen for this dataset on its validation split (see
    /// ``EvaluationRunner/Options/calibrateScoring``), `key=value`; empty when none were.
    public var calibration: [String] = []
}

/// One model's protocol B row.
public struct PrequentialEntry: Sendable, Codable, Hashable {
    public var model: ModelKind
    public var metrics: PrequentialMetrics
}

/// A user's exported top-K list with original ids.
public struct ExportedList: Sendable, Hashable {
    public var user: String
    public var items: [(item: String, score: Float)]

    public static func == (a: ExportedList, b: ExportedList) -> Bool {
        a.user == b.user && a.items.map(\.item) == b.items.map(\.item) && a.items.map(\.score) == b.items.map(\.score)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(user)
        for entry in items { hasher.combine(entry.item) }
    }
}

/// Everything `driftscope eval` reports.
public struct EvaluationReport: Sendable {
    public var dataset: String
    public var events: Int
    public var defaultModel: ModelKind
    /// Protocol A rows in model order (empty when not run).
    public var temporal: [TemporalEntry] = []
    /// Protocol B rows in model order (empty when not run).
    public var prequential: [PrequentialEntry] = []
    /// Protocol A top-20 lists of the first requested model, when asked for.
    public var exported: [ExportedList] = []
    /// Whether the numbers come from the validation split (tuning) rather than the test.
    public var validation = false
    /// Protocol A: test users who met the conditions, and whether the rows are over a sample
    /// of them (`--test-users`; the sampled count is each row's `metrics.users`).
    public var eligibleTestUsers = 0
    public var testUsersSampled = false
    /// Protocol B: every this many eligible events scored (`--sample-every`).
    public var sampleEvery = 1
    /// Peak resident set size of the whole run, bytes.
    public var peakResidentBytes = 0
}

/// Runs protocols A and B over a set of models: the engine behind `driftscope eval`.
public enum EvaluationRunner {
    public struct Options: Sendable {
        public var temporal = true
        public var prequential = true
        public var models: [ModelKind] = [TunedHyperparameters.defaultModel]
        public var seed: UInt64 = 42
        /// Keep the top-20 lists of `exportModel` (protocol A).
        public var exportModel: ModelKind?
        /// Evaluate on the validation split inside train instead of the test (for tuning).
        public var validation = false
        /// Overrides applied on top of the tuned hyperparameters, `key=value` (tuning).
        public var overrides: [(key: String, value: String)] = []
        /// Background batches during the prequential stream: one every this many events.
        public var backgroundEvery = TunedHyperparameters.backgroundEvery
        /// Prequential timeline points every this many streamed events (0: none); see
        /// ``PrequentialMetrics/timeline``.
        public var timelineEvery = 0
        /// Protocol B, sampled: score the j-th eligible event iff `j mod sampleEvery == 0`
        /// (`--sample-every`; 1 is the protocol itself). See ``PrequentialEvaluation``.
        public var sampleEvery = 1
        /// Protocol A: rank for at most this many test users, those with the smallest
        /// ``TemporalGroundTruth/userHash(_:)`` of their id (`--test-users`; nil: all). The
        /// same rule picks the validation users of the scoring calibration.
        public var testUsers: Int?
        /// Prequential: at most about this many background batches per run, however long the
        /// stream (nil: one every ``backgroundEvery`` events). The eval runs them in line, in
        /// place of the engine's trainer thread, which could not keep one batch per 2,048
        /// events on a fast stream either; at 128, ml-100k's 24 batches are unchanged and a
        /// 750k-event stream gets one batch per 5,900 events instead of 368 full-graph batches.
        public var backgroundLimit: Int? = 128
        /// Most training positives in one fit of an embedding model, per protocol (nil: the
        /// tuned epochs, whatever the log's size). See ``defaultFitBudget``.
        public var fitBudget: [TunedHyperparameters.EvaluationProtocol: Int] = EvaluationRunner.defaultFitBudget
        /// Protocol A: choose the settings that change scoring only (popularity and
        /// co-visitation weights, the popularity half-life) on this dataset's validation split
        /// before the test run. The tuned table came from ml-100k, where popularity is a strong
        /// signal; on a shop where it is not (the simulator), Hybrid's popularity weight of 16
        /// buried its embeddings (NDCG@20 0.030 against ItemKNN's 0.419). One extra fit on
        /// the validation split per calibrated model; never the test.
        public var calibrateScoring = true

        public init() {}
    }

    /// The default bound on training positives per fit: just above what the tuned epochs
    /// train on ml-100k (protocol A: 30 epochs x 40 batches x 2,048 = 2.46M positives;
    /// protocol B: 10 x 25 x 2,048 = 0.51M), so ml-100k's fits, and its results, are unchanged.
    ///
    /// Why: the tuned epochs are passes over the replay buffer, and a pass grows with the log;
    /// on a 1.5M-event log ten passes were thousands of full-graph batches per model. The
    /// bound keeps a fit's batch count independent of the log's size.
    public static let defaultFitBudget: [TunedHyperparameters.EvaluationProtocol: Int] = [
        .temporal: 2_500_000, .prequential: 600_000,
    ]

    /// Drops every event's item attributes that equal the item's attributes in the dataset's
    /// catalogue (which ``DatasetLoader/load(_:format:options:)`` merged them into).
    ///
    /// Why: a CSV with category, brand and price on every row (the simulator's, large.csv)
    /// holds one category array per event, about 50 bytes of heap each: over a gigabyte at
    /// 23M events, for values the graph already gets from the catalogue. Applying attributes
    /// equal to the catalogue's changes nothing in the graph, so results are unchanged; rows
    /// whose attributes differ (a price that changed) keep them.
    /// - Returns: the number of events whose attributes were dropped.
    /// - Complexity: O(events) dictionary lookups.
    @discardableResult
    public static func dropRedundantAttributes(_ dataset: inout LoadedDataset) -> Int {
        var dropped = 0
        let catalogue = dataset.catalogue.items
        for k in dataset.events.indices {
            guard let attributes = dataset.events[k].attributes else { continue }
            if attributes.isEmpty || catalogue[dataset.events[k].item] == attributes {
                dataset.events[k].attributes = nil
                dropped += 1
            }
        }
        return dropped
    }

    /// The hyperparameters a model gets: tuned values, seed, then overrides.
    public static func hyperparameters(for kind: ModelKind, protocol p: TunedHyperparameters.EvaluationProtocol, options: Options) throws -> Hyperparameters {
        var h = TunedHyperparameters.hyperparameters(for: kind, protocol: p, seed: options.seed)
        for (key, value) in options.overrides { try h.set(key, to: value) }
        return h
    }

    public static func run(dataset: LoadedDataset, options: Options) throws -> EvaluationReport {
        var report = EvaluationReport(dataset: dataset.name, events: dataset.events.count, defaultModel: TunedHyperparameters.defaultModel)
        report.validation = options.validation
        let clock = ContinuousClock()
        if options.temporal {
            // The split's event copies are dropped once the graph and ground truth exist.
            let (graph, fullTruth): (HeteroGraph, TemporalGroundTruth) = {
                var split = TemporalSplit(events: dataset.events, trainFraction: 0.8)
                if options.validation { split = split.validation }
                let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: dataset.catalogue)
                return (graph, TemporalGroundTruth(graph: graph, test: split.test))
            }()
            let truth = options.testUsers.map { fullTruth.sampled(users: $0, graph: graph) } ?? fullTruth
            report.eligibleTestUsers = truth.eligibleUsers
            report.testUsersSampled = truth.isSample
            for kind in options.models {
                var h = try hyperparameters(for: kind, protocol: .temporal, options: options)
                var calibration: [String] = []
                if options.calibrateScoring, !options.validation {
                    let chosen = try calibratedScoring(kind: kind, dataset: dataset, options: options)
                    for (key, value) in chosen { try h.set(key, to: value) }
                    calibration = chosen.map { "\($0.key)=\($0.value)" }
                }
                var model = Recommender(kind: kind, hyperparameters: h)
                let start = clock.now
                model.fit(graph: graph, budget: options.fitBudget[.temporal])
                let train = PrequentialEvaluation.seconds(clock.now - start)
                let keep = options.exportModel == kind
                let (metrics, lists) = TemporalEvaluation.evaluate(model: model, graph: graph, truth: truth, keepLists: keep)
                let epochs = kind.hasEmbeddings ? h.sanitised.epochs : 0
                report.temporal.append(TemporalEntry(
                    model: kind, metrics: metrics, trainSeconds: train, epochs: epochs,
                    epochSeconds: epochs > 0 ? train / Double(epochs) : nil,
                    peakResidentBytes: ProcessMemory.peakResidentBytes(), calibration: calibration))
                if keep {
                    report.exported = zip(truth.users, lists).map { user, list in
                        ExportedList(user: graph.users.name(user), items: list.map { (graph.items.name($0.item), $0.score) })
                    }
                }
            }
        }
        if options.prequential {
            // Sorted once for every model (no copy when the log is already in time order);
            // each model's graph and tables are freed before the next model starts.
            var ordered = TemporalSplit.timeOrdered(dataset.events)
            if options.validation {
                // Validation for protocol B: the warm-up half alone, its last 10% scored.
                ordered = Array(ordered[..<(ordered.count / 2)])
            }
            report.sampleEvery = max(1, options.sampleEvery)
            for kind in options.models {
                let h = try hyperparameters(for: kind, protocol: .prequential, options: options)
                var model = Recommender(kind: kind, hyperparameters: h)
                let metrics = PrequentialEvaluation.run(
                    model: &model, ordered: ordered, catalogue: dataset.catalogue,
                    warmupFraction: options.validation ? 0.9 : 0.5, backgroundEvery: options.backgroundEvery,
                    timelineEvery: options.timelineEvery, sampleEvery: options.sampleEvery,
                    fitBudget: options.fitBudget[.prequential], backgroundLimit: options.backgroundLimit)
                report.prequential.append(PrequentialEntry(model: kind, metrics: metrics))
            }
        }
        report.peakResidentBytes = ProcessMemory.peakResidentBytes()
        return report
    }

    /// The best scoring-only settings of `kind` on the protocol A validation split, minus
    /// those the user overrode (an override always wins); empty when the model has none.
    static func calibratedScoring(kind: ModelKind, dataset: LoadedDataset, options: Options) throws -> ValidationSearch.Settings {
        let overridden = Set(options.overrides.map { $0.key.lowercased() })
        let grid = ValidationSearch.grid(for: kind, protocol: .temporal).scoring
        guard grid.count > 1, grid.contains(where: { $0.contains { !overridden.contains($0.key.lowercased()) } }) else { return [] }
        let trials = try ValidationSearch.run(
            kind: kind, protocol: .temporal, dataset: dataset, seed: options.seed, scoringOnly: true, overrides: options.overrides,
            testUsers: options.testUsers, fitBudget: options.fitBudget[.temporal])
        return (trials.first?.settings ?? []).filter { !overridden.contains($0.key.lowercased()) }
    }
}
