/// Reads events from a JSON Lines file: one object per line, keys found like CSV columns.
///
/// The first object must hold user, item and timestamp keys (else the file is rejected as a
/// whole, like a CSV without those columns); a later object missing one is a bad row. Blank
/// lines are skipped.
enum JSONLinesEventReader {
    static func read(
        path: String, file: String, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?, body: (Event) throws -> Void
    ) throws {
        let stream = try ByteStream(path: path, displayName: file, progress: progress)
        while !stream.atEOF, stream.end < min(stream.capacity, 64 << 10) { try stream.refill() }
        try Sniffer.check(stream, file: file)
        if stream.end >= 3, stream.base[0] == 0xEF, stream.base[1] == 0xBB, stream.base[2] == 0xBF { stream.head = 3 }

        var parser = JSONLineParser(map: try ColumnSchema.parseMap(options.columnMap), wanted: DelimitedEventReader.wanted)
        defer { parser.release() }
        var decoder = ValueDecoder()
        var line = 1
        var accepted = 0
        var sawObject = false
        // Non-blank lines, and those rejected for a control character (``BinaryRule``).
        var rows = 0
        var controlRows = 0
        var firstControl: ReadIssue?

        func handle(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, collector: inout IssueCollector) throws {
            var stop = end
            if stop > start, p[stop - 1] == DelimitedScanner.cr { stop -= 1 }
            var k = start
            while k < stop, p[k] == 0x20 || p[k] == 0x09 { k += 1 }
            if k == stop { return }  // blank line
            rows += 1
            do {
                try parser.parse(p, from: start, to: stop)
                if !sawObject {
                    sawObject = true
                    let missing = [EventField.user, .item, .timestamp].filter { parser.found[$0.rawValue] == nil }
                    if !missing.isEmpty {
                        throw DatasetError(
                            "\(file): the first object has no \(missing.map(\.name).joined(separator: ", ")) key (name keys with --map KEY=FIELD; aliases: \(missing.map { $0.aliases.joined(separator: "/") }.joined(separator: "; ")))")
                    }
                }
                let event = try makeEvent(parser, decoder: &decoder, lineEnd: stop)
                try body(event)
                accepted += 1
            } catch var problem as RowProblem {
                // A control byte where JSON expected a token is binary data, not a syntax slip:
                // counted as such, as the CSV readers count it.
                if problem.kind == .malformedJSON, problem.offset < stop, DelimitedScanner.isControl(p[problem.offset]) {
                    problem = JSONLineParser.control(p[problem.offset], problem.offset)
                }
                var column = 1
                var j = start
                while j < problem.offset {
                    if p[j] & 0xC0 != 0x80 { column += 1 }
                    j += 1
                }
                let issue = ReadIssue(file: file, line: line, column: column, reason: problem.reason, kind: problem.kind)
                if issue.kind == .controlCharacter {
                    controlRows += 1
                    if firstControl == nil { firstControl = issue }
                }
                try collector.reject(issue)
            }
        }

        while true {
            let p = UnsafePointer(stream.base)
            var k = stream.head
            let end = stream.end
            while k < end, p[k] != DelimitedScanner.lf { k += 1 }
            if k < end {
                try handle(p, stream.head, k, collector: &collector)
                stream.head = k + 1
                line += 1
            } else if stream.atEOF {
                if stream.head < end { try handle(p, stream.head, end, collector: &collector) }
                break
            } else if stream.isFull {
                try collector.reject(ReadIssue(file: file, line: line, column: 1, reason: "line longer than \(stream.capacity >> 20) MiB", kind: .recordTooLong))
                while true {
                    stream.discardAll()
                    try stream.refill()
                    var j = stream.head
                    while j < stream.end, stream.base[j] != DelimitedScanner.lf { j += 1 }
                    if j < stream.end {
                        stream.head = j + 1
                        line += 1
                        break
                    }
                    if stream.atEOF {
                        stream.discardAll()
                        break
                    }
                }
            } else {
                try stream.refill()
            }
        }
        try BinaryRule.check(file: file, rows: rows, controlRows: controlRows, first: firstControl)
        if !sawObject { throw DatasetError("\(file): empty file (no JSON object)") }
        if !parser.ignoredKeys.isEmpty {
            collector.note("\(file): ignored key\(parser.ignoredKeys.count > 1 ? "s" : "") \(parser.ignoredKeys.joined(separator: ", "))")
        }
        collector.report.accepted += accepted
    }

    private static func makeEvent(_ parser: JSONLineParser, decoder: inout ValueDecoder, lineEnd: Int) throws(RowProblem) -> Event {
        func value(_ field: EventField) -> JSONValue? {
            guard let v = parser.found[field.rawValue], v.kind != .null else { return nil }
            return v
        }
        func required(_ field: EventField) throws(RowProblem) -> JSONValue {
            guard let v = parser.found[field.rawValue] else {
                throw RowProblem(kind: .missingField, reason: "missing field '\(field.name)'", offset: lineEnd)
            }
            guard v.kind == .string || v.kind == .number else {
                throw RowProblem(kind: v.kind == .null ? .emptyField : .malformedJSON, reason: "\(field.name) must be a string or a number", offset: v.offset)
            }
            return v
        }
        func scalar(_ field: EventField) throws(RowProblem) -> JSONValue? {
            guard let v = value(field) else { return nil }
            guard v.kind == .string || v.kind == .number else {
                throw RowProblem(kind: .malformedJSON, reason: "\(field.name) must be a string or a number", offset: v.offset)
            }
            return v
        }
        let u = try required(.user)
        let i = try required(.item)
        let t = try required(.timestamp)
        let user = try decoder.identifier(u.bytes, at: u.contentOffset, column: EventField.user.name)
        let item = try decoder.identifier(i.bytes, at: i.contentOffset, column: EventField.item.name)
        let time = try decoder.timestamp(t.bytes, at: t.contentOffset, column: EventField.timestamp.name)
        var amount: Double?
        if let v = try scalar(.value) { amount = try decoder.number(v.bytes, at: v.contentOffset, column: EventField.value.name) }
        let action: Action
        if let a = value(.action) {
            guard a.kind == .string else { throw RowProblem(kind: .unknownAction, reason: "action must be a string", offset: a.offset) }
            action = try decoder.action(a.bytes, at: a.contentOffset, column: EventField.action.name)
        } else {
            action = amount == nil ? .view : .rating
        }
        var attributes = ItemAttributes()
        if let c = value(.category) {
            switch c.kind {
            case .string:
                attributes.categories = try decoder.list(c.bytes, at: c.contentOffset, column: EventField.category.name, separators: .list)
            case .number:
                attributes.categories = [FieldParsing.string(c.bytes)]
            case .array:
                for k in c.elements {
                    let e = parser.elements[k]
                    if let name = try decoder.text(e.bytes, at: e.contentOffset, column: EventField.category.name) { attributes.categories.append(name) }
                }
            default:
                throw RowProblem(kind: .malformedJSON, reason: "category must be a string or an array of strings", offset: c.offset)
            }
        }
        if let b = try scalar(.brand) { attributes.brand = try decoder.text(b.bytes, at: b.contentOffset, column: EventField.brand.name) }
        if let p = try scalar(.price) { attributes.price = try decoder.number(p.bytes, at: p.contentOffset, column: EventField.price.name) }
        return Event(user: user, item: item, action: action, timestamp: time, value: amount, attributes: attributes.isEmpty ? nil : attributes)
    }
}
