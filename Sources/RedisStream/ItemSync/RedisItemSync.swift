// The shared item side of engines that split a stream's users: their item deltas through
// one Redis stream, NAME:items (docs/SCALE-OUT.md).
import Foundation
package import InterestGraph
import Synchronization

/// An ``ItemSyncChannel`` over the Redis stream `NAME:items`: each batch this engine sends
/// is one entry (`engine`, `run`, `seq`, `items` = ``ItemDeltaCodec``), added with
/// `XADD ... MAXLEN ~ keep`; every entry of the other engines is read with a plain `XREAD`
/// (no group: every engine reads every entry). Its own thread does the I/O, so the engine
/// thread only swaps queues.
///
/// A reader more than `keep` entries behind loses batches; the per-engine sequence numbers
/// make that visible (``Statistics/lostBatches``). A batch is applied at most once per
/// reader: `run` is random per channel (a resumed engine keeps its id but starts a new run
/// and new numbers), and an entry whose `(engine, run, seq)` is not above the last one
/// applied is a duplicate (an `XADD` retried after a lost reply, a replayed entry), counted
/// in ``Statistics/duplicateBatches`` and skipped.
package final class RedisItemSync: ItemSyncChannel, @unchecked Sendable {
    // @unchecked: the connection is the I/O thread's alone; everything shared is in `state`.
    package let url: StreamURL
    package let engine: String
    package let interval: Double
    package let keep: Int
    /// This channel's run: random, so sequence numbers restart safely after a resume.
    package let run: String
    package var key: String { url.name + ":items" }

    /// What went through Redis, for the status line and the measurements.
    package struct Statistics: Sendable {
        package var sentBatches = 0, sentRows = 0, sentBytes = 0
        package var receivedBatches = 0, receivedRows = 0, receivedBytes = 0
        package var appliedRows = 0
        /// Items created here from another engine's announcement (its users reached them first).
        package var createdItems = 0
        /// Rows of items this engine does not have (not applied): their announcement was
        /// trimmed away or sent before this engine started.
        package var unknownRows = 0
        /// Batches of other engines missed (a gap in their sequence numbers: trimmed away).
        package var lostBatches = 0
        /// Entries of other engines skipped as already applied (same engine, run and
        /// sequence number, or an older one).
        package var duplicateBatches = 0
        /// Popularity and co-visitation entries (``ItemSignals``) sent and added here, and
        /// co-visitation pairs this engine could not send (its outbox was full).
        package var sentSignals = 0, mergedSignals = 0, droppedPairs = 0
        /// Largest time from the sender's previous exchange (the oldest update a batch can
        /// hold) to this engine applying it: the largest item-vector staleness, bounded by
        /// the sender's interval plus transit plus this engine's interval.
        package var maxStaleness = 0.0
        /// Largest time from a batch's sending to its applying.
        package var maxTransit = 0.0
        package var lastError: String?
        package var seconds = 0.0
        package var bytesPerSecond: Double { seconds > 0 ? Double(sentBytes + receivedBytes) / seconds : 0 }
    }

    private struct State {
        var outbox: [ItemDeltaBatch] = []
        var inbox: [ItemDeltaBatch] = []
        var statistics = Statistics()
        var stopping = false
    }

    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    private let started = Date()
    private let firstConnection: Mutex<RedisConnection?>

    /// Connects (failing at once when the server cannot be reached) and starts the I/O
    /// thread, reading the other engines' entries from the stream's current end.
    package init(url: StreamURL, engine: String, interval: Double = 1, keep: Int = 200) throws {
        self.url = url
        self.engine = engine
        self.interval = interval
        self.keep = keep
        run = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let redis = try RedisConnection(host: url.host, port: url.port, timeout: 2)
        let start = try redis.lastID(stream: url.name + ":items")
        firstConnection = Mutex(redis)
        let thread = Thread { [self] in run(after: start) }
        thread.name = "driftscope.items"
        thread.start()
    }

    package func send(_ batch: ItemDeltaBatch) {
        state.withLock { $0.outbox.append(batch) }
    }

    package func receive() -> [ItemDeltaBatch] {
        state.withLock { s in
            defer { s.inbox.removeAll() }
            return s.inbox
        }
    }

    package func applied(_ batch: ItemDeltaBatch, rows: Int, created: Int, unknown: Int, signals: Int, at wallSeconds: Double) {
        state.withLock { s in
            s.statistics.appliedRows += rows
            s.statistics.mergedSignals += signals
            s.statistics.createdItems += created
            s.statistics.unknownRows += unknown
            s.statistics.maxStaleness = max(s.statistics.maxStaleness, wallSeconds - batch.since)
            s.statistics.maxTransit = max(s.statistics.maxTransit, wallSeconds - batch.at)
        }
    }

    package var statistics: Statistics {
        state.withLock { s in
            var out = s.statistics
            out.seconds = Date().timeIntervalSince(started)
            return out
        }
    }

    /// Sends what is queued and stops the thread. Calling it again does nothing.
    package func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        if first { _ = finished.wait(timeout: .now() + 5) }
    }

    private func run(after start: String) {
        var redis = firstConnection.withLock { c -> RedisConnection? in
            defer { c = nil }
            return c
        }
        var after = start
        var sequence: UInt64 = 0
        var lastSequence: [String: UInt64] = [:]
        let engineBytes = Array(engine.utf8), runBytes = Array(run.utf8)
        while true {
            let (outgoing, stopping) = state.withLock { s -> ([ItemDeltaBatch], Bool) in
                defer { s.outbox.removeAll() }
                return (s.outbox, s.stopping)
            }
            do {
                if redis == nil {
                    redis = try RedisConnection(host: url.host, port: url.port, timeout: 2)
                }
                guard let c = redis else { continue }
                if !outgoing.isEmpty {
                    var commands: [[[UInt8]]] = []
                    var bytes = 0, rows = 0, signals = 0, dropped = 0
                    for (index, var batch) in outgoing.enumerated() {
                        signals += batch.signals?.count ?? 0
                        dropped += batch.signals?.droppedPairs ?? 0
                        batch.engine = engine
                        batch.sequence = sequence + UInt64(index) + 1
                        let blob = ItemDeltaCodec.encode(batch)
                        bytes += blob.count
                        rows += batch.items.count
                        commands.append([Array("XADD".utf8), Array(key.utf8), Array("MAXLEN".utf8), Array("~".utf8), Array(String(keep).utf8), Array("*".utf8),
                                         Array("engine".utf8), engineBytes, Array("run".utf8), runBytes, Array("seq".utf8), Array(String(batch.sequence).utf8), Array("items".utf8), blob])
                    }
                    for reply in try c.send(bytes: commands) {
                        if case .error(let message) = reply { throw RedisError(kind: .reply, message: "XADD \(key): \(message)") }
                    }
                    sequence += UInt64(outgoing.count)
                    state.withLock { s in
                        s.statistics.sentBatches += outgoing.count
                        s.statistics.sentRows += rows
                        s.statistics.sentBytes += bytes
                        s.statistics.sentSignals += signals
                        s.statistics.droppedPairs += dropped
                    }
                }
                if stopping { break }
                c.setTimeout(3)
                let entries = try c.read(stream: key, after: after, count: 64, blockMilliseconds: 50)
                var received: [ItemDeltaBatch] = []
                var bytes = 0, lost = 0, duplicates = 0
                for entry in entries {
                    after = entry.id
                    var fields: [String: ArraySlice<UInt8>] = [:]
                    var k = 0
                    while k + 2 < entry.bounds.count {
                        let name = String(decoding: entry.bytes[entry.bounds[k]..<entry.bounds[k + 1]], as: UTF8.self)
                        fields[name] = entry.bytes[entry.bounds[k + 1]..<entry.bounds[k + 2]]
                        k += 2
                    }
                    guard let e = fields["engine"].map({ String(decoding: $0, as: UTF8.self) }), e != engine,
                          let seq = fields["seq"].flatMap({ UInt64(String(decoding: $0, as: UTF8.self)) }),
                          let blob = fields["items"], let batch = ItemDeltaCodec.decode(blob, engine: e, sequence: seq) else { continue }
                    let sender = e + "/" + (fields["run"].map { String(decoding: $0, as: UTF8.self) } ?? "")
                    if let previous = lastSequence[sender] {
                        if seq <= previous {
                            duplicates += 1
                            continue
                        }
                        if seq > previous + 1 { lost += Int(seq - previous - 1) }
                    }
                    lastSequence[sender] = seq
                    bytes += blob.count
                    received.append(batch)
                }
                if !received.isEmpty || lost > 0 || duplicates > 0 {
                    state.withLock { s in
                        s.inbox.append(contentsOf: received)
                        s.statistics.receivedBatches += received.count
                        s.statistics.receivedRows += received.reduce(0) { $0 + $1.items.count }
                        s.statistics.receivedBytes += bytes
                        s.statistics.lostBatches += lost
                        s.statistics.duplicateBatches += duplicates
                    }
                }
            } catch {
                redis = nil
                state.withLock { s in
                    s.statistics.lastError = "\(error)"
                    // Not sent: queued again, in order, ahead of newer batches.
                    s.outbox.insert(contentsOf: outgoing, at: 0)
                }
                if stopping { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        finished.signal()
    }
}
