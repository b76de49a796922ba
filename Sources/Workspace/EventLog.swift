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

    /// The writer's copies of the graph's user and item interners, and the run's log-wide
    /// numbering of names (format 3).
    struct Names: Sendable {
        var users = NameTable()
        var items = NameTable()
        var log = LogNameWriter()
    }

    /// An interned event whose id no slice named: the producer broke the contract.
    struct UnnamedID: Error {
        var kind: String
        var id: Int32
        var position: Int64
    }

    /// Encodes strictly increasing events, given as consecutive parts (the slices the engine
    /// handed over, never copied), into format-3 rows of at most ``maxBatch`` events,
    /// applying each interned slice's name changes to `names` in stream order. Names new to
    /// the run are left in `names.log`'s pending list, to be inserted with the rows.
    /// - Complexity: O(total bytes).
    static func encode(_ parts: [Part], names: inout Names) throws -> [EncodedBatch] {
        var rows = LogRows(limit: maxBatch)
        for part in parts {
            switch part {
            case .events(let slice):
                for e in slice { append(e, names: &names.log, to: &rows) }
            case .interned(let slice, let kept):
                // Ids renamed below the known ones (a rebuilt graph) name someone else now.
                if Int(slice.firstNewUser) < names.users.count || Int(slice.firstNewItem) < names.items.count {
                    names.log.renamed(users: Int(slice.firstNewUser), items: Int(slice.firstNewItem))
                }
                names.users.rename(from: Int(slice.firstNewUser), with: slice.newUsers)
                names.items.rename(from: Int(slice.firstNewItem), with: slice.newItems)
                try encode(slice, kept: kept, names: &names, into: &rows)
                for user in slice.forgottenUsers {
                    names.log.forgot(user: user, name: names.users.name(user))
                    names.users.clear(user)
                }
            }
        }
        return rows.finish()
    }

    /// One `Event` value, its names numbered by string.
    static func append(_ recorded: RecordedEvent, names: inout LogNameWriter, to rows: inout LogRows) {
        let e = recorded.event
        let user = names.number(e.user, kind: .user), item = names.number(e.item, kind: .item)
        let set = e.attributes.flatMap { EventBatchCodec.hasAttributes($0) ? names.setNumber($0, item: item) : nil }
        rows.append(at: recorded.position, action: e.action, timestamp: e.timestamp, value: e.value, user: user, item: item, set: set)
    }

    /// One interned slice's kept events.
    /// - Complexity: O(1) per event whose user and item were numbered before.
    private static func encode(_ slice: InternedSlice, kept: Range<Int>, names: inout Names, into rows: inout LogRows) throws {
        let attributes = slice.attributes
        var a = 0
        // The attribute list is usually empty: the next attributed event's index, or never.
        var nextAttributed = attributes.first?.index ?? Int.max
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
                guard let user = names.log.userNumber(id: event.pointee.user, table: names.users) else {
                    throw UnnamedID(kind: "user", id: event.pointee.user, position: event.pointee.position)
                }
                guard let item = names.log.itemNumber(id: event.pointee.item, table: names.items) else {
                    throw UnnamedID(kind: "item", id: event.pointee.item, position: event.pointee.position)
                }
                let set = carried.flatMap { EventBatchCodec.hasAttributes($0) ? names.log.setNumber($0, item: item) : nil }
                rows.append(at: event.pointee.position, action: event.pointee.action, timestamp: event.pointee.timestamp,
                            value: event.pointee.hasValue ? event.pointee.value : nil, user: user, item: item, set: set)
            }
        }
    }

    /// `Event` values only (tests): the rows and the names they number.
    static func encode(_ events: ArraySlice<RecordedEvent>, names: inout Names) -> [EncodedBatch] {
        (try? encode([.events(events)], names: &names)) ?? []
    }

    /// `Event` values only, their names dropped (tests of row ranges, not of contents).
    static func encode(_ events: ArraySlice<RecordedEvent>) -> [EncodedBatch] {
        var names = Names()
        return encode(events, names: &names)
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
    /// Format-1 and -2 rows hold names whole: they are found with a byte search over the
    /// blobs (`instr`). Format-3 rows hold numbers: every format-3 row of a run whose
    /// `event_names` has the user is a candidate. Candidates are decoded, filtered and
    /// rewritten in their own format, and the user's names are blanked, so the id leaves no
    /// copy in a live row; `secure_delete` zeroes the old pages.
    static func forget(user: String, in db: Database, path: String) throws -> Int {
        let needle = Data(user.utf8)
        var candidates = try Int64.fetchAll(db, sql: "SELECT id FROM event_batches WHERE instr(data, ?) > 0", arguments: [needle])
        // Runs that may have numbered the user (a byte search over their name blobs): every
        // format-3 row of theirs is a candidate; the name is blanked once they are rewritten.
        let named = try LogNames.exists(in: db)
            ? try Int64.fetchAll(db, sql: "SELECT DISTINCT run_id FROM event_names WHERE kind = ? AND instr(data, ?) > 0", arguments: [LogNameKind.user.rawValue, needle])
            : []
        for run in named {
            candidates += try Int64.fetchAll(db, sql: "SELECT id FROM event_batches WHERE run_id = ? AND substr(data, 1, 1) = x'03'", arguments: [run])
        }
        var removed = 0
        // Per run with format-3 rows: its names to decode, and a writer continuing them.
        var runNames: [Int64: (read: LogNames, write: LogNameWriter)] = [:]
        for id in Set(candidates).sorted() {
            guard let row = try Row.fetchOne(db, sql: "SELECT run_id, first_position, data FROM event_batches WHERE id = ?", arguments: [id]) else { continue }
            let data: Data = row["data"]
            let first: Int64 = row["first_position"]
            let run: Int64 = row["run_id"]
            let format3 = data.first == EventBatchCodec.loggedFormat
            if format3, runNames[run] == nil {
                var writer = LogNameWriter()
                try writer.load(run: run, in: db)
                runNames[run] = (try LogNames.read(run: run, in: db), writer)
            }
            let events = try decode(data, first: first, run: run, path: path, names: format3 ? runNames[run]?.read : nil)
            let kept = events.filter { $0.event.user != user }
            guard kept.count < events.count else { continue }
            removed += events.count - kept.count
            // The row keeps its position range, even when emptied: positions stay logged, so
            // a resumed source never reads the forgotten events back in.
            let rewritten: Data
            if format3, var names = runNames[run] {
                var rows = LogRows(limit: Int.max, gapped: true, base: first)
                for e in kept { append(e, names: &names.write, to: &rows) }
                rewritten = rows.finish().first?.data ?? Data([EventBatchCodec.loggedFormat, 0, 0, 0, 0, 1])
                // Every name of a kept event is stored already: nothing new to insert.
                try LogNames.insert(names.write.takePending(), run: run, in: db)
                runNames[run] = names
            } else {
                rewritten = EventBatchCodec.encode(kept[...], base: first)
            }
            try db.execute(sql: "UPDATE event_batches SET count = ?, data = ? WHERE id = ?", arguments: [kept.count, rewritten, id])
        }
        try LogNames.blank(user: user, in: db)
        return removed
    }

    static func decode(_ data: Data, first: Int64, run: Int64, path: String, names: LogNames? = nil) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        do {
            try data.withUnsafeBytes { raw in
                try EventBatchCodec.decode(raw, firstPosition: first, names: names) { out.append($0); return true }
            }
        } catch {
            throw WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), batch at position \(first) does not decode")
        }
        return out
    }
}
