import Foundation
import GRDB
public import InterestGraph

/// A run's item catalogue (`run_catalogues`, schema v2): what the source knew about items
/// beside the events (category, brand, price, title, knowledge-graph links and facts, launch
/// times), so an export reads back to the same graph. Sources such as the simulator and
/// MovieLens carry no attributes on event rows: without this table every exported row had
/// empty category, brand and price, and the entities were lost.
///
/// One row per run, replaced when the run is resumed (the source delivers its catalogue
/// again). Blob format 1 (``CatalogueBlob``): deterministic (items in id order), so the same
/// catalogue always gives the same bytes.
enum CatalogueStore {
    static func save(_ catalogue: ItemCatalogue, run: Int64, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO run_catalogues (run_id, items, data) VALUES (?, ?, ?)",
            arguments: [run, catalogue.items.count, CatalogueBlob.encode(catalogue)])
    }

    /// The stored catalogue, `nil` when the run has none (recorded before v2, or by a tool
    /// that stores none) or the file predates the table (opened read-only, not migrated).
    static func load(run: Int64, in db: Database, path: String) throws -> ItemCatalogue? {
        guard try db.tableExists("run_catalogues") else { return nil }
        guard let data = try Data.fetchOne(db, sql: "SELECT data FROM run_catalogues WHERE run_id = ?", arguments: [run]) else {
            return nil
        }
        guard let catalogue = CatalogueBlob.decode(data) else {
            throw WorkspaceError(.corrupt, "\(path): damaged workspace: the catalogue of run \(run) cannot be decoded")
        }
        return catalogue
    }
}

/// ``ItemCatalogue`` as bytes: a format byte (1); items as a varint count, then per item its
/// id, a varint category count and the categories, a flag byte (bit 0 brand, bit 1 price,
/// bit 2 title, bit 3 launch) and the flagged values (strings varint-length UTF-8, numbers
/// little-endian `f64`), then a varint count of entity links; then items linked to entities
/// without attributes (id, count, entities); then the facts (head, relation, tail).
enum CatalogueBlob {
    static let format: UInt8 = 1

    static func encode(_ catalogue: ItemCatalogue) -> Data {
        var w = ByteWriter(capacity: catalogue.items.count * 48 + 64)
        w.byte(format)
        let attributed = catalogue.items.keys.sorted()
        w.varint(UInt64(attributed.count))
        for id in attributed {
            let a = catalogue.items[id]!
            w.string(id)
            w.varint(UInt64(a.categories.count))
            for c in a.categories { w.string(c) }
            let title = catalogue.titles[id], launch = catalogue.launches[id]
            var flags: UInt8 = 0
            if a.brand != nil { flags |= 1 }
            if a.price != nil { flags |= 2 }
            if title != nil { flags |= 4 }
            if launch != nil { flags |= 8 }
            w.byte(flags)
            if let b = a.brand { w.string(b) }
            if let p = a.price { w.double(p) }
            if let title { w.string(title) }
            if let launch { w.double(launch) }
            let links = catalogue.itemEntities[id] ?? []
            w.varint(UInt64(links.count))
            for e in links { w.string(e) }
        }
        // Items known only by their links, titles or launches (no attributes).
        let others = Set(catalogue.itemEntities.keys).union(catalogue.titles.keys).union(catalogue.launches.keys)
            .subtracting(attributed).sorted()
        w.varint(UInt64(others.count))
        for id in others {
            w.string(id)
            let title = catalogue.titles[id], launch = catalogue.launches[id]
            w.byte((title != nil ? 4 : 0) | (launch != nil ? 8 : 0))
            if let title { w.string(title) }
            if let launch { w.double(launch) }
            let links = catalogue.itemEntities[id] ?? []
            w.varint(UInt64(links.count))
            for e in links { w.string(e) }
        }
        w.varint(UInt64(catalogue.triples.count))
        for t in catalogue.triples {
            w.string(t.head)
            w.string(t.relation)
            w.string(t.tail)
        }
        return w.data()
    }

    /// `nil` when the blob is damaged or of an unknown format.
    static func decode(_ data: Data) -> ItemCatalogue? {
        data.withUnsafeBytes { raw -> ItemCatalogue? in
            var r = ByteReader(raw)
            do {
                guard try r.byte() == format else { return nil }
                var catalogue = ItemCatalogue()
                // Every count is bounded by the bytes left: a damaged count cannot make a
                // reader reserve (or loop over) more than the blob could hold.
                func count() throws(ByteReader.Overrun) -> Int {
                    let n = try r.varint()
                    guard n <= UInt64(raw.count) else { throw ByteReader.Overrun() }
                    return Int(n)
                }
                func tail(_ id: String, flags: UInt8) throws(ByteReader.Overrun) {
                    if flags & 4 != 0 { catalogue.titles[id] = try r.string() }
                    if flags & 8 != 0 { catalogue.launches[id] = try r.double() }
                    let links = try count()
                    if links > 0 {
                        var entities: [String] = []
                        for _ in 0..<links { entities.append(try r.string()) }
                        catalogue.itemEntities[id] = entities
                    }
                }
                let attributed = try count()
                for _ in 0..<attributed {
                    let id = try r.string()
                    var a = ItemAttributes()
                    let categories = try count()
                    for _ in 0..<categories { a.categories.append(try r.string()) }
                    let flags = try r.byte()
                    if flags & 1 != 0 { a.brand = try r.string() }
                    if flags & 2 != 0 { a.price = try r.double() }
                    catalogue.items[id] = a
                    try tail(id, flags: flags)
                }
                let others = try count()
                for _ in 0..<others {
                    let id = try r.string()
                    let flags = try r.byte()
                    try tail(id, flags: flags)
                }
                let facts = try count()
                for _ in 0..<facts {
                    let head = try r.string(), relation = try r.string(), object = try r.string()
                    catalogue.triples.append(KnowledgeTriple(head: head, relation: relation, tail: object))
                }
                return r.isAtEnd ? catalogue : nil
            } catch {
                return nil
            }
        }
    }
}

extension Workspace {
    /// Stores `catalogue` as run `run`'s item catalogue (replacing one stored before).
    public func saveCatalogue(_ catalogue: ItemCatalogue, run: Int64) throws {
        try write { db in try CatalogueStore.save(catalogue, run: run, in: db) }
    }

    /// The item catalogue recorded with run `run`, or `nil` when none was recorded (runs
    /// recorded before schema v2).
    public func catalogue(run: Int64) throws -> ItemCatalogue? {
        let path = self.path
        return try read { db in try CatalogueStore.load(run: run, in: db, path: path) }
    }
}
