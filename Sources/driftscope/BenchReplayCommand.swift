import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench replay`: the dashboard's engine on a file at full speed, without a
/// screen, reporting its trajectory: events/s, training loss and learning rate, prequential
/// HR@10, resident memory.
///
/// It is what `dashboard --source FILE --speed 0` runs, measured the way the dashboard shows
/// it (snapshots polled from another thread), so a slow or diverging replay can be studied
/// and its figures kept in docs/BENCHMARKS.md.
struct BenchReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "The engine replaying a file at full speed, training on: events/s, loss, HR@10, memory over time.",
        discussion: """
            Prints one line per --every seconds of wall time, then a summary: the load time, \
            events/s, batches, guard rollbacks, the longest pause (the longest the published \
            event count stood still: a frozen dashboard) and peak RSS (or one JSON object with \
            --json). With --engines 2 the file's users are split between two engines, as the \
            dashboard does for a large file. The file streams in as the dashboard's does (the first events \
            replay while a second thread reads the rest); the rate is measured from the first \
            event read, and the time to open the file (its catalogue and first chunk) is \
            reported apart.

            Without a source it replays ml-100k (what `bench all` runs).

            Example: driftscope bench replay /work/data/large.csv --seconds 120
            """)

    // A default, so `bench all` (which runs every benchmark with no arguments) can run it.
    @Argument(help: "A dataset file, directory or name (as `dashboard --source`).")
    var source: String = "ml-100k"

    @Option(help: "Stop after this many seconds of replay (default: the whole file).")
    var seconds: Double?

    @Option(help: "Seconds between progress lines.")
    var every: Double = 10

    @Option(help: "Model, as `dashboard --model` (default: the dashboard's).")
    var model: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hyperparameter, key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Engines the file's users are split between, as `dashboard --engines` (auto: two for a file of 256 MiB or more).", valueName: "N|auto"))
    var engines: EngineCount = .automatic

    @Option(help: ArgumentHelp("With several engines: seconds between their exchanges of item rows.", valueName: "seconds"))
    var syncEvery: Double = 1

    @Option(help: ArgumentHelp("Score exactly every S-th eligible event prequentially over the whole run (as `serve --prequential-every`), so runs with one engine and with several compare.", valueName: "S"))
    var prequentialEvery: Int?

    @Option(help: ArgumentHelp("Train one background batch per N ingested events, never on idle time (as `serve --train-every`).", valueName: "N"))
    var trainEvery: Int?

    @Option(help: ArgumentHelp("How background batches see the graph: \(TrainingMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: automatic for one engine, sampled for engines that split the users).", valueName: "mode"))
    var trainingMode: TrainingMode?

    @Option(help: ArgumentHelp("Most of the engine's CPU time background batches take while events wait, as `dashboard --training-share` (0 < share < 1; default 0.2 for one engine, 0.1 for split engines).", valueName: "share"))
    var trainingShare: Double?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard every > 0 else { throw ValidationError("--every must be positive") }
        guard syncEvery.isFinite, syncEvery >= 0 else { throw ValidationError("--sync-every must be 0 or more seconds") }
        if let prequentialEvery, prequentialEvery < 1 { throw ValidationError("--prequential-every must be 1 or more") }
        if let trainEvery, trainEvery < 1 { throw ValidationError("--train-every must be 1 or more") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        try EngineOptions.validateTrainingShare(trainingShare)
        for item in overrides where !item.contains("=") {
            throw ValidationError("--set expects key=value, got \"\(item)\"")
        }
    }

    func run() throws {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        if let model {
            guard let kind = ModelKind(name: model) else {
                throw ValidationError("unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.model = kind
        }
        configuration.prequentialSampleEvery = prequentialEvery
        configuration.trainEveryEvents = trainEvery
        configuration.trainingMode = trainingMode
        if let trainingShare { configuration.trainingShare = trainingShare }
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            do { try configuration.hyperparameters.set(parts[0], to: parts[1]) } catch { throw ValidationError("--set \(item): \(error)") }
        }
        if !json { print("t (s)   events        ev/s (window)  loss      lr        HR@10   batches  RSS") }
        let run = try FileReplayRun.run(
            source: source, configuration: configuration, engines: engines, syncEvery: syncEvery, limit: seconds, every: every,
            onRow: { row in if !json { print(row.line) } })
        let last = run.last
        let summary: [String: Any] = [
            "source": source, "load_seconds": run.loadSeconds, "loaded_resident_bytes": run.loadedResidentBytes,
            "replayed_events": last.source.position, "replay_seconds": run.seconds,
            "events_per_second": run.eventsPerSecond,
            "training_batches": last.trainingStep, "final_loss": last.loss.last.map { Double($0.value) } ?? .nan,
            "final_hit_rate_10": last.prequential.hitRate10, "prequential_scored": last.prequential.scored,
            "guard_rollbacks": last.changes.filter { $0.origin == .divergenceGuard }.count,
            "peak_rss_bytes": ProcessMemory.peakResidentBytes(), "finished": last.source.isFinished,
            "engines": run.engines, "large_pages": LargePages.inUse, "longest_pause_seconds": run.longestPause, "huge_page_bytes": ProcessMemory.hugePageBytes(),
            "rows": run.rows.map(\.json),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(
                format: "%@opened in %.1f s (%@ resident; the file streams in while it replays); replayed %@ events in %.1f s: %@ events/s; %d batches, %d guard rollbacks; longest pause %.1f s; peak RSS %@%@",
                run.engines > 1 ? "\(run.engines) engines splitting the users; " : "", run.loadSeconds, Format.bytes(run.loadedResidentBytes),
                Format.count(last.source.position), run.seconds, Format.count(Int(run.eventsPerSecond.rounded())), last.trainingStep,
                summary["guard_rollbacks"] as? Int ?? 0, run.longestPause, Format.bytes(ProcessMemory.peakResidentBytes()),
                LargePages.inUse ? " (\(Format.bytes(ProcessMemory.hugePageBytes())) on huge pages)" : ""))
        }
    }
}

extension FileReplayRun.Row {
    /// The progress line `bench replay` prints.
    var line: String {
        String(
            format: "%6.1f  %12@  %13@  %-8@  %-8@  %.3f  %7d  %@", seconds, Format.count(events), Format.count(Int(windowRate.rounded())),
            loss.map { String(format: "%.4g", $0) } ?? "-", learningRate.map { String(format: "%.2g", $0) } ?? "-",
            hitRate10, batches, Format.bytes(residentBytes))
    }

    var json: [String: Any] {
        ["seconds": seconds, "events": events, "events_per_second": windowRate, "loss": loss ?? NSNull(),
         "learning_rate": learningRate ?? NSNull(), "hit_rate_10": hitRate10, "batches": batches, "resident_bytes": residentBytes]
    }
}
