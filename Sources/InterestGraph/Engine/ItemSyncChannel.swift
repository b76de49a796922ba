/// The item side shared between engines that split a stream's users (docs/SCALE-OUT.md).
///
/// Every ``ItemSyncChannel/interval`` seconds the engine thread applies the other engines'
/// item deltas that have arrived and hands its own (the rows it changed since the last
/// exchange) to the channel. The channel does the I/O on its own thread (Redis, in
/// `RedisStream`), so the engine module knows no network and never waits on one: both calls
/// are non-blocking.
package protocol ItemSyncChannel: AnyObject, Sendable {
    /// Seconds between exchanges.
    var interval: Double { get }
    /// Queues this engine's deltas for the other engines. Non-blocking.
    func send(_ batch: ItemDeltaBatch)
    /// The other engines' batches received since the last call, oldest first. Non-blocking.
    func receive() -> [ItemDeltaBatch]
    /// Called once a received batch has been applied (for the staleness measure): `rows`
    /// deltas added, `created` items created from its announcements, `unknown` rows of items
    /// this engine still does not have (their announcement was lost or came before it started).
    /// `signals`: popularity and co-visitation entries added (``ItemDeltaBatch/signals``).
    func applied(_ batch: ItemDeltaBatch, rows: Int, created: Int, unknown: Int, signals: Int, at wallSeconds: Double)
    /// Takes the deltas buffer of a batch this engine has applied, for an engine's next
    /// collect to fill again (``recycledDeltas()``).
    func recycle(deltas: [Float])
    /// A buffer ``recycle(deltas:)`` took, emptied with its capacity kept; an empty array
    /// when there is none.
    func recycledDeltas() -> [Float]
}

extension ItemSyncChannel {
    /// Nothing kept: a batch that crossed a wire has no buffer worth keeping.
    package func recycle(deltas: [Float]) {}
    package func recycledDeltas() -> [Float] { [] }
}

/// An item another engine's users reached first, sent once (with the first batch that
/// carries a delta for it) so that every engine has every item: ranks over the union,
/// counts it as seen in the prequential protocol, and uses it as a negative.
package struct ItemAnnouncement: Sendable, Equatable {
    /// The item's position in ``ItemDeltaBatch/items``.
    package var index: Int
    /// What the receiver's catalogue needs: categories, brand, price.
    package var attributes: ItemAttributes
    /// The sender's ego and final rows now (`dimension` floats each): the receiver starts
    /// the item there, instead of from its own cold start.
    package var ego: [Float]
    package var final: [Float]

    package init(index: Int, attributes: ItemAttributes, ego: [Float], final: [Float]) {
        self.index = index
        self.attributes = attributes
        self.ego = ego
        self.final = final
    }
}

/// Popularity and co-visitation counts one engine's users added since its previous exchange
/// (a ``SignalOutbox`` keyed by item id): increments, added by the receivers.
package struct ItemSignals: Sendable, Equatable {
    /// Event time the weights are true at (see ``SignalOutbox/reference``).
    package var reference: Double
    /// The items the entries below refer to by position.
    package var items: [String]
    package var popularity: [Popularity]
    package var mass: [Mass]
    package var pairs: [Pair]
    /// Pairs the sender's outbox dropped in this interval (it was full): not sent, not on
    /// the wire (the sender's statistics count them).
    package var droppedPairs = 0

    /// `count` events on `items[index]`, of decayed weight `weight` at ``reference``.
    package struct Popularity: Sendable, Equatable {
        package var index: UInt32, count: UInt32, weight: Float
        package init(index: UInt32, count: UInt32, weight: Float) { (self.index, self.count, self.weight) = (index, count, weight) }
    }
    /// Co-visitation mass (new user edges) of `items[index]`.
    package struct Mass: Sendable, Equatable {
        package var index: UInt32, weight: Float
        package init(index: UInt32, weight: Float) { (self.index, self.weight) = (index, weight) }
    }
    /// A co-visitation of `items[a]` and `items[b]`, added to both directions.
    package struct Pair: Sendable, Equatable {
        package var a: UInt32, b: UInt32, weight: Float
        package init(a: UInt32, b: UInt32, weight: Float) { (self.a, self.b, self.weight) = (a, b, weight) }
    }

    package init(reference: Double, items: [String], popularity: [Popularity] = [], mass: [Mass] = [], pairs: [Pair] = []) {
        self.reference = reference
        self.items = items
        self.popularity = popularity
        self.mass = mass
        self.pairs = pairs
    }

    /// An outbox's counts keyed by `graph`'s item names.
    /// - Complexity: O(entries).
    init(_ outbox: SignalOutbox, graph: HeteroGraph) {
        var position: [Int32: UInt32] = [:]
        var items: [String] = []
        func index(_ item: Int32) -> UInt32 {
            if let k = position[item] { return k }
            let k = UInt32(items.count)
            position[item] = k
            items.append(graph.name(of: NodeRef(.item, item)))
            return k
        }
        let limit = Int32(graph.items.count)
        var popularity: [Popularity] = []
        popularity.reserveCapacity(outbox.popularity.count)
        for (item, tally) in outbox.popularity where item < limit {
            popularity.append(Popularity(index: index(item), count: tally.count, weight: tally.weight))
        }
        var mass: [Mass] = []
        for (item, weight) in outbox.mass where item < limit { mass.append(Mass(index: index(item), weight: weight)) }
        var pairs: [Pair] = []
        pairs.reserveCapacity(outbox.pairs.count)
        for (key, weight) in outbox.pairs {
            let a = Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32)), b = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
            guard a < limit, b < limit else { continue }
            pairs.append(Pair(a: index(a), b: index(b), weight: weight))
        }
        self.init(reference: outbox.reference.isNaN ? 0 : outbox.reference, items: items, popularity: popularity, mass: mass, pairs: pairs)
        droppedPairs = outbox.droppedPairs
    }

    /// Entries (popularity, mass and pairs).
    package var count: Int { popularity.count + mass.count + pairs.count }
}

