import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench scale`: a whole simulated shop through every stage in one run (issue 10):
/// ingest, the dashboard's replay of the shop's file and of the live simulator with training
/// on, training batches, top-20, audience, a sampled prequential run, and the memory the
/// graph and model take.
///
/// Each stage is bounded by `--stage-seconds` (the replay, ingest, training and latency loops
/// stop early and report what they did), so a run on a slow or shared machine ends.
struct BenchScale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "One shop at scale: ingest, replay with training, training, top-20, audience, prequential, memory.",
        discussion: """
            Simulates SCENARIO (default: the bundled 'large', 1M users, 100k items, ~23M events) \
            into a temporary CSV (cut after --events), then, in one process:
              ingest      the CSV read back, each event applied to the graph and the model's \
            online update (LightGCN, the engine's default), until the stream or the stage time ends;
              train       background training batches on that final graph (pairs per second);
              top-20      Serving.topItems (what the dashboard and `recommend` serve: exact, \
            screened over bfloat16 item blocks) for --topk-users sampled users (p50, p99);
              audience    the top-100 users for 20 sampled items over all users (median);
              memory      resident growth over the ingest stage (graph + model tables) divided by \
            the edges, users and items (each figure is the whole growth over that count);
              replay      the CSV replayed with training on as `dashboard --source FILE --speed 0` \
            runs it (its users split between --engines engines: two for a file of 256 MiB or \
            more), until the file ends or the stage time ends; the rate is over the snapshots \
            after the first event (opening the file reported apart);
              simulator   the Engine on the scenario itself (`dashboard --scenario NAME --speed 0`: \
            one engine, the simulator on its thread), as above, world building left out;
              prequential protocol B, sampled (every --sample-every eligible event scored), on the \
            first --prequential-events events, with the eval's fit budget and background batches.
            Rates are wall-clock. Every stage runs once; expect minutes and several GB on 'large'.

            Example: driftscope bench scale --scenario small --events 20000 --json
            """)

    @Option(help: "Scenario: a bundled name (large, default, small, seasonal) or a .toml path.")
    var scenario = "large"

    @Option(help: "Cut the simulated stream after this many events (default: all of it).")
    var events: Int?

    @Option(help: "Longest wall time of each stage, seconds (ingest, training, latency loops, each replay).")
    var stageSeconds: Double = 180

    @Option(help: "Most training batches timed on the final graph (also bounded by a quarter of --stage-seconds).")
    var trainBatches = 200

    @Option(help: "Users sampled for the top-20 latencies.")
    var topkUsers = 2_000

    @Option(help: "Events in the prefix the prequential run uses.")
    var prequentialEvents = 200_000

    @Option(help: "Prequential sampling: score every this many eligible events (S).")
    var sampleEvery = 20

    @Option(help: ArgumentHelp("Engines the replay stage splits the file's users between, as `dashboard --engines`.", valueName: "N|auto"))
    var engines: EngineCount = .automatic

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if let events, events < 1 { throw ValidationError("--events must be at least 1") }
        guard stageSeconds > 0, trainBatches > 0, topkUsers > 0, prequentialEvents > 0, sampleEvery > 0 else {
            throw ValidationError("--stage-seconds, --train-batches, --topk-users, --prequential-events and --sample-every must be positive")
        }
    }

    /// Thrown from a stream's body to stop reading early (a stage's time or event budget).
    private struct StopReading: Error {}

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let loaded: Scenario
        do { loaded = try Scenario.load(scenario) } catch { throw CommandFailure(message: "\(error)") }
        var report = BenchScaleReport(scenario: loaded.name, build: Stopwatch.buildConfiguration)
        let limit = events ?? .max

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-bench-scale-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(loaded.name).csv").path

        // Simulate into a file, so that ingest measures parsing as a real import does. The
        // world goes out of scope before ingest starts, so its memory is not counted there.
        do {
            guard FileManager.default.createFile(atPath: file, contents: nil), let handle = FileHandle(forWritingAtPath: file) else {
                throw CommandFailure(message: "cannot write \(file)")
            }
            defer { try? handle.close() }
            var categories = 0
            var written = 0
            let seconds = try Stopwatch.seconds {
                let world = ShopWorld(scenario: loaded)
                categories = world.categoryNames.count
                written = try world.writeEventsCSV(limit: limit) { try handle.write(contentsOf: $0) }
            }
            report.simulateSeconds = seconds
            report.categories = categories
            report.events = written
        }
        try measureGraphStages(file: file, into: &report)
        report.peakRSSAfterGraphStages = ProcessMemory.peakResidentBytes()
        try measureFileReplay(file: file, into: &report)
        try measureSimulatorReplay(into: &report)
        report.peakRSSAfterSimulator = ProcessMemory.peakResidentBytes()
        try measurePrequential(file: file, into: &report)
        report.peakRSSBytes = ProcessMemory.peakResidentBytes()

        if json {
            let data = try JSONSerialization.data(withJSONObject: report.dictionary, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    // MARK: Ingest, training, latency, memory

    /// Ingest (parse + graph + online update), then training batches, top-20 and audience on
    /// the graph ingest built. Graph and model are released at the end, before the replay.
    private func measureGraphStages(file: String, into report: inout BenchScaleReport) throws {
        let hyperparameters = Hyperparameters()
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: hyperparameters.sanitised.halfLife), actionWeights: hyperparameters.actionWeights)
        var model = Recommender(kind: .lightGCN, hyperparameters: hyperparameters)
        let residentBefore = ProcessMemory.currentResidentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(stageSeconds)
        var ingested = 0
        do {
            _ = try DatasetLoader.stream(file, format: .csv, catalogue: { catalogue in
                graph.load(catalogue)
                model.reinitialise(graph: graph)
            }, body: { event in
                let application = graph.apply(event)
                model.observe(application, at: event.timestamp, graph: graph)
                ingested += 1
                if ingested & 4_095 == 0, clock.now > deadline { throw StopReading() }
            })
        } catch is StopReading {}
        let ingestSeconds = Stopwatch.seconds(of: clock.now - start)
        let growth = max(0, ProcessMemory.currentResidentBytes() - residentBefore)
        let stats = graph.statistics
        report.ingestedEvents = ingested
        report.ingestEventsPerSecond = Double(ingested) / max(ingestSeconds, 1e-9)
        report.users = stats.users
        report.items = stats.items
        report.edges = stats.userItemEdges
        report.residentGrowthBytes = growth
        report.bytesPerEdge = Double(growth) / Double(max(stats.userItemEdges, 1))
        report.bytesPerUser = Double(growth) / Double(max(stats.users, 1))
        report.bytesPerItem = Double(growth) / Double(max(stats.items, 1))

        // Training: --train-batches batches, or fewer when a quarter of the stage time has
        // passed first (at least one).
        var pairs = 0
        var batches = 0
        let trainStart = clock.now
        let trainDeadline = trainStart + .seconds(stageSeconds / 4)
        repeat {
            pairs += model.trainBatch(graph: graph).pairs
            batches += 1
        } while batches < trainBatches && clock.now < trainDeadline
        let trainSeconds = Stopwatch.seconds(of: clock.now - trainStart)
        report.trainingBatches = batches
        report.trainedInteractionsPerSecond = Double(pairs) / max(trainSeconds, 1e-9)
        model.refreshServingScreen()  // as an engine does before it serves

        // Top-20 over all items for sampled live users, each call timed on its own (the
        // serving path; it was Recommender.recommend, the evaluation's ranking, until the
        // screened top-K).
        var rng = SeededGenerator(seed: 42)
        let liveUsers = (0..<graph.userCapacity).filter { graph.isLive(user: Int32($0)) && !graph.items(ofUser: Int32($0)).isEmpty }
        var latencies: [Double] = []
        let topkDeadline = clock.now + .seconds(stageSeconds / 4)
        var checksum: Float = 0
        while latencies.count < topkUsers, !liveUsers.isEmpty, clock.now < topkDeadline {
            let user = Int32(liveUsers[Int.random(in: 0..<liveUsers.count, using: &rng)])
            let callStart = clock.now
            let top = Serving.topItems(user: user, k: 20, graph: graph, model: model)
            latencies.append(Stopwatch.seconds(of: clock.now - callStart) * 1e6)
            checksum += top.first?.score ?? 0
        }
        latencies.sort()
        report.topkCalls = latencies.count
        report.topkP50Microseconds = Self.percentile(latencies, 0.50)
        report.topkP99Microseconds = Self.percentile(latencies, 0.99)

        // Audience: the top-100 users for sampled items with interactions, over all users.
        let liveItems = (0..<graph.itemCapacity).filter { graph.isLive(item: Int32($0)) && !graph.users(ofItem: Int32($0)).isEmpty }
        var audience: [Double] = []
        let audienceDeadline = clock.now + .seconds(stageSeconds / 4)
        while audience.count < 20, !liveItems.isEmpty, clock.now < audienceDeadline {
            let item = Int32(liveItems[Int.random(in: 0..<liveItems.count, using: &rng)])
            let callStart = clock.now
            let top = Serving.audience(item: item, k: 100, graph: graph, model: model)
            audience.append(Stopwatch.seconds(of: clock.now - callStart) * 1e3)
            checksum += top.first?.score ?? 0
        }
        audience.sort()
        report.audienceCalls = audience.count
        report.audienceMilliseconds = Self.percentile(audience, 0.50)
        report.checksum = Double(checksum)
    }

    // MARK: Replay

    /// The scenario's CSV replayed at speed 0, training on (the defaults), as `dashboard
    /// --source FILE --speed 0` runs it: what issue 10's 500k events/s is about.
    private func measureFileReplay(file: String, into report: inout BenchScaleReport) throws {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        let run = try FileReplayRun.run(
            source: file, configuration: configuration, engines: engines, syncEvery: 1, limit: stageSeconds, every: stageSeconds)
        report.replayEngines = run.engines
        report.replayLoadSeconds = run.loadSeconds
        report.replayedEvents = run.last.source.position
        report.replaySeconds = run.seconds
        report.replayEventsPerSecond = run.eventsPerSecond
        report.replayTrainingSteps = run.last.trainingStep
        report.replayLongestPause = run.longestPause
        report.peakRSSAfterFileReplay = ProcessMemory.peakResidentBytes()
    }

    /// The engine on the scenario itself at speed 0, training on (its defaults), as the
    /// dashboard runs it. Polls snapshots: the rate is measured from the first snapshot with
    /// events read, so building the world (seconds for a million users) is left out.
    private func measureSimulatorReplay(into report: inout BenchScaleReport) throws {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        let target = report.events
        let engine: Engine
        do { engine = try Engine(configuration: configuration, source: .scenario(path: scenario, seed: nil)) } catch {
            throw CommandFailure(message: "engine: \(error)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        engine.start()
        defer { engine.stop() }
        // World building is not replay: the budget starts with the first event read.
        var first: (time: ContinuousClock.Instant, position: Int, steps: Int)?
        var last = engine.snapshot()
        var lastTime = clock.now
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            last = engine.snapshot()
            lastTime = clock.now
            if first == nil, last.source.position > 0 { first = (lastTime, last.source.position, last.trainingStep) }
            if last.source.isFinished || last.source.position >= target { break }
            if let f = first, lastTime - f.time > .seconds(stageSeconds) { break }
            if first == nil, lastTime - start > .seconds(stageSeconds) { break }
        }
        guard let f = first else { throw CommandFailure(message: "the engine read no event within \(Int(stageSeconds)) s") }
        // The engine's whole footprint while it runs: world, graph, model, snapshots.
        report.simulatorResidentBytes = ProcessMemory.currentResidentBytes()
        let seconds = Stopwatch.seconds(of: lastTime - f.time)
        report.simulatorReplayedEvents = last.source.position
        report.simulatorSeconds = seconds
        report.simulatorEventsPerSecond = seconds > 0 ? Double(last.source.position - f.position) / seconds : 0
        report.simulatorTrainingSteps = last.trainingStep - f.steps
    }

    // MARK: Prequential

    /// Protocol B, sampled, on a prefix of the CSV (the eval's fit budget and background cap).
    private func measurePrequential(file: String, into report: inout BenchScaleReport) throws {
        var prefix: [Event] = []
        var catalogue = ItemCatalogue()
        let wanted = prequentialEvents
        do {
            _ = try DatasetLoader.stream(file, format: .csv, catalogue: { catalogue = $0 }, body: { event in
                prefix.append(event)
                if prefix.count >= wanted { throw StopReading() }
            })
        } catch is StopReading {}
        let kind = ModelKind.lightGCN
        var model = Recommender(kind: kind, hyperparameters: TunedHyperparameters.hyperparameters(for: kind, protocol: .prequential))
        let metrics = PrequentialEvaluation.run(
            model: &model, ordered: TemporalSplit.timeOrdered(prefix), catalogue: catalogue,
            backgroundEvery: TunedHyperparameters.backgroundEvery, sampleEvery: sampleEvery,
            fitBudget: EvaluationRunner.defaultFitBudget[.prequential], backgroundLimit: 128)
        report.prequentialEvents = prefix.count
        report.prequentialSampleEvery = metrics.sampleEvery
        report.prequentialScored = metrics.scored
        report.prequentialSeconds = metrics.seconds
        report.prequentialHitRate10 = metrics.hitRate10
    }

    // MARK: Helpers

    /// The nearest-rank percentile of sorted values (0 when empty).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

/// What `bench scale` reports: one flat JSON object (keys in ``dictionary``).
struct BenchScaleReport {
    var scenario: String
    var build: String
    /// Whether malloc backs the big tables with huge pages (``LargePages``).
    var largePages = LargePages.inUse
    var categories = 0
    var events = 0
    var simulateSeconds = 0.0
    var ingestedEvents = 0
    var ingestEventsPerSecond = 0.0
    var users = 0
    var items = 0
    var edges = 0
    var residentGrowthBytes = 0
    var bytesPerEdge = 0.0
    var bytesPerUser = 0.0
    var bytesPerItem = 0.0
    var trainingBatches = 0
    var trainedInteractionsPerSecond = 0.0
    var topkCalls = 0
    var topkP50Microseconds = 0.0
    var topkP99Microseconds = 0.0
    var audienceCalls = 0
    var audienceMilliseconds = 0.0
    var checksum = 0.0
    var replayEngines = 0
    var replayLoadSeconds = 0.0
    var replayedEvents = 0
    var replaySeconds = 0.0
    var replayEventsPerSecond = 0.0
    var replayTrainingSteps = 0
    var replayLongestPause = 0.0
    var peakRSSAfterFileReplay = 0
    var simulatorReplayedEvents = 0
    var simulatorSeconds = 0.0
    var simulatorEventsPerSecond = 0.0
    var simulatorTrainingSteps = 0
    var simulatorResidentBytes = 0
    var peakRSSAfterGraphStages = 0
    var peakRSSAfterSimulator = 0
    var prequentialEvents = 0
    var prequentialSampleEvery = 1
    var prequentialScored = 0
    var prequentialSeconds = 0.0
    var prequentialHitRate10 = 0.0
    var peakRSSBytes = 0

    var dictionary: [String: Any] {
        func r(_ v: Double, _ digits: Double = 1) -> Double { (v * digits).rounded() / digits }
        return [
            "scenario": scenario, "build": build, "large_pages": largePages, "categories": categories, "events": events,
            "simulate_seconds": r(simulateSeconds, 100), "ingested_events": ingestedEvents,
            "ingest_events_per_second": r(ingestEventsPerSecond), "users": users, "items": items, "edges": edges,
            "resident_growth_bytes": residentGrowthBytes, "bytes_per_edge": r(bytesPerEdge, 10),
            "bytes_per_user": r(bytesPerUser, 10), "bytes_per_item": r(bytesPerItem, 10),
            "training_batches": trainingBatches, "trained_interactions_per_second": r(trainedInteractionsPerSecond),
            "topk_calls": topkCalls, "topk_p50_microseconds": r(topkP50Microseconds, 10),
            "topk_p99_microseconds": r(topkP99Microseconds, 10), "audience_calls": audienceCalls,
            "audience_milliseconds": r(audienceMilliseconds, 100), "checksum": checksum,
            "replay_engines": replayEngines, "replay_load_seconds": r(replayLoadSeconds, 100),
            "replayed_events": replayedEvents, "replay_seconds": r(replaySeconds, 100),
            "replay_events_per_second": r(replayEventsPerSecond), "replay_training_steps": replayTrainingSteps,
            "replay_longest_pause_seconds": r(replayLongestPause, 100), "peak_rss_after_file_replay_bytes": peakRSSAfterFileReplay,
            "simulator_replayed_events": simulatorReplayedEvents, "simulator_replay_seconds": r(simulatorSeconds, 100),
            "simulator_replay_events_per_second": r(simulatorEventsPerSecond), "simulator_replay_training_steps": simulatorTrainingSteps,
            "simulator_resident_bytes": simulatorResidentBytes, "peak_rss_after_graph_stages_bytes": peakRSSAfterGraphStages,
            "peak_rss_after_simulator_bytes": peakRSSAfterSimulator,
            "prequential_events": prequentialEvents, "prequential_sample_every": prequentialSampleEvery,
            "prequential_scored": prequentialScored, "prequential_seconds": r(prequentialSeconds, 100),
            "prequential_hit_rate_10": r(prequentialHitRate10, 10_000), "peak_rss_bytes": peakRSSBytes,
        ]
    }

    var text: String {
        func rate(_ v: Double, _ unit: String) -> String { Format.count(Int(v.rounded())) + " \(unit)/s" }
        let rows: [(String, String)] = [
            ("scenario", "\(scenario) (\(build) build\(largePages ? ", huge pages" : "")): \(Format.count(events)) events, \(categories) leaf categories"),
            ("simulate", String(format: "%.1f s", simulateSeconds)),
            ("ingest", "\(rate(ingestEventsPerSecond, "events")) (\(Format.count(ingestedEvents)) events; parse + graph + online update)"),
            ("graph", "\(Format.count(users)) users, \(Format.count(items)) items, \(Format.count(edges)) user-item edges"),
            ("memory", String(format: "%@ resident growth: %.0f B/edge, %.0f B/user, %.0f B/item", Format.bytes(residentGrowthBytes), bytesPerEdge, bytesPerUser, bytesPerItem)),
            ("train", "\(rate(trainedInteractionsPerSecond, "interactions")) (\(trainingBatches) batches)"),
            ("top-20", String(format: "p50 %.0f us, p99 %.0f us (%d users)", topkP50Microseconds, topkP99Microseconds, topkCalls)),
            ("audience", String(format: "%.2f ms median, top-100 over all users (%d items)", audienceMilliseconds, audienceCalls)),
            ("replay", "\(rate(replayEventsPerSecond, "events")), training on, the file as `dashboard --source` (\(replayEngines) engine\(replayEngines == 1 ? "" : "s"), \(Format.count(replayedEvents)) events, \(replayTrainingSteps) batches in " + String(format: "%.1f s; opened in %.1f s; longest pause %.1f s)", replaySeconds, replayLoadSeconds, replayLongestPause)),
            ("simulator", "\(rate(simulatorEventsPerSecond, "events")), training on, the live simulator as `dashboard --scenario` (\(Format.count(simulatorReplayedEvents)) events, \(simulatorTrainingSteps) batches in " + String(format: "%.1f s)", simulatorSeconds)),
            ("prequential", String(format: "%.1f s on %@ events, S = %d, %d scored, HR@10 %.4f", prequentialSeconds, Format.count(prequentialEvents), prequentialSampleEvery, prequentialScored, prequentialHitRate10)),
            ("peak RSS", "\(Format.bytes(peakRSSBytes)) (after ingest to audience \(Format.bytes(peakRSSAfterGraphStages)), after the file replay \(Format.bytes(peakRSSAfterFileReplay)), after the simulator \(Format.bytes(peakRSSAfterSimulator)); simulator engine resident \(Format.bytes(simulatorResidentBytes)))"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
