/// A TOML 1.0 parser for the files Driftscope reads: themes, scenarios and the config file.
///
/// It reads the whole of TOML 1.0 (checked against the toml-test suite): tables, arrays of
/// tables, dotted keys, the four string forms, integers, floats, booleans, the four date
/// and time types (kept as checked text), arrays and inline tables. Every error names the
/// file, line and column.
///
/// Limits keep hostile or broken files cheap to reject: at most ``maximumDepth`` levels of
/// nesting (so recursion cannot overflow the stack) and ``maximumDocumentBytes`` of text.
/// Time is linear in the size of the document.
///
/// Written here rather than depended on because errors must point at the user's line and
/// key, and a parsed value must remember its line for schema errors found later.
public struct TOMLParser {
    /// The deepest nesting accepted, counting table header parts, dotted key parts and
    /// arrays around a value (`a.b = [[1]]` is 4 deep). Real files use fewer than 10.
    public static let maximumDepth = 128
    /// The largest document accepted, in bytes of UTF-8 (4 MiB; our largest file is 10 KiB).
    public static let maximumDocumentBytes = 4 << 20

    private let scalars: [Unicode.Scalar]
    private let file: String
    private var position = 0
    private var line = 1
    private var lineStart = 0
    /// The nesting of what is being read, checked against ``maximumDepth``.
    private var depth = 0

    /// Parses a whole document into its root table.
    public static func parse(_ text: String, file: String = "<input>") throws(TOMLError) -> TOMLTable {
        guard text.utf8.count <= maximumDocumentBytes else {
            throw TOMLError(file: file, line: 0, message: sizeMessage)
        }
        var parser = TOMLParser(scalars: Array(text.unicodeScalars), file: file)
        return try parser.document()
    }

    static let sizeMessage = "the file is larger than \(maximumDocumentBytes >> 20) MiB, the limit for TOML files"

    private init(scalars: [Unicode.Scalar], file: String) {
        self.scalars = scalars
        self.file = file
        if scalars.first == "\u{FEFF}" { position = 1 }
    }

    // MARK: Errors

    private func error(_ message: String) -> TOMLError {
        TOMLError(file: file, line: line, column: column, message: message)
    }

    private var column: Int { position - lineStart + 1 }

    /// A character for a message: control characters by code, since they are invisible.
    private static func describe(_ c: Unicode.Scalar) -> String {
        isControl(c) || c == "\t" ? "U+" + hex4(c.value) : "'\(c)'"
    }

    /// Text quoted in a message, cut short: a bad value may be megabytes long.
    static func excerpt(_ text: String) -> String {
        text.prefix(41).count > 40 ? String(text.prefix(40)) + "…" : text
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Characters

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }
    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func advance() {
        if scalars[position] == "\n" {
            line += 1
            lineStart = position + 1
        }
        position += 1
    }

