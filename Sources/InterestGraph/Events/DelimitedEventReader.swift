/// Reads events from one delimited file (CSV, TSV, RecBole `.inter`, MovieLens `u.data`).
enum DelimitedEventReader {
    /// The shape of a delimited events file.
    struct Dialect {
        /// `nil` detects it from the header line.
        var delimiter: UInt8?
        var quoting = true
        /// Column names for files without a header row (`u.data`).
        var fixedHeader: [String]?
        /// Whether a `--map` column absent from the header is an error.
        var checkMap = true
    }

    static let wanted: Set<EventField> = [.user, .item, .timestamp, .action, .value, .category, .brand, .price]

    /// Streams the file's events to `body` in file order, or its rows to `rows` when given
    /// (``DecodedRow``: for the columnar stores; `body` is then not called).
    static func read(
        path: String, file: String, dialect: Dialect, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?, body: (Event) throws -> Void,
        rows: ((DecodedRow) throws -> Void)? = nil
    ) throws {
        let reader = try DelimitedFileReader(path: path, displayName: file, delimiter: dialect.delimiter, quoting: dialect.quoting, progress: progress)
        let header = try dialect.fixedHeader ?? reader.readHeader()
        let schema = try ColumnSchema.resolve(
            header: header, file: file, columnMap: options.columnMap, wanted: wanted,
            required: [.user, .item, .timestamp], checkMap: dialect.checkMap)
        if let note = schema.note(file: file) { collector.note(note) }
        if !schema.has(.action) {
            if schema.has(.value) {
                collector.note("\(file): no action column; rows with a '\(schema.columnName(.value))' value are ratings, other rows views")
            } else {
                collector.note("\(file): no action or value column; every row is a view")
            }
        }
        let separators = schema.has(.category) ? separators(forHeader: header[schema[.category]]) : .list
        var decoder = DelimitedEventDecoder(schema: schema, categorySeparators: separators)
        var accepted = 0
        if let rows {
            try reader.forEachRecord(expectedFields: header.count, collector: &collector) { row in
                try rows(try decoder.row(from: row))
                accepted += 1
            }
        } else {
            try reader.forEachRecord(expectedFields: header.count, collector: &collector) { row in
                try body(try decoder.event(from: row))
                accepted += 1
            }
        }
        collector.report.accepted += accepted
    }

    /// RecBole types say how a column holds several values; other files use `|` or `;`.
    static func separators(forHeader name: String) -> Separators {
        let lower = name.lowercased()
        if lower.hasSuffix(":token_seq") || lower.hasSuffix(":float_seq") { return .space }
        if lower.hasSuffix(":token") || lower.hasSuffix(":float") { return .none }
        return .list
    }
}
