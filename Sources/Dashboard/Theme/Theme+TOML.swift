import InterestGraph

/// A theme file as written, before inheritance and palette names are resolved.
struct ThemeSpec: Sendable {
    /// A colour as written: a name, `#hex`, `default`, or an xterm index, with its position.
    struct ColorValue: Sendable {
        enum Form: Sendable { case text(String), index(Int) }
        var form: Form
        var line: Int
        var column: Int
        var file: String
    }

    struct RoleSpec: Sendable {
        var foreground: ColorValue?
        var background: ColorValue?
        var attributes: TextAttributes
    }

    var name: String
    var file: String
    var inherits: (name: String, line: Int, column: Int)?
    var ascii: Bool?
    var palette: [String: ColorValue] = [:]
    var roles: [ThemeRole: RoleSpec] = [:]
    var gradient: [String: ColorValue] = [:]

    static let gradientKeys: Set<String> = ["start", "mid", "end"]
    private static let styleKeys: Set<String> = ["fg", "bg", "modifiers"]

    /// Parses a theme file. Syntax and schema errors name the file, line and column.
    static func parse(_ text: String, name: String, file: String) throws(TOMLError) -> ThemeSpec {
        let root = try TOMLParser.parse(text, file: file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var spec = ThemeSpec(name: name, file: file)
        let locate = Locator(lines: lines, file: file)

        for key in root.keys {
            let value = root[key]!
            let line = root.line(of: key)
            switch key {
            case "inherits":
                guard case .string(let parent) = value else { throw locate.error(key, line, "'inherits' must be a theme name in quotes") }
                spec.inherits = (parent, line, locate.column(of: key, line: line))
            case "name":
                guard case .string = value else { throw locate.error(key, line, "'name' must be a string") }
            case "ascii":
                guard case .boolean(let b) = value else { throw locate.error(key, line, "'ascii' must be true or false") }
                spec.ascii = b
            case "palette":
                guard case .table(let table) = value else { throw locate.error(key, line, "[palette] must be a table of name = \"#rrggbb\"") }
                for name in table.keys {
                    spec.palette[name] = try colorValue(table[name]!, key: name, line: table.line(of: name), locate: locate)
                }
            case "heatmap":
                guard case .table(let table) = value else { throw locate.error(key, line, "'heatmap' must be a table { start = ..., mid = ..., end = ... }") }
                for stop in table.keys {
                    guard gradientKeys.contains(stop) else {
                        throw locate.error(stop, table.line(of: stop), "unknown heatmap stop '\(stop)'; expected start, mid or end")
                    }
                    spec.gradient[stop] = try colorValue(table[stop]!, key: stop, line: table.line(of: stop), locate: locate)
                }
            default:
                try addRole(key, value, line: line, to: &spec, locate: locate)
            }
        }
        return spec
    }

    /// A role key: `"panel.title" = "blue"`, `"panel.title" = { fg = ..., modifiers = [...] }`,
    /// or the same written as nested tables (`[panel] title = ...`).
    private static func addRole(_ key: String, _ value: TOMLValue, line: Int, to spec: inout ThemeSpec, locate: Locator) throws(TOMLError) {
        switch value {
        case .string, .integer:
            guard let role = ThemeRole(rawValue: key) else { throw unknownRole(key, line: line, locate: locate) }
            spec.roles[role] = RoleSpec(foreground: try colorValue(value, key: key, line: line, locate: locate), background: nil, attributes: [])
        case .table(let table):
            let styleKeys = table.keys.filter { ThemeSpec.styleKeys.contains($0) }
            if !styleKeys.isEmpty {
                guard let role = ThemeRole(rawValue: key) else { throw unknownRole(key, line: line, locate: locate) }
                var r = RoleSpec(foreground: nil, background: nil, attributes: [])
                if let fg = table["fg"] { r.foreground = try colorValue(fg, key: "fg", line: table.line(of: "fg"), locate: locate) }
                if let bg = table["bg"] { r.background = try colorValue(bg, key: "bg", line: table.line(of: "bg"), locate: locate) }
                if let mods = table["modifiers"] {
                    let modLine = table.line(of: "modifiers")
                    guard case .array(let items) = mods else { throw locate.error("modifiers", modLine, "'modifiers' must be an array such as [\"bold\"]") }
                    for item in items {
                        guard case .string(let m) = item, let attribute = TextAttributes.names.first(where: { $0.0 == m })?.1 else {
                            let shown: String
                            if case .string(let m) = item { shown = "'\(m)'" } else { shown = "of type \(item.typeName)" }
                            throw locate.error("modifiers", modLine, "unknown modifier \(shown); expected one of: \(TextAttributes.names.map(\.0).joined(separator: ", "))")
                        }
                        r.attributes.insert(attribute)
                    }
                }
                spec.roles[role] = r
            }
            for sub in table.keys where !ThemeSpec.styleKeys.contains(sub) {
                try addRole(key + "." + sub, table[sub]!, line: table.line(of: sub), to: &spec, locate: locate)
            }
        default:
            throw locate.error(key, line, "'\(key)' must be a colour (\"#rrggbb\", a palette name, \"default\") or a table { fg, bg, modifiers }")
        }
    }

    private static func unknownRole(_ key: String, line: Int, locate: Locator) -> TOMLError {
        let known = ThemeRole.allCases.map(\.rawValue)
        let hint = known.min(by: { editDistance($0, key) < editDistance($1, key) }).flatMap { editDistance($0, key) <= 3 ? " (did you mean '\($0)'?)" : nil } ?? ""
        return locate.error(key, line, "unknown theme key '\(key)'\(hint); see themes/README.md for the list")
    }

    private static func colorValue(_ value: TOMLValue, key: String, line: Int, locate: Locator) throws(TOMLError) -> ColorValue {
        let column = locate.valueColumn(of: key, line: line)
        switch value {
        case .string(let s): return ColorValue(form: .text(s), line: line, column: column, file: locate.file)
        case .integer(let i) where (0...255).contains(i): return ColorValue(form: .index(i), line: line, column: column, file: locate.file)
        default: throw TOMLError(file: locate.file, line: line, column: column, message: "'\(key)': expected a colour (\"#rrggbb\", a palette name, \"default\" or 0-255), found \(value.typeName)")
        }
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }

    /// Finds columns for schema errors (the TOML tree keeps lines, not columns).
    struct Locator {
        var lines: [String]
        var file: String

        func column(of key: String, line: Int) -> Int {
            guard line >= 1, line <= lines.count else { return 1 }
            let text = lines[line - 1]
            guard let range = text.firstRange(of: key) else { return 1 + text.prefix(while: { $0 == " " || $0 == "\t" }).count }
            let start = text[..<range.lowerBound]
            return start.count + (start.hasSuffix("\"") ? 0 : 1)
        }

        /// The column of the value after `key =` on `line`, or of the key when not found.
        func valueColumn(of key: String, line: Int) -> Int {
            guard line >= 1, line <= lines.count else { return 1 }
            let text = lines[line - 1]
            guard let k = text.firstRange(of: key), let eq = text[k.upperBound...].firstIndex(of: "=") else { return column(of: key, line: line) }
            var i = text.index(after: eq)
            while i < text.endIndex, text[i] == " " { i = text.index(after: i) }
            return text.distance(from: text.startIndex, to: i) + 1
        }

        func error(_ key: String, _ line: Int, _ message: String) -> TOMLError {
            TOMLError(file: file, line: line, column: column(of: key, line: line), message: message)
        }
    }
}

extension ThemeSpec {
    /// ANSI colour names, mapped to the terminal's own 16-colour palette.
    static let ansiNames: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "gray": 8, "grey": 8, "bright-black": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
        "light-red": 9, "light-green": 10, "light-yellow": 11, "light-blue": 12, "light-magenta": 13,
        "light-cyan": 14, "light-gray": 7, "light-grey": 7,
    ]

