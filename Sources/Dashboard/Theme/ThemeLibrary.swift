import Foundation
import InterestGraph

/// A theme that could not be loaded: the file, line and column, and what was expected.
struct ThemeError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
    init(_ error: TOMLError) { description = error.description }
}

/// Every theme the dashboard can use: the built-in ones, then `*.toml` files from theme
/// directories (the repository's themes/, then `$XDG_CONFIG_HOME/driftscope/themes/`), a
/// later file replacing an earlier theme of the same name.
struct ThemeLibrary: Sendable {
    struct Source: Sendable {
        var name: String
        var text: String
        var path: String
    }

    private(set) var sources: [String: Source] = [:]
    /// Theme names in cycling order: the built-ins first, then the others alphabetically.
    private(set) var names: [String] = []
    /// Problems met while listing directories (unreadable files), to show once at start.
    private(set) var messages: [String] = []

    static let fallbackName = "dark"

    init(directories: [String]) {
        for name in BuiltinThemes.order {
            add(Source(name: name, text: BuiltinThemes.sources[name]!, path: "built-in \(name).toml"))
        }
        let files = FileManager.default
        for directory in directories {
            guard let entries = try? files.contentsOfDirectory(atPath: directory) else { continue }
            for entry in entries.sorted() where entry.hasSuffix(".toml") {
                let path = (directory as NSString).appendingPathComponent(entry)
                let name = String(entry.dropLast(5))
                do throws(TOMLError) {
                    add(Source(name: name, text: try TOMLParser.readDocument(atPath: path, what: "theme"), path: path))
                } catch {
                    messages.append("\(error.description); theme skipped")
                }
            }
        }
    }

    private mutating func add(_ source: Source) {
        if sources[source.name] == nil {
            let builtinCount = BuiltinThemes.order.count
            if names.count < builtinCount {
                names.append(source.name)
            } else {
                var extra = Array(names.dropFirst(builtinCount))
                extra.append(source.name)
                extra.sort()
                names = Array(names.prefix(builtinCount)) + extra
            }
        }
        sources[source.name] = source
    }

    /// Adds or replaces a theme from text (tests, and themes given inline).
    mutating func add(name: String, text: String, path: String) {
        add(Source(name: name, text: text, path: path))
    }

    /// Loads a theme by name, resolving `inherits` and palette names.
    func theme(named name: String) throws(ThemeError) -> Theme {
        let spec = try merged(name, visiting: [])
        do {
            return try ThemeLibrary.build(spec)
        } catch {
            throw ThemeError(error)
        }
    }

    /// Loads a theme, falling back to the built-in dark theme with a message on any error.
    func themeOrFallback(named name: String) -> (Theme, String?) {
        do {
            return (try theme(named: name), nil)
        } catch {
            var fallback = ThemeLibrary()
            fallback.add(Source(name: ThemeLibrary.fallbackName, text: BuiltinThemes.sources[ThemeLibrary.fallbackName]!, path: "built-in"))
            // The built-in dark theme is checked by tests; `try!` cannot fail on it.
            let dark = (try? fallback.theme(named: ThemeLibrary.fallbackName)) ?? ThemeLibrary.emergencyTheme
            return (dark, "theme '\(name)': \(error.description) — using \(ThemeLibrary.fallbackName)")
        }
    }

    private init() {}

    private func merged(_ name: String, visiting: [String]) throws(ThemeError) -> ThemeSpec {
        guard let source = sources[name] else {
            throw ThemeError("unknown theme '\(name)'; available: \(names.joined(separator: ", "))")
        }
        var spec: ThemeSpec
        do {
            spec = try ThemeSpec.parse(source.text, name: name, file: source.path)
        } catch {
            throw ThemeError(error)
        }
        guard let parent = spec.inherits else { return spec }
        if visiting.contains(parent.name) || parent.name == name {
            throw ThemeError("\(source.path):\(parent.line):\(parent.column): 'inherits' makes a cycle: \((visiting + [name, parent.name]).joined(separator: " -> "))")
        }
        guard sources[parent.name] != nil else {
            throw ThemeError("\(source.path):\(parent.line):\(parent.column): inherits unknown theme '\(parent.name)'; available: \(names.joined(separator: ", "))")
        }
        let base = try merged(parent.name, visiting: visiting + [name])
        var out = base
        out.name = spec.name
        out.file = spec.file
        out.inherits = nil
        out.ascii = spec.ascii ?? base.ascii
        out.palette.merge(spec.palette) { _, child in child }
        out.roles.merge(spec.roles) { _, child in child }
        out.gradient.merge(spec.gradient) { _, child in child }
        return out
    }

    static func build(_ spec: ThemeSpec) throws(TOMLError) -> Theme {
        func color(_ value: ThemeSpec.ColorValue?) throws(TOMLError) -> TerminalColor? {
            guard let value else { return nil }
            return try ThemeSpec.resolve(value, palette: spec.palette)
        }
        let backgroundSpec = spec.roles[.background]
        let base = CellStyle(
            foreground: try color(backgroundSpec?.foreground) ?? .standard,
            background: try color(backgroundSpec?.background) ?? .standard,
            attributes: backgroundSpec?.attributes ?? []
        )
        var styles = Array(repeating: base, count: ThemeRole.allCases.count)
        var done = Array(repeating: false, count: styles.count)
        // Roles are resolved in an order where each fallback comes before the roles using it.
        func resolve(_ role: ThemeRole) throws(TOMLError) -> CellStyle {
            if done[role.ordinal] { return styles[role.ordinal] }
            let inherited = try role.fallback.map { (r) throws(TOMLError) in try resolve(r) } ?? base
            var style = inherited
            if let r = spec.roles[role], role != .background {
                style = CellStyle(
                    foreground: try color(r.foreground) ?? inherited.foreground,
                    background: try color(r.background) ?? base.background,
                    attributes: r.attributes
                )
            } else if role == .background {
                style = base
            }
            styles[role.ordinal] = style
            done[role.ordinal] = true
            return style
        }
        for role in ThemeRole.allCases { _ = try resolve(role) }
        let start = try color(spec.gradient["start"]) ?? styles[ThemeRole.textDim.ordinal].foreground
        let mid = try color(spec.gradient["mid"]) ?? styles[ThemeRole.accent.ordinal].foreground
        let end = try color(spec.gradient["end"]) ?? styles[ThemeRole.textStrong.ordinal].foreground
        return Theme(name: spec.name, ascii: spec.ascii ?? false, styles: styles, gradient: (start, mid, end))
    }

    /// Used only if the compiled-in dark theme failed to parse, which tests rule out.
    static let emergencyTheme = Theme(
        name: "plain", ascii: false,
        styles: ThemeRole.allCases.map { $0 == .selection || $0 == .statusBar ? CellStyle(attributes: .reverse) : .plain },
        gradient: (.standard, .standard, .standard)
    )
}
