/// One record of a delimited file, valid only inside the reader's callback.
struct DelimitedRow {
    let base: UnsafePointer<UInt8>
    let spans: UnsafeBufferPointer<FieldSpan>
    /// Offset of the record's first byte, which is also the start of a line.
    let start: Int
    /// Line number of `start`.
    let line: Int
    /// Where doubled quotes are collapsed; each call to ``bytes(_:)`` uses fresh space.
    let scratch: UnsafeMutablePointer<UInt8>
    private let cursor: UnsafeMutablePointer<Int>

    init(base: UnsafePointer<UInt8>, spans: UnsafeBufferPointer<FieldSpan>, start: Int, line: Int,
         scratch: UnsafeMutablePointer<UInt8>, cursor: UnsafeMutablePointer<Int>) {
        self.base = base
        self.spans = spans
        self.start = start
        self.line = line
        self.scratch = scratch
        self.cursor = cursor
        cursor.pointee = 0
    }

    var count: Int { spans.count }

    /// The text of field `i`, with `""` collapsed to `"` in quoted fields.
    @inline(__always)
    func bytes(_ i: Int) -> FieldBytes {
        let span = spans[i]
        if !span.escaped { return FieldBytes(start: base + span.start, count: span.end - span.start) }
        let out = scratch + cursor.pointee
        var n = 0
        var k = span.start
        while k < span.end {
            out[n] = base[k]
            n += 1
            k += base[k] == DelimitedScanner.quote ? 2 : 1
        }
        cursor.pointee += n
        return FieldBytes(start: out, count: n)
    }

    /// Offset messages about field `i` point at.
    func origin(_ i: Int) -> Int { spans[i].origin }

    /// Line and column (both 1-based, column in characters) of a buffer offset in this record.
    func location(of offset: Int) -> (line: Int, column: Int) {
        DelimitedRow.location(base: base, recordStart: start, recordLine: line, offset: offset)
    }

    static func location(base: UnsafePointer<UInt8>, recordStart: Int, recordLine: Int, offset: Int) -> (line: Int, column: Int) {
        var line = recordLine
        var lineStart = recordStart
        var k = recordStart
        while k < offset {
            if base[k] == DelimitedScanner.lf {
                line += 1
                lineStart = k + 1
            }
            k += 1
        }
        var column = 1
        k = lineStart
        while k < offset {
            if base[k] & 0xC0 != 0x80 { column += 1 }  // count characters, not bytes
            k += 1
        }
        return (line, column)
    }
}

/// Reads a delimited text file record by record with constant memory.
///
/// Sniffs the first chunk for problems that make the whole file unreadable (empty, binary,
/// compressed), skips a UTF-8 byte-order mark, detects the delimiter from the first line
/// when none is given, and reports every bad record with its line and column.
///
/// One reader is used by one thread, and `body` gets a row, never the reader: the state read
/// and written per record skips the runtime's exclusivity checks (each a call into a
/// thread-local access set; perf: 1% of the reading thread).
final class DelimitedFileReader {
    let file: String
    let stream: ByteStream
    @exclusivity(unchecked) private(set) var scanner: DelimitedScanner
    /// Line number of the next record.
    @exclusivity(unchecked) private(set) var line = 1
    @exclusivity(unchecked) private var fields = FieldSpans()
    /// Records read to the end and, of those, rejected for a control character: a file
    /// where they are at least half is binary data (``BinaryRule``).
    @exclusivity(unchecked) private var records = 0
    private var controlRecords = 0
    private var firstControl: ReadIssue?
    private let scratch: UnsafeMutablePointer<UInt8>
    private let cursor: UnsafeMutablePointer<Int>

    var delimiter: UInt8 { scanner.delimiter }

    init(path: String, displayName: String, delimiter: UInt8?, quoting: Bool, progress: ProgressTracker?) throws(DatasetError) {
        file = displayName
        stream = try ByteStream(path: path, displayName: displayName, progress: progress)
        scratch = .allocate(capacity: stream.capacity)
        cursor = .allocate(capacity: 1)
        scanner = DelimitedScanner(delimiter: delimiter ?? UInt8(ascii: ","), quoting: quoting)
        while !stream.atEOF, stream.end < min(stream.capacity, 64 << 10) {
            try stream.refill()
        }
        try Sniffer.check(stream, file: displayName)
        if stream.end >= 3, stream.base[0] == 0xEF, stream.base[1] == 0xBB, stream.base[2] == 0xBF {
            stream.head = 3
        }
        if delimiter == nil, let found = DelimitedScanner.detectDelimiter(stream.base, from: stream.head, to: stream.end) {
            scanner.delimiter = found
        }
    }

    deinit {
        scratch.deallocate()
        cursor.deallocate()
        fields.deallocate()
    }

