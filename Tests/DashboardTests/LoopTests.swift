import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

/// The app loop, driven by a MemoryTerminal and a fixture engine: no TTY needed.
@Suite("App loop")
struct LoopTests {
    final class Clock: @unchecked Sendable {
        // Touched only from the test's own thread.
        var now = 0.0
    }

    static func makeLoop(_ terminal: MemoryTerminal, _ connection: FixtureEngineConnection, clock: Clock = Clock(), screenshots: String = NSTemporaryDirectory(), library: ThemeLibrary = ThemeLibrary(directories: [])) -> DashboardLoop<MemoryTerminal, FixtureEngineConnection> {
        DashboardLoop(terminal: terminal, connection: connection, library: library, screenshotDirectory: screenshots, framesPerSecond: 20,
                      now: { clock.now += 0.05; return clock.now }, wallClock: { 1_709_294_403 }, shouldStop: { false })
    }

    static func startState(_ library: ThemeLibrary = ThemeLibrary(directories: []), options: DashboardOptions = DashboardOptions()) -> DashboardState {
        var state = DashboardApp.initialState(options: options, config: DashboardConfig(), library: library)
        state.lastSequence = 0
        return state
    }

    @Test func keysBecomeCommandsAndQuitEndsTheLoop() {
        let terminal = MemoryTerminal(width: 120, height: 40, keys: [.character(" "), .character("5"), .right, .character("f")])
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 3)
        #expect(connection.commands.contains(.togglePause))
        #expect(connection.commands.contains(.setHyperparameter(key: "lr", value: 0.02)))
        #expect(state.zoomed && state.focus == .hyperparameters)
        // Keys typed together are applied together; the next frame shows their effect.
        #expect(terminal.text.contains("Hyperparameters"))
        #expect(!terminal.text.contains("Interest drift"))
        #expect(!state.shouldQuit)
        terminal.keys = [.character("q")]
        loop.run(&state, maxIterations: 50)
        #expect(state.shouldQuit)
    }

    @Test func theInitialUserIsSelected() {
        let terminal = MemoryTerminal(width: 120, height: 40)
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection)
        var state = LoopTests.startState(options: DashboardOptions(initialUser: "u7"))
        loop.run(&state, maxIterations: 3)
        #expect(connection.commands.first == .selectUser("u7"))
        #expect(connection.commands.filter { $0 == .selectUser("u7") }.count == 1)
    }

    @Test func aSmallWindowShowsTheResizeScreenAndRecovers() {
        let terminal = MemoryTerminal(width: 60, height: 20)
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 2)
        #expect(terminal.text.contains("at least 80x24; this one is 60x20"))
        terminal.size = GridSize(width: 120, height: 40)
        terminal.keys = [.resize]
        loop.run(&state, maxIterations: 2)
        #expect(terminal.text.contains("Training"))
        #expect(!terminal.text.contains("bigger window"))
        terminal.size = GridSize(width: 70, height: 20)
        terminal.keys = [.resize, .character("q")]
        loop.run(&state, maxIterations: 5)
        #expect(state.shouldQuit)
    }

    @Test func anIdleDashboardDoesNotRedrawAndSleepsLongerWhenPaused() {
        let terminal = MemoryTerminal(width: 120, height: 40)
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 3)
        let frames = loop.framesRendered
        terminal.resetCounters()
        loop.run(&state, maxIterations: 10)
        #expect(loop.framesRendered == frames)
        #expect(terminal.cellsWritten == 0)
        #expect(terminal.timeouts.suffix(10).allSatisfy { $0 <= 50 })
        connection.update { $0.isPaused = true }
        loop.run(&state, maxIterations: 3)
        #expect(terminal.timeouts.last == DashboardLoop<MemoryTerminal, FixtureEngineConnection>.pausedTimeout)
        // A new snapshot redraws only what changed.
        connection.update { $0.eventsPerSecond = 999 }
        terminal.resetCounters()
        loop.run(&state, maxIterations: 1)
        #expect(terminal.cellsWritten > 0 && terminal.cellsWritten < 200)
    }

    @Test func screenshotsAreSavedAsTextSVGAndHTML() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-screens-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let terminal = MemoryTerminal(width: 80, height: 24, keys: [.character("s")])
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection, screenshots: dir)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 3)
        let text = try String(contentsOfFile: dir + "/driftscope-20240301-120003.txt", encoding: .utf8)
        let svg = try String(contentsOfFile: dir + "/driftscope-20240301-120003.svg", encoding: .utf8)
        let html = try String(contentsOfFile: dir + "/driftscope-20240301-120003.html", encoding: .utf8)
        #expect(text.contains("Training"))
        #expect(text.split(separator: "\n").count == 24)
        #expect(svg.hasPrefix("<svg") && svg.contains("lengthAdjust=\"spacingAndGlyphs\"") && svg.contains("fill: #"))
        #expect(html.contains(svg))
        #expect(state.message?.text.contains("Saved \(dir)/driftscope-20240301-120003.svg (and .html, .txt)") == true)
    }

    @Test func aBadThemeFallsBackWithAMessage() {
        var library = ThemeLibrary(directories: [])
        library.add(name: "broken", text: "\"text\" = \"#zzz\"\n", path: "broken.toml")
        let terminal = MemoryTerminal(width: 120, height: 40)
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection, library: library)
        var state = LoopTests.startState(library, options: DashboardOptions(themeName: "broken"))
        loop.run(&state, maxIterations: 2)
        #expect(state.message?.text.contains("broken.toml:1:10") == true)
        #expect(terminal.text.contains("Training"))
    }

    @Test func unknownThemeNamesAreReported() {
        let state = DashboardApp.initialState(options: DashboardOptions(themeName: "solarised"), config: DashboardConfig(), library: ThemeLibrary(directories: []))
        #expect(state.themeName == "dark")
        #expect(state.message?.text.contains("unknown theme 'solarised'") == true)
    }

    @Test func withoutUTF8EverythingDrawnIsASCII() {
        let terminal = MemoryTerminal(width: 120, height: 40)
        terminal.supportsUnicode = false
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        var loop = LoopTests.makeLoop(terminal, connection)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 2)
        #expect(terminal.text.contains("Training"))
        #expect(terminal.text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func xdgPaths() {
        let env = ["HOME": "/home/ada", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "relative/ignored"]
        let paths = DashboardPaths(options: DashboardOptions(themeDirectories: ["/extra"]), environment: env)
        #expect(paths.configFile == "/cfg/driftscope/config.toml")
        #expect(paths.screenshotDirectory == "/home/ada/.local/state/driftscope/screens")
        #expect(paths.themeDirectories.suffix(2) == ["/extra", "/cfg/driftscope/themes"])
    }

    @Test func renderBenchRuns() {
        let result = RenderBench.run(width: 120, height: 40, frames: 12)
        #expect(result.frames == 12)
        #expect(result.cellsWrittenPerFrame > 0)
        #expect(result.cellsWrittenPerFrame < Double(120 * 40))
        #expect(result.description.contains("120x40"))
    }
}

