/// Replays a dataset file from a compact in-memory copy, in time order.
///
/// A live replay needs the whole file at hand (the clock seeks back by restarting, and a
/// file need not be sorted), but not as ``Event`` values: an `Event` with its strings and an
/// attribute set per row takes about 150 bytes, 3.5 GB for a 23 M-event shop log before the
/// graph holds anything. Here each event is 29 bytes in columns (user and item as indices
/// into name tables, the attribute set as an index into a table of the distinct sets, time,
/// value, action), 0.7 GB for the same log, and ``next()`` rebuilds the `Event` from them.
///
/// The file is read in one streaming pass (``DatasetLoader/stream(_:format:options:catalogue:body:)``),
/// so loading never holds the `Event` array either. Attributes carried on rows are merged
/// into the catalogue as ``DatasetLoader/load(_:format:options:)`` does.
public struct CompactReplaySource: EventSource {
    public let name: String
    public let catalogue: ItemCatalogue
    private let events: CompactEvents
    public private(set) var position = 0

    /// Reads `pathOrName` (a file, a dataset directory or a known dataset name).
    /// - Throws: what the reader throws (a missing file, a strict-mode bad row, ...).
    public init(pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init()) throws {
        var builder = CompactEvents.Builder()
        var catalogue = ItemCatalogue()
        _ = try DatasetLoader.stream(pathOrName, format: format, options: options, catalogue: { catalogue = $0 },
                                     body: { builder.append($0) }, rows: { builder.append(row: $0) })
        builder.mergeAttributes(into: &catalogue)
        self.name = try DatasetLoader.name(of: pathOrName, format: format)
        self.catalogue = catalogue
        self.events = builder.finish()
    }

    /// The same store from events already in memory (tests compare it with ``ArrayEventSource``).
    public init(name: String, events: [Event], catalogue: ItemCatalogue = ItemCatalogue()) {
        var builder = CompactEvents.Builder()
        for event in events { builder.append(event) }
        self.name = name
        self.catalogue = catalogue
        self.events = builder.finish()
    }

    public var kind: SourceStatus.Kind { .replay }
    public var totalCount: Int? { events.count }
    /// Bytes held by the event columns and tables (for the benchmarks and the docs).
    public var storedBytes: Int { events.storedBytes }

    public mutating func peekTime() -> Double? {
        position < events.count ? events.timestamps[position] : nil
    }

    /// - Complexity: O(1); no allocation (names and attribute sets are shared, not copied).
    public mutating func next() -> Event? {
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events.event(at: position)
    }

    public mutating func restart() { position = 0 }

    public func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? {
        events.keys(at: position + ahead)
    }

    /// Also asks for the event's attribute set (as ``StreamingReplaySource`` does).
    public func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? {
        let keys = upcomingKeys(ahead: ahead)
        if let keys { events.prefetchNames(of: keys) }
        events.prefetchAttributes(entryAt: position + ahead, listAt: position + ahead - ahead / 2)
        return keys
    }

    /// A resumed run's logged events are skipped by moving the position: no event is built
    /// (the protocol's default calls ``next()`` for each, seconds at 20 M events).
    /// - Complexity: O(1).
    public mutating func skipLogged(_ count: Int64) {
        position = min(events.count, position + Int(clamping: max(0, count)))
    }
}

/// Events as columns, sorted by time (stably), with names and attribute sets interned.
struct CompactEvents: Sendable {
    var userNames: [String] = []
    var itemNames: [String] = []
    /// Distinct attribute sets; index 0 is "none".
    var attributeSets: [ItemAttributes] = [ItemAttributes()]
    var users: [Int32] = []
    var items: [Int32] = []
    var timestamps: [Double] = []
    /// The value, or NaN where the row had none (``hasValue`` says which).
    var values: [Double] = []
    /// The action's raw value; bit 7 set when the event has a value.
    var actions: [UInt8] = []
    var attributes: [Int32] = []
    /// This store's key space (``EventKeys/space``), drawn when the store is finished.
    var space: UInt32 = 0

    static let hasValue: UInt8 = 0x80

    var count: Int { timestamps.count }

    var storedBytes: Int {
        count * (4 + 4 + 8 + 8 + 1 + 4) + (userNames.count + itemNames.count) * MemoryLayout<String>.stride
            + attributeSets.count * MemoryLayout<ItemAttributes>.stride
    }

    /// The event at `k`, carrying its indices in these tables as ``Event/keys`` so the
    /// engine maps them to graph ids without hashing the names (``SourceKeyMap``).
    @inline(__always)
    func event(at k: Int) -> Event { event(at: k, names: self) }

