import Foundation
import GRDB
import InterestGraph

/// The `kind` column of `event_names`: what a log-wide number names.
enum LogNameKind: Int, CaseIterable {
    case user = 0, item = 1, label = 2, attributes = 3
}

/// Attributes down to the price's bits (0.0 and -0.0 are equal doubles but not the same
/// bytes, NaN is not equal to itself): the key of an attribute set.
struct AttributeKey: Hashable {
    var categories: [String]
    var brand: String?
    var price: UInt64?

    init(_ a: ItemAttributes) {
        categories = a.categories
        brand = a.brand
        price = a.price?.bitPattern
    }
}

/// The writer's side of a run's log-wide name table (`event_names`, format-3 rows): every
/// user, item, label (category or brand) and attribute set gets a number the first time
/// the run's log uses it; the name is stored once, in the transaction of the first row
/// that uses the number, and rows hold only numbers.
///
/// Names are found by string (`Event` values, `forget` rewrites) or by interned id (the
/// engine's path), whose number is cached in a flat array per kind so a known id costs one
/// array read.
struct LogNameWriter: Sendable {
    struct Names: Sendable {
        /// Name to number for `list[..<indexed]`, forgotten numbers left out.
        var byName: [String: UInt32] = [:]
        /// Every name by number (a forgotten one keeps its name here: the file has it until
        /// `forget` rewrites the file).
        var list: [String] = []
        var indexed = 0
        /// Numbers a forgotten user had: never found by name again.
        var forgotten: Set<UInt32> = []
        var count: UInt32 { UInt32(list.count) }
        /// Per interned id: its number + 1, 0 when not looked up yet.
        var byID: [UInt32] = []
        /// Whether a new interned id may name someone already numbered: after names were
        /// read from the file, numbered by string, or the graph was rebuilt. Until then a
        /// new id is a new name (the graph interns each name once), numbered without a hash
        /// lookup: at a million users the lookups were a large share of the writer's time.
        var lookUpNewIDs = false

        /// Brings `byName` up to date with `list`.
        mutating func index() {
            guard indexed < list.count else { return }
            byName.reserveCapacity(list.count)
            for n in indexed..<list.count where !forgotten.contains(UInt32(n)) { byName[list[n]] = UInt32(n) }
            indexed = list.count
        }
    }

    var users = Names()
    var items = Names()
    var labels = Names()
    private var sets: [AttributeKey: UInt32] = [:]
    private var setCount: UInt32 = 0
    /// Per item number: the attributes its last event carried and their set number (a
    /// shop repeats an item's attributes on every row: a comparison instead of a hash).
    private var lastAttributes: [(attributes: ItemAttributes, set: UInt32)?] = []
    /// Names numbered since the last ``takePending()``: inserted with the rows using them.
    private(set) var pending: [(kind: LogNameKind, number: UInt32, data: Data)] = []
    /// The run's stored names have been read (a resumed run continues their numbering).
    var isLoaded = false

    /// The number of `name`, numbering it when new.
    /// - Complexity: one hash lookup.
    @inline(__always)
    mutating func number(_ name: String, kind: LogNameKind) -> UInt32 {
        switch kind {
        case .user:
            users.lookUpNewIDs = true
            return Self.number(name, in: &users, kind: kind, pending: &pending)
        case .item:
            items.lookUpNewIDs = true
            return Self.number(name, in: &items, kind: kind, pending: &pending)
        default:
            return Self.number(name, in: &labels, kind: .label, pending: &pending)
        }
    }

    @inline(__always)
    private static func number(_ name: String, in names: inout Names, kind: LogNameKind, pending: inout [(kind: LogNameKind, number: UInt32, data: Data)]) -> UInt32 {
        names.index()
        if let n = names.byName[name] { return n }
        let n = names.count
        names.list.append(name)
        names.byName[name] = n
        names.indexed = names.list.count
        pending.append((kind, n, Data(name.utf8)))
        return n
    }