/// One engine's item deltas since its previous exchange, keyed by item id (each engine
/// numbers its items in its own order).
package struct ItemDeltaBatch: Sendable, Equatable {
    /// The sending engine's id and its batch number (1, 2, ...: a gap is a lost batch).
    package var engine: String
    package var sequence: UInt64
    /// Wall seconds of the sender's previous exchange (no update in the batch is older) and
    /// of this one.
    package var since: Double
    package var at: Double
    package var dimension: Int
    package var items: [String]
    /// `items.count * dimension` floats: item k's ego-row delta is `[k*dimension, (k+1)*dimension)`.
    package var ego: [Float]
    /// Items of `items` this batch announces (see ``ItemAnnouncement``).
    package var announced: [ItemAnnouncement]
    /// Per item of `items`, the user edges the sender added since its previous batch (the
    /// receivers add them to the item's degree), or empty.
    package var edges: [UInt32]
    /// Popularity and co-visitation counts since the previous batch (MostPop, ItemKNN, the
    /// hybrid's prior and co-visitation), or `nil`.
    package var signals: ItemSignals?
    /// The sender's own id of each item of ``items``, or empty. A receiver in the same
    /// process translates each id to its own once (``ItemIDTranslation``) instead of looking
    /// every row's name up (a string hash per row, tens of thousands a second: 1.5% of each
    /// engine of a split replay). Not on the wire: a batch from Redis arrives without it.
    package var senderIDs: [Int32] = []

    package init(engine: String, sequence: UInt64, since: Double, at: Double, dimension: Int, items: [String], ego: [Float], announced: [ItemAnnouncement] = [], edges: [UInt32] = [], signals: ItemSignals? = nil) {
        self.engine = engine
        self.sequence = sequence
        self.since = since
        self.at = at
        self.dimension = dimension
        self.items = items
        self.ego = ego
        self.announced = announced
        self.edges = edges
        self.signals = signals
    }
}

extension EngineCore {
    /// The settings of an engine that splits a stream's users, on a fresh or restored model:
    /// its training mode and, when it shares the item side, the tracking of changed rows.
    mutating func applyScaleOutSettings() {
        if let mode = configuration.trainingMode { model.setTrainingMode(mode) }
        model.setDrawsAhead(configuration.drawsBatchesAhead)
        if configuration.itemSync != nil {
            model.enableItemSync()
            if configuration.shareCounts { model.enableSignalSync() }
        }
    }

