/// A TOML 1.0 parser for the files Driftscope reads: themes, scenarios and the config file.
///
/// It covers tables, arrays of tables, dotted keys, basic/literal/multi-line strings,
/// integers (decimal, hex, octal, binary, underscores), floats (inf, nan), booleans,
/// date-times (kept as text), arrays and inline tables. Every error names line and column.
///
/// Written here rather than depended on because errors must point at the user's line and
/// key, and a parsed value must remember its line for schema errors found later.
public struct TOMLParser {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var position = 0
    private var line = 1
    private var lineStart = 0

    /// Parses a whole document into its root table.
    public static func parse(_ text: String, file: String = "<input>") throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(scalars: Array(text.unicodeScalars), file: file)
        return try parser.document()
    }

    private init(scalars: [Unicode.Scalar], file: String) {
        self.scalars = scalars
        self.file = file
        if scalars.first == "\u{FEFF}" { position = 1 }
    }

    // MARK: Errors

    private func error(_ message: String) -> TOMLError {
        TOMLError(file: file, line: line, column: position - lineStart + 1, message: message)
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

    private mutating func skipSpaces() {
        while let c = current, c == " " || c == "\t" { advance() }
    }

    private mutating func skipComment() throws(TOMLError) {
        guard current == "#" else { return }
        while let c = current, c != "\n" {
            if c.value < 0x20 && c != "\t" && c != "\r" { throw error("control character in comment") }
            advance()
        }
    }

    /// Spaces, comments and newlines (between values in arrays, between statements).
    private mutating func skipTrivia() throws(TOMLError) {
        while let c = current {
            if c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
            else if c == "#" { try skipComment() }
            else { break }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        try skipComment()
        if current == "\r" { advance() }
        guard let c = current else { return }
        guard c == "\n" else { throw error("expected the end of the line, found '\(c)'") }
        advance()
    }

    // MARK: Document

    private mutating func document() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        var path: [String] = []
        var isArrayTable = false
        var defined = Set<[String]>()
        while true {
            try skipTrivia()
            guard let c = current else { break }
            if c == "[" {
                let headerLine = line
                advance()
                isArrayTable = current == "["
                if isArrayTable { advance() }
                skipSpaces()
                path = try key()
                skipSpaces()
                guard current == "]" else { throw error("expected ']' to close the table header") }
                advance()
                if isArrayTable {
                    guard current == "]" else { throw error("expected ']]' to close the array-of-tables header") }
                    advance()
                    try appendArrayTable(&root, path: path, line: headerLine)
                    // Sub-tables belong to the previous element: the new one may define them again.
                    defined = defined.filter { !($0.count > path.count && Array($0.prefix(path.count)) == path) }
                } else {
                    if case .array? = TOMLParser.value(in: root, at: path[...]) {
                        throw TOMLError(file: file, line: headerLine, column: 1, message: "table [\(path.joined(separator: "."))] is already an array of tables ([[\(path.joined(separator: "."))]])")
                    }
                    guard defined.insert(path).inserted else {
                        throw TOMLError(file: file, line: headerLine, column: 1, message: "table [\(path.joined(separator: "."))] is defined twice")
                    }
                    try ensureTable(&root, path: path, line: headerLine)
                }
                try endOfLine()
            } else {
                let keyLine = line
                let keyColumn = position - lineStart + 1
                let keys = try key()
                skipSpaces()
                guard current == "=" else { throw error("expected '=' after key '\(keys.joined(separator: "."))'") }
                advance()
                skipSpaces()
                let v = try value()
                do {
                    try insert(&root, tablePath: path, inArray: isArrayTable, keys: keys, value: v, line: keyLine)
                } catch {
                    throw TOMLError(file: file, line: keyLine, column: keyColumn, message: error.message)
                }
                try endOfLine()
            }
        }
        return root
    }

    /// The value at `path`, stepping into the last element of arrays of tables on the way.
    static func value(in table: TOMLTable, at path: ArraySlice<String>) -> TOMLValue? {
        guard let head = path.first, let v = table[head] else { return nil }
        let rest = path.dropFirst()
        if rest.isEmpty { return v }
        switch v {
        case .table(let t): return value(in: t, at: rest)
        case .array(let elements):
            if case .table(let t)? = elements.last { return value(in: t, at: rest) }
            return nil
        default: return nil
        }
    }

    // MARK: Keys

    private mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = current else { throw error("expected a key") }
            if c == "\"" { parts.append(try basicString()) }
            else if c == "'" { parts.append(try literalString()) }
            else {
                var s = String.UnicodeScalarView()
                while let c = current, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                    s.append(c)
                    advance()
                }
                guard !s.isEmpty else {
                    throw error(c == "\n" || c == "\r" ? "expected a key, found the end of the line" : "expected a key, found '\(c)'")
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
            if peek(1) == "\"" && peek(2) == "\"" { return .string(try multilineBasicString()) }
            return .string(try basicString())
        case "'":
            if peek(1) == "'" && peek(2) == "'" { return .string(try multilineLiteralString()) }
            return .string(try literalString())
        case "[": return try array()
        case "{": return try inlineTable()
        case "t", "f":
            if matches("true") { position += 4; return .boolean(true) }
            if matches("false") { position += 5; return .boolean(false) }
            throw error("expected a value (true/false, a number, a string, an array or a table)")
        default:
            return try numberOrDate()
        }
    }

    private func matches(_ word: String) -> Bool {
        var i = position
        for s in word.unicodeScalars {
            guard i < scalars.count, scalars[i] == s else { return false }
            i += 1
        }
        return true
    }

    private mutating func numberOrDate() throws(TOMLError) -> TOMLValue {
        let startColumn = position
        var text = ""
        while let c = current, !(c == "," || c == "]" || c == "}" || c == "#" || c == "\n" || c == "\r") {
            // A date-time may contain one space between date and time.
            if c == " " || c == "\t" {
                if text.count == 10, text.contains("-"), let n = peek(1), ("0"..."9").contains(n) {
                    text.unicodeScalars.append("T")
                    advance()
                    continue
                }
                break
            }
            text.unicodeScalars.append(c)
            advance()
        }
        guard !text.isEmpty else { position = startColumn; throw error("expected a value") }
        if let v = TOMLParser.number(text) { return v }
        if TOMLParser.looksLikeDate(text) { return .dateTime(text) }
        position = startColumn
        throw error("invalid value '\(text)': expected a string (in quotes), a number, true/false, an array or a table")
    }

    static func number(_ raw: String) -> TOMLValue? {
        switch raw {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if raw.hasPrefix("_") || raw.hasSuffix("_") || raw.contains("__") { return nil }
        let s = raw.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where s.hasPrefix(prefix) {
            return Int(s.dropFirst(2), radix: radix).map(TOMLValue.integer)
        }
        if let i = Int(s) {
            let digits = s.hasPrefix("+") || s.hasPrefix("-") ? s.dropFirst() : Substring(s)
            if digits.count > 1 && digits.hasPrefix("0") { return nil }
            return .integer(i)
        }
        let isFloatShaped = s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        guard isFloatShaped, !s.hasPrefix("."), !s.hasSuffix("."), !s.contains(".e"), !s.contains(".E"), let d = Double(s) else { return nil }
        // As for integers, the integer part may not have leading zeros ("01.5" is invalid).
        let unsigned = s.hasPrefix("+") || s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        let integerPart = unsigned.prefix { $0 != "." && $0 != "e" && $0 != "E" }
        if integerPart.count > 1 && integerPart.hasPrefix("0") { return nil }
        // Double(_:) also takes hex floats and "infinity"; TOML does not.
        guard unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-") }) else { return nil }
        return .float(d)
    }

    static func looksLikeDate(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        func digit(_ i: Int) -> Bool { i < scalars.count && ("0"..."9").contains(scalars[i]) }
        if scalars.count >= 10, digit(0), digit(3), scalars[4] == "-", scalars[7] == "-" { return true }
        if scalars.count >= 8, digit(0), digit(1), scalars[2] == ":", scalars[5] == ":" { return true }
        return false
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipTrivia()
            if current == "]" { advance(); return .array(elements) }
            guard current != nil else { throw error("unterminated array: expected ']'") }
            elements.append(try value())
            try skipTrivia()
            guard current != nil else { throw error("unterminated array: expected ']'") }
            if current == "," { advance(); continue }
            if current == "]" { advance(); return .array(elements) }
            throw error("expected ',' or ']' in array")
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        let tableLine = line
        advance()
        var table = TOMLTable()
        table.line = tableLine
        skipSpaces()
        if current == "}" { advance(); return .table(table) }
        while true {
            skipSpaces()
            let keyLine = line
            let keys = try key()
            skipSpaces()
            guard current == "=" else { throw error("expected '=' in inline table") }
            advance()
            skipSpaces()
            let v = try value()
            do {
                try TOMLParser.insert(into: &table, keys: keys[...], value: v, line: keyLine)
            } catch { throw self.error(error.message) }
            skipSpaces()
            if current == "," { advance(); continue }
            if current == "}" { advance(); return .table(table) }
            throw error("expected ',' or '}' in inline table")
        }
    }

    // MARK: Strings

    private mutating func basicString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current, c != "\n" else { throw error("unterminated string: expected '\"'") }
            advance()
            if c == "\"" { return String(out) }
            if c == "\\" { out.append(try escape()) } else { out.append(c) }
        }
    }

    private mutating func multilineBasicString() throws(TOMLError) -> String {
        position += 3
        if current == "\r" { advance() }
        if current == "\n" { advance() }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated multi-line string: expected '\"\"\"'") }
            if c == "\"" && peek(1) == "\"" && peek(2) == "\"" {
                position += 3
                while current == "\"" { out.append("\""); advance() }
                return String(out)
            }
            advance()
            if c == "\\" {
                // A line-ending backslash trims the newline and leading white space.
                if let n = current, n == "\n" || n == " " || n == "\t" || n == "\r" {
                    while let w = current, w == "\n" || w == " " || w == "\t" || w == "\r" { advance() }
                    continue
                }
                out.append(try escape())
            } else {
                out.append(c)
            }
        }
    }

    private mutating func literalString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current, c != "\n" else { throw error("unterminated string: expected \"'\"") }
            advance()
            if c == "'" { return String(out) }
            out.append(c)
        }
    }

    private mutating func multilineLiteralString() throws(TOMLError) -> String {
        position += 3
        if current == "\r" { advance() }
        if current == "\n" { advance() }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated multi-line string: expected \"'''\"") }
            if c == "'" && peek(1) == "'" && peek(2) == "'" {
                position += 3
                return String(out)
            }
            advance()
            out.append(c)
        }
    }

    /// Reads the escape after a backslash; errors point at the backslash.
    private mutating func escape() throws(TOMLError) -> Unicode.Scalar {
        let (file, line, column) = (self.file, self.line, position - 1 - lineStart + 1)
        func fail(_ message: String) -> TOMLError {
            TOMLError(file: file, line: line, column: column, message: message)
        }
        guard let c = current else { throw fail("unterminated escape sequence") }
        advance()
        switch c {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "\"": return "\""
        case "\\": return "\\"
        case "e": return "\u{1B}"
        case "u", "U":
            let count = c == "u" ? 4 : 8
            var hex = ""
            while hex.unicodeScalars.count < count, let h = current, h.properties.isASCIIHexDigit {
                hex.unicodeScalars.append(h)
                advance()
            }
            guard hex.unicodeScalars.count == count else {
                throw fail("invalid unicode escape '\\\(c)\(hex)': expected \(count) hex digits")
            }
            guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                throw fail("invalid unicode escape '\\\(c)\(hex)': not a Unicode scalar value")
            }
            return scalar
        default:
            throw fail("invalid escape sequence '\\\(c)'")
        }
    }

    // MARK: Building the tree

    private struct InsertError: Error { var message: String }

    private static func insert(into table: inout TOMLTable, keys: ArraySlice<String>, value: TOMLValue, line: Int) throws(InsertError) {
        let head = keys.first!
        if keys.count == 1 {
            guard table[head] == nil else { throw InsertError(message: "key '\(head)' is defined twice") }
            table.set(head, value, line: line)
            return
        }
        var child: TOMLTable
        switch table[head] {
        case nil: child = TOMLTable(); child.line = line
        case .table(let t)?: child = t
        default: throw InsertError(message: "key '\(head)' is not a table")
        }
        try insert(into: &child, keys: keys.dropFirst(), value: value, line: line)
        table.set(head, .table(child), line: table[head] == nil ? line : table.line(of: head))
    }

    private func insert(_ root: inout TOMLTable, tablePath: [String], inArray: Bool, keys: [String], value: TOMLValue, line: Int) throws(InsertError) {
        try TOMLParser.modify(&root, path: tablePath[...], line: line, lastArrayElement: inArray) { (table) throws(InsertError) in
            try TOMLParser.insert(into: &table, keys: keys[...], value: value, line: line)
        }
    }

    private func ensureTable(_ root: inout TOMLTable, path: [String], line: Int) throws(TOMLError) {
        do {
            try TOMLParser.modify(&root, path: path[...], line: line, lastArrayElement: false) { (_) throws(InsertError) in }
        } catch { throw TOMLError(file: file, line: line, column: 1, message: error.message) }
    }

    private func appendArrayTable(_ root: inout TOMLTable, path: [String], line: Int) throws(TOMLError) {
        do {
            try TOMLParser.modify(&root, path: path.dropLast(), line: line, lastArrayElement: false) { (parent) throws(InsertError) in
                let name = path.last!
                var element = TOMLTable()
                element.line = line
                switch parent[name] {
                case nil: parent.set(name, .array([.table(element)]), line: line)
                case .array(var elements)?:
                    elements.append(.table(element))
                    parent.set(name, .array(elements), line: parent.line(of: name))
                default: throw InsertError(message: "key '\(name)' is not an array of tables")
                }
            }
        } catch { throw TOMLError(file: file, line: line, column: 1, message: error.message) }
    }

    /// Walks to the table at `path` (creating tables on the way; stepping into the last
    /// element of arrays of tables) and lets `body` change it.
    private static func modify(_ table: inout TOMLTable, path: ArraySlice<String>, line: Int, lastArrayElement: Bool, _ body: (inout TOMLTable) throws(InsertError) -> Void) throws(InsertError) {
        guard let head = path.first else { return try body(&table) }
        let rest = path.dropFirst()
        switch table[head] {
        case nil:
            var child = TOMLTable()
            child.line = line
            try modify(&child, path: rest, line: line, lastArrayElement: lastArrayElement, body)
            table.set(head, .table(child), line: line)
        case .table(var child)?:
            try modify(&child, path: rest, line: line, lastArrayElement: lastArrayElement, body)
            table.set(head, .table(child), line: table.line(of: head))
        case .array(var elements)?:
            guard case .table(var last)? = elements.last else { throw InsertError(message: "key '\(head)' is an array, not a table") }
            try modify(&last, path: rest, line: line, lastArrayElement: lastArrayElement, body)
            elements[elements.count - 1] = .table(last)
            table.set(head, .array(elements), line: table.line(of: head))
        default:
            throw InsertError(message: "key '\(head)' is \(table[head]!.typeNameWithArticle), not a table")
        }
    }
}