    /// The number of interned `id` whose name `table` holds.
    /// - Returns: nil when the table has no such id.
    /// - Complexity: O(1) once the id was seen; a hash lookup the first time.
    @inline(__always)
    static func number(id: Int32, in names: inout Names, table: NameTable, kind: LogNameKind, pending: inout [(kind: LogNameKind, number: UInt32, data: Data)]) -> UInt32? {
        let k = Int(id)
        if k >= 0, k < names.byID.count, names.byID[k] != 0 { return names.byID[k] &- 1 }
        guard let name = table.name(id) else { return nil }
        let n: UInt32
        if names.lookUpNewIDs {
            n = number(name, in: &names, kind: kind, pending: &pending)
        } else {
            n = names.count
            names.list.append(name)
            pending.append((kind, n, Data(name.utf8)))
        }
        if k >= 0 {
            if k >= names.byID.count { names.byID.append(contentsOf: repeatElement(0, count: max(k + 1 - names.byID.count, names.byID.count / 2))) }
            names.byID[k] = n + 1
        }
        return n
    }

    mutating func userNumber(id: Int32, table: NameTable) -> UInt32? {
        Self.number(id: id, in: &users, table: table, kind: .user, pending: &pending)
    }

    mutating func itemNumber(id: Int32, table: NameTable) -> UInt32? {
        Self.number(id: id, in: &items, table: table, kind: .item, pending: &pending)
    }

    /// Ids from `first` on name someone else now (a rebuilt graph): forget their numbers
    /// (the names keep theirs: the same user is the same number again).
    mutating func renamed(users first: Int, items firstItem: Int) {
        if first < users.byID.count { users.byID.removeSubrange(max(0, first)...) }
        if firstItem < items.byID.count { items.byID.removeSubrange(max(0, firstItem)...) }
        users.lookUpNewIDs = true
        items.lookUpNewIDs = true
    }

    /// A forgotten user: their id and name lose their number, so if they come back they get
    /// a fresh one (`forget` on the file blanks the old number's name).
    mutating func forgot(user id: Int32, name: String?) {
        let k = Int(id)
        if k >= 0, k < users.byID.count, users.byID[k] != 0 {
            users.forgotten.insert(users.byID[k] - 1)
            users.byID[k] = 0
        }
        if let name, let n = users.byName[name] {
            users.forgotten.insert(n)
            users.byName.removeValue(forKey: name)
        }
    }

    /// The set number of `attributes` carried by the item numbered `item`.
    /// - Complexity: a comparison when the item's last event carried the same; else a hash.
    @inline(__always)
    mutating func setNumber(_ a: ItemAttributes, item: UInt32) -> UInt32 {
        let k = Int(item)
        if k < lastAttributes.count, let last = lastAttributes[k], EventBatchCodec.sameBits(last.attributes, a) { return last.set }
        let key = AttributeKey(a)
        let n: UInt32
        if let known = sets[key] {
            n = known
        } else {
            n = setCount
            setCount += 1
            sets[key] = n
            var w = ByteWriter(capacity: 32)
            encodeSet(a, to: &w)
            pending.append((.attributes, n, w.data()))
        }
        if k >= lastAttributes.count { lastAttributes.append(contentsOf: repeatElement(nil, count: max(k + 1 - lastAttributes.count, lastAttributes.count / 2))) }
        lastAttributes[k] = (a, n)
        return n
    }

    /// An attribute set's stored bytes: a flags byte (categories bit 0, brand bit 1, price
    /// bit 2, price in whole cents bit 4), varint n and n label numbers, the brand's label
    /// number, the price (zigzag varint of cents, or f64).
    private mutating func encodeSet(_ a: ItemAttributes, to w: inout ByteWriter) {
        let cents = a.price.flatMap(EventBatchCodec.cents)
        var flags: UInt8 = 0
        if !a.categories.isEmpty { flags |= 1 }
        if a.brand != nil { flags |= 2 }
        if a.price != nil { flags |= 4 }
        if cents != nil { flags |= 1 << 4 }
        w.byte(flags)
        if !a.categories.isEmpty {
            w.varint(UInt64(a.categories.count))
            for c in a.categories { w.varint(UInt64(number(c, kind: .label))) }
        }
        if let b = a.brand { w.varint(UInt64(number(b, kind: .label))) }
        if let cents { w.varint(EventBatchCodec.zigzag(cents)) } else if let p = a.price { w.double(p) }
    }

    /// The names numbered since the last call, to insert with the rows that use them.
    mutating func takePending() -> [(kind: LogNameKind, number: UInt32, data: Data)] {
        defer { pending.removeAll() }
        return pending
    }

