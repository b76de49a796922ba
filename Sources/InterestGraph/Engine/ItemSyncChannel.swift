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
    func applied(_ batch: ItemDeltaBatch, rows: Int, created: Int, unknown: Int, at wallSeconds: Double)
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

    package init(engine: String, sequence: UInt64, since: Double, at: Double, dimension: Int, items: [String], ego: [Float], announced: [ItemAnnouncement] = [], edges: [UInt32] = []) {
        self.engine = engine
        self.sequence = sequence
        self.since = since
        self.at = at
        self.dimension = dimension
        self.items = items
        self.ego = ego
        self.announced = announced
        self.edges = edges
    }
}

extension EngineCore {
    /// The settings of an engine that splits a stream's users, on a fresh or restored model:
    /// its training mode and, when it shares the item side, the tracking of changed rows.
    mutating func applyScaleOutSettings() {
        if let mode = configuration.trainingMode { model.setTrainingMode(mode) }
        if configuration.itemSync != nil { model.enableItemSync() }
    }

    /// Applies the other engines' deltas that arrived and sends this engine's, once per
    /// ``ItemSyncChannel/interval``.
    /// - Complexity: O((rows received + rows changed) * dimension), never O(items).
    mutating func exchangeItemDeltas() {
        guard let channel = configuration.itemSync, model.kind.hasEmbeddings else { return }
        let now = wallSeconds()
        guard now - lastItemExchange >= channel.interval else { return }
        let since = lastItemExchange
        lastItemExchange = now
        for batch in channel.receive() {
            ItemDeltaExchange.apply(batch, to: &model, graph: &graph, channel: channel)
        }
        if let batch = ItemDeltaExchange.collect(from: &model, graph: graph, since: since, at: now) { channel.send(batch) }
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
        let d = batch.dimension
        var rows = 0, created = 0, unknown = 0
        if d == model.hyperparameters.sanitised.dimension, batch.ego.count == batch.items.count * d {
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
            for (k, name) in batch.items.enumerated() {
                if counted, batch.edges[k] > 0, let id = graph.itemID(name) { model.addOtherItemEdges(row: id, count: Int(batch.edges[k])) }
                if skip.contains(k) { continue }
                guard let id = graph.itemID(name), model.hasItemRow(id) else {
                    unknown += 1
                    continue
                }
                let range = (k * d)..<((k + 1) * d)
                if model.applyItemDelta(row: id, ego: batch.ego[range]) { rows += 1 } else { unknown += 1 }
            }
        } else {
            unknown = batch.items.count
        }
        channel?.applied(batch, rows: rows, created: created, unknown: unknown, at: wallSeconds())
    }

    /// This engine's changed item rows as a batch (`nil` when none changed), with an
    /// announcement of each item it has not announced yet; engine id and sequence are the
    /// channel's to fill in.
    /// - Complexity: O(changed rows * dimension).
    package static func collect(from model: inout Recommender, graph: HeteroGraph, since: Double, at now: Double) -> ItemDeltaBatch? {
        let deltas = model.collectItemDeltas()
        guard !deltas.isEmpty, let d = deltas.first?.ego.count else { return nil }
        var batch = ItemDeltaBatch(engine: "", sequence: 0, since: since, at: now, dimension: d, items: [], ego: [])
        batch.items.reserveCapacity(deltas.count)
        batch.ego.reserveCapacity(deltas.count * d)
        for delta in deltas where Int(delta.row) < graph.items.count {
            if model.needsAnnouncement(delta.row), let rows = model.itemRows(delta.row) {
                batch.announced.append(ItemAnnouncement(index: batch.items.count, attributes: graph.attributes(ofItem: delta.row),
                                                        ego: Array(rows.ego.prefix(d)), final: Array(rows.final.prefix(d))))
            }
            batch.items.append(graph.name(of: NodeRef(.item, delta.row)))
            batch.ego.append(contentsOf: delta.ego)
            batch.edges.append(UInt32(max(0, delta.edges)))
        }
        return batch.items.isEmpty ? nil : batch
    }
}
