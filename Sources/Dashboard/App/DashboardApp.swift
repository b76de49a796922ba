import Foundation
public import InterestGraph

/// The terminal dashboard.
///
/// ```swift
/// if let problem = DashboardApp.checkTerminal() {
///     FileHandle.standardError.write(Data((problem + "\n").utf8))  // not a TTY, TERM=dumb...
///     exit(2)
/// } else {
///     try DashboardApp.run(connection: engine, options: DashboardOptions(themeName: "light"))
/// }
/// ```
public enum DashboardApp {
    /// Why the dashboard cannot run here (stdout not a terminal and no /dev/tty, TERM unset or
    /// dumb, terminal unknown to terminfo), or nil when it can.
    public static func checkTerminal() -> String? {
        NCursesTerminal.problem()
    }

    /// Runs the dashboard on the main thread until the user quits (or SIGINT/SIGTERM).
    ///
    /// Reads `connection.snapshot()` about 20 times a second while the engine runs (about 4
    /// times while paused), applies keys at once and sends ``EngineCommand``s; it never waits
    /// for the engine. The terminal is always restored, also when this throws.
    ///
    /// - Throws: ``DashboardError`` when the terminal cannot be used (see ``checkTerminal()``).
    public static func run(connection: some EngineConnection, options: DashboardOptions = DashboardOptions()) throws {
        let paths = DashboardPaths(options: options)
        let config = DashboardConfig.load(path: paths.configFile)
        let library = ThemeLibrary(directories: paths.themeDirectories)
        var state = initialState(options: options, config: config, library: library)

        let terminal = try NCursesTerminal()
        if terminal.colorCount < 8, options.themeName == nil, config.theme == nil, let mono = library.names.firstIndex(of: "mono") {
            // Without colour the monochrome theme's reverse-video selection reads best.
            state.themeIndex = mono
        }
        SignalWatch.install()
        defer {
            terminal.shutdown()
            SignalWatch.uninstall()
        }
        let start = ContinuousClock.now
        var loop = DashboardLoop(
            terminal: terminal, connection: connection, library: library,
            screenshotDirectory: paths.screenshotDirectory,
            framesPerSecond: config.framesPerSecond ?? options.framesPerSecond,
            overlays: options.overlays,
            bookmarks: options.bookmarks,
            now: { seconds(ContinuousClock.now - start) },
            wallClock: { Date().timeIntervalSince1970 },
            shouldStop: { SignalWatch.interrupted }
        )
        loop.run(&state)
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// The UI state at start: key map and theme from the config, options applied, and the
    /// problems met on the way queued as one message.
    static func initialState(options: DashboardOptions, config: DashboardConfig, library: ThemeLibrary) -> DashboardState {
        var state = DashboardState()
        state.keymap = config.keymap
        state.themeNames = library.names
        var messages = config.messages + library.messages
        let wanted = options.themeName ?? config.theme ?? ThemeLibrary.fallbackName
        if let i = library.names.firstIndex(of: wanted) {
            state.themeIndex = i
        } else {
            messages.append("unknown theme '\(wanted)'; available: \(library.names.joined(separator: ", ")) — using \(ThemeLibrary.fallbackName)")
            state.themeIndex = library.names.firstIndex(of: ThemeLibrary.fallbackName) ?? 0
        }
        state.initialUser = options.initialUser
        if options.demo { state.demo = DemoTour() }
        if let overlays = options.overlays {
            state.overlayChoices = overlays.choices
            state.overlayChoice = overlays.initial.flatMap { run in overlays.choices.firstIndex { $0.run == run } }
        }
        if let store = options.bookmarks {
            state.bookmarkLocation = store.location
            for bookmark in store.bookmarks { state.remember(bookmark) }
        }
        if !messages.isEmpty { state.show(messages.joined(separator: " · "), error: true, seconds: 12) }
        return state
    }
}