    /// Continues the numbering of `run`'s stored names (a resumed run, a `forget` rewrite).
    /// Blanked names (forgotten users) keep their number but are never found by name.
    mutating func load(run: Int64, in db: Database) throws {
        let stored = try LogNames.read(run: run, in: db)
        for (kind, names) in [(LogNameKind.user, stored.users), (.item, stored.items), (.label, stored.labels)] {
            var table = Names()
            table.list = names
            table.byName.reserveCapacity(names.count)
            for (n, name) in names.enumerated() where !name.isEmpty { table.byName[name] = UInt32(n) }
            table.indexed = names.count
            table.lookUpNewIDs = !names.isEmpty
            switch kind {
            case .user: users = table
            case .item: items = table
            default: labels = table
            }
        }
        sets = [:]
        for (n, a) in stored.sets.enumerated() {
            guard let a else { continue }
            let key = AttributeKey(a)
            if sets[key] == nil { sets[key] = UInt32(n) }
        }
        setCount = UInt32(stored.sets.count)
        lastAttributes = []
        pending = []
        isLoaded = true
    }

    /// Everything numbered so far, as a reader sees it (tests).
    func snapshot() -> LogNames {
        var out = LogNames()
        out.users = users.list
        out.items = items.list
        out.labels = labels.list
        out.sets = [ItemAttributes?](repeating: nil, count: Int(setCount))
        for (key, n) in sets {
            out.sets[Int(n)] = ItemAttributes(categories: key.categories, brand: key.brand, price: key.price.map(Double.init(bitPattern:)))
        }
        return out
    }
}

/// The reader's side: a run's names by number, read from `event_names` and extended as
/// later rows need (``refresh(run:in:)``).
struct LogNames: Sendable {
    /// The key space of this reader's numbers (``EventKeys``): the events it decodes carry
    /// their user, item and attribute-set numbers, so a resume maps them to graph ids
    /// without hashing a name per event (``HeteroGraph/apply(_:keys:)``).
    let space = EventKeys.newSpace()
    var users: [String] = []
    var items: [String] = []
    var labels: [String] = []
    var sets: [ItemAttributes?] = []
    /// Whether the file has the table (schema v4), once asked.
    private var hasTable: Bool?

    /// Whether attribute set `k` (below `sets.count`) has attributes.
    @inline(__always)
    func hasSet(_ k: Int) -> Bool {
        if case .some = sets[k] { return true }
        return false
    }

    /// The tables as a resume's pages of numbers name them (shared, not copied).
    var pageNames: LoggedEventNames { LoggedEventNames(space: space, users: users, items: items, sets: sets) }

    /// Reads the names numbered since the last call: rows committed with them reference
    /// nothing newer. A hole in the numbering is damage.
    /// - Complexity: O(log n) per kind plus the new names.
    mutating func refresh(run: Int64, in db: Database) throws {
        if hasTable == nil { hasTable = try LogNames.exists(in: db) }
        guard hasTable == true else { return }
        for kind in [LogNameKind.user, .item, .label] {
            var list: [String]
            // Moved out while it grows: a second reference would copy it per append.
            switch kind {
            case .user: list = users; users = []
            case .item: list = items; items = []
            default: list = labels; labels = []
            }
            defer {
                switch kind {
                case .user: users = list
                case .item: items = list
                default: labels = list
                }
            }
            try Self.blobs(run: run, kind: kind, from: list.count, in: db) { r in list.append(try r.string()) }
        }
        try Self.blobs(run: run, kind: .attributes, from: sets.count, in: db) { r in sets.append(try decodeSet(&r)) }
    }

