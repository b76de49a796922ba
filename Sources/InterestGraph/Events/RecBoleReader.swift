/// Reads a RecBole atomic-file dataset: a directory holding `NAME.inter` and optionally
/// `NAME.item`, `NAME.user`, `NAME.kg`, `NAME.link`.
///
/// Files are tab-separated with typed headers (`user_id:token`, `class:token_seq`,
/// `rating:float`); `token_seq` columns hold space-separated values. The `.item` table gives
/// categories (`class`, `genre`, `categories`), brand, price and titles; `.link` maps items to
/// knowledge-graph entities and `.kg` holds `head relation tail` facts. `.user` attributes are
/// not used by the graph (a note says so).
enum RecBoleReader {
    static func files(directory: String, name: String) -> [String] {
        ["inter", "item", "kg", "link"].map { FileSystem.join(directory, "\(name).\($0)") }.filter(FileSystem.isFile)
    }

    static func readCatalogue(
        directory: String, name: String, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?
    ) throws -> ItemCatalogue {
        var catalogue = ItemCatalogue()
        let base = FileSystem.join(directory, name)
        if FileSystem.isFile(base + ".item") {
            try CatalogueReader.read(
                path: base + ".item", file: base + ".item", dialect: .init(delimiter: FieldParsing.tab, quoting: false),
                options: options, into: &catalogue, collector: &collector, progress: progress)
        }
        if FileSystem.isFile(base + ".link") {
            try readLinks(path: base + ".link", options: options, into: &catalogue, collector: &collector, progress: progress)
        }
        if FileSystem.isFile(base + ".kg") {
            try readTriples(path: base + ".kg", into: &catalogue, collector: &collector, progress: progress)
        }
        if FileSystem.isFile(base + ".user") {
            let reader = try DelimitedFileReader(path: base + ".user", displayName: base + ".user", delimiter: FieldParsing.tab, quoting: false, progress: nil)
            let columns = try reader.readHeader().map { $0.split(separator: ":").first.map(String.init) ?? $0 }
            collector.note("\(base).user: user attributes (\(columns.joined(separator: ", "))) are not used by the graph")
        }
        return catalogue
    }

    static func readEvents(
        directory: String, name: String, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?, body: (Event) throws -> Void
    ) throws {
        let path = FileSystem.join(directory, "\(name).inter")
        try DelimitedEventReader.read(
            path: path, file: path, dialect: .init(delimiter: FieldParsing.tab, quoting: false, checkMap: false),
            options: options, collector: &collector, progress: progress, body: body)
    }

    /// `item_id:token  entity_id:token`.
    private static func readLinks(
        path: String, options: ReadOptions, into catalogue: inout ItemCatalogue,
        collector: inout IssueCollector, progress: ProgressTracker?
    ) throws {
        let reader = try DelimitedFileReader(path: path, displayName: path, delimiter: FieldParsing.tab, quoting: false, progress: progress)
        let header = try reader.readHeader()
        let schema = try ColumnSchema.resolve(
            header: header, file: path, columnMap: options.columnMap, wanted: [.item, .entities],
            required: [.item, .entities], checkMap: false)
        let item = schema[.item], entity = schema[.entities]
        let values = ValueDecoder()
        var links: [String: [String]] = [:]
        var order: [String] = []
        try reader.forEachRecord(expectedFields: header.count, collector: &collector) { row throws in
            let id = try values.identifier(row.bytes(item), at: row.spans[item].start, column: header[item])
            let target = try values.identifier(row.bytes(entity), at: row.spans[entity].start, column: header[entity])
            if links[id] == nil { order.append(id) }
            links[id, default: []].append(target)
        }
        for id in order { catalogue.addLinks(item: id, entities: links[id]!) }
    }

    /// `head_id:token  relation_id:token  tail_id:token`.
    private static func readTriples(
        path: String, into catalogue: inout ItemCatalogue, collector: inout IssueCollector, progress: ProgressTracker?
    ) throws {
        let reader = try DelimitedFileReader(path: path, displayName: path, delimiter: FieldParsing.tab, quoting: false, progress: progress)
        let header = try reader.readHeader()
        let keys = header.map(ColumnSchema.normalise)
        func column(_ names: [String], fallback: Int) -> Int? {
            if let k = keys.firstIndex(where: { names.contains($0) }) { return k }
            return header.count == 3 ? fallback : nil
        }
        guard let head = column(["headid", "head"], fallback: 0),
              let relation = column(["relationid", "relation"], fallback: 1),
              let tail = column(["tailid", "tail"], fallback: 2)
        else {
            throw DatasetError("\(path): missing head_id, relation_id or tail_id column (header: \(header.joined(separator: ", ")))")
        }
        let values = ValueDecoder()
        try reader.forEachRecord(expectedFields: header.count, collector: &collector) { row throws in
            let h = try values.identifier(row.bytes(head), at: row.spans[head].start, column: header[head])
            let r = try values.identifier(row.bytes(relation), at: row.spans[relation].start, column: header[relation])
            let t = try values.identifier(row.bytes(tail), at: row.spans[tail].start, column: header[tail])
            catalogue.triples.append(KnowledgeTriple(head: h, relation: r, tail: t))
        }
    }
}
