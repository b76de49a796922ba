/// A JSON value found on a line, as bytes borrowed from the line (or the unescape scratch).
struct JSONValue {
    enum Kind { case string, number, bool, null, array, object }
    var kind: Kind
    var bytes: FieldBytes
    /// Offset of the value's first byte in the line buffer.
    var offset: Int
    /// For arrays: the range of scalar elements in ``JSONLineParser/elements``.
    var elements: Range<Int>

    /// Offset of the first content byte (after the opening quote of a string).
    var contentOffset: Int { kind == .string ? offset + 1 : offset }
}

/// Parses one JSON object per line and keeps the values of the keys that feed event fields.
///
/// Hand-written rather than `JSONSerialization` so that a line costs no allocation beyond the
/// identifiers themselves, and a malformed line reports the column where it went wrong.
/// Keys map to fields through `--map` and the aliases, cached per spelling.
struct JSONLineParser {
    /// Values found on the current line, by `EventField.rawValue`.
    private(set) var found: [JSONValue?] = Array(repeating: nil, count: EventField.allCases.count)
    /// Scalar elements of captured arrays.
    private(set) var elements: [JSONValue] = []
    /// Keys that matched no field, for the report (first 20).
    private(set) var ignoredKeys: [String] = []

    private var keyCache: [[UInt8]] = []
    private var keyFields: [Int] = []
    private let map: [String: EventField?]
    private let wanted: Set<EventField>
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private var scratchUsed = 0

    static let maxDepth = 64

    init(map: [String: EventField?], wanted: Set<EventField>) {
        self.map = map
        self.wanted = wanted
        scratchCapacity = 1 << 16
        scratch = .allocate(capacity: scratchCapacity)
    }

    /// Frees the unescape scratch; call once when done.
    mutating func release() {
        scratch.deallocate()
        scratchCapacity = 0
    }

