import Foundation
public import InterestGraph
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Workspace {
    /// Writes a run's log as CSV in the generic layout every reader takes:
    /// `user,item,timestamp,action,value,category,brand,price`, categories `|`-separated,
    /// fields quoted per RFC 4180 when they hold a comma, a quote or a line break.
    ///
    /// Category, brand and price come from the event when it carried them, else from
    /// `catalogue` (by default the catalogue recorded with the run, ``catalogue(run:)``):
    /// sources such as the simulator and MovieLens put them in the catalogue only.
    /// Timestamps, values and prices are written as integers when they are whole (as the
    /// simulator writes them), else in the shortest form that reads back to the same
    /// `Double`, so reading the file with `DatasetLoader` gives the logged events exactly
    /// (categories containing `|` or `;` excepted: readers split at both). The file is
    /// created owner-only (0600), like the workspace: it holds the same personal data.
    /// - Returns: the number of events written.
    @discardableResult
    public func exportEvents(run: Int64, to output: String, catalogue: ItemCatalogue? = nil) throws -> Int {
        let catalogue = try catalogue ?? self.catalogue(run: run) ?? ItemCatalogue()
        var file = try ExportFile(output)
        file.append("user,item,timestamp,action,value,category,brand,price\n")
        var reader = try events(run: run)
        var count = 0
        while let recorded = try reader.next() {
            var event = recorded.event
            if event.attributes?.isEmpty ?? true, let known = catalogue.items[event.item] { event.attributes = known }
            CSVRow.append(event, to: &file.buffer)
            count += 1
            try file.drainIfFull()
        }
        try file.finish()
        return count
    }

    /// Writes `catalogue` as `item,category,brand,price,title,entities` (categories and
    /// entities `|`-separated), the layout `ingest` reads from `STEM.catalogue.csv` beside
    /// an events file: items, their attributes and knowledge-graph links, also for items
    /// no event names. Rows in item order. Created 0600.
    /// - Returns: the number of items written.
    @discardableResult
    public static func exportCatalogue(_ catalogue: ItemCatalogue, to output: String) throws -> Int {
        var file = try ExportFile(output)
        file.append("item,category,brand,price,title,entities\n")
        let ids = Set(catalogue.items.keys).union(catalogue.itemEntities.keys).union(catalogue.titles.keys).sorted()
        for id in ids {
            let a = catalogue.items[id] ?? ItemAttributes()
            CSVRow.field(id, to: &file.buffer)
            file.buffer.append(CSVRow.comma)
            CSVRow.field(a.categories.joined(separator: "|"), to: &file.buffer)
            file.buffer.append(CSVRow.comma)
            if let b = a.brand { CSVRow.field(b, to: &file.buffer) }
            file.buffer.append(CSVRow.comma)
            if let p = a.price, p.isFinite { CSVRow.number(p, to: &file.buffer) }
            file.buffer.append(CSVRow.comma)
            if let t = catalogue.titles[id] { CSVRow.field(t, to: &file.buffer) }
            file.buffer.append(CSVRow.comma)
            CSVRow.field((catalogue.itemEntities[id] ?? []).joined(separator: "|"), to: &file.buffer)
            file.buffer.append(CSVRow.newline)
            try file.drainIfFull()
        }
        try file.finish()
        return ids.count
    }

    /// Writes the catalogue's knowledge-graph facts as `head,relation,tail` (the simulator's
    /// `STEM.kg.csv` layout). Created 0600.
    /// - Returns: the number of facts written.
    @discardableResult
    public static func exportKnowledgeGraph(_ catalogue: ItemCatalogue, to output: String) throws -> Int {
        var file = try ExportFile(output)
        file.append("head,relation,tail\n")
        for t in catalogue.triples {
            CSVRow.field(t.head, to: &file.buffer)
            file.buffer.append(CSVRow.comma)
            CSVRow.field(t.relation, to: &file.buffer)
            file.buffer.append(CSVRow.comma)
            CSVRow.field(t.tail, to: &file.buffer)
            file.buffer.append(CSVRow.newline)
            try file.drainIfFull()
        }
        try file.finish()
        return catalogue.triples.count
    }
}

/// An owner-only (0600) output file written through a 1 MiB buffer.
struct ExportFile: ~Copyable {
    let path: String
    let fd: Int32
    var buffer: [UInt8] = []

    init(_ path: String) throws {
        self.path = path
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw WorkspaceError(.io, "\(path): cannot write (\(String(cString: strerror(errno))))")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        close(fd)
    }

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    mutating func drainIfFull() throws {
        if buffer.count >= 1 << 20 { try drain() }
    }

    mutating func drain() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { WorkspaceFile.writeBytes(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw WorkspaceError(.io, "\(path): write failed (\(String(cString: strerror(errno))))")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered; the descriptor closes when the value goes away.
    consuming func finish() throws {
        try drain()
    }
}

/// One event as a CSV line.
enum CSVRow {
    static func append(_ e: Event, to out: inout [UInt8]) {
        field(e.user, to: &out)
        out.append(UInt8(ascii: ","))
        field(e.item, to: &out)
        out.append(UInt8(ascii: ","))
        number(e.timestamp, to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: e.action.name.utf8)
        out.append(UInt8(ascii: ","))
        if let v = e.value, v.isFinite { number(v, to: &out) }
        out.append(UInt8(ascii: ","))
        if let a = e.attributes {
            field(a.categories.joined(separator: "|"), to: &out)
            out.append(UInt8(ascii: ","))
            if let b = a.brand { field(b, to: &out) }
            out.append(UInt8(ascii: ","))
            if let p = a.price, p.isFinite { number(p, to: &out) }
        } else {
            out.append(contentsOf: ",,".utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// A whole number as an integer (`1709252242`, as the simulator and most exports write
    /// timestamps), anything else in Swift's shortest round-trip form (`12.99`, `0.1`,
    /// `1e-300`); both read back to the same `Double`. Negative zero keeps its sign.
    static func number(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite, value == value.rounded(.towardZero), abs(value) < 9.0e15, !(value == 0 && value.sign == .minus) {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else {
            out.append(contentsOf: "\(value)".utf8)
        }
    }

    static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D

    static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == comma || byte == quote || byte == newline || byte == carriageReturn
    }

    /// RFC 4180: quote when the text holds a comma, a quote or a line break; double quotes.
    static func field(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        let needsQuotes = utf8.contains(where: needsQuoting)
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in utf8 {
            if b == quote { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
