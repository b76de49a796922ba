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
        _ = try DatasetLoader.stream(pathOrName, format: format, options: options, catalogue: { catalogue = $0 }, body: { builder.append($0) })
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
    func event(at k: Int) -> Event {
        let code = actions[k]
        let a = attributes[k]
        var event = Event(
            user: userNames[Int(users[k])], item: itemNames[Int(items[k])],
            action: Action(rawValue: code & ~Self.hasValue) ?? .view, timestamp: timestamps[k],
            value: code & Self.hasValue != 0 ? values[k] : nil,
            attributes: a == 0 ? nil : attributeSets[Int(a)])
        event.keys = EventKeys(space: space, user: users[k], item: items[k], attributes: a)
        return event
    }

    /// Collects events in file order, then sorts once.
    struct Builder {
        private var store = CompactEvents()
        private var userIDs = Interner()
        private var itemIDs = Interner()
        private var attributeIDs: [ItemAttributes: Int32] = [:]
        /// The attribute set last merged into the catalogue per item: rows repeat them, and
        /// merging the same set twice changes nothing.
        private var lastMerged: [Int32] = []
        private var merges: [(item: Int32, set: Int32)] = []
        private var sorted = true

        mutating func append(_ event: Event) {
            let u = userIDs.intern(event.user).id
            let i = itemIDs.intern(event.item).id
            var a: Int32 = 0
            if let set = event.attributes, !set.isEmpty {
                if Int(i) >= lastMerged.count { lastMerged.append(contentsOf: repeatElement(0, count: Int(i) + 1 - lastMerged.count)) }
                // Rows of an item nearly always repeat its last set: compare before hashing.
                let last = lastMerged[Int(i)]
                if last != 0, store.attributeSets[Int(last)] == set {
                    a = last
                } else if let known = attributeIDs[set] {
                    a = known
                } else {
                    a = Int32(store.attributeSets.count)
                    attributeIDs[set] = a
                    store.attributeSets.append(set)
                }
                if last != a {
                    lastMerged[Int(i)] = a
                    merges.append((i, a))
                }
            }
            if let previous = store.timestamps.last, event.timestamp < previous { sorted = false }
            store.users.append(u)
            store.items.append(i)
            store.timestamps.append(event.timestamp)
            store.values.append(event.value ?? .nan)
            store.actions.append(event.action.rawValue | (event.value == nil ? 0 : CompactEvents.hasValue))
            store.attributes.append(a)
        }

        /// Merges row attributes into `catalogue` in file order, as the `Event`-array loader does.
        func mergeAttributes(into catalogue: inout ItemCatalogue) {
            for (item, set) in merges {
                catalogue.merge(item: itemIDs.name(item), attributes: store.attributeSets[Int(set)])
            }
        }

        /// The store, sorted by time with file order breaking ties.
        mutating func finish() -> CompactEvents {
            var result = store
            store = CompactEvents()
            result.userNames = userIDs.names
            result.itemNames = itemIDs.names
            userIDs = Interner()
            itemIDs = Interner()
            result.space = EventKeys.newSpace()
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