    /// Calls `entry` with a reader at each stored name of `kind` numbered `from` and on, in
    /// order (each entry is length-prefixed in its blob).
    private static func blobs(run: Int64, kind: LogNameKind, from: Int, in db: Database, entry: (inout ByteReader) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: "SELECT first_number, count, data FROM event_names WHERE run_id = ? AND kind = ? AND first_number >= ? ORDER BY first_number")
        let rows = try Row.fetchCursor(statement, arguments: [run, kind.rawValue, from])
        var next = from
        while let row = try rows.next() {
            let first: Int = row[0], count: Int = row[1]
            // Numbers are stored without holes (`forget` blanks a name, never deletes it).
            guard first == next, count > 0 else { throw EventBatchCodec.Damaged() }
            try row.withUnsafeData(atIndex: 2) { data in
                guard let data else { throw EventBatchCodec.Damaged() }
                try data.withUnsafeBytes { raw in
                    var r = ByteReader(raw)
                    do {
                        for _ in 0..<count { try entry(&r) }
                    } catch is ByteReader.Overrun {
                        throw EventBatchCodec.Damaged()
                    }
                    guard r.isAtEnd else { throw EventBatchCodec.Damaged() }
                }
            }
            next += count
        }
    }

    /// A stored attribute set: its length, then the ``LogNameWriter`` layout.
    private func decodeSet(_ r: inout ByteReader) throws -> ItemAttributes {
        let length = try r.varint()
        let end = r.offset + Int(min(length, UInt64(Int32.max)))
        let flags = try r.byte()
        guard flags & ~0x17 == 0, flags & 0x14 != 0x10 else { throw EventBatchCodec.Damaged() }
        var a = ItemAttributes()
        if flags & 1 != 0 {
            let n = try r.varint()
            guard n <= length else { throw EventBatchCodec.Damaged() }
            for _ in 0..<n { a.categories.append(try label(r.varint())) }
        }
        if flags & 2 != 0 { a.brand = try label(r.varint()) }
        if flags & 4 != 0 { a.price = flags & 0x10 != 0 ? Double(EventBatchCodec.unzigzag(try r.varint())) / 100 : try r.double() }
        guard r.offset == end else { throw EventBatchCodec.Damaged() }
        return a
    }

    private func label(_ n: UInt64) throws -> String {
        guard n < UInt64(labels.count) else { throw EventBatchCodec.Damaged() }
        return labels[Int(n)]
    }

    /// Every name of `run`.
    static func read(run: Int64, in db: Database) throws -> LogNames {
        var names = LogNames()
        try names.refresh(run: run, in: db)
        return names
    }

    /// Files older than schema v4 (opened read-only, so not migrated) have no table.
    static func exists(in db: Database) throws -> Bool { try db.tableExists("event_names") }

    /// Stores names numbered by a ``LogNameWriter``: one row per kind holding the kind's
    /// consecutive new names, each length-prefixed (one insert per commit and kind, not per
    /// name: per-name rows measured several hundred nanoseconds per logged event at a
    /// million users).
    static func insert(_ names: [(kind: LogNameKind, number: UInt32, data: Data)], run: Int64, in db: Database) throws {
        guard !names.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT INTO event_names (run_id, kind, first_number, count, data) VALUES (?, ?, ?, ?, ?)")
        for kind in LogNameKind.allCases {
            var first: UInt32?
            var next: UInt32 = 0
            var count = 0
            var w = ByteWriter(capacity: 1_024)
            func store(_ w: inout ByteWriter) throws {
                guard let f = first, count > 0 else { return }
                try statement.execute(arguments: [run, kind.rawValue, Int64(f), count, w.take(capacity: 1_024)])
            }
            for n in names where n.kind == kind {
                // Consecutive numbers share a row (a writer's pending names always are).
                if first == nil || n.number != next {
                    try store(&w)
                    first = n.number
                    count = 0
                }
                n.data.withUnsafeBytes { w.bytes($0) }
                count += 1
                next = n.number + 1
            }
            try store(&w)
        }
    }

    /// Blanks every stored name of kind `user` equal to `name` (`forget`): the number stays
    /// taken, the bytes go. Returns the runs that had it.
    @discardableResult
    static func blank(user name: String, in db: Database) throws -> [Int64] {
        guard try exists(in: db) else { return [] }
        let needle = Data(name.utf8)
        var runs: [Int64] = []
        let rows = try Row.fetchAll(db, sql: "SELECT id, run_id, count, data FROM event_names WHERE kind = ? AND instr(data, ?) > 0", arguments: [LogNameKind.user.rawValue, needle])
        for row in rows {
            let data: Data = row["data"]
            let count: Int = row["count"]
            var entries: [Data] = []
            try data.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                do {
                    for _ in 0..<count {
                        let length = try r.varint()
                        guard length <= UInt64(raw.count - r.offset) else { throw EventBatchCodec.Damaged() }
                        entries.append(Data(raw[r.offset..<r.offset + Int(length)]))
                        _ = try r.string(length: length)
                    }
                } catch is ByteReader.Overrun {
                    throw EventBatchCodec.Damaged()
                }
            }
            guard entries.contains(needle) else { continue }
            var w = ByteWriter(capacity: data.count)
            for e in entries { (e == needle ? Data() : e).withUnsafeBytes { w.bytes($0) } }
            try db.execute(sql: "UPDATE event_names SET data = ? WHERE id = ?", arguments: [w.data(), row["id"] as Int64])
            runs.append(row["run_id"])
        }
        return Array(Set(runs)).sorted()
    }
}