    /// Reads the first non-blank record as column names (trimmed).
    /// - Throws: ``DatasetError`` for an empty file or a header that is not valid text.
    func readHeader() throws(DatasetError) -> [String] {
        var names: [String]?
        var collector = IssueCollector(options: ReadOptions(strict: true))
        do {
            try forEachRecord(expectedFields: nil, collector: &collector, limit: 1) { row throws(RowProblem) in
                var out: [String] = []
                for i in 0..<row.count {
                    let b = FieldParsing.trim(row.bytes(i))
                    if let bad = FieldParsing.firstInvalidUTF8(b) {
                        throw RowProblem(kind: .invalidUTF8, reason: "header is not valid UTF-8", offset: row.origin(i) + bad)
                    }
                    out.append(FieldParsing.string(b))
                }
                names = out
            }
        } catch let error as DatasetError {
            // Column names with a control character: the file is binary data, not a table.
            let binary = error.issue?.kind == .controlCharacter ? "; this looks like binary data, not text" : ""
            throw DatasetError("\(error.message) (in the header row\(binary))", issue: error.issue)
        } catch {
            throw DatasetError("\(file): \(error)")
        }
        guard let names else { throw DatasetError("\(file): empty file (no header row)") }
        return names
    }

    /// Calls `body` for each record, in file order.
    ///
    /// A `RowProblem` thrown by `body`, a record with the wrong number of fields, or a quoting
    /// error becomes a ``ReadIssue`` in `collector` (which throws when strict); any other
    /// error from `body` stops the read.
    /// - Parameter limit: stop after this many records were passed to `body`.
    func forEachRecord(
        expectedFields: Int?, collector: inout IssueCollector, limit: Int = .max,
        _ body: (DelimitedRow) throws -> Void
    ) throws {
        var delivered = 0
        var control = -1
        while delivered < limit {
            if stream.head >= stream.end {
                if stream.atEOF {
                    try BinaryRule.check(file: file, rows: records, controlRows: controlRecords, first: firstControl)
                    return
                }
                try stream.refill()
                continue
            }
            let p = UnsafePointer(stream.base)
            let start = stream.head
            let result = scanner.scan(p, from: start, to: stream.end, final: stream.atEOF, fields: &fields, control: &control)
            switch result {
            case .needMore:
                if stream.isFull {
                    try skipOverlongRecord(collector: &collector)
                } else {
                    try stream.refill()
                }
            case .blank(let next, let newlines):
                stream.head = next
                line += newlines
            case .record(let next, let newlines):
                let recordLine = line
                stream.head = next
                line += newlines
                delivered += 1
                records += 1
                if control >= 0 {
                    try rejectControl(p, start: start, line: recordLine, at: control, collector: &collector)
                    continue
                }
                try deliver(p, start: start, line: recordLine, expectedFields: expectedFields, collector: &collector, body)
            case .malformedQuote(let at, let next, let newlines):
                let loc = DelimitedRow.location(base: p, recordStart: start, recordLine: line, offset: at)
                stream.head = next
                line += newlines
                try collector.reject(ReadIssue(
                    file: file, line: loc.line, column: loc.column,
                    reason: "unexpected '\(FieldParsing.preview(FieldBytes(start: p + at, count: 1)))' after a closing quote (write a quote inside a quoted field as \"\")",
                    kind: .malformedQuote))
            case .unterminatedQuote(let at):
                try rejectUnterminated(p, start: start, at: at, detail: "no closing quote before the end of the file", collector: &collector)
            }
        }
    }

    private func deliver(
        _ p: UnsafePointer<UInt8>, start: Int, line recordLine: Int, expectedFields: Int?,
        collector: inout IssueCollector, _ body: (DelimitedRow) throws -> Void
    ) throws {
        let spans = fields.buffer
        let row = DelimitedRow(base: p, spans: spans, start: start, line: recordLine, scratch: scratch, cursor: cursor)
        if let expected = expectedFields, spans.count != expected {
            let offset = spans.count > expected ? spans[expected].origin : spans[spans.count - 1].end + (spans[spans.count - 1].quote >= 0 ? 1 : 0)
            let loc = row.location(of: offset)
            try collector.reject(ReadIssue(
                file: file, line: loc.line, column: loc.column,
                reason: "expected \(expected) fields, found \(spans.count)", kind: .wrongColumnCount))
            return
        }
        do {
            try body(row)
        } catch let problem as RowProblem {
            let loc = row.location(of: problem.offset)
            try collector.reject(ReadIssue(file: file, line: loc.line, column: loc.column, reason: problem.reason, kind: problem.kind))
        }
    }

