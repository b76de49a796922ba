/// Reads item attributes from a delimited table: the simulator's `catalogue.csv`
/// (`item,category,brand,price,entities`), MovieLens `movies.csv`, RecBole `.item`.
///
/// Categories and entities hold several values separated by `|` or `;` (a space in RecBole
/// `token_seq` columns). Titles are kept as written.
enum CatalogueReader {
    struct Dialect {
        var delimiter: UInt8?
        var quoting = true
        /// Category values that mean "none" (MovieLens writes `(no genres listed)`).
        var noCategory: Set<String> = []
    }

    static let wanted: Set<EventField> = [.item, .category, .brand, .price, .title, .entities]

    static func read(
        path: String, file: String, dialect: Dialect, options: ReadOptions,
        into catalogue: inout ItemCatalogue, collector: inout IssueCollector, progress: ProgressTracker?
    ) throws {
        let reader = try DelimitedFileReader(path: path, displayName: file, delimiter: dialect.delimiter, quoting: dialect.quoting, progress: progress)
        let header = try reader.readHeader()
        let schema = try ColumnSchema.resolve(
            header: header, file: file, columnMap: options.columnMap, wanted: wanted, required: [.item], checkMap: false)
        if let note = schema.note(file: file) { collector.note(note) }
        let item = schema[.item], category = schema[.category], brand = schema[.brand]
        let price = schema[.price], title = schema[.title], entities = schema[.entities]
        let categorySeparators = category >= 0 ? DelimitedEventReader.separators(forHeader: header[category]) : .list
        let entitySeparators = entities >= 0 ? DelimitedEventReader.separators(forHeader: header[entities]) : .list
        let names = EventField.allCases.map { schema.columnName($0) }
        let values = ValueDecoder()
        try reader.forEachRecord(expectedFields: header.count, collector: &collector) { row throws in
            let id = try values.identifier(row.bytes(item), at: row.spans[item].start, column: names[EventField.item.rawValue])
            var attributes = ItemAttributes()
            if category >= 0 {
                attributes.categories = try values.list(row.bytes(category), at: row.spans[category].start, column: names[EventField.category.rawValue], separators: categorySeparators)
                if !dialect.noCategory.isEmpty { attributes.categories.removeAll { dialect.noCategory.contains($0) } }
            }
            if brand >= 0 { attributes.brand = try values.text(row.bytes(brand), at: row.spans[brand].start, column: names[EventField.brand.rawValue]) }
            if price >= 0 { attributes.price = try values.number(row.bytes(price), at: row.spans[price].start, column: names[EventField.price.rawValue]) }
            var name: String?
            if title >= 0 { name = try values.text(row.bytes(title), at: row.spans[title].start, column: names[EventField.title.rawValue]) }
            var links: [String] = []
            if entities >= 0 {
                links = try values.list(row.bytes(entities), at: row.spans[entities].start, column: names[EventField.entities.rawValue], separators: entitySeparators)
            }
            catalogue.merge(item: id, attributes: attributes)
            if let name { catalogue.titles[id] = name }
            if !links.isEmpty { catalogue.addLinks(item: id, entities: links) }
        }
    }
}

extension ItemCatalogue {
    /// Links an item to entities, keeping order and skipping links already known.
    mutating func addLinks(item: String, entities: [String]) {
        var existing = itemEntities[item, default: []]
        for entity in entities where !existing.contains(entity) { existing.append(entity) }
        itemEntities[item] = existing
    }
}
