import Foundation
import InterestGraph

/// The user's config.toml:
///
/// ```toml
/// theme = "light"
/// fps = 30
///
/// [keys]
/// pause = ["space", "p"]
/// quit = "x"
/// ```
///
/// A file with an error is reported (file, line, column) and ignored as a whole: the
/// defaults are used rather than half a configuration.
struct DashboardConfig: Sendable {
    var keymap = Keymap.defaults
    var theme: String?
    var framesPerSecond: Int?
    var messages: [String] = []

    static func load(path: String) -> DashboardConfig {
        guard FileManager.default.fileExists(atPath: path) else { return DashboardConfig() }
        do throws(TOMLError) {
            return parse(try TOMLParser.readDocument(atPath: path, what: "config file"), file: path)
        } catch {
            return DashboardConfig(messages: ["\(error.description); using the defaults"])
        }
    }

    static func parse(_ text: String, file: String) -> DashboardConfig {
        do throws(TOMLError) {
            let root = try TOMLParser.parse(text, file: file)
            try root.rejectUnknownKeys(["theme", "fps", "keys"], file: file)
            var config = DashboardConfig()
            config.theme = try root.string("theme", file: file)
            if let fps = try root.integer("fps", file: file) {
                guard (1...60).contains(fps) else {
                    throw TOMLError(file: file, line: root.line(of: "fps"), column: 1, message: "'fps' must be between 1 and 60, found \(fps)")
                }
                config.framesPerSecond = fps
            }
            if let keys = try root.table("keys", file: file) {
                config.keymap = try Keymap.defaults.applying(keys, file: file, source: text)
            }
            return config
        } catch {
            return DashboardConfig(messages: ["\(error.description) — config ignored, using the defaults"])
        }
    }
}
