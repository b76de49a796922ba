import Foundation
import GRDB
import InterestGraph

/// SQL over `event_batches`: appending, the logged position, and erasing one user.
enum EventLog {
    /// Events per row at most: bounds the memory of a reader and of a `forget` rewrite.
    static let maxBatch = 8192

    struct EncodedBatch: Sendable {
        var first: Int64
        var last: Int64
        var count: Int
        var data: Data
    }

    /// Events of one commit, in stream order: slices of `Event` values, or interned slices
    /// of which `kept` events are logged (their name changes apply whatever is kept).
    enum Part: Sendable {
        case events(ArraySlice<RecordedEvent>)
        case interned(InternedSlice, kept: Range<Int>)
    }

    /// The writer's copies of the graph's user and item interners.
    struct Names: Sendable {
        var users = NameTable()
        var items = NameTable()
    }

    /// An interned event whose id no slice named: the producer broke the contract.
    struct UnnamedID: Error {
        var kind: String
        var id: Int32
        var position: Int64
    }

    /// Encodes strictly increasing events, given as consecutive parts (the slices the engine
    /// handed over, never copied), into rows of at most ``maxBatch`` events, applying each
    /// interned slice's name changes to `names` in stream order.
    /// - Complexity: O(total bytes).
    static func encode(_ parts: [Part], names: inout Names) throws -> [EncodedBatch] {
        var rows = EventBatchRows(limit: maxBatch)
        for part in parts {
            switch part {
            case .events(let slice):
                slice.withUnsafeBufferPointer { events in
                    for k in events.indices {
                        rows.beginEvent(at: events[k].position)
                        EventBatchCodec.append(events.baseAddress! + k, to: &rows)
                        rows.endEvent()
                    }
                }
            case .interned(let slice, let kept):
                // Ids renamed below the known ones (a rebuilt graph) name someone else now.
                if Int(slice.firstNewUser) < names.users.count || Int(slice.firstNewItem) < names.items.count { rows.forgetIDs() }
                names.users.rename(from: Int(slice.firstNewUser), with: slice.newUsers)
                names.items.rename(from: Int(slice.firstNewItem), with: slice.newItems)
                try encode(slice, kept: kept, names: names, into: &rows)
                for user in slice.forgottenUsers { names.users.clear(user) }
                if !slice.forgottenUsers.isEmpty { rows.forgetIDs() }
            }
        }
        return rows.finish()
    }

    /// One interned slice's kept events.
    private static func encode(_ slice: InternedSlice, kept: Range<Int>, names: Names, into rows: inout EventBatchRows) throws {
        let attributes = slice.attributes
        var a = 0
        // The attribute list is usually empty: the next attributed event's index, or never.
        var nextAttributed = attributes.first?.index ?? Int.max
        try names.users.withRaw { users in
            try names.items.withRaw { items in
                try slice.events.withUnsafeBufferPointer { events in
                    for k in kept {
                        var carried: ItemAttributes?
                        if k >= nextAttributed {
                            while a < attributes.count, attributes[a].index <= k {
                                if attributes[a].index == k { carried = attributes[a].attributes }
                                a += 1
                            }
                            nextAttributed = a < attributes.count ? attributes[a].index : Int.max
                        }
                        let event = events.baseAddress! + k
                        rows.beginEvent(at: event.pointee.position)
                        guard EventBatchCodec.append(event, attributes: carried, users: users, items: items, to: &rows) else {
                            let unnamedUser = names.users.name(event.pointee.user) == nil
                            throw UnnamedID(kind: unnamedUser ? "user" : "item", id: unnamedUser ? event.pointee.user : event.pointee.item, position: event.pointee.position)
                        }
                        rows.endEvent()
                    }
                }
            }
        }
    }

    /// `Event` values only (tests).
    static func encode(_ events: ArraySlice<RecordedEvent>) -> [EncodedBatch] {
        var names = Names()
        return (try? encode([.events(events)], names: &names)) ?? []
    }

    static func insert(_ batches: [EncodedBatch], run: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO event_batches (run_id, first_position, last_position, count, data) VALUES (?, ?, ?, ?, ?)")
        for b in batches {
            try statement.execute(arguments: [run, b.first, b.last, b.count, b.data])
        }
    }

    /// The position after the last logged event of `run` (0 for an empty log): where a
    /// resumed source continues.
    /// - Complexity: O(log batches), through the `(run_id, first_position)` index.
    static func loggedPosition(run: Int64, in db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(
            db, sql: "SELECT last_position FROM event_batches WHERE run_id = ? ORDER BY first_position DESC LIMIT 1",
            arguments: [run])
        return last.map { $0 + 1 } ?? 0
    }

    /// Removes every event of `user` from every run; returns how many.
    ///
    /// Rows are found with a byte search over the blobs (`instr`), then decoded, filtered
    /// and rewritten, so the user's id leaves no copy in a live row; `secure_delete` zeroes
    /// the old pages.
    static func forget(user: String, in db: Database, path: String) throws -> Int {
        let needle = Data(user.utf8)
        let candidates = try Int64.fetchAll(db, sql: "SELECT id FROM event_batches WHERE instr(data, ?) > 0", arguments: [needle])
        var removed = 0
        for id in candidates {
            guard let row = try Row.fetchOne(db, sql: "SELECT run_id, first_position, data FROM event_batches WHERE id = ?", arguments: [id]) else { continue }
            let data: Data = row["data"]
            let first: Int64 = row["first_position"]
            let run: Int64 = row["run_id"]
            let events = try decode(data, first: first, run: run, path: path)
            let kept = events.filter { $0.event.user != user }
            guard kept.count < events.count else { continue }
            removed += events.count - kept.count
            // The row keeps its position range, even when emptied: positions stay logged, so
            // a resumed source never reads the forgotten events back in.
            try db.execute(
                sql: "UPDATE event_batches SET count = ?, data = ? WHERE id = ?",
                arguments: [kept.count, EventBatchCodec.encode(kept[...], base: first), id])
        }
        return removed
    }

    static func decode(_ data: Data, first: Int64, run: Int64, path: String) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        do {
            try data.withUnsafeBytes { raw in
                try EventBatchCodec.decode(raw, firstPosition: first) { out.append($0); return true }
            }
        } catch {
            throw WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), batch at position \(first) does not decode")
        }
        return out
    }
}
