import ArgumentParser
import Dashboard
import Foundation
import InterestGraph
import Remote
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
              driftscope dashboard --source large.csv --speed 0 --engines 2
            Press ? inside for every key; b bookmarks the selected user (saved in the
            workspace), ' jumps to the next bookmarked user.
            """)

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .long, help: "Colour theme: dark, light, colourblind, mono, or a user theme's name.")
    var theme: String?

    @Flag(name: .long, help: "A hands-off tour for stakeholders; any key returns control.")
    var demo = false

    @Option(name: .long, help: ArgumentHelp("Overlay this recorded run's loss and HR@10 in the Training panel (the c key cycles through the workspace's runs).", valueName: "run-id"))
    var compare: Int64?

    @Option(help: ArgumentHelp("Engines a replayed file's users are split between, one thread each: 1 to \(EngineCount.maximum), or auto (two for a file of 256 MiB or more on two cores or more; one otherwise, and always one for the simulator, a stream or a recorded run).", valueName: "N|auto"))
    var engines: EngineCount = .automatic

    /// Exit status when the dashboard cannot run in this terminal (TERM unset or dumb, no
    /// terminal at all): distinct from 1 (an error in the command) so scripts can tell.
    static let cannotDrawStatus: Int32 = 2

    /// `--engines 2` that cannot be honoured is refused before the terminal is looked at,
    /// as a bad option is (a script sees the reason wherever it runs).
    func validate() throws {
        guard case .fixed(let n) = engines, n > 1 else { return }
        do {
            let source: SourceSpecification = engineOptions.source == "sim" || StreamSources.isStream(engineOptions.source)
                ? .scenario(path: nil, seed: nil) : .dataset(engineOptions.source)
            _ = try engines.resolve(for: source, recording: engineOptions.recording.path != nil)
        } catch let error as CommandError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        try engineOptions.checkScenario()
        if let problem = DashboardApp.checkTerminal() {
            // A refusal is a failure: on stderr with a non-zero status, never on stdout with 0.
            FileHandle.standardError.write(Data("driftscope dashboard: \(problem)\nHeadless commands work anywhere: driftscope ingest, eval, profile, recommend (see --help).\n".utf8))
            throw ExitCode(Self.cannotDrawStatus)
        }
        let (engines, run) = try engineOptions.makeEngines(count: self.engines)
        var overlays: RunOverlaySource?
        var bookmarks: BookmarkStore?
        do {
            let recording = engineOptions.recording
            // The runs to compare with: those of the workspace recorded into, or of the
            // default workspace when only --compare is given.
            if let path = recording.path ?? compare.map({ _ in Workspace.defaultPath() }) {
                overlays = try RunOverlays.source(path: path, excluding: run, initial: compare)
            }
            // Bookmarks are saved where the run is recorded; without one they last the session.
            if let path = recording.path {
                bookmarks = try DashboardBookmarks.store(path: path, run: run)
            }
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
        for engine in engines { engine.start() }
        defer { for engine in engines { engine.stop() } }
        // Engines that split the users are one engine to the dashboard, as `attach A,B` is.
        let connection: any EngineConnection = engines.count == 1 ? engines[0] : FederatedEngine(splitting: engines)
        try DashboardApp.run(connection: connection, options: DashboardOptions(themeName: theme, initialUser: engineOptions.user, demo: demo, overlays: overlays, bookmarks: bookmarks))
    }
}