    /// The event at `k` of these columns with its names from `names`' tables and key space:
    /// a streamed chunk (``StreamingReplaySource``) holds columns only, its ids index the
    /// tables of the whole load.
    @inline(__always)
    func event(at k: Int, names: CompactEvents) -> Event {
        let code = actions[k]
        let a = attributes[k]
        var event = Event(
            user: names.userNames[Int(users[k])], item: names.itemNames[Int(items[k])],
            action: Action(rawValue: code & ~Self.hasValue) ?? .view, timestamp: timestamps[k],
            value: code & Self.hasValue != 0 ? values[k] : nil,
            attributes: a == 0 ? nil : names.attributeSets[Int(a)])
        event.keys = EventKeys(space: names.space, user: users[k], item: items[k], attributes: a)
        return event
    }

    /// The source keys of the event at `k`, `nil` past the end (a prefetch hint's lookahead).
    @inline(__always)
    func keys(at k: Int) -> (user: Int32, item: Int32)? {
        k >= 0 && k < users.count && k < items.count ? (users[k], items[k]) : nil
    }

    /// Asks for the name entries ``event(at:names:)`` reads for an event with these keys:
    /// the user's (a million names are 16 MB) and the item's (a hundred thousand are 1.6 MB,
    /// which the engines' other misses keep out of cache: unasked, that load was 70% of
    /// `StreamingReplaySource.next()` in perf, 2% of each engine thread).
    /// - Complexity: O(1), two hints.
    @inline(__always)
    func prefetchNames(of keys: (user: Int32, item: Int32)) {
        Prefetch.readElement(of: userNames, at: Int(keys.user))
        Prefetch.readElement(of: itemNames, at: Int(keys.item))
    }

    /// Asks for the entry of `sets` (the whole load's attribute sets) the event at `k` of
    /// these columns carries: a read; nothing for an event without a set.
    /// - Complexity: O(1), one hint.
    @inline(__always)
    func prefetchAttributeEntry(at k: Int, sets: [ItemAttributes]) {
        guard k >= 0, k < attributes.count else { return }
        let set = Int(attributes[k])
        if set > 0 { Prefetch.readElement(of: sets, at: set) }
    }

    /// Asks for the header of that set's category list, which building the event retains:
    /// a write to one of up to a hundred thousand heap objects, and a miss the engine thread
    /// stalled on (perf: 3.7% of it, in `swift_retain` under `next()`). The set's entry must
    /// be in cache to be followed: ask for it with ``prefetchAttributeEntry(at:sets:)`` a
    /// few events earlier.
    /// - Complexity: O(1), one hint.
    @inline(__always)
    func prefetchAttributeList(at k: Int, sets: [ItemAttributes]) {
        guard k >= 0, k < attributes.count else { return }
        let set = Int(attributes[k])
        if set > 0 { Prefetch.leadingObject(in: sets, at: set) }
    }

    /// Both hints on a store that holds its own sets (a whole sorted load): the entry of
    /// the event at `far`, the list of the one at `near`.
    @inline(__always)
    func prefetchAttributes(entryAt far: Int?, listAt near: Int?) {
        if let far { prefetchAttributeEntry(at: far, sets: attributeSets) }
        if let near { prefetchAttributeList(at: near, sets: attributeSets) }
    }

    mutating func reserveColumns(_ count: Int) {
        users.reserveCapacity(count)
        items.reserveCapacity(count)
        timestamps.reserveCapacity(count)
        values.reserveCapacity(count)
        actions.reserveCapacity(count)
        attributes.reserveCapacity(count)
    }

    /// Appends `other`'s columns (not its tables) after these.
    mutating func appendColumns(of other: CompactEvents) {
        users += other.users
        items += other.items
        timestamps += other.timestamps
        values += other.values
        actions += other.actions
        attributes += other.attributes
    }

    /// Collects events in file order, then sorts once.
    ///
    /// Each event is interned ``lookahead`` events after it arrives: its names' hashes are
    /// computed at once and their slots asked for (``LoadInterner/prefetch(hash:)``), so the
    /// misses of a million users' table overlap the rows in between instead of stalling
    /// each row in turn.
    struct Builder {
        private var store = CompactEvents()
        private var userIDs = LoadInterner()
        private var itemIDs = LoadInterner()
        /// Events appended but not yet interned, with their names' hashes: a ring of
        /// ``lookahead`` + 1 entries, the oldest at `queueHead`.
        private var queue: [Pending] = []
        private var queueHead = 0
        /// How many events an event waits before it is interned.
        static let lookahead = 8