@Suite("Demo tour")
struct DemoTests {
    @Test func theTourWalksDriftNeighbourhoodAndRecommendations() {
        var snapshot = FixtureSnapshots.busy()
        snapshot.audience = FixtureSnapshots.audience()
        var state = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        state.demo = DemoTour()
        var focuses: [PanelID] = []
        var commands: [EngineCommand] = []
        var t = 0.0
        while t < 45 {
            let (next, sent) = DashboardState.tick(state, snapshot, now: t)
            state = next
            commands += sent
            if focuses.last != state.focus { focuses.append(state.focus) }
            t += 0.5
        }
        #expect(focuses.starts(with: [.drift, .neighbourhood, .recommendations, .training, .drift]))
        #expect(commands.contains(.browse(NodeRef(.item, 311))))
        #expect(commands.contains(.selectItem("i1043")))
        // The second round visits the next candidate.
        #expect(commands.contains(.selectUser("u7")))
        #expect(state.demo?.caption.hasPrefix("Demo") == true)
    }

    @Test func captionsUseLiveValues() {
        var state = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        var tour = DemoTour()
        var commands: [EngineCommand] = []
        tour.advance(&state, FixtureSnapshots.busy(), now: 0, &commands)
        tour.advance(&state, FixtureSnapshots.busy(), now: 3.5, &commands)
        #expect(tour.stage == .drift)
        #expect(tour.caption.contains("Books ▼ → Electronics ▲"))
        #expect(tour.caption.contains("0.31"))
    }

    @Test func withoutCandidatesTheTourWaits() {
        var state = DashboardState()
        var tour = DemoTour()
        var commands: [EngineCommand] = []
        tour.advance(&state, FixtureSnapshots.empty(), now: 0, &commands)
        #expect(commands.isEmpty)
        #expect(tour.caption.contains("waiting"))
    }
}