    /// Control characters TOML allows nowhere but as escapes (tab and newlines are handled
    /// by the callers).
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\t") || c.value == 0x7F
    }

    static func isBareKeyScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    /// At a line break: `\n` or `\r\n` (a lone carriage return is not one).
    private var atNewline: Bool {
        current == "\n" || (current == "\r" && peek(1) == "\n")
    }

    private mutating func skipNewline() {
        if current == "\r" { advance() }
        advance()
    }

    private mutating func skipSpaces() {
        while let c = current, c == " " || c == "\t" { advance() }
    }

    private mutating func skipComment() throws(TOMLError) {
        guard current == "#" else { return }
        advance()
        while let c = current, !atNewline {
            if TOMLParser.isControl(c) { throw error("control character \(TOMLParser.describe(c)) in comment") }
            advance()
        }
    }

    /// Spaces, comments and line breaks (between statements, between values in arrays).
    private mutating func skipTrivia() throws(TOMLError) {
        while let c = current {
            if c == " " || c == "\t" { advance() }
            else if atNewline { skipNewline() }
            else if c == "#" { try skipComment() }
            else { break }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        try skipComment()
        guard let c = current else { return }
        guard atNewline else { throw error("expected the end of the line, found \(TOMLParser.describe(c))") }
        skipNewline()
    }

    /// One more level of nesting, or an error at the current position.
    private mutating func enterLevel() throws(TOMLError) {
        depth += 1
        guard depth <= TOMLParser.maximumDepth else {
            throw error("nested too deeply: more than \(TOMLParser.maximumDepth) levels of tables, keys and arrays")
        }
    }

    // MARK: Document

    private mutating func document() throws(TOMLError) -> TOMLTable {
        let root = TOMLTableNode(line: 0, origin: .header)
        var section = root
        var sectionDepth = 0
        while true {
            try skipTrivia()
            guard let c = current else { break }
            if c == "[" {
                let headerLine = line
                advance()
                let isArrayTable = current == "["
                if isArrayTable { advance() }
                skipSpaces()
                depth = 0
                let path = try key()
                sectionDepth = depth
                skipSpaces()
                guard current == "]" else { throw error("expected ']' to close the table header") }
                advance()
                if isArrayTable {
                    guard current == "]" else { throw error("expected ']]' to close the array-of-tables header") }
                    advance()
                }
                do throws(TOMLBuildError) {
                    section = isArrayTable
                        ? try TOMLBuilder.appendArrayTable(path, in: root, line: headerLine)
                        : try TOMLBuilder.defineTable(path, in: root, line: headerLine)
                } catch {
                    throw TOMLError(file: file, line: headerLine, column: 1, message: error.message)
                }
                try endOfLine()
            } else {
                let keyLine = line
                let keyColumn = column
                depth = sectionDepth
                let keys = try key()
                skipSpaces()
                guard current == "=" else {
                    let shown = TOMLParser.excerpt(keys.map(TOMLBuilder.displayKey).joined(separator: "."))
                    throw error("expected '=' after key '\(shown)'")
                }
                advance()
                skipSpaces()
                let v = try value()
                do throws(TOMLBuildError) {
                    try TOMLBuilder.insert(keys, v, into: section, line: keyLine)
                } catch {
                    throw TOMLError(file: file, line: keyLine, column: keyColumn, message: error.message)
                }
                try endOfLine()
            }
        }
        return root.table()
    }

    // MARK: Keys

    /// A key of one or more dotted parts; each part is a level of nesting.
    private mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = current else { throw error("expected a key") }
            try enterLevel()
            if c == "\"" || c == "'" {
                guard !(peek(1) == c && peek(2) == c) else { throw error("a key cannot be a multi-line string") }
                parts.append(c == "\"" ? try basicString() : try literalString())
            } else {
                var s = String.UnicodeScalarView()
                while let c = current, TOMLParser.isBareKeyScalar(c) {
                    s.append(c)
                    advance()
                }
                guard !s.isEmpty else {
                    let found = atNewline ? "the end of the line" : TOMLParser.describe(c)
                    throw error("expected a key, found \(found)")
                }
                parts.append(String(s))
            }
            skipSpaces()
            guard current == "." else { return parts }
            advance()
        }
    }

    // MARK: Values

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = current else { throw error("expected a value") }
        switch c {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" { return .string(try multilineString(literal: false)) }
            return .string(try basicString())
        case "'":
            if peek(1) == "'" && peek(2) == "'" { return .string(try multilineString(literal: true)) }
            return .string(try literalString())
        case "[": return try array()
        case "{": return try inlineTable()
        default: return try bareValue()
        }
    }

    /// Booleans, numbers, dates and times: a run of the characters they are made of.
    private mutating func bareValue() throws(TOMLError) -> TOMLValue {
        let start = position
        let startColumn = column
        var token: [UInt8] = []
        while let c = current {
            if c.isASCII, TOMLParser.isBareKeyScalar(c) || c == "+" || c == "." || c == ":" {
                token.append(UInt8(c.value))
                advance()
            } else if c == " ", token.count == 10, TOMLScalars.looksLikeDateTime(token),
                      let n = peek(1), ("0"..."9").contains(n) {
                // The one space allowed in a value: between the date and time of a date-time.
                token.append(UInt8(ascii: " "))
                advance()
            } else {
                break
            }
        }
        // Errors point at the start of the value, which is still on this line.
        func fail(_ message: String) -> TOMLError {
            TOMLError(file: file, line: line, column: startColumn, message: message)
        }
        guard !token.isEmpty else { throw error("expected a value") }
        let text = String(decoding: token, as: UTF8.self)
        let shown = TOMLParser.excerpt(text)
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let number = TOMLScalars.number(token) { return number }
        if TOMLScalars.looksLikeDateTime(token) {
            if let canonical = TOMLScalars.dateTime(token) { return .dateTime(canonical) }
            throw fail("invalid date or time '\(shown)': expected a day that exists as YYYY-MM-DD, "
                + "a time HH:MM:SS[.fraction], or both joined by T, then Z or +HH:MM for an offset")
        }
        if scalars[start] == "t" || scalars[start] == "f" {
            throw fail("expected a value (true/false, a number, a string, an array or a table), found '\(shown)'")
        }
        throw fail("invalid value '\(shown)': expected a string (in quotes), a number, true/false, a date, an array or a table")
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        try enterLevel()
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipTrivia()
            if current == "]" { break }
            guard current != nil else { throw error("unterminated array: expected ']'") }
            elements.append(try value())
            try skipTrivia()
            guard current != nil else { throw error("unterminated array: expected ']'") }
            if current == "," { advance(); continue }
            if current == "]" { break }
            throw error("expected ',' or ']' in array")
        }
        advance()
        depth -= 1
        return .array(elements)
    }

    /// `{ key = value, ... }` on one line (values such as arrays may still span lines).
    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        let base = depth
        let table = TOMLTableNode(line: line, origin: .header)
        advance()
        skipSpaces()
        if current == "}" {
            advance()
            return .table(table.table())
        }
        while true {
            skipSpaces()
            let keyLine = line
            let keyColumn = column
            depth = base
            let keys = try key()
            skipSpaces()
            guard current == "=" else { throw error("expected '=' in inline table") }
            advance()
            skipSpaces()
            let v = try value()
            do throws(TOMLBuildError) {
                try TOMLBuilder.insert(keys, v, into: table, line: keyLine)
            } catch {
                throw TOMLError(file: file, line: keyLine, column: keyColumn, message: error.message)
            }
            skipSpaces()
            if current == "," { advance(); continue }
            if current == "}" { break }
            throw error("expected ',' or '}' in inline table")
        }
        advance()
        depth = base
        return .table(table.table())
    }

    // MARK: Strings

    /// A character that may not appear raw in a string: an error at it.
    private func stringCharacterError(_ c: Unicode.Scalar, closing: String) -> TOMLError {
        if c == "\n" || c == "\r" && peek(1) == "\n" {
            return error("unterminated string: expected \(closing)")
        }
        let escape = "\\u" + TOMLParser.hex4(c.value)
        return error("control character \(TOMLParser.describe(c)) in a string: write it as an escape such as \(escape)")
    }

    private mutating func basicString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated string: expected '\"'") }
            if c == "\"" { advance(); return String(out) }
            if c == "\\" {
                advance()
                out.append(try escape())
                continue
            }
            if c == "\n" || TOMLParser.isControl(c) { throw stringCharacterError(c, closing: "'\"'") }
            out.append(c)
            advance()
        }
    }

    private mutating func literalString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated string: expected \"'\"") }
            if c == "'" { advance(); return String(out) }
            if c == "\n" || TOMLParser.isControl(c) { throw stringCharacterError(c, closing: "\"'\"") }
            out.append(c)
            advance()
        }
    }

    /// `"""..."""` or `'''...'''`. A newline right after the opening is dropped; up to two
    /// quotes may touch the closing delimiter (`''''one''''` is `'one'`).
    private mutating func multilineString(literal: Bool) throws(TOMLError) -> String {
        let quote: Unicode.Scalar = literal ? "'" : "\""
        let delimiter = String(repeating: String(quote), count: 3)
        position += 3
        if atNewline { skipNewline() }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated multi-line string: expected \(delimiter)") }
            if c == quote {
                var run = 0
                while current == quote && run < 6 { run += 1; position += 1 }
                if run < 3 {
                    for _ in 0..<run { out.append(quote) }
                    continue
                }
                guard run <= 5 else {
                    position -= 1
                    throw error("too many quotes: at most two may come before the closing \(delimiter)")
                }
                for _ in 0..<(run - 3) { out.append(quote) }
                return String(out)
            }
            if atNewline {
                if c == "\r" { out.append(c); advance() }
                out.append("\n")
                advance()
                continue
            }
            if TOMLParser.isControl(c) { throw stringCharacterError(c, closing: delimiter) }
            advance()
            guard !literal && c == "\\" else {
                out.append(c)
                continue
            }
            // A backslash at the end of a line (spaces may follow it) trims the line break
            // and all white space up to the next other character.
            let afterBackslash = position
            skipSpaces()
            if atNewline {
                while let w = current, w == " " || w == "\t" || atNewline {
                    if atNewline { skipNewline() } else { advance() }
                }
                continue
            }
            // Not at a line end: back to the character after the backslash for its escape.
            position = afterBackslash
            out.append(try escape())
        }
    }

    /// Reads the escape after a backslash; errors point at the backslash.
    private mutating func escape() throws(TOMLError) -> Unicode.Scalar {
        let (file, line, column) = (self.file, self.line, self.column - 1)
        func fail(_ message: String) -> TOMLError {
            TOMLError(file: file, line: line, column: column, message: message)
        }
        guard let c = current else { throw fail("unterminated escape sequence") }
        switch c {
        case "n": advance(); return "\n"
        case "t": advance(); return "\t"
        case "r": advance(); return "\r"
        case "b": advance(); return "\u{08}"
        case "f": advance(); return "\u{0C}"
        case "\"": advance(); return "\""
        case "\\": advance(); return "\\"
        case "u", "U":
            advance()
            let count = c == "u" ? 4 : 8
            var hex = ""
            var digits = 0  // counted apart: String.count would make long runs quadratic
            while digits < count, let h = current, h.properties.isASCIIHexDigit {
                hex.unicodeScalars.append(h)
                digits += 1
                advance()
            }
            guard digits == count else {
                throw fail("invalid unicode escape '\\\(c)\(hex)': expected \(count) hex digits")
            }
            guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                throw fail("invalid unicode escape '\\\(c)\(hex)': not a Unicode scalar value")
            }
            return scalar
        default:
            let shown = TOMLParser.isControl(c) || c == "\n" ? TOMLParser.describe(c) : "'\\\(c)'"
            throw fail("invalid escape sequence \(shown): TOML has \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX")
        }
    }
}
