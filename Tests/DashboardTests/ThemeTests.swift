import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

@Suite("Themes")
struct ThemeTests {
    static let repositoryThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    @Test("the shipped themes load", arguments: BuiltinThemes.order)
    func builtinsLoad(_ name: String) throws {
        let theme = try ThemeLibrary(directories: []).theme(named: name)
        #expect(theme.name == name)
        #expect(theme.ascii == (name == "mono"))
    }

    @Test("compiled-in themes equal themes/*.toml", arguments: BuiltinThemes.order)
    func builtinsMatchFiles(_ name: String) throws {
        let file = try String(contentsOf: ThemeTests.repositoryThemes.appendingPathComponent("\(name).toml"), encoding: .utf8)
        #expect(file == BuiltinThemes.sources[name], "regenerate Sources/Dashboard/Theme/BuiltinThemes.swift from themes/\(name).toml")
    }

    @Test func themeNamesKeepBuiltinsFirst() {
        var library = ThemeLibrary(directories: [])
        library.add(name: "aurora", text: "inherits = \"dark\"\n", path: "aurora.toml")
        #expect(library.names == ["dark", "light", "colourblind", "mono", "aurora"])
    }

    @Test func inheritanceResolvesPaletteNamesLate() throws {
        let library = ThemeLibrary(directories: [])
        let dark = try library.theme(named: "dark")
        let light = try library.theme(named: "light")
        #expect(dark[.background].background == .standard)
        #expect(light[.background].background == .rgb(0xfa, 0xfb, 0xfc))
        // chart.loss = "blue" comes from dark, "blue" from light's palette.
        #expect(light[.chartLoss].foreground == .rgb(0x05, 0x50, 0xae))
        #expect(dark[.chartLoss].foreground == .rgb(0x7a, 0xa2, 0xf7))
        // Roles without a background take the theme's.
        #expect(light[.chartLoss].background == light[.background].background)
        #expect(dark[.textStrong].attributes.contains(.bold))
    }

    @Test func colourBlindThemeNeverUsesRedGreenForGoodBad() throws {
        let theme = try ThemeLibrary(directories: []).theme(named: "colourblind")
        #expect(theme[.good].foreground == .rgb(0x56, 0xb4, 0xe9))
        #expect(theme[.bad].foreground == .rgb(0xe6, 0x9f, 0x00))
    }

    @Test func monoHasNoColours() throws {
        let theme = try ThemeLibrary(directories: []).theme(named: "mono")
        for role in ThemeRole.allCases {
            #expect(theme[role].foreground == .standard, "\(role.rawValue)")
            #expect(theme[role].background == .standard, "\(role.rawValue)")
        }
        #expect(theme[.selection].attributes.contains(.reverse))
    }

    @Test("bad themes are reported with line and column", arguments: [
        ("\"text\" = \"#12345\"\n", "bad.toml:1:10: invalid colour '#12345'"),
        ("\"panel.titel\" = \"red\"\n", "bad.toml:1:1: unknown theme key 'panel.titel' (did you mean 'panel.title'?)"),
        ("\"text\" = \"blurple\"\n", "bad.toml:1:10: unknown colour 'blurple'"),
        ("\"text\" = { fg = \"red\", modifiers = [\"blink\"] }\n", "bad.toml:1:24: unknown modifier 'blink'"),
        ("\"text\" = \"red\n", "bad.toml:1:"),
        ("inherits = \"nope\"\n", "bad.toml:1:1: inherits unknown theme 'nope'"),
        ("\"heatmap\" = { start = \"red\", middle = \"blue\" }\n", "bad.toml:1:30: unknown heatmap stop 'middle'"),
        ("\"text\" = true\n", "bad.toml:1:1: 'text' must be a colour"),
    ])
    func badTheme(_ text: String, _ expected: String) {
        var library = ThemeLibrary(directories: [])
        library.add(name: "bad", text: text, path: "bad.toml")
        #expect(throws: ThemeError.self) { try library.theme(named: "bad") }
        let (theme, message) = library.themeOrFallback(named: "bad")
        #expect(theme.name == "dark")
        #expect(message?.contains(expected) == true, "\(message ?? "nil")")
    }

    @Test func inheritanceCyclesAreErrors() {
        var library = ThemeLibrary(directories: [])
        library.add(name: "a", text: "inherits = \"b\"\n", path: "a.toml")
        library.add(name: "b", text: "inherits = \"a\"\n", path: "b.toml")
        let (theme, message) = library.themeOrFallback(named: "a")
        #expect(theme.name == "dark")
        #expect(message?.contains("cycle") == true)
    }

    @Test func userThemesComeFromADirectoryAndNestedKeysWork() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-themes-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        inherits = "dark"
        panel.title = { fg = "pink", modifiers = ["italic"] }
        "chart.loss" = 202

        [palette]
        pink = "#f0a"
        """.write(to: dir.appendingPathComponent("rose.toml"), atomically: true, encoding: .utf8)
        // A file named like a built-in replaces it (and themes inheriting from it follow).
        try "\"ui.background\" = { bg = \"#000000\" }\n".write(to: dir.appendingPathComponent("dark.toml"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(directories: [dir.path])
        #expect(library.names.contains("rose"))
        let rose = try library.theme(named: "rose")
        #expect(rose[.panelTitle].foreground == .rgb(0xff, 0x00, 0xaa))
        #expect(rose[.panelTitle].attributes == [.italic])
        #expect(rose[.chartLoss].foreground == .indexed(202))
        #expect(rose[.background].background == .rgb(0, 0, 0))
    }

    @Test func heatGradientRunsFromStartToEnd() throws {
        let theme = try ThemeLibrary(directories: []).theme(named: "dark")
        #expect(theme.heat(0) == .rgb(0x28, 0x34, 0x57))
        #expect(theme.heat(1) == .rgb(0xff, 0xc7, 0x77))
        #expect(theme.heat(0.5) == .rgb(0x9d, 0x7c, 0xd8))
        #expect(theme.heat(-3) == theme.heat(0))
    }

    @Test("nearest colours on 256-, 16- and 8-colour terminals", arguments: [
        (TerminalColor.rgb(255, 0, 0), 256, 196), (.rgb(0x5f, 0x87, 0xaf), 256, 67), (.rgb(128, 128, 128), 256, 244),
        (.rgb(0x12, 0x12, 0x12), 256, 233), (.indexed(12), 256, 12), (.indexed(200), 256, 200),
        (.rgb(255, 0, 0), 16, 9), (.rgb(205, 0, 0), 16, 1), (.rgb(250, 250, 250), 16, 15), (.rgb(0x7a, 0xa2, 0xf7), 16, 12),
        (.rgb(255, 0, 0), 8, 1), (.rgb(250, 250, 250), 8, 7), (.indexed(12), 8, 4), (.indexed(196), 8, 1),
        (.standard, 256, -1), (.rgb(255, 0, 0), 2, -1), (.rgb(255, 0, 0), 0, -1),
    ])
    func colourMapping(_ color: TerminalColor, _ colors: Int, _ expected: Int) {
        #expect(ColorMapper.terminalIndex(color, colors: colors) == expected)
    }

    @Test func everyDarkThemeColourMapsInside256() throws {
        let theme = try ThemeLibrary(directories: []).theme(named: "dark")
        for role in ThemeRole.allCases {
            for colors in [8, 16, 256] {
                let i = ColorMapper.terminalIndex(theme[role].foreground, colors: colors)
                #expect(i >= -1 && i < colors)
            }
        }
    }
}
