/// One field of a record: a byte range in the reader's buffer.
struct FieldSpan: Sendable {
    /// Content start (after an opening quote).
    var start: Int
    /// Content end (before a closing quote).
    var end: Int
    /// Offset of the opening quote, or -1 for an unquoted field. Messages point here.
    var quote: Int
    /// The content holds doubled quotes (`""`) that must be collapsed before use.
    var escaped: Bool

    /// Where messages about this field point.
    var origin: Int { quote >= 0 ? quote : start }
}

/// The spans of the record being scanned, in a buffer filled in place.
///
/// Why not an array: the scanner appends a span per field, and each append checked the
/// array's uniqueness through the runtime, and handing the spans to the row retained and
/// released it (perf: 4% of a large replay's reading thread, for eight fields a row).
/// Owned by one ``DelimitedFileReader``, which frees it.
struct FieldSpans {
    private(set) var base: UnsafeMutablePointer<FieldSpan>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 32) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// The spans as a buffer, valid until the next change.
    var buffer: UnsafeBufferPointer<FieldSpan> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// - Complexity: O(1) amortised (the buffer doubles when full).
    @inline(__always)
    mutating func append(_ span: FieldSpan) {
        if count == capacity { grow() }
        base[count] = span
        count += 1
    }

    private mutating func grow() {
        let grown = UnsafeMutablePointer<FieldSpan>.allocate(capacity: capacity * 2)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity *= 2
    }

    func deallocate() { base.deallocate() }
}

/// What scanning for one record found.
enum ScanResult: Sendable {
    /// A record; `fields` holds its spans. `next` is the first byte after its terminator.
    case record(next: Int, newlines: Int)
    /// An empty or whitespace-only line.
    case blank(next: Int, newlines: Int)
    /// The record runs past the buffered bytes.
    case needMore
    /// Text after a closing quote (`"ab"c`); the rest of the line is skipped.
    case malformedQuote(at: Int, next: Int, newlines: Int)
    /// A quote that is never closed before the end of input.
    case unterminatedQuote(at: Int)
}

/// An RFC 4180 record scanner over raw bytes.
///
/// Fields are separated by `delimiter`; records end at LF, CRLF or a lone CR. With `quoting`,
/// a field that starts with `"` runs to the next lone `"` and may hold delimiters, newlines
/// and doubled quotes. A quote inside an unquoted field is ordinary text (as in most
/// spreadsheet exports). Scanning never allocates: spans go into a reused array.
struct DelimitedScanner: Sendable {
    var delimiter: UInt8
    var quoting: Bool

    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// Scans one record starting at `start`.
    ///
    /// Also finds the record's first control character (``isControl(_:)``) in the same
    /// per-byte loop: a NUL or an escape byte must never become part of an id or a name, and
    /// checking here (rather than sniffing the start of the file) treats a bad byte the same
    /// wherever it is.
    ///
    /// - Parameters:
    ///   - final: no bytes will follow `end`, so a record cut off there is complete (or,
    ///     inside quotes, unterminated).
    ///   - control: set to the offset of the record's first control character, or -1.
    /// - Complexity: O(record length).
    func scan(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int, final: Bool, fields: inout FieldSpans, control: inout Int) -> ScanResult {
        fields.removeAll()
        control = -1
        let quote = Self.quote, lf = Self.lf, cr = Self.cr
        let delimiter = self.delimiter
        var i = start
        var newlines = 0
        while true {
            if quoting, i < end, p[i] == quote {
                let q = i
                i += 1
                let contentStart = i
                var escaped = false
                while true {
                    if i >= end { return final ? .unterminatedQuote(at: q) : .needMore }
                    let c = p[i]
                    if c == quote {
                        if i + 1 < end {
                            if p[i + 1] == quote {
                                escaped = true
                                i += 2
                                continue
                            }
                            break
                        }
                        if !final { return .needMore }
                        break
                    }
                    if c == lf {
                        newlines += 1
                    } else if c < 0x20 || c == 0x7F {
                        // Line breaks are what quoting is for; any other control byte is not.
                        if c != cr, c != delimiter, control < 0 { control = i }
                    }
                    i += 1
                }
                fields.append(FieldSpan(start: contentStart, end: i, quote: q, escaped: escaped))
                i += 1
                if i >= end { return final ? .record(next: end, newlines: newlines) : .needMore }
                let c = p[i]
                if c == delimiter {
                    i += 1
                    continue
                }
                if c == lf || c == cr {
                    return terminate(p, at: i, end: end, final: final, newlines: newlines, blank: false)
                }
                let bad = i
                // The rest of the line goes, up to whichever line end the file uses: a file
                // with lone CRs must not lose every row after a bad quote.
                while i < end, p[i] != lf, p[i] != cr { i += 1 }
                if i >= end { return final ? .malformedQuote(at: bad, next: end, newlines: newlines) : .needMore }
                if p[i] == cr {
                    if i + 1 >= end, !final { return .needMore }  // a CRLF may be split across buffers
                    if i + 1 < end, p[i + 1] == lf { i += 1 }
                }
                return .malformedQuote(at: bad, next: i + 1, newlines: newlines + 1)
            }
            let fieldStart = i
            while i < end {
                let c = p[i]
                // One compare on the common path (printable bytes); a tab is a control
                // character unless it is the delimiter.
                if c < 0x20 || c == 0x7F {
                    if c == delimiter || c == lf || c == cr { break }
                    if control < 0 { control = i }
                } else if c == delimiter {
                    break
                }
                i += 1
            }
            fields.append(FieldSpan(start: fieldStart, end: i, quote: -1, escaped: false))
            if i < end, p[i] == delimiter {
                i += 1
                continue
            }
            let blank = fields.count == 1 && isBlank(p, from: fieldStart, to: i)
            if i >= end {
                guard final else { return .needMore }
                return blank ? .blank(next: end, newlines: newlines) : .record(next: end, newlines: newlines)
            }
            return terminate(p, at: i, end: end, final: final, newlines: newlines, blank: blank)
        }
    }

