import InterestGraph

/// The app loop, generic over the terminal so tests can drive it with a `MemoryTerminal`.
///
/// One iteration: read the latest snapshot, advance time (``DashboardState/tick(_:_:now:)``),
/// render if anything changed, write only the changed cells, then wait for a key at most one
/// frame (while paused: a quarter second, so an idle dashboard sleeps in `getch`). Keys are
/// applied at once; the engine is never waited for.
struct DashboardLoop<Terminal: TerminalDevice, Connection: EngineConnection> {
    let terminal: Terminal
    let connection: Connection
    let library: ThemeLibrary
    let screenshotDirectory: String
    /// Milliseconds per frame while running.
    let frameInterval: Int
    /// Monotonic seconds.
    let now: () -> Double
    /// Wall-clock seconds since the epoch (screenshot names).
    let wallClock: () -> Double
    /// Polled every iteration (SIGINT/SIGTERM in the real app).
    let shouldStop: () -> Bool
    /// Loads the run the Training panel overlays, when the user picks one.
    let overlays: RunOverlaySource?
    /// Saves the bookmarks made with the bookmark key (on this, the main, thread).
    let bookmarks: BookmarkStore?

    private(set) var writer = FrameWriter()
    private var themes: [String: Theme] = [:]
    private var dirty = true
    private var renderedSequence: UInt64?
    private var renderedMessage: DashboardState.Message?
    private var renderedAttachment: EngineAttachment?
    private(set) var framesRendered = 0

    static var pausedTimeout: Int { 250 }

    init(terminal: Terminal, connection: Connection, library: ThemeLibrary, screenshotDirectory: String, framesPerSecond: Int, overlays: RunOverlaySource? = nil, bookmarks: BookmarkStore? = nil, now: @escaping () -> Double, wallClock: @escaping () -> Double, shouldStop: @escaping () -> Bool) {
        self.terminal = terminal
        self.connection = connection
        self.library = library
        self.screenshotDirectory = screenshotDirectory
        self.frameInterval = 1000 / max(1, min(60, framesPerSecond))
        self.now = now
        self.wallClock = wallClock
        self.shouldStop = shouldStop
        self.overlays = overlays
        self.bookmarks = bookmarks
    }

    /// Runs until the user quits, a signal arrives, or `maxIterations` pass (tests).
    mutating func run(_ state: inout DashboardState, maxIterations: Int? = nil) {
        var iterations = 0
        while !state.shouldQuit && !shouldStop() {
            if let maxIterations, iterations >= maxIterations { break }
            iterations += 1
            iterate(&state)
        }
    }

    /// One frame: tick, render when needed, then wait for input.
    mutating func iterate(_ state: inout DashboardState) {
        let started = now()
        let snapshot = connection.snapshot()
        state.attachment = connection.attachment
        var (s, commands) = DashboardState.tick(state, snapshot, now: started)
        s.commandsAllowed(commands, fromKey: false).forEach(connection.send)
        if let overlays { s.syncOverlay(overlays.load) }
        let size = terminal.size
        if size != s.size {
            s.size = size
            dirty = true
        }
        let theme = resolveTheme(&s)
        if dirty || snapshot.sequence != renderedSequence || s.message != renderedMessage || s.attachment != renderedAttachment || s.demo != nil {
            let (grid, regions) = Renderer.renderFrame(snapshot: snapshot, state: s, theme: theme, size: size)
            s.regions = regions
            writer.write(grid, to: terminal)
            framesRendered += 1
            renderedSequence = snapshot.sequence
            renderedMessage = s.message
            renderedAttachment = s.attachment
            dirty = false
            if s.screenshotRequested {
                s.screenshotRequested = false
                do {
                    let files = try Screenshot.save(grid, theme: theme, directory: screenshotDirectory, time: wallClock())
                    s.show("Saved \(files.svg) (and .html, .txt)", seconds: 6)
                } catch {
                    s.show("Could not save the screenshot: \(error)", error: true, seconds: 6)
                }
                dirty = true
            }
        }
        state = s
        if state.shouldQuit { return }

        let elapsed = Int((now() - started) * 1000)
        let timeout = snapshot.isPaused && state.demo == nil ? DashboardLoop.pausedTimeout : max(1, frameInterval - elapsed)
        guard let key = terminal.readKey(timeoutMilliseconds: timeout) else { return }
        handle(key, &state, snapshot)
        // Apply everything already typed (key repeat, pastes) before the next frame.
        var drained = 0
        while drained < 64, !state.shouldQuit, let next = terminal.readKey(timeoutMilliseconds: 0) {
            handle(next, &state, snapshot)
            drained += 1
        }
    }

    private mutating func handle(_ key: Key, _ state: inout DashboardState, _ snapshot: EngineSnapshot) {
        dirty = true
        if key == .resize {
            writer.invalidate()
            state.size = terminal.size
        }
        if !state.isUsable, key == .character("q") || key == .escape {
            // The "resize me" screen: quitting must work even though no panel is drawn.
            state.shouldQuit = true
            return
        }
        let (s, commands) = DashboardState.reduce(state, key, snapshot)
        state = s
        state.commandsAllowed(commands, fromKey: true).forEach(connection.send)
        if state.controlRequested {
            state.controlRequested = false
            connection.requestControl()
        }
        // At once, not at the next frame: a bookmark is on disk before the presenter moves on.
        if let bookmarks { state.saveBookmarks(bookmarks.save) }
        if let export = state.audienceExport {
            state.audienceExport = nil
            do {
                let path = try AudienceFile.save(export, directory: screenshotDirectory, time: wallClock())
                state.show("Saved \(export.users.count) users to \(path)", seconds: 6)
            } catch {
                state.show("Could not save the audience: \(error)", error: true, seconds: 6)
            }
        }
    }

    /// The theme for the state's theme name, loaded once; a bad theme shows its error (file,
    /// line, column) and the dark theme is used.
    private mutating func resolveTheme(_ state: inout DashboardState) -> Theme {
        let name = state.themeName
        if let cached = themes[name] { return cached }
        var (theme, message) = library.themeOrFallback(named: name)
        if !terminal.supportsUnicode { theme.ascii = true }
        if let message { state.show(message, error: true, seconds: 10) }
        themes[name] = theme
        return theme
    }
}

extension DashboardState {
    /// False while the window is below the minimum size (the "resize me" screen shows).
    var isUsable: Bool { size.width >= GridSize.minimum.width && size.height >= GridSize.minimum.height }
}
