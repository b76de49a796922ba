import ArgumentParser
import Dashboard
import Foundation
import InterestGraph
import Workspace

/// `driftscope dashboard` (also what `driftscope` with no arguments runs): the engine on its
/// own thread, the terminal dashboard on the main thread.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the terminal dashboard on a simulated shop or a replayed dataset.",
        discussion: """
            With no options it opens on the bundled default scenario, already moving.
              driftscope dashboard --source ml-100k --speed 100000
              driftscope dashboard --scenario sample-data/scenarios/seasonal.toml --theme light
              driftscope dashboard --demo
              driftscope dashboard --source ml-100k --workspace demo.sqlite --compare 1
              driftscope dashboard --source redis://127.0.0.1:6379/shop --workspace shop.sqlite
            Press ? inside for every key; b bookmarks the selected user (saved in the
            workspace), ' jumps to the next bookmarked user.
            """)

    @Option(name: .long, help: "'sim' for the shop simulator, a dataset path or name (ml-100k) to replay, or a live stream redis://HOST:PORT/NAME[?group=G&consumer=C&partitions=N].")
    var source: String = "sim"

    @Option(name: .long, help: "Scenario TOML file or bundled name (default, small, seasonal) for --source sim.")
    var scenario: String?

    @Option(name: .long, help: "Seed for the simulator (overrides the scenario's).")
    var seed: UInt64?

    @Option(name: .long, help: "Replay speed as a multiple of real time (1...100000), or 0 for as fast as possible.")
    var speed: Double?

    @Option(name: .long, help: "Colour theme: dark, light, colourblind, mono, or a user theme's name.")
    var theme: String?

    @Option(name: .long, help: "User to select at start.")
    var user: String?

    @Option(name: .long, help: "Model: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: String = ModelKind.lightGCN.rawValue

    @Flag(name: .long, help: "A hands-off tour for stakeholders; any key returns control.")
    var demo = false

    @Flag(name: .long, help: "Start paused (space resumes).")
    var paused = false

    @Option(name: .long, help: "Record the run (events, changes, metrics, checkpoints) into this workspace file.")
    var workspace: String?

    @Flag(name: .long, help: "Record into the default workspace ($XDG_DATA_HOME/driftscope/workspace.sqlite).")
    var record = false

    @Flag(name: .long, help: "Continue the workspace's last run from the next unread event.")
    var resume = false

    @Option(name: .long, help: ArgumentHelp("Overlay this recorded run's loss and HR@10 in the Training panel (the c key cycles through the workspace's runs).", valueName: "run-id"))
    var compare: Int64?

    func validate() throws {
        if let speed, !(speed == 0 || (1...100_000).contains(speed)) {
            throw ValidationError("--speed must be 0 (as fast as possible) or between 1 and 100000, got \(speed)")
        }
        if ModelKind(name: model) == nil {
            throw ValidationError("unknown model '\(model)'; expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Exit status when the dashboard cannot run in this terminal (TERM unset or dumb, no
    /// terminal at all): distinct from 1 (an error in the command) so scripts can tell.
    static let cannotDrawStatus: Int32 = 2

    func run() throws {
        // The scenario first: a missing or broken scenario is the same error with or without
        // a terminal (and a script checking a binary's set-up sees it).
        if source == "sim", !resume {
            do { _ = try Scenario.load(scenario ?? "default") } catch { throw CommandError("\(error)") }
        }
        if let problem = DashboardApp.checkTerminal() {
            // A refusal is a failure: on stderr with a non-zero status, never on stdout with 0.
            FileHandle.standardError.write(Data("driftscope dashboard: \(problem)\nHeadless commands work anywhere: driftscope ingest, eval, profile, recommend (see --help).\n".utf8))
            throw ExitCode(Self.cannotDrawStatus)
        }
        var configuration = EngineConfiguration()
        configuration.model = ModelKind(name: model) ?? .lightGCN
        configuration.initialUser = user
        configuration.startPaused = paused
        // Replays are history, not a live shop: they default to x100000 (set below).
        let spec = try StreamSources.engineSource(source, scenario: scenario, seed: seed)
        if let speed { configuration.speed = speed }
        let recording = WorkspaceRecording(workspace: workspace, record: record, resume: resume)
        let engine: Engine
        var overlays: RunOverlaySource?
        var bookmarks: BookmarkStore?
        do {
            let name = source == "sim" ? (scenario ?? "default") : source
            let resolved = try recording.apply(to: &configuration, source: spec, sourceName: name, seed: seed)
            if case .dataset = resolved.source, speed == nil { configuration.speed = 100_000 }
            // A live stream is applied as it arrives (its producer sets the pace).
            if case .custom = resolved.source, speed == nil { configuration.speed = 0 }
            // The runs to compare with: those of the workspace recorded into, or of the
            // default workspace when only --compare is given.
            if let path = recording.path ?? compare.map({ _ in Workspace.defaultPath() }) {
                overlays = try RunOverlays.source(path: path, excluding: resolved.run, initial: compare)
            }
            // Bookmarks are saved where the run is recorded; without one they last the session.
            if let path = recording.path {
                bookmarks = try DashboardBookmarks.store(path: path, run: resolved.run)
            }
            engine = try Engine(configuration: configuration, source: resolved.source)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
        engine.start()
        defer { engine.stop() }
        try DashboardApp.run(connection: engine, options: DashboardOptions(themeName: theme, initialUser: user, demo: demo, overlays: overlays, bookmarks: bookmarks))
    }
}
