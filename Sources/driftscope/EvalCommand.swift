import ArgumentParser
import Foundation
import InterestGraph
import RedisStream
import Workspace

/// `driftscope eval`: protocols A and B over the models, as one table with lifts.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate models with the temporal hold-out (A) and prequential (B) protocols.",
        discussion: """
            Hyperparameters come from the validation split inside the training data (see \
            docs/EVALUATION.md); MostPop always runs so that every row shows its lift.

            Examples:
              driftscope eval ml-100k
              driftscope eval ml-100k --model all --protocol temporal --export-topk top20.csv
              driftscope eval ~/data/shop --model lightgcn --json
              driftscope eval ml-100k --protocol prequential --workspace demo.sqlite
              driftscope eval shop.csv --protocol prequential --model all --sample-every 100
              driftscope eval large.csv --protocol temporal --test-users 2000
              driftscope eval redis://127.0.0.1:6379/shop --protocol prequential

            With --scenario, measures interest change detection against the scenario's ground \
            truth instead: the per-user change detector beside the Page-Hinkley and ADWIN \
            baselines on the same streams (detected drifts, lag in hours and events, false alarms \
            per 1,000 stable user-days, abrupt and gradual apart, a threshold sweep); with \
            --half-life also the profile tracking lag of `driftscope drift-lag`:
              driftscope eval --scenario sample-data/scenarios/default.toml
              driftscope eval --scenario small --threshold 7 --json
              driftscope eval --scenario default --half-life 3 --half-life 30
            """
    )

    enum ProtocolChoice: String, ExpressibleByArgument, CaseIterable {
        case temporal, prequential, both
    }

    @Argument(help: "A dataset file or directory, a name (ml-100k), or a stream redis://HOST:PORT/NAME (read as it is now). Not needed with --scenario.")
    var dataset: String?

    @Option(help: "Measure drift tracking lag on this scenario (file or bundled name) instead of ranking quality.")
    var scenario: String?

    @Option(name: .customLong("half-life"), help: "With --scenario: also report profile tracking lag at this decay half-life in days (repeatable).")
    var halfLives: [Double] = []

    @Option(help: "With --scenario: the change detector's alarm threshold in nats (each +1 divides false alarms by about e).")
    var threshold: Double = ChangeDetectorSettings.default.threshold

    @Option(name: .customLong("short-half-life"), help: "With --scenario: half-life of the short-term profile, in draws (a category's first event in a session).")
    var shortHalfLife: Double = ChangeDetectorSettings.default.shortHalfLife

    @Option(name: .customLong("reference-half-life"), help: "With --scenario: half-life of the reference profile, in days.")
    var referenceHalfLife: Double = ChangeDetectorSettings.default.referenceHalfLife / 86_400

    @Option(help: "With --scenario: share a new interest takes in the change test's post-change model (0.01...0.99).")
    var novelty: Double = ChangeDetectorSettings.default.novelty

    @Option(name: .customLong("minimum-reference"), help: "With --scenario: draws a user's reference needs before the test runs.")
    var minimumReference: Double = ChangeDetectorSettings.default.minimumReference

    @Option(name: .customLong("reference-lag"), help: "With --scenario: draws that wait before joining a user's reference (0...16).")
    var referenceLag: Int = ChangeDetectorSettings.default.referenceLag

    @Option(name: .customLong("protocol"), help: "temporal (A), prequential (B) or both.")
    var protocolChoice: ProtocolChoice = .both

    @Option(help: "A model (\(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))) or all. Default: the best on validation.")
    var model: String?

    @Option(name: .customLong("export-topk"), help: "Write protocol A top-20 lists as user,rank,item,score (original ids) to this file.")
    var exportTopK: String?

    @Option(help: "Random seed for every model.")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Flag(help: "Evaluate on the validation split inside the training data (for tuning) instead of the test.")
    var validation = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hyperparameter, key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Prequential: one background training batch every this many events (0: none).")
    var backgroundEvery: Int = TunedHyperparameters.backgroundEvery

    @Option(name: .customLong("sample-every"), help: ArgumentHelp("Prequential: score only the j-th eligible event with j mod S = 0 (j from 0 after the warm-up); every event is still learned and ranks stay exact over all items. 1: every eligible event.", valueName: "S"))
    var sampleEvery: Int = 1

    @Option(name: .customLong("test-users"), help: ArgumentHelp("Temporal: rank for the N test users with the smallest FNV-1a 64-bit hash of their id (default: all).", valueName: "N"))
    var testUsers: Int?

    @Option(name: .customLong("fit-budget"), help: ArgumentHelp("Most training positives per embedding-model fit (0: the tuned epochs and one prequential background batch every --background-every events, however large the log). Default: 2500000 temporal, 600000 prequential (above ml-100k's tuned fits).", valueName: "N"))
    var fitBudget: Int?

    @Flag(help: "Run the hyperparameter grid search on the validation splits and print every trial (see docs/EVALUATION.md).")
    var tune = false

    @Option(help: ArgumentHelp("Record each model's prequential run (metrics timeline and final HR@10/MRR) into this workspace file, for `runs list/compare` and the dashboard's overlay.", valueName: "file"))
    var workspace: String?

    func validate() throws {
        if dataset == nil && scenario == nil { throw ValidationError("give a dataset (a path or ml-100k) or --scenario FILE") }
        if let model, model.lowercased() != "all", ModelKind(name: model) == nil {
            throw ValidationError("unknown model \"\(model)\": expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")) or all")
        }
        for item in overrides where !item.contains("=") {
            throw ValidationError("--set expects key=value, got \"\(item)\"")
        }
        if backgroundEvery < 0 { throw ValidationError("--background-every must be 0 or more") }
        if sampleEvery < 1 { throw ValidationError("--sample-every must be 1 or more") }
        if let testUsers, testUsers < 1 { throw ValidationError("--test-users must be 1 or more") }
        if let fitBudget, fitBudget < 0 { throw ValidationError("--fit-budget must be 0 or more") }
        if sampleEvery != 1, protocolChoice == .temporal { throw ValidationError("--sample-every applies to the prequential protocol: use --protocol prequential or both") }
        if testUsers != nil, protocolChoice == .prequential { throw ValidationError("--test-users applies to the temporal protocol: use --protocol temporal or both") }
        if scenario != nil {
            if !(threshold > 0) { throw ValidationError("--threshold must be a positive number of nats") }
            if !(shortHalfLife >= 0.5) { throw ValidationError("--short-half-life must be at least 0.5 draws") }
            if !(novelty > 0 && novelty < 1) { throw ValidationError("--novelty must be between 0 and 1") }
            if !(0...ChangeDetector.maximumLag).contains(referenceLag) { throw ValidationError("--reference-lag must be between 0 and \(ChangeDetector.maximumLag) draws") }
            if !(minimumReference >= 1) { throw ValidationError("--minimum-reference must be at least 1 draw") }
            if !(referenceHalfLife > 0) { throw ValidationError("--reference-half-life must be a positive number of days") }
            for h in halfLives where !(h > 0) { throw ValidationError("--half-life must be a positive number of days") }
        }
        if workspace != nil {
            if scenario != nil { throw ValidationError("--workspace records protocol B runs on a dataset; it does not apply to --scenario") }
            if tune { throw ValidationError("--workspace does not apply to --tune") }
            if protocolChoice == .temporal { throw ValidationError("--workspace records the prequential protocol: use --protocol prequential or both") }
        }
    }

    func run() throws {
        if let scenario {
            try runChanges(scenario: scenario)
            return
        }
        guard let dataset else { return }
        // Recording writes: open (or create) the workspace before minutes of evaluation, so
        // a file this user cannot write is refused at once, saying why.
        if let workspace {
            do { _ = try Workspace(path: workspace) } catch { throw CommandFailure(message: "cannot record into the workspace: \(error)") }
        }
        var loaded: LoadedDataset
        do {
            // A stream is evaluated on what it holds now (XRANGE; consumer groups untouched).
            loaded = StreamSources.isStream(dataset)
                ? try StreamSnapshot.load(StreamSources.url(dataset)).dataset
                : try DatasetLoader.load(dataset)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        EvaluationRunner.dropRedundantAttributes(&loaded)
        var options = EvaluationRunner.Options()
        options.temporal = protocolChoice != .prequential
        options.prequential = protocolChoice != .temporal
        options.seed = seed
        options.validation = validation
        options.backgroundEvery = backgroundEvery
        options.sampleEvery = sampleEvery
        options.testUsers = testUsers
        if let fitBudget {
            options.fitBudget = fitBudget > 0 ? [.temporal: fitBudget, .prequential: fitBudget] : [:]
            // 0 asks for the unbounded schedule: the tuned epochs and every background batch.
            if fitBudget == 0 { options.backgroundLimit = nil }
        }
        if workspace != nil { options.timelineEvery = EvalRecording.interval(events: loaded.events.count) }
        options.overrides = overrides.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        var models: [ModelKind]
        if let model, model.lowercased() == "all" {
            models = ModelKind.allCases
        } else {
            models = [model.flatMap(ModelKind.init(name:)) ?? TunedHyperparameters.defaultModel]
        }
        if !models.contains(.mostPop) { models.insert(.mostPop, at: 0) }
        options.models = models
        if exportTopK != nil {
            options.exportModel = model.flatMap(ModelKind.init(name:)) ?? TunedHyperparameters.defaultModel
        }
        for (key, value) in options.overrides {
            var probe = Hyperparameters()
            do { try probe.set(key, to: value) } catch { throw CommandFailure(message: "\(error)") }
        }
        if tune {
            try runSearch(dataset: loaded, models: model == nil ? ModelKind.allCases : models, options: options)
            return
        }
        let report = try EvaluationRunner.run(dataset: loaded, options: options)
        var recorded: [(model: ModelKind, run: Int64)] = []
        if let workspace {
            recorded = try EvalRecording.record(report, source: dataset, options: options, path: workspace, finishedAt: Date().timeIntervalSince1970)
        }
        if let exportTopK { try EvalOutput.writeTopK(report.exported, to: exportTopK) }
        if json {
            print(try EvalOutput.json(report, runs: recorded))
        } else {
            print(EvalOutput.tables(report))
            if let exportTopK { print("Wrote \(report.exported.count) top-20 lists to \(exportTopK)") }
            if let workspace, !recorded.isEmpty {
                print("Recorded " + recorded.map { "run \($0.run) (\($0.model.rawValue))" }.joined(separator: ", ") + " in \(workspace)")
            }
        }
    }

    /// `--scenario`: change detection against the ground truth, and the profile lag of
    /// `drift-lag` for each --half-life (one implementation serves both commands).
    private func runChanges(scenario name: String) throws {
        let scenario = try ScenarioOptions.load(name)
        let world = ShopWorld(scenario: scenario)
        let settings = ChangeDetectorSettings(threshold: threshold, shortHalfLife: shortHalfLife, referenceHalfLife: referenceHalfLife * 86_400, novelty: novelty, minimumReference: minimumReference, referenceLag: referenceLag)
        let report = ChangeEvaluation.measure(world: world, settings: settings)
        let lags = halfLives.map { DriftLag.measure(world: world, halfLife: $0 * 86_400) }
        if json {
            struct Output: Encodable {
                var scenario: String
                var seed: UInt64
                var changes: ChangeEvaluationReport
                var reports: [DriftLagReport]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Output(scenario: scenario.name, seed: scenario.seed, changes: report, reports: lags)), as: UTF8.self))
            return
        }
        print(ChangeEvalOutput.render(report))
        if !lags.isEmpty { print("\n" + DriftLagCommand.render(lags)) }
    }

    private func runSearch(dataset: LoadedDataset, models: [ModelKind], options: EvaluationRunner.Options) throws {
        var protocols: [TunedHyperparameters.EvaluationProtocol] = []
        if options.temporal { protocols.append(.temporal) }
        if options.prequential { protocols.append(.prequential) }
        var results: [String: Any] = [:]
        for p in protocols {
            var perModel: [String: Any] = [:]
            for kind in models {
                let trials = try ValidationSearch.run(kind: kind, protocol: p, dataset: dataset, seed: seed)
                let metric = p == .temporal ? ("NDCG@20", "Recall@20") : ("HR@10", "MRR")
                if json {
                    perModel[kind.rawValue] = trials.map { ["settings": $0.label, metric.0: $0.score, metric.1: $0.secondary] }
                } else {
                    print("\n\(p.rawValue) validation search, \(kind.rawValue) (\(trials.count) trials, best first)")
                    print("  \(metric.0)  \(metric.1)  settings")
                    for trial in trials {
                        print(String(format: "  %7.4f  %9.4f  ", trial.score, trial.secondary) + trial.label)
                    }
                }
            }
            results[p.rawValue] = perModel
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// A failure at run time (bad data, bad setting): printed as `Error: message`, exit code 1,
/// without the usage text a `ValidationError` would add.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