    /// Parses the object in `p[start..<end]`.
    mutating func parse(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) throws(RowProblem) {
        for k in found.indices { found[k] = nil }
        elements.removeAll(keepingCapacity: true)
        if end - start > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = end - start
            scratch = .allocate(capacity: scratchCapacity)
        }
        scratchUsed = 0
        var i = skipSpace(p, start, end)
        guard i < end, p[i] == UInt8(ascii: "{") else {
            throw RowProblem(kind: .malformedJSON, reason: "malformed JSON: expected an object '{'", offset: i)
        }
        i = try object(p, i, end, depth: 0, capture: true)
        i = skipSpace(p, i, end)
        if i < end {
            throw RowProblem(kind: .malformedJSON, reason: "malformed JSON: unexpected text after the object", offset: i)
        }
    }

    // MARK: Grammar

    @inline(__always)
    private func skipSpace(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D || p[i] == 0x0A { i += 1 }
        return i
    }

    /// A control character (raw or escaped) in a string: the row is rejected, as in CSV.
    static func control(_ c: UInt8, _ offset: Int) -> RowProblem {
        RowProblem(kind: .controlCharacter, reason: "control character \(DelimitedScanner.describeControl(c)) in a string; expected text (ids and names may not hold control characters)", offset: offset)
    }

    private func fail(_ what: String, _ offset: Int) -> RowProblem {
        RowProblem(kind: .malformedJSON, reason: "malformed JSON: \(what)", offset: offset)
    }

    /// Parses `{...}` at `i`; with `capture`, keeps wanted top-level values.
    private mutating func object(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, depth: Int, capture: Bool) throws(RowProblem) -> Int {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)", start) }
        var i = skipSpace(p, start + 1, end)
        if i < end, p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes", i) }
            let (key, afterKey) = try string(p, i, end)
            i = skipSpace(p, afterKey, end)
            guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key", i) }
            i = skipSpace(p, i + 1, end)
            let field = capture ? fieldIndex(key) : -1
            let valueStart = i
            let (value, after) = try value(p, i, end, depth: depth + 1, captureArray: field >= 0)
            if field >= 0 {
                var v = value
                v.offset = valueStart
                found[field] = v
            }
            i = skipSpace(p, after, end)
            guard i < end else { throw fail("expected ',' or '}'", i) }
            if p[i] == UInt8(ascii: ",") {
                i = skipSpace(p, i + 1, end)
                continue
            }
            guard p[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'", i) }
            return i + 1
        }
    }

    private mutating func value(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, depth: Int, captureArray: Bool) throws(RowProblem) -> (JSONValue, Int) {
        guard i < end else { throw fail("expected a value", i) }
        let c = p[i]
        switch c {
        case UInt8(ascii: "\""):
            let (s, after) = try string(p, i, end)
            return (JSONValue(kind: .string, bytes: s, offset: i, elements: 0..<0), after)
        case UInt8(ascii: "{"):
            let after = try object(p, i, end, depth: depth, capture: false)
            return (JSONValue(kind: .object, bytes: FieldBytes(start: p + i, count: after - i), offset: i, elements: 0..<0), after)
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)", i) }
            let first = elements.count
            var k = skipSpace(p, i + 1, end)
            if k < end, p[k] == UInt8(ascii: "]") {
                return (JSONValue(kind: .array, bytes: FieldBytes(start: p + i, count: k + 1 - i), offset: i, elements: first..<first), k + 1)
            }
            while true {
                let (element, after) = try value(p, k, end, depth: depth + 1, captureArray: false)
                if captureArray, element.kind == .string || element.kind == .number { elements.append(element) }
                k = skipSpace(p, after, end)
                guard k < end else { throw fail("expected ',' or ']'", k) }
                if p[k] == UInt8(ascii: ",") {
                    k = skipSpace(p, k + 1, end)
                    continue
                }
                guard p[k] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'", k) }
                return (JSONValue(kind: .array, bytes: FieldBytes(start: p + i, count: k + 1 - i), offset: i, elements: first..<elements.count), k + 1)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let word: StaticString = c == UInt8(ascii: "t") ? "true" : c == UInt8(ascii: "f") ? "false" : "null"
            let n = word.utf8CodeUnitCount
            guard i + n <= end, (0..<n).allSatisfy({ p[i + $0] == word.utf8Start[$0] }) else { throw fail("unknown literal", i) }
            return (JSONValue(kind: c == UInt8(ascii: "n") ? .null : .bool, bytes: FieldBytes(start: p + i, count: n), offset: i, elements: 0..<0), i + n)
        default:
            var k = i
            while k < end {
                let d = p[k]
                guard FieldParsing.isDigit(d) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                    || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") else { break }
                k += 1
            }
            guard k > i else { throw fail("unexpected character '\(FieldParsing.preview(FieldBytes(start: p + i, count: 1)))'", i) }
            return (JSONValue(kind: .number, bytes: FieldBytes(start: p + i, count: k - i), offset: i, elements: 0..<0), k)
        }
    }

    /// Parses a string at the quote `i`; returns its content (unescaped into scratch if needed).
    private mutating func string(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) throws(RowProblem) -> (FieldBytes, Int) {
        var k = i + 1
        while k < end {
            let c = p[k]
            if c == UInt8(ascii: "\"") { return (FieldBytes(start: p + i + 1, count: k - i - 1), k + 1) }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 || c == 0x7F { throw Self.control(c, k) }
            k += 1
        }
        guard k < end else { throw fail("unterminated string", i) }
        // Slow path: copy what came before the first escape, then decode escapes.
        let out = scratch + scratchUsed
        var n = k - i - 1
        out.update(from: p + i + 1, count: n)
        while k < end {
            let c = p[k]
            if c == UInt8(ascii: "\"") {
                scratchUsed += n
                return (FieldBytes(start: out, count: n), k + 1)
            }
            if c < 0x20 || c == 0x7F { throw Self.control(c, k) }
            if c != UInt8(ascii: "\\") {
                out[n] = c
                n += 1
                k += 1
                continue
            }
            guard k + 1 < end else { break }
            let e = p[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out[n] = e
            // Escaped, a control character is still one: only line breaks may be in a
            // name (as inside a quoted CSV field); \b \f \t and \u0000-\u001F, \u007F reject
            // the row as they do in CSV.
            case UInt8(ascii: "b"): throw Self.control(0x08, k - 2)
            case UInt8(ascii: "f"): throw Self.control(0x0C, k - 2)
            case UInt8(ascii: "n"): out[n] = 0x0A
            case UInt8(ascii: "r"): out[n] = 0x0D
            case UInt8(ascii: "t"): throw Self.control(0x09, k - 2)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(p, k, end) else { throw fail("bad \\u escape", k - 2) }
                k += 4
                if scalar >= 0xD800, scalar < 0xDC00 {
                    guard k + 6 <= end, p[k] == UInt8(ascii: "\\"), p[k + 1] == UInt8(ascii: "u"),
                          let low = hex4(p, k + 2, end), low >= 0xDC00, low < 0xE000
                    else { throw fail("unpaired surrogate in \\u escape", k - 6) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    throw fail("unpaired surrogate in \\u escape", k - 6)
                } else if (scalar < 0x20 && scalar != 0x0A && scalar != 0x0D) || scalar == 0x7F {
                    throw Self.control(UInt8(scalar), k - 6)
                }
                for unit in UTF8.encode(Unicode.Scalar(scalar)!)! {
                    out[n] = unit
                    n += 1
                }
                continue
            default:
                throw fail("bad escape '\\\(FieldParsing.preview(FieldBytes(start: p + k - 1, count: 1)))'", k - 2)
            }
            n += 1
        }
        throw fail("unterminated string", i)
    }

    private func hex4(_ p: UnsafePointer<UInt8>, _ k: Int, _ end: Int) -> UInt32? {
        guard k + 4 <= end else { return nil }
        var v: UInt32 = 0
        for j in 0..<4 {
            let c = p[k + j]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// The field a key feeds (-1 for none), cached per spelling.
    private mutating func fieldIndex(_ key: FieldBytes) -> Int {
        for k in keyCache.indices where keyCache[k].count == key.count {
            if keyCache[k].withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return keyFields[k] }
        }
        let name = FieldParsing.utf8OrLatin1(key)
        let normalised = ColumnSchema.normalise(name)
        var field: EventField?
        if let mapped = map[normalised] {
            field = mapped
        } else {
            field = EventField.allCases.first { $0.aliases.contains(normalised) }
        }
        var index = -1
        if let field, wanted.contains(field) {
            index = field.rawValue
        } else if ignoredKeys.count < 20 {
            ignoredKeys.append(name)
        }
        if keyCache.count < 256 {
            keyCache.append(Array(key))
            keyFields.append(index)
        }
        return index
    }
}