    /// Resolves a colour through the palette: `default`, `#rgb`, `#rrggbb`, an ANSI name or index.
    static func resolve(_ value: ColorValue, palette: [String: ColorValue], depth: Int = 0) throws(TOMLError) -> TerminalColor {
        let file = value.file
        switch value.form {
        case .index(let i):
            return .indexed(UInt8(i))
        case .text(let raw):
            let s = raw.lowercased()
            if s == "default" || s == "none" { return .standard }
            if s.hasPrefix("#") {
                let hex = Array(s.dropFirst())
                let digits: [Character]
                switch hex.count {
                case 3: digits = hex.flatMap { [$0, $0] }
                case 6: digits = hex
                default: digits = []
                }
                guard digits.count == 6, let v = UInt32(String(digits), radix: 16) else {
                    throw TOMLError(file: file, line: value.line, column: value.column, message: "invalid colour '\(raw)': expected #rrggbb or #rgb")
                }
                return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
            }
            if let p = palette[raw], depth < 8 {
                return try resolve(p, palette: palette, depth: depth + 1)
            }
            if let i = ansiNames[s] { return .indexed(UInt8(i)) }
            let names = palette.keys.sorted().joined(separator: ", ")
            throw TOMLError(file: file, line: value.line, column: value.column, message: "unknown colour '\(raw)': not in [palette] (\(names.isEmpty ? "empty" : names)), not #rrggbb, not an ANSI name, not \"default\"")
        }
    }
}
