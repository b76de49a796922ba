/// Decodes events from records of named fields, such as a Redis stream entry's field-value
/// pairs, with exactly the file readers' rules: the same column names and aliases
/// (`user_id`, `event_type`, `rating`...), the same `--map`, the same value parsing
/// (timestamps in epoch s/ms/us/ns or ISO-8601, action aliases, `|`/`;` category lists) and
/// the same reasons when a record is rejected.
///
/// ```swift
/// var decoder = try RecordEventDecoder()
/// switch decoder.event(fields: [(Array("user".utf8), Array("u1".utf8)), ...]) {
/// case .success(let event): graph.apply(event)
/// case .failure(let problem): print(problem.field, problem.reason)
/// }
/// ```
public struct RecordEventDecoder: Sendable {
    /// One rejected record: the field at fault (or the one missing) and why.
    public struct Problem: Error, Sendable, Hashable {
        public var field: String
        public var reason: String
        public var kind: ReadIssue.Kind
    }

    private let columnMap: [String: String]
    /// Decoders by field-name list: entries of one producer share their layout, so a
    /// record costs a dictionary lookup, not a schema resolution.
    private var decoders: [[String]: DelimitedEventDecoder] = [:]
    private static let maxLayouts = 64

    /// - Throws: ``DatasetError`` for a `--map` entry naming an unknown field.
    public init(columnMap: [String: String] = [:]) throws(DatasetError) {
        _ = try ColumnSchema.parseMap(columnMap)
        self.columnMap = columnMap
    }

    /// The event a record describes, or why it cannot be one.
    public mutating func event(fields: [(name: [UInt8], value: [UInt8])]) -> Result<Event, Problem> {
        var bytes: [UInt8] = []
        var bounds: [Int] = [0]
        for f in fields {
            bytes.append(contentsOf: f.name)
            bounds.append(bytes.count)
            bytes.append(contentsOf: f.value)
            bounds.append(bytes.count)
        }
        return event(record: bytes, bounds: bounds)
    }

    /// The event of a record laid out in one buffer: field k's name is
    /// `bytes[bounds[2k] ..< bounds[2k+1]]`, its value `bytes[bounds[2k+1] ..< bounds[2k+2]]`
    /// (how a stream reader copies an entry: two allocations, whatever the field count).
    /// - Complexity: O(record bytes) once its layout has been seen.
    public mutating func event(record bytes: [UInt8], bounds: [Int]) -> Result<Event, Problem> {
        let count = max(0, (bounds.count - 1) / 2)
        let names = bytes.withUnsafeBufferPointer { b in
            (0..<count).map { k in String(decoding: UnsafeBufferPointer(rebasing: b[bounds[2 * k]..<bounds[2 * k + 1]]), as: UTF8.self) }
        }
        var decoder: DelimitedEventDecoder
        // Taken out while in use, so that its caches grow in place rather than copied.
        if let known = decoders.removeValue(forKey: names) {
            decoder = known
        } else {
            let schema: ColumnSchema
            do {
                schema = try ColumnSchema.resolve(
                    header: names, file: "entry", columnMap: columnMap, wanted: DelimitedEventReader.wanted,
                    required: [.user, .item, .timestamp], checkMap: false)
            } catch {
                let missing = [EventField.user, .item, .timestamp].first { field in
                    !names.contains { field.aliases.contains(ColumnSchema.normalise($0)) }
                }
                return .failure(Problem(field: missing?.name ?? "fields", reason: "no \(missing?.name ?? "required") field (fields: \(names.joined(separator: ", ")))", kind: .missingField))
            }
            let separators = schema.has(.category) ? DelimitedEventReader.separators(forHeader: names[schema[.category]]) : .list
            decoder = DelimitedEventDecoder(schema: schema, categorySeparators: separators)
            if decoders.count >= Self.maxLayouts { decoders.removeAll() }
        }
        // The values as a delimited reader's row spans, over the record's own buffer.
        let spans = (0..<count).map { k in FieldSpan(start: bounds[2 * k + 1], end: bounds[2 * k + 2], quote: -1, escaped: false) }
        var cursor = 0
        var scratch: UInt8 = 0
        let padded = bytes.isEmpty ? [0] : bytes
        let result: Result<Event, Problem> = padded.withUnsafeBufferPointer { base in
            spans.withUnsafeBufferPointer { spanBuffer in
                withUnsafeMutablePointer(to: &cursor) { cursorPointer in
                    withUnsafeMutablePointer(to: &scratch) { scratchPointer in
                        let row = DelimitedRow(base: base.baseAddress!, spans: spanBuffer, start: 0, line: 1, scratch: scratchPointer, cursor: cursorPointer)
                        do {
                            return .success(try decoder.event(from: row))
                        } catch let problem as RowProblem {
                            // The field whose bytes the problem points into (an empty field owns its offset).
                            let field = spans.firstIndex { problem.offset >= $0.start && problem.offset < max($0.end, $0.start + 1) } ?? 0
                            return .failure(Problem(field: names.isEmpty ? "" : names[field], reason: problem.reason, kind: problem.kind))
                        } catch {
                            return .failure(Problem(field: "", reason: "\(error)", kind: .missingField))
                        }
                    }
                }
            }
        }
        decoders[names] = decoder
        return result
    }
}
