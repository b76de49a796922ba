import Foundation

// A stand-in until the real readers are merged: reads only the CSV layout `simulate`
// writes (events plus the sibling `.catalogue.csv` and `.kg.csv`). The lead deletes this file
// at merge; code uses only `DatasetLoader.load(_:)` and the members of `LoadedDataset`.

/// Events and catalogue read from a dataset.
public struct LoadedDataset: Sendable {
    public var name: String
    public var events: [Event]
    public var catalogue: ItemCatalogue
}

/// Loads a dataset by path.
public enum DatasetLoader {
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `user,item,timestamp,action,value,category,brand,price` rows from `pathOrName`.
    public static func load(_ pathOrName: String) throws -> LoadedDataset {
        let path = pathOrName
        let text = try read(path)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first else { throw LoadError(description: "\(path):1: empty file, expected a header line") }
        let expected = "user,item,timestamp,action,value,category,brand,price"
        guard header == expected else { throw LoadError(description: "\(path):1:1: expected the header '\(expected)'") }
        var events: [Event] = []
        var catalogue = ItemCatalogue()
        events.reserveCapacity(lines.count)
        for (n, line) in lines.enumerated().dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 8 else { throw LoadError(description: "\(path):\(n + 1): expected 8 fields, found \(f.count)") }
            guard let t = Double(f[2]) else { throw LoadError(description: "\(path):\(n + 1): timestamp: expected a number, found '\(f[2])'") }
            guard let action = Action(parsing: f[3]) else { throw LoadError(description: "\(path):\(n + 1): action: expected one of view, click, cart, purchase, review, rating; found '\(f[3])'") }
            let item = String(f[1])
            var attributes = ItemAttributes(categories: f[5].split(separator: "|").map(String.init), brand: f[6].isEmpty ? nil : String(f[6]), price: Double(f[7]))
            if catalogue.items[item] == nil { catalogue.items[item] = attributes } else { attributes = catalogue.items[item]! }
            events.append(Event(user: String(f[0]), item: item, action: action, timestamp: t, value: Double(f[4])))
        }
        let stem = path.hasSuffix(".csv") ? String(path.dropLast(4)) : path
        if let side = try? read(stem + ".catalogue.csv") {
            for line in side.split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count == 5 else { continue }
                catalogue.merge(item: String(f[0]), attributes: ItemAttributes(categories: f[1].split(separator: "|").map(String.init), brand: String(f[2]), price: Double(f[3])))
                catalogue.itemEntities[String(f[0])] = f[4].split(separator: "|").map(String.init)
            }
        }
        if let kg = try? read(stem + ".kg.csv") {
            for line in kg.split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count == 3 else { continue }
                catalogue.triples.append(KnowledgeTriple(head: String(f[0]), relation: String(f[1]), tail: String(f[2])))
            }
        }
        return LoadedDataset(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, events: events, catalogue: catalogue)
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(description: "\(path): cannot read the file") }
        return String(decoding: data, as: UTF8.self)
    }
}