        /// A queued row with its names' hashes, and its item's id once interned ahead.
        private struct Pending {
            var row: DecodedRow
            var user: UInt64
            var item: UInt64
            var itemID: Int32 = -1
        }
        private var attributeIDs: [ItemAttributes: Int32] = [:]
        /// This store's set per set id of the reader's cache (``DecodedRow/attributeSet``;
        /// 0: not met yet), for ids of `readerSpace`.
        private var readerSets: [Int32] = []
        private var readerSpace: UInt32 = 0
        /// The attribute set last merged into the catalogue per item: rows repeat them, and
        /// merging the same set twice changes nothing.
        private var lastMerged: [Int32] = []
        private var merges: [(item: Int32, set: Int32)] = []
        private var sorted = true
        /// The last timestamp appended, also across ``takeChunk()``.
        private var lastTimestamp = -Double.infinity
        /// Names and attribute sets already handed out with a chunk.
        private var userNamesTaken = 0
        private var itemNamesTaken = 0
        private var attributeSetsTaken = 1
        /// The key space of the store and of every chunk taken from it.
        private let space = EventKeys.newSpace()

        /// Whether every event so far came no earlier than the one before it.
        var isSorted: Bool { sorted }
        /// Events appended since the last ``takeChunk()``.
        var pendingCount: Int { store.count + queue.count }

        /// Appends `event` (``append(row:)``).
        mutating func append(_ event: Event) { append(row: DecodedRow(event)) }

        /// Appends a row; it is interned and stored ``lookahead`` rows later (or at
        /// ``takeChunk()`` / ``finish(after:)``). Whether the rows are sorted is known at once.
        /// Rows whose sets come by a reader's id must arrive in the order that reader decoded
        /// them: the first row of each id carries its set.
        /// - Complexity: O(1) amortised, two hashes and two hints.
        mutating func append(row: DecodedRow) {
            if row.timestamp < lastTimestamp { sorted = false }
            lastTimestamp = row.timestamp
            let entry = Pending(row: row, user: LoadInterner.hash(row.user), item: LoadInterner.hash(row.item))
            userIDs.prefetch(hash: entry.user)
            itemIDs.prefetch(hash: entry.item)
            if queue.count <= Self.lookahead {
                queue.append(entry)
                return
            }
            // The ring is full: store its oldest, put this one in its place (swapped, not
            // copied: no reference count changes for the names and attributes).
            var oldest = entry
            swap(&oldest, &queue[queueHead])
            queueHead = queueHead == Self.lookahead ? 0 : queueHead + 1
            add(oldest)
            internItemAhead(at: queueHead)
        }

        /// Stores every queued event, oldest first.
        private mutating func flush() {
            // Moved out while `add` mutates `self`, then back: the ring's storage is kept.
            var waiting: [Pending] = []
            swap(&waiting, &queue)
            for k in 0..<waiting.count { add(waiting[(queueHead + k) % waiting.count]) }
            waiting.removeAll(keepingCapacity: true)
            swap(&waiting, &queue)
            queueHead = 0
        }

        /// Interns the item of the queued row at `index` (the next to be stored) one row
        /// early and asks for what storing it reads: the item's last set (an entry among a
        /// hundred thousand) and, for a row whose set comes by the reader's id, this store's
        /// set for that id; for a row carrying its set, that last set itself, which storing
        /// compares with the row's. Each was a miss per row (perf: 10% of the reading thread,
        /// then, with sets by id, half of storing a row). Items are still numbered in row
        /// order: every earlier row's item is interned by then.
        /// - Complexity: O(1), one lookup and up to two hints.
        private mutating func internItemAhead(at index: Int) {
            guard queue[index].itemID < 0 else { return }
            let i = itemIDs.intern(queue[index].row.item, hash: queue[index].item).id
            queue[index].itemID = i
            let set = Int(queue[index].row.attributeSet)
            if set > 0 {
                Prefetch.readElement(of: lastMerged, at: Int(i))
                Prefetch.readElement(of: readerSets, at: set)
            } else if queue[index].row.attributes != nil, Int(i) < lastMerged.count {
                let last = Int(lastMerged[Int(i)])
                if last != 0 { Prefetch.readElement(of: store.attributeSets, at: last) }
            }
        }