    /// Applies the other engines' deltas that arrived and sends this engine's, once per
    /// ``ItemSyncChannel/interval``.
    /// - Complexity: O((rows received + rows changed) * dimension), never O(items).
    mutating func exchangeItemDeltas() {
        guard let channel = configuration.itemSync else { return }
        let now = wallSeconds()
        guard now - lastItemExchange >= channel.interval else { return }
        let since = lastItemExchange
        lastItemExchange = now
        for batch in channel.receive() {
            ItemDeltaExchange.apply(batch, to: &model, graph: &graph, channel: channel, translation: &itemTranslation)
            channel.recycle(deltas: batch.ego)
        }
        let reused = channel.recycledDeltas()
        if let batch = ItemDeltaExchange.collect(from: &model, graph: graph, since: since, at: now, reusing: consume reused) { channel.send(batch) }
    }
}

/// A model's item deltas as batches keyed by item id, and batches applied back: the two
/// halves of an exchange, callable without an engine (tests, tools).
package enum ItemDeltaExchange {
    /// Another engine's batch into `model` and `graph`: announced items this engine does
    /// not have are created at the sender's rows (their delta is already in those rows);
    /// every other row's delta is added, and every row's new user edges are added to the
    /// item's degree (`otherItemDegree`). Rows of items still unknown (their announcement
    /// never arrived) are counted, not applied.
    /// - Complexity: O(rows * dimension + announcements * attributes).
    package static func apply(_ batch: ItemDeltaBatch, to model: inout Recommender, graph: inout HeteroGraph, channel: (any ItemSyncChannel)?) {
        var translation = ItemIDTranslation()
        apply(batch, to: &model, graph: &graph, channel: channel, translation: &translation)
    }

    /// ``apply(_:to:graph:channel:)``, finding the rows' items through `translation` (the
    /// engine keeps one across batches).
    package static func apply(_ batch: ItemDeltaBatch, to model: inout Recommender, graph: inout HeteroGraph, channel: (any ItemSyncChannel)?,
                              translation: inout ItemIDTranslation) {
        let d = batch.dimension
        var rows = 0, created = 0, unknown = 0
        if batch.items.isEmpty {
            // Counts only (a model without item rows, or no row changed).
        } else if d == model.hyperparameters.sanitised.dimension, batch.ego.count == batch.items.count * d {
            var skip = Set<Int>()
            for announcement in batch.announced where announcement.index >= 0 && announcement.index < batch.items.count {
                let name = batch.items[announcement.index]
                // An item this engine's users reached keeps its own row (the delta is added
                // below); one it has no row for (new, or a catalogue item without events here)
                // starts at the announcer's.
                let existing = graph.itemID(name)
                if let existing, model.hasItemRow(existing) { continue }
                guard announcement.ego.count == d, announcement.final.count == d else { continue }
                let id = existing ?? graph.addItem(name).id
                if existing == nil, !announcement.attributes.isEmpty { graph.setAttributes(announcement.attributes, forItem: id) }
                if model.adoptItem(row: id, ego: announcement.ego[...], final: announcement.final[...], graph: graph) {
                    created += 1
                    skip.insert(announcement.index)
                }
            }
            let counted = batch.edges.count == batch.items.count
            // Every row's item first (after the announcements created theirs), so the loop
            // below can ask for the rows a few items ahead: each is a miss into three tables
            // of a hundred thousand rows.
            let ids = translation.ids(of: batch, in: graph)
            let ahead = Self.rowPrefetchDistance
            for k in ids.indices {
                if k + ahead < ids.count { model.prefetchItemDeltaRows(ids[k + ahead]) }
                let id = ids[k]
                if counted, batch.edges[k] > 0, id >= 0 { model.addOtherItemEdges(row: id, count: Int(batch.edges[k])) }
                if skip.contains(k) { continue }
                guard id >= 0, model.hasItemRow(id) else {
                    unknown += 1
                    continue
                }
                let range = (k * d)..<((k + 1) * d)
                if model.applyItemDelta(row: id, ego: batch.ego[range]) { rows += 1 } else { unknown += 1 }
            }
        } else {
            unknown = batch.items.count
        }
        var merged = 0
        if let signals = batch.signals {
            // An embedding model has every item the sender has from its announcements; a
            // baseline (MostPop, ItemKNN) has no rows to announce and creates the item here.
            let creates = !model.kind.hasEmbeddings
            let ids = signals.items.map { name -> Int32 in
                if let id = graph.itemID(name) { return id }
                return creates ? graph.addItem(name).id : -1
            }
            merged = model.mergeSignals(signals, ids: ids)
        }
        channel?.applied(batch, rows: rows, created: created, unknown: unknown, signals: merged, at: wallSeconds())
    }

    /// Rows ahead of the one being applied whose lines are asked for.
    static let rowPrefetchDistance = 4

    /// This engine's changed item rows as a batch (`nil` when none changed), with an
    /// announcement of each item it has not announced yet; engine id and sequence are the
    /// channel's to fill in.
    /// - Complexity: O(changed rows * dimension).
    /// `reusing`: an empty buffer to fill with the deltas, its capacity kept (``ItemSyncChannel/recycledDeltas()``).
    package static func collect(from model: inout Recommender, graph: HeteroGraph, since: Double, at now: Double, reusing: consuming [Float] = []) -> ItemDeltaBatch? {
        var deltas = model.collectItemDeltas(reusing: consume reusing)
        let signals = model.takeSignals().map { ItemSignals($0, graph: graph) }
        let d = deltas.isEmpty ? model.hyperparameters.sanitised.dimension : deltas.dimension
        var batch = ItemDeltaBatch(engine: "", sequence: 0, since: since, at: now, dimension: d, items: [], ego: [])
        batch.signals = signals
        batch.items.reserveCapacity(deltas.count)
        batch.edges.reserveCapacity(deltas.count)
        batch.senderIDs.reserveCapacity(deltas.count)
        let limit = Int32(graph.items.count)
        for (k, row) in deltas.rows.enumerated() where row < limit {
            if model.needsAnnouncement(row), let rows = model.itemRows(row) {
                batch.announced.append(ItemAnnouncement(index: batch.items.count, attributes: graph.attributes(ofItem: row),
                                                        ego: Array(rows.ego.prefix(d)), final: Array(rows.final.prefix(d))))
            }
            batch.items.append(graph.name(of: NodeRef(.item, row)))
            batch.senderIDs.append(row)
            batch.edges.append(UInt32(max(0, deltas.edges[k])))
        }
        if batch.items.count == deltas.count {
            // Every row is the graph's (always, but for a model ahead of its graph): the flat
            // deltas are the batch's as they are, moved rather than copied.
            swap(&batch.ego, &deltas.ego)
        } else {
            batch.ego.reserveCapacity(batch.items.count * d)
            for (k, row) in deltas.rows.enumerated() where row < limit { batch.ego.append(contentsOf: deltas.ego[(k * d)..<((k + 1) * d)]) }
        }
        return batch.items.isEmpty && batch.signals == nil ? nil : batch
    }
}

