import ArgumentParser
import Foundation
import InterestGraph
import Workspace

/// The options that start an engine (source, speed, model, recording), shared by the commands
/// that run one: `dashboard` (with a screen) and `serve` (without).
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "'sim' for the shop simulator, a dataset path or name (ml-100k) to replay, or a live stream redis://HOST:PORT/NAME[?group=G&consumer=C&partitions=N].")
    var source: String = "sim"

    @Option(name: .long, help: "Scenario TOML file or bundled name (default, small, seasonal) for --source sim.")
    var scenario: String?

    @Option(name: .long, help: "Seed for the simulator (overrides the scenario's).")
    var seed: UInt64?

    @Option(name: .long, help: "Replay speed as a multiple of real time (1...100000), or 0 for as fast as possible.")
    var speed: Double?

    @Option(name: .long, help: "User to select at start.")
    var user: String?

    @Option(name: .long, help: "Model: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: String = ModelKind.lightGCN.rawValue

    @Option(name: .long, help: ArgumentHelp("Most of the engine's CPU time background batches take while events wait (a fast replay); 0 < share < 1 (default 0.2 for one engine; 0.1 for engines that split a file, counting the threads that draw their batches).", valueName: "share"))
    var trainingShare: Double?

    @Flag(name: .long, help: "Start paused (space resumes).")
    var paused = false

    @Option(name: .long, help: "Record the run (events, changes, metrics, checkpoints) into this workspace file.")
    var workspace: String?

    @Flag(name: .long, help: "Record into the default workspace ($XDG_DATA_HOME/driftscope/workspace.sqlite).")
    var record = false

    @Flag(name: .long, help: "Continue the workspace's last run from the next unread event.")
    var resume = false

    func validate() throws {
        if let speed, !(speed == 0 || (1...100_000).contains(speed)) {
            throw ValidationError("--speed must be 0 (as fast as possible) or between 1 and 100000, got \(speed)")
        }
        if ModelKind(name: model) == nil {
            throw ValidationError("unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try Self.validateTrainingShare(trainingShare)
    }

    /// `--training-share` is a fraction strictly between 0 and 1 (at 0 nothing would train
    /// while events wait; at 1 nothing would be ingested).
    static func validateTrainingShare(_ share: Double?) throws {
        if let share, !(share > 0 && share < 1) {
            throw ValidationError("--training-share must be between 0 and 1 (exclusive), got \(share)")
        }
    }

    var recording: WorkspaceRecording { WorkspaceRecording(workspace: workspace, record: record, resume: resume) }

    /// A missing or broken scenario is the same error with or without a terminal, and comes
    /// before anything else (a script checking a binary's set-up sees it).
    func checkScenario() throws {
        if source == "sim", !resume {
            do { _ = try Scenario.load(scenario ?? "default") } catch { throw CommandError("\(error)") }
        }
    }

    /// The engine these options describe, not started, and the workspace run it records into.
    /// `adjust` sets what only some commands have (serve's shared item side).
    func makeEngine(adjust: (inout EngineConfiguration) -> Void = { _ in }) throws -> (engine: Engine, run: Int64?) {
        let (engines, run) = try makeEngines(count: .fixed(1), adjust: adjust)
        return (engines[0], run)
    }

    /// The engines these options describe with `count` of them (`dashboard --engines`): one,
    /// or for a replayed file several that split its users (``EngineCount``).
    func makeEngines(count: EngineCount, adjust: (inout EngineConfiguration) -> Void = { _ in }) throws -> (engines: [Engine], run: Int64?) {
        var configuration = EngineConfiguration()
        configuration.model = ModelKind(name: model) ?? .lightGCN
        configuration.initialUser = user
        configuration.startPaused = paused
        if let trainingShare { configuration.trainingShare = trainingShare }
        // Replays are history, not a live shop: they default to x100000 (set below).
        if let speed { configuration.speed = speed }
        do {
            let spec = try StreamSources.engineSource(source, scenario: scenario, seed: seed)
            let name = source == "sim" ? (scenario ?? "default") : source
            let resolved = try recording.apply(to: &configuration, source: spec, sourceName: name, seed: seed)
            if case .dataset = resolved.source, speed == nil { configuration.speed = 100_000 }
            // A live stream is applied as it arrives (its producer sets the pace).
            if case .custom = resolved.source, speed == nil { configuration.speed = 0 }
            adjust(&configuration)
            // A file replay streams (the first events play while the rest is read), so no
            // loading line is needed before the first frame.
            var source = resolved.source
            if case .dataset(let path) = source, configuration.resume != nil, let catalogue = resolved.catalogue {
                // A resumed replay reads its file on the other core while its log replays
                // (the engine's message says how far both are; no line under the screen).
                // Still there? (It is needed for the events after the log.)
                _ = try DatasetLoader.name(of: path)
                source = .custom(name: path) { AnyEventSource(BackgroundLoadedSource(pathOrName: path, catalogue: catalogue)) }
            }
            let engines = try count.resolve(for: source, recording: recording.path != nil || configuration.resume != nil)
            if engines > 1, case .dataset(let path) = source {
                return (try Engine.splitting(dataset: path, engines: engines, configuration: configuration), resolved.run)
            }
            return ([try Engine(configuration: configuration, source: source)], resolved.run)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
    }
}