        /// Interns and stores one queued row.
        private mutating func add(_ entry: Pending) {
            let row = entry.row
            let u = userIDs.intern(row.user, hash: entry.user).id
            let i = entry.itemID >= 0 ? entry.itemID : itemIDs.intern(row.item, hash: entry.item).id
            if Int(i) >= lastMerged.count { lastMerged.append(contentsOf: repeatElement(0, count: Int(i) + 1 - lastMerged.count)) }
            let last = lastMerged[Int(i)]
            var a: Int32 = 0
            let byID = row.attributeSet > 0 && row.attributeSpace == readerSpace && Int(row.attributeSet) < readerSets.count
            if byID, readerSets[Int(row.attributeSet)] != 0 {
                a = readerSets[Int(row.attributeSet)]
            } else if let set = row.attributes, !set.isEmpty {
                // Rows of an item nearly always repeat its last set: compare before hashing.
                if last != 0, store.attributeSets[Int(last)] == set {
                    a = last
                } else if let known = attributeIDs[set] {
                    a = known
                } else {
                    a = Int32(store.attributeSets.count)
                    attributeIDs[set] = a
                    store.attributeSets.append(set)
                }
                if row.attributeSet > 0 { noteReaderSet(row.attributeSet, space: row.attributeSpace, is: a) }
            }
            if a != 0, last != a {
                lastMerged[Int(i)] = a
                merges.append((i, a))
            }
            store.users.append(u)
            store.items.append(i)
            store.timestamps.append(row.timestamp)
            store.values.append(row.value ?? .nan)
            store.actions.append(row.action.rawValue | (row.value == nil ? 0 : CompactEvents.hasValue))
            store.attributes.append(a)
        }

        /// Remembers that the reader's set `id` (of `space`) is this store's set `set`.
        private mutating func noteReaderSet(_ id: Int32, space: UInt32, is set: Int32) {
            if space != readerSpace {
                readerSets.removeAll(keepingCapacity: true)
                readerSpace = space
            }
            if Int(id) >= readerSets.count {
                readerSets.append(contentsOf: repeatElement(0, count: max(Int(id) + 1, 2 * readerSets.count) - readerSets.count))
            }
            readerSets[Int(id)] = set
        }

        /// Merges row attributes into `catalogue` in file order, as the `Event`-array loader does.
        mutating func mergeAttributes(into catalogue: inout ItemCatalogue) {
            flush()
            for (item, set) in merges {
                catalogue.merge(item: itemIDs.name(item), attributes: store.attributeSets[Int(set)])
            }
        }

        /// Room for `count` more events in the columns: a chunk's columns then grow once, not
        /// by doublings (each a copy into fresh pages: perf put the copies and their page
        /// faults at 8% of the reading thread).
        mutating func reserve(_ count: Int) {
            store.reserveColumns(store.count + count)
        }

        /// The user names met so far, in id order.
        var userNames: [String] { userIDs.names }

        /// Moves out the events appended since the last take, in file order, with the names
        /// and attribute sets first met among them (appended to the earlier chunks' tables,
        /// they make the whole load's tables) and the load's key space.
        /// - Complexity: O(events and names taken).
        mutating func takeChunk() -> CompactEvents {
            flush()
            var chunk = CompactEvents()
            swap(&chunk.users, &store.users)
            swap(&chunk.items, &store.items)
            swap(&chunk.timestamps, &store.timestamps)
            swap(&chunk.values, &store.values)
            swap(&chunk.actions, &store.actions)
            swap(&chunk.attributes, &store.attributes)
            chunk.userNames = Array(userIDs.names[userNamesTaken...])
            chunk.itemNames = Array(itemIDs.names[itemNamesTaken...])
            chunk.attributeSets = Array(store.attributeSets[attributeSetsTaken...])
            userNamesTaken = userIDs.count
            itemNamesTaken = itemIDs.count
            attributeSetsTaken = store.attributeSets.count
            chunk.space = space
            return chunk
        }

        /// The store, sorted by time with file order breaking ties; `taken` are the chunks
        /// ``takeChunk()`` moved out, in order (their events come first).
        mutating func finish(after taken: [CompactEvents] = []) -> CompactEvents {
            flush()
            var result = store
            if !taken.isEmpty {
                // The chunks' columns first (each chunk holds only the names it met first).
                result = CompactEvents()
                result.reserveColumns(taken.reduce(store.count) { $0 + $1.count })
                for chunk in taken { result.appendColumns(of: chunk) }
                result.appendColumns(of: store)
                result.attributeSets = store.attributeSets
            }
            store = CompactEvents()
            result.userNames = userIDs.names
            result.itemNames = itemIDs.names
            userIDs = LoadInterner()
            itemIDs = LoadInterner()
            result.space = space
            guard !sorted else { return result }
            let order = result.timestamps.indices.sorted { a, b in
                result.timestamps[a] != result.timestamps[b] ? result.timestamps[a] < result.timestamps[b] : a < b
            }
            result.users = order.map { result.users[$0] }
            result.items = order.map { result.items[$0] }
            result.timestamps = order.map { result.timestamps[$0] }
            result.values = order.map { result.values[$0] }
            result.actions = order.map { result.actions[$0] }
            result.attributes = order.map { result.attributes[$0] }
            return result
        }
    }
}