    /// Bytes no id or name may hold: C0 controls (U+0000-U+001F) and DEL (U+007F). Tab is
    /// allowed only as the delimiter, line breaks only inside a quoted field.
    @inline(__always)
    static func isControl(_ c: UInt8) -> Bool { c < 0x20 || c == 0x7F }

    /// How messages name a control byte: `U+0000 (NUL)`.
    static func describeControl(_ c: UInt8) -> String {
        let names: [UInt8: String] = [0x00: "NUL", 0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return", 0x1B: "escape", 0x7F: "DEL"]
        let hex = String(c, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex + (names[c].map { " (\($0))" } ?? "")
    }

    /// Ends a record at the LF, CR or CRLF at `i`.
    @inline(__always)
    private func terminate(_ p: UnsafePointer<UInt8>, at i: Int, end: Int, final: Bool, newlines: Int, blank: Bool) -> ScanResult {
        var next = i + 1
        if p[i] == Self.cr {
            if i + 1 < end {
                if p[i + 1] == Self.lf { next = i + 2 }
            } else if !final {
                return .needMore  // a CR at the buffer's edge may be the first half of CRLF
            }
        }
        return blank ? .blank(next: next, newlines: newlines + 1) : .record(next: next, newlines: newlines + 1)
    }

    @inline(__always)
    private func isBlank(_ p: UnsafePointer<UInt8>, from a: Int, to b: Int) -> Bool {
        var k = a
        while k < b {
            if p[k] != FieldParsing.space, p[k] != FieldParsing.tab || delimiter == FieldParsing.tab { return false }
            k += 1
        }
        return true
    }

    /// Picks the delimiter of a header line: the candidate (`\t` `,` `;` `|`) occurring most
    /// often outside quotes, ties going to that order. `nil` when none occurs.
    static func detectDelimiter(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> UInt8? {
        let candidates: [UInt8] = [UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var i = start
        while i < end {
            let c = p[i]
            if c == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if c == lf || c == cr { break }
                if let k = candidates.firstIndex(of: c) { counts[k] += 1 }
            }
            i += 1
        }
        guard let best = counts.max(), best > 0 else { return nil }
        return candidates[counts.firstIndex(of: best)!]
    }
}
