import Synchronization

/// The item side shared by engines in one process that split a replay's users
/// (``Engine/splitting(dataset:engines:configuration:)``): what Redis carries between
/// `serve --own` engines (docs/SCALE-OUT.md §2), handed over in memory.
///
/// Each engine holds one end; a batch sent by one lands in every other engine's inbox. An
/// inbox keeps at most ``inboxLimit`` batches (an engine that stopped exchanging, its events
/// done, must not make the others' memory grow): past it the oldest is dropped and counted,
/// as a lost batch on a stream would be.
package final class LocalItemSync: ItemSyncChannel {
    package let interval: Double
    private let hub: Hub
    private let index: Int

    /// Batches an inbox keeps before dropping its oldest.
    package static let inboxLimit = 64

    /// What an end has seen: batches sent, received, dropped; rows applied from them.
    package struct Statistics: Sendable, Equatable {
        package var sent = 0
        package var received = 0
        package var dropped = 0
        package var rowsApplied = 0
        package var itemsCreated = 0
    }

    final class Hub: Sendable {
        let inboxes: Mutex<[[ItemDeltaBatch]]>
        let statistics: Mutex<[Statistics]>
        /// Deltas buffers of applied batches, for the next collects (at most one per end).
        let spareDeltas: Mutex<[[Float]]>
        let ends: Int

        init(count: Int) {
            ends = count
            inboxes = Mutex(Array(repeating: [], count: count))
            statistics = Mutex(Array(repeating: Statistics(), count: count))
            spareDeltas = Mutex([])
        }
    }

    /// `count` connected ends, one per engine, exchanging every `interval` seconds.
    package static func connected(_ count: Int, interval: Double = 1) -> [LocalItemSync] {
        let hub = Hub(count: count)
        return (0..<count).map { LocalItemSync(hub: hub, index: $0, interval: interval) }
    }

    private init(hub: Hub, index: Int, interval: Double) {
        self.hub = hub
        self.index = index
        self.interval = interval
    }

    package func send(_ batch: ItemDeltaBatch) {
        // Named by its end, so receivers keep one id translation per sender (ItemIDTranslation).
        var batch = batch
        if batch.engine.isEmpty { batch.engine = "local \(index)" }
        let dropped = hub.inboxes.withLock { inboxes -> [Int] in
            var dropped = Array(repeating: 0, count: inboxes.count)
            for k in inboxes.indices where k != index {
                inboxes[k].append(batch)
                if inboxes[k].count > Self.inboxLimit {
                    inboxes[k].removeFirst()
                    dropped[k] += 1
                }
            }
            return dropped
        }
        hub.statistics.withLock { s in
            s[index].sent += 1
            for k in s.indices { s[k].dropped += dropped[k] }
        }
    }

    package func receive() -> [ItemDeltaBatch] {
        let batches = hub.inboxes.withLock { inboxes -> [ItemDeltaBatch] in
            defer { inboxes[index] = [] }
            return inboxes[index]
        }
        if !batches.isEmpty { hub.statistics.withLock { $0[index].received += batches.count } }
        return batches
    }

    package func applied(_ batch: ItemDeltaBatch, rows: Int, created: Int, unknown: Int, signals: Int, at wallSeconds: Double) {
        hub.statistics.withLock {
            $0[index].rowsApplied += rows
            $0[index].itemsCreated += created
        }
    }

    /// Kept only when another end has none to take yet: a buffer no longer shared (the
    /// batch dropped by every receiver) is refilled in place.
    package func recycle(deltas: [Float]) {
        guard deltas.capacity > 0 else { return }
        hub.spareDeltas.withLock { spare in
            if spare.count < hub.ends { spare.append(deltas) }
        }
    }

    package func recycledDeltas() -> [Float] {
        var buffer = hub.spareDeltas.withLock { $0.popLast() } ?? []
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    /// This end's counts so far.
    package var statistics: Statistics { hub.statistics.withLock { $0[index] } }
}