/// Other engines' item ids mapped to this engine's, learned from the batches they send
/// (``ItemDeltaBatch/senderIDs``): an array lookup per received row where a name lookup
/// hashed a string.
///
/// A cache, never the truth (as ``SourceKeyMap``): an entry is used only while this graph's
/// interner still holds the row's name at that id (usually one word compare: engines that
/// split a replay share the source's strings), so a sender that renumbered its items (a
/// restart) or an item forgotten here falls back to the name and the entry is refreshed.
/// - Complexity: 4 bytes per item id of each sender seen.
package struct ItemIDTranslation: Sendable {
    /// Per sending engine (``ItemDeltaBatch/engine``), its item id -> this graph's, -1 unknown.
    private var tables: [String: [Int32]] = [:]

    package init() {}

    /// This graph's id of each item of `batch`, -1 for an item it does not have.
    /// - Complexity: O(rows), a name lookup only for a row whose sender id is new or stale.
    package mutating func ids(of batch: ItemDeltaBatch, in graph: HeteroGraph) -> [Int32] {
        var ids = [Int32](repeating: -1, count: batch.items.count)
        guard batch.senderIDs.count == batch.items.count else {
            for (k, name) in batch.items.enumerated() { ids[k] = graph.itemID(name) ?? -1 }
            return ids
        }
        // Taken out and put back, so the writes below find the table unique.
        var table = tables.removeValue(forKey: batch.engine) ?? []
        defer { tables[batch.engine] = table }
        for (k, name) in batch.items.enumerated() {
            let sender = Int(batch.senderIDs[k])
            if sender >= 0, sender < table.count, graph.items.holds(name, at: table[sender]) {
                ids[k] = table[sender]
                continue
            }
            let id = graph.itemID(name) ?? -1
            ids[k] = id
            guard sender >= 0, id >= 0 else { continue }
            if sender >= table.count { table.append(contentsOf: repeatElement(-1, count: max(sender + 1 - table.count, table.count))) }
            table[sender] = id
        }
        return ids
    }
}
