import Foundation

// Throwaway reader for RecBole atomic files (ml-100k layout), used until the real readers are
// merged; the lead deletes this file at merge and `DatasetLoader` from Events/ takes over with
// the same names. Only `name`, `events` and `catalogue` are relied on elsewhere.

/// A dataset read from disk: events plus catalogue.
public struct LoadedDataset: Sendable {
    public var name: String
    public var events: [Event]
    public var catalogue: ItemCatalogue

    public init(name: String, events: [Event], catalogue: ItemCatalogue) {
        self.name = name
        self.events = events
        self.catalogue = catalogue
    }
}

/// A file problem with its position.
public struct DatasetLoadError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Finds and reads a dataset by directory path or by name under ~/.cache/driftscope/datasets.
public enum DatasetLoader {
    /// Loads RecBole atomic files `NAME.inter` (required), `.item`, `.link`, `.kg` (optional).
    public static func load(_ pathOrName: String) throws -> LoadedDataset {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        var directory: URL
        if fm.fileExists(atPath: pathOrName, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = URL(fileURLWithPath: pathOrName)
        } else {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? fm.homeDirectoryForCurrentUser.path
            directory = URL(fileURLWithPath: home).appendingPathComponent(".cache/driftscope/datasets/\(pathOrName)")
            guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DatasetLoadError(file: pathOrName, line: 0, column: 0, message: "no such dataset directory (looked at \(pathOrName) and \(directory.path))")
            }
        }
        let contents = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        guard let interName = contents.filter({ $0.hasSuffix(".inter") }).sorted().first else {
            throw DatasetLoadError(file: directory.path, line: 0, column: 0, message: "expected a RecBole .inter file in the directory")
        }
        let stem = String(interName.dropLast(".inter".count))
        let name = directory.lastPathComponent
        let events = try readInter(directory.appendingPathComponent(interName))
        var catalogue = ItemCatalogue()
        let item = directory.appendingPathComponent(stem + ".item")
        if fm.fileExists(atPath: item.path) { try readItems(item, into: &catalogue) }
        let link = directory.appendingPathComponent(stem + ".link")
        if fm.fileExists(atPath: link.path) {
            try readTable(link, required: ["item_id", "entity_id"]) { row, _ in
                catalogue.itemEntities[row[0], default: []].append(row[1])
            }
        }
        let kg = directory.appendingPathComponent(stem + ".kg")
        if fm.fileExists(atPath: kg.path) {
            try readTable(kg, required: ["head_id", "relation_id", "tail_id"]) { row, _ in
                catalogue.triples.append(KnowledgeTriple(head: row[0], relation: row[1], tail: row[2]))
            }
        }
        return LoadedDataset(name: name, events: events, catalogue: catalogue)
    }

    private static func text(of url: URL) throws -> String {
        let data = try Data(contentsOf: url)
        if let s = String(data: data, encoding: .utf8) { return s }
        if let s = String(data: data, encoding: .isoLatin1) { return s }
        throw DatasetLoadError(file: url.path, line: 0, column: 0, message: "expected UTF-8 or Latin-1 text")
    }

    /// Calls `body` with the fields named in `required` (header names without `:type`), in that order.
    private static func readTable(_ url: URL, required: [String], _ body: ([String], Int) throws -> Void) throws {
        let text = try text(of: url)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        guard let header = lines.next() else {
            throw DatasetLoadError(file: url.path, line: 1, column: 1, message: "expected a header line")
        }
        let names = header.split(separator: "\t", omittingEmptySubsequences: false).map {
            String($0.split(separator: ":").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var columns: [Int] = []
        for field in required {
            guard let index = names.firstIndex(of: field) else {
                throw DatasetLoadError(file: url.path, line: 1, column: 1, message: "expected a column named \(field) in the header")
            }
            columns.append(index)
        }
        var lineNumber = 1
        var row = [String](repeating: "", count: required.count)
        while let line = lines.next() {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false)
            for (k, column) in columns.enumerated() {
                guard column < fields.count else {
                    throw DatasetLoadError(file: url.path, line: lineNumber, column: fields.count + 1, message: "expected \(names.count) tab-separated fields, found \(fields.count)")
                }
                row[k] = String(fields[column])
            }
            try body(row, lineNumber)
        }
    }

    private static func readInter(_ url: URL) throws -> [Event] {
        var events: [Event] = []
        try readTable(url, required: ["user_id", "item_id", "rating", "timestamp"]) { row, line in
            guard let rating = Double(row[2]) else {
                throw DatasetLoadError(file: url.path, line: line, column: 3, message: "expected a number for rating, found \"\(row[2])\"")
            }
            guard let time = Double(row[3]), time.isFinite else {
                throw DatasetLoadError(file: url.path, line: line, column: 4, message: "expected a number for timestamp, found \"\(row[3])\"")
            }
            events.append(Event(user: row[0], item: row[1], action: .rating, timestamp: time, value: rating))
        }
        return events
    }

    private static func readItems(_ url: URL, into catalogue: inout ItemCatalogue) throws {
        try readTable(url, required: ["item_id", "movie_title", "class"]) { row, _ in
            let categories = row[2].split(separator: " ").map(String.init)
            catalogue.merge(item: row[0], attributes: ItemAttributes(categories: categories))
            if !row[1].isEmpty { catalogue.titles[row[0]] = row[1] }
        }
    }
}
