import Foundation

/// How the dashboard starts. Every field has a sensible default, so
/// `DashboardApp.run(connection: engine, options: DashboardOptions())` just works.
public struct DashboardOptions: Sendable {
    /// Theme name (a file in a theme directory, or a built-in: dark, light, colourblind,
    /// mono); nil = config.toml's `theme`, else dark.
    public var themeName: String?
    /// A user id to select at start; nil = the engine's most interesting user.
    public var initialUser: String?
    /// Start the hands-off demo tour (any key takes over).
    public var demo: Bool
    /// Frame rate cap while the engine runs (1...60); while paused the dashboard redraws
    /// at most 4 times a second unless a key arrives.
    public var framesPerSecond: Int
    /// Where config.toml and themes/ live; nil = `$XDG_CONFIG_HOME/driftscope` (default
    /// `~/.config/driftscope`).
    public var configDirectory: String?
    /// Extra theme directories, searched after the repository's `themes/` folder and before
    /// the user's; later directories win.
    public var themeDirectories: [String]
    /// Where screenshots go; nil = `$XDG_STATE_HOME/driftscope/screens` (default
    /// `~/.local/state/driftscope/screens`).
    public var screenshotDirectory: String?
    /// Recorded runs the Training panel can overlay (the compare key cycles through them);
    /// nil = no workspace, the key says so.
    public var overlays: RunOverlaySource?
    /// Bookmarks saved before, and where the bookmark key saves new ones; nil = bookmarks
    /// last for the session only (the first one says so).
    public var bookmarks: BookmarkStore?

    public init(themeName: String? = nil, initialUser: String? = nil, demo: Bool = false, framesPerSecond: Int = 20, configDirectory: String? = nil, themeDirectories: [String] = [], screenshotDirectory: String? = nil, overlays: RunOverlaySource? = nil, bookmarks: BookmarkStore? = nil) {
        self.themeName = themeName
        self.initialUser = initialUser
        self.demo = demo
        self.framesPerSecond = framesPerSecond
        self.configDirectory = configDirectory
        self.themeDirectories = themeDirectories
        self.screenshotDirectory = screenshotDirectory
        self.overlays = overlays
        self.bookmarks = bookmarks
    }
}

/// XDG locations, resolved once from the environment.
struct DashboardPaths: Sendable {
    var configDirectory: String
    var themeDirectories: [String]
    var screenshotDirectory: String

    var configFile: String { (configDirectory as NSString).appendingPathComponent("config.toml") }

    init(options: DashboardOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func xdg(_ key: String, _ fallback: String) -> String {
            if let v = environment[key], v.hasPrefix("/") { return v }
            return (home as NSString).appendingPathComponent(fallback)
        }
        configDirectory = options.configDirectory ?? (xdg("XDG_CONFIG_HOME", ".config") as NSString).appendingPathComponent("driftscope")
        screenshotDirectory = options.screenshotDirectory ?? ((xdg("XDG_STATE_HOME", ".local/state") as NSString).appendingPathComponent("driftscope") as NSString).appendingPathComponent("screens")
        // The repository's themes/ (next to the working directory or two levels above the
        // executable in .build/<config>/), the installed copies (`make install`:
        // PREFIX/share/driftscope/themes beside PREFIX/bin), then the caller's, then the
        // user's. The shipped themes are compiled in too, so none of these must exist.
        var dirs: [String] = []
        let cwdThemes = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("themes")
        // URLs, not NSString path arithmetic: `./driftscope` resolved to a bare name, and
        // Foundation's `deletingLastPathComponent` of the empty string that followed crashed
        // the dashboard before its first frame (`cd .build/release && ./driftscope`).
        let bin = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")).resolvingSymlinksInPath().deletingLastPathComponent()
        let repoThemes = bin.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes").path
        let installedThemes = bin.deletingLastPathComponent().appendingPathComponent("share/driftscope/themes").path
        for d in [repoThemes, installedThemes, cwdThemes] where !dirs.contains(d) { dirs.append(d) }
        dirs += options.themeDirectories
        dirs.append((configDirectory as NSString).appendingPathComponent("themes"))
        themeDirectories = dirs
    }
}
