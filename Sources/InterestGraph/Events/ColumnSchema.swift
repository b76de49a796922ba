/// The fields a reader fills, and how source column names map onto them.
enum EventField: Int, CaseIterable, Sendable {
    case user, item, timestamp, action, value, category, brand, price, title, entities

    var name: String {
        switch self {
        case .user: "user"
        case .item: "item"
        case .timestamp: "timestamp"
        case .action: "action"
        case .value: "value"
        case .category: "category"
        case .brand: "brand"
        case .price: "price"
        case .title: "title"
        case .entities: "entities"
        }
    }

    /// Accepted column names after ``ColumnSchema/normalise(_:)``, preferred first: when two
    /// columns match one field, the one earlier in this list wins.
    var aliases: [String] {
        switch self {
        case .user: ["user", "userid", "customer", "customerid", "visitorid", "uid"]
        case .item: ["item", "itemid", "movieid", "productid", "product", "sku", "asin", "iid"]
        case .timestamp: ["timestamp", "ts", "time", "eventtime", "datetime", "date"]
        case .action: ["action", "event", "eventtype", "type", "behavior", "behaviour", "interaction"]
        case .value: ["value", "rating", "weight", "score"]
        case .category: ["category", "categories", "genres", "genre", "class", "categoryid"]
        case .brand: ["brand", "brandid"]
        case .price: ["price"]
        case .title: ["title", "movietitle", "name", "productname", "itemname"]
        case .entities: ["entities", "entity", "entityid"]
        }
    }

    init?(named name: String) {
        guard let field = EventField.allCases.first(where: { $0.name == name }) else { return nil }
        self = field
    }
}

/// Which source column feeds which field.
struct ColumnSchema: Sendable {
    /// Column index per `EventField.rawValue`, -1 when absent.
    var columns: [Int]
    /// Source names per column, for messages.
    var header: [String]
    /// Columns that feed no field.
    var ignored: [String]
    /// Columns that lost to a preferred alias of the same field.
    var shadowed: [String]

    subscript(field: EventField) -> Int { columns[field.rawValue] }

    func has(_ field: EventField) -> Bool { columns[field.rawValue] >= 0 }

    /// The source name of the column feeding `field`.
    func columnName(_ field: EventField) -> String {
        let c = columns[field.rawValue]
        return c >= 0 && c < header.count ? header[c] : field.name
    }

    /// Lower-cases and drops `_`, `-`, `.`, spaces and a RecBole type suffix (`:token`), so
    /// `User_ID`, `userId` and `user_id:token` all read as `userid`.
    static func normalise(_ name: String) -> String {
        var text = name.lowercased()
        if let colon = text.lastIndex(of: ":"),
           ["token", "token_seq", "float", "float_seq"].contains(String(text[text.index(after: colon)...])) {
            text = String(text[..<colon])
        }
        text.removeAll { $0 == "_" || $0 == "-" || $0 == " " || $0 == "." || $0 == "\u{FEFF}" }
        return text
    }

    /// Parses `--map` entries into normalised column name to field (nil = ignore).
    static func parseMap(_ map: [String: String]) throws(DatasetError) -> [String: EventField?] {
        var out: [String: EventField?] = [:]
        for (column, target) in map {
            let key = normalise(column)
            let field = target.lowercased()
            if field == "ignore" || field == "none" {
                out[key] = .some(nil)
            } else if let f = EventField(named: field) {
                out[key] = .some(f)
            } else {
                let names = EventField.allCases.map(\.name).joined(separator: ", ")
                throw DatasetError("--map \(column)=\(target): unknown field '\(target)' (expected one of \(names), ignore)")
            }
        }
        return out
    }

    /// Matches a header row against `--map` entries first, then the built-in aliases.
    ///
    /// - Parameters:
    ///   - wanted: the fields this file can feed; other matches are reported as ignored.
    ///   - required: fields without which the file is unreadable.
    ///   - checkMap: when true, a `--map` column missing from the header is an error.
    static func resolve(
        header: [String], file: String, columnMap: [String: String], wanted: Set<EventField>,
        required: [EventField], checkMap: Bool
    ) throws(DatasetError) -> ColumnSchema {
        let map = try parseMap(columnMap)
        let normalised = header.map(normalise)
        var columns = [Int](repeating: -1, count: EventField.allCases.count)
        var rank = [Int](repeating: .max, count: EventField.allCases.count)
        var ignored: [String] = []
        var shadowed: [String] = []
        for (index, key) in normalised.enumerated() {
            let field: EventField?
            let priority: Int
            if let mapped = map[key] {
                field = mapped
                priority = -1
            } else if let match = EventField.allCases.first(where: { $0.aliases.contains(key) }) {
                field = match
                priority = match.aliases.firstIndex(of: key)!
            } else {
                field = nil
                priority = .max
            }
            guard let field, wanted.contains(field) else {
                ignored.append(header[index])
                continue
            }
            let slot = field.rawValue
            if priority < rank[slot] {
                if columns[slot] >= 0 { shadowed.append(header[columns[slot]]) }
                columns[slot] = index
                rank[slot] = priority
            } else {
                shadowed.append(header[index])
            }
        }
        if checkMap {
            for column in columnMap.keys where !normalised.contains(normalise(column)) {
                throw DatasetError("\(file): --map column '\(column)' is not in the header (columns: \(header.joined(separator: ", ")))")
            }
        }
        let missing = required.filter { columns[$0.rawValue] < 0 }
        if !missing.isEmpty {
            let names = missing.map(\.name).joined(separator: ", ")
            let plural = missing.count > 1 ? "s" : ""
            throw DatasetError(
                "\(file): missing required column\(plural) \(names) (header: \(header.joined(separator: ", ")); name them with --map COLUMN=FIELD)")
        }
        return ColumnSchema(columns: columns, header: header, ignored: ignored, shadowed: shadowed)
    }

    /// A note for the report about columns this file does not use, or `nil`.
    func note(file: String) -> String? {
        var parts: [String] = []
        if !ignored.isEmpty { parts.append("ignored column\(ignored.count > 1 ? "s" : "") \(ignored.joined(separator: ", "))") }
        if !shadowed.isEmpty { parts.append("unused duplicate column\(shadowed.count > 1 ? "s" : "") \(shadowed.joined(separator: ", "))") }
        return parts.isEmpty ? nil : "\(file): " + parts.joined(separator: "; ")
    }
}