    /// Rejects a record holding a control character, pointing at the byte.
    private func rejectControl(_ p: UnsafePointer<UInt8>, start: Int, line recordLine: Int, at offset: Int, collector: inout IssueCollector) throws {
        let loc = DelimitedRow.location(base: p, recordStart: start, recordLine: recordLine, offset: offset)
        let issue = ReadIssue(
            file: file, line: loc.line, column: loc.column,
            reason: "control character \(DelimitedScanner.describeControl(p[offset])) in a field; expected text (ids and names may not hold control characters)",
            kind: .controlCharacter)
        controlRecords += 1
        if firstControl == nil { firstControl = issue }
        try collector.reject(issue)
    }

    /// Reports an unterminated quote and resumes on the line after the one it opened on, so a
    /// single stray quote costs one row rather than the rest of the file.
    private func rejectUnterminated(_ p: UnsafePointer<UInt8>, start: Int, at: Int, detail: String, collector: inout IssueCollector) throws {
        let loc = DelimitedRow.location(base: p, recordStart: start, recordLine: line, offset: at)
        var k = at
        while k < stream.end, p[k] != DelimitedScanner.lf { k += 1 }
        try collector.reject(ReadIssue(file: file, line: loc.line, column: loc.column, reason: "unterminated quote: \(detail)", kind: .unterminatedQuote))
        if k < stream.end {
            stream.head = k + 1
            line = loc.line + 1
        } else {
            line = loc.line
            try skipToNextLine()
        }
    }

    /// A record fills the whole buffer: report it and move past it.
    private func skipOverlongRecord(collector: inout IssueCollector) throws {
        let p = UnsafePointer(stream.base)
        let start = stream.head
        let limit = "\(stream.capacity >> 20) MiB"
        var control = -1
        if case .unterminatedQuote(let at) = scanner.scan(p, from: start, to: stream.end, final: true, fields: &fields, control: &control) {
            try rejectUnterminated(p, start: start, at: at, detail: "no closing quote within \(limit)", collector: &collector)
            return
        }
        try collector.reject(ReadIssue(file: file, line: line, column: 1, reason: "record longer than \(limit)", kind: .recordTooLong))
        var k = start
        while k < stream.end {
            if p[k] == DelimitedScanner.lf { line += 1 }
            k += 1
        }
        try skipToNextLine()
    }

    /// Discards input up to and including the next LF.
    private func skipToNextLine() throws {
        stream.discardAll()
        while true {
            try stream.refill()
            var k = stream.head
            while k < stream.end, stream.base[k] != DelimitedScanner.lf { k += 1 }
            if k < stream.end {
                stream.head = k + 1
                line += 1
                return
            }
            stream.discardAll()
            if stream.atEOF { return }
        }
    }
}

/// First-chunk checks that make a whole file unreadable.
enum Sniffer {
    static func check(_ stream: ByteStream, file: String) throws(DatasetError) {
        let p = stream.base
        let n = stream.end
        func starts(_ magic: [UInt8]) -> Bool {
            n >= magic.count && magic.indices.allSatisfy { p[$0] == magic[$0] }
        }
        if starts([0x1F, 0x8B]) { throw DatasetError("\(file): is gzip-compressed; decompress it first (gunzip)") }
        if starts([0x50, 0x4B, 0x03, 0x04]) { throw DatasetError("\(file): is a zip archive; extract it first") }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { throw DatasetError("\(file): is zstd-compressed; decompress it first") }
        if starts([0x42, 0x5A, 0x68]) { throw DatasetError("\(file): is bzip2-compressed; decompress it first") }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A]) { throw DatasetError("\(file): is xz-compressed; decompress it first") }
        // Control bytes (NUL included) are not judged here, on the first chunk only: that
        // made a NUL at byte 1,048,000 refuse the file and one at byte 1,049,000 pass into a
        // category name. Each record holding one is rejected wherever it is, and a file where
        // such records are at least half is refused at the end (``BinaryRule``).
        var meaningful = false
        for i in 0..<n {
            let c = p[i]
            if c != 0x20, c != 0x09, c != 0x0A, c != 0x0D, !(i < 3 && (c == 0xEF || c == 0xBB || c == 0xBF)) {
                meaningful = true
                break
            }
        }
        if !meaningful, stream.atEOF { throw DatasetError("\(file): empty file") }
    }
}

/// When a file is binary data rather than text with a few bad rows: decided from the whole
/// file, the same wherever the bad bytes are. Each row holding a control character is
/// rejected (lenient: skipped, counted, first examples kept; strict: the read stops at the
/// first); when such rows are at least half of the file's rows, the file is refused.
enum BinaryRule {
    static func check(file: String, rows: Int, controlRows: Int, first: ReadIssue?) throws(DatasetError) {
        guard controlRows > 0, controlRows * 2 >= rows else { return }
        let at = first.map { " (the first at \($0.line):\($0.column))" } ?? ""
        throw DatasetError("\(file): looks like binary data, not text: \(controlRows) of \(rows) rows hold control characters\(at); expected text rows", issue: first)
    }
}
