import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

/// A theme or config.toml the parser refuses (too deep, too large) is reported and the
/// dashboard starts on its defaults: such files used to crash every start.
@Suite("Theme and config limits")
struct ConfigLimitsTests {
    /// The reliability probe's inputs: nesting far past the limit, and a last table in error.
    static let hostile: [(name: String, text: String)] = [
        ("deep arrays", "x = " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)),
        ("deep inline tables", "x = " + String(repeating: "{a = ", count: 30_000) + "1" + String(repeating: "}", count: 30_000)),
        ("long dotted key", Array(repeating: "a", count: 50_000).joined(separator: ".") + " = 1"),
        ("many tables", String(repeating: "[[drift]]\nkind = \"abrupt\"\n", count: 20_000) + "[[drift]]\nkind =\n"),
    ]

    @Test("a hostile theme falls back to dark with a message", arguments: hostile.map(\.name))
    func hostileTheme(_ name: String) {
        let text = Self.hostile.first { $0.name == name }!.text
        var library = ThemeLibrary(directories: [])
        library.add(name: "hostile", text: text, path: "hostile.toml")
        let (theme, message) = library.themeOrFallback(named: "hostile")
        #expect(theme.name == "dark")
        #expect(message?.hasPrefix("theme 'hostile': hostile.toml:") == true, "\(message ?? "nil")")
    }

    @Test("a hostile config.toml is ignored with a message", arguments: hostile.map(\.name))
    func hostileConfig(_ name: String) {
        let text = Self.hostile.first { $0.name == name }!.text
        let config = DashboardConfig.parse(text, file: "config.toml")
        #expect(config.messages.count == 1)
        #expect(config.messages.first?.hasPrefix("config.toml:") == true, "\(config.messages)")
        #expect(config.messages.first?.hasSuffix("config ignored, using the defaults") == true, "\(config.messages)")
        #expect(config.theme == nil)
    }

    @Test func oversizedThemeAndConfigFilesAreSkippedWithAMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = Data(repeating: UInt8(ascii: "#"), count: TOMLParser.maximumDocumentBytes + 1)
        try big.write(to: dir.appendingPathComponent("huge.toml"))
        let library = ThemeLibrary(directories: [dir.path])
        #expect(!library.names.contains("huge"))
        #expect(library.messages.first?.contains("the theme is larger than 4 MiB") == true, "\(library.messages)")

        let configFile = dir.appendingPathComponent("config.toml")
        try big.write(to: configFile)
        let config = DashboardConfig.load(path: configFile.path)
        #expect(config.messages == ["\(configFile.path): the config file is larger than 4 MiB, the limit for TOML files; using the defaults"])
        #expect(config.theme == nil)
    }
}
