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
    /// Called once a received batch has been applied (for the staleness measure).
    func applied(_ batch: ItemDeltaBatch, rows: Int, unknown: Int, at wallSeconds: Double)
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

    package init(engine: String, sequence: UInt64, since: Double, at: Double, dimension: Int, items: [String], ego: [Float]) {
        self.engine = engine
        self.sequence = sequence
        self.since = since
        self.at = at
        self.dimension = dimension
        self.items = items
        self.ego = ego
    }
}

extension EngineCore {
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
            ItemDeltaExchange.apply(batch, to: &model, graph: graph, channel: channel)
        }
        if let batch = ItemDeltaExchange.collect(from: &model, graph: graph, since: since, at: now) { channel.send(batch) }
    }
}

/// A model's item deltas as batches keyed by item id, and batches applied back: the two
/// halves of an exchange, callable without an engine (tests, tools).
package enum ItemDeltaExchange {
    /// Another engine's batch into `model`: rows of items this engine has not seen are
    /// counted, not applied (it will start them from its own cold start).
    package static func apply(_ batch: ItemDeltaBatch, to model: inout Recommender, graph: HeteroGraph, channel: (any ItemSyncChannel)?) {
        let d = batch.dimension
        var rows = 0, unknown = 0
        if d == model.hyperparameters.sanitised.dimension, batch.ego.count == batch.items.count * d {
            for (k, name) in batch.items.enumerated() {
                guard let id = graph.itemID(name) else {
                    unknown += 1
                    continue
                }
                let range = (k * d)..<((k + 1) * d)
                if model.applyItemDelta(row: id, ego: batch.ego[range]) { rows += 1 } else { unknown += 1 }
            }
        } else {
            unknown = batch.items.count
        }
        channel?.applied(batch, rows: rows, unknown: unknown, at: wallSeconds())
    }

    /// This engine's changed item rows as a batch (`nil` when none changed); engine id and
    /// sequence are the channel's to fill in.
    package static func collect(from model: inout Recommender, graph: HeteroGraph, since: Double, at now: Double) -> ItemDeltaBatch? {
        let deltas = model.collectItemDeltas()
        guard !deltas.isEmpty, let d = deltas.first?.ego.count else { return nil }
        var batch = ItemDeltaBatch(engine: "", sequence: 0, since: since, at: now, dimension: d, items: [], ego: [])
        batch.items.reserveCapacity(deltas.count)
        batch.ego.reserveCapacity(deltas.count * d)
        for delta in deltas where Int(delta.row) < graph.items.count {
            batch.items.append(graph.name(of: NodeRef(.item, delta.row)))
            batch.ego.append(contentsOf: delta.ego)
        }
        return batch.items.isEmpty ? nil : batch
    }
}
