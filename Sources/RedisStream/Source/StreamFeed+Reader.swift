import Foundation
import InterestGraph

/// The reader thread: reads, decodes, acknowledges, claims, measures lag, reconnects.
extension StreamFeed {
    /// Backoff between reconnection attempts: doubles from 0.1 s up to 5 s.
    static let backoff: (first: Double, limit: Double) = (0.1, 5)

    func run() {
        var redis = firstConnection.withLock { c -> RedisConnection? in
            defer { c = nil }
            return c
        }
        var decoder = decoderTemplate
        var delay = Self.backoff.first
        var recover = true
        var lastLag = -Double.infinity
        var lastClaim = Date().timeIntervalSince1970
        var cursors = [String](repeating: "0-0", count: partitions)
        let keys = owned.map { url.key(partition: $0) }
        if redis != nil { state.withLock { $0.status.connection = .connected } }

        while !state.withLock({ $0.stopping }) {
            do {
                if redis == nil {
                    let c = try RedisConnection(host: url.host, port: url.port, timeout: options.connectTimeout)
                    for key in keys { try c.createGroup(stream: key, group: url.group) }
                    redis = c
                    delay = Self.backoff.first
                    recover = true
                    state.withLock { s in
                        s.status.connection = .connected
                        s.status.attempts = 0
                        s.status.reconnects += 1
                    }
                }
                guard let connection = redis else { continue }
                connection.setTimeout(options.connectTimeout + Double(options.blockMilliseconds) / 1000 + 1)
                if recover {
                    // This consumer's pending entries first: delivered before a crash or a lost
                    // connection and never acknowledged.
                    for k in 0..<partitions { try readPending(connection, partition: k, key: keys[k], decoder: &decoder) }
                    recover = false
                }
                try acknowledgeDue(connection, keys: keys)
                let now = Date().timeIntervalSince1970
                if now - lastClaim >= 5 {
                    lastClaim = now
                    for k in 0..<partitions { cursors[k] = try claim(connection, partition: k, key: keys[k], from: cursors[k], decoder: &decoder) }
                }
                if now - lastLag >= 0.5 {
                    lastLag = now
                    try measureLag(connection, keys: keys)
                }
                let room = state.withLock { $0.readyCount < options.maxBuffered && $0.failure == nil }
                guard room else {
                    Thread.sleep(forTimeInterval: 0.005)
                    continue
                }
                let got = try readNew(connection, keys: keys, decoder: &decoder)
                if got == 0, options.drain {
                    try measureLag(connection, keys: keys)
                    lastLag = Date().timeIntervalSince1970
                    state.withLock { s in
                        if s.status.partitions.allSatisfy({ ($0.lag ?? 0) == 0 }) { s.drained = true }
                    }
                }
            } catch let error as RedisError where error.kind == .connection {
                redis = nil
                state.withLock { s in
                    s.status.connection = .reconnecting
                    s.status.attempts += 1
                    s.status.lastError = error.message
                }
                sleep(delay)
                delay = min(delay * 2, Self.backoff.limit)
            } catch {
                // The server refused a command (a group deleted under us, a key of another
                // type): say so, recreate the groups and go on after a pause.
                state.withLock { $0.status.lastError = "\(error)" }
                redis = nil
                sleep(1)
            }
        }
        if let redis { try? acknowledgeDue(redis, keys: keys) }
        finishedSemaphore.signal()
    }

    /// Sleeps up to `seconds`, returning early when asked to stop.
    private func sleep(_ seconds: Double) {
        let end = Date().timeIntervalSince1970 + seconds
        while Date().timeIntervalSince1970 < end, !state.withLock({ $0.stopping }) {
            Thread.sleep(forTimeInterval: min(0.05, seconds))
        }
    }

    // MARK: Reading

    /// `XREADGROUP ... >` over every partition, blocking up to the configured time.
    /// - Returns: entries received.
    private func readNew(_ redis: RedisConnection, keys: [String], decoder: inout RecordEventDecoder) throws -> Int {
        let reply = try redis.readGroup(
            group: url.group, consumer: url.consumer, count: options.batch, blockMilliseconds: options.blockMilliseconds,
            streams: keys.map { ($0, ">") })
        var received = 0
        for (key, entries) in reply {
            guard let k = keys.firstIndex(of: key) else { continue }
            received += entries.count
            try accept(entries, partition: k, key: key, redis: redis, decoder: &decoder)
        }
        return received
    }

    /// This consumer's pending entries of one partition (`XREADGROUP ... 0`), in id order.
    private func readPending(_ redis: RedisConnection, partition k: Int, key: String, decoder: inout RecordEventDecoder) throws {
        var after = "0"
        while true {
            let reply = try redis.readGroup(group: url.group, consumer: url.consumer, count: options.batch, blockMilliseconds: nil, streams: [(key, after)])
            guard let entries = reply.first?.entries, let last = entries.last else { return }
            after = last.id
            try accept(entries, partition: k, key: key, redis: redis, decoder: &decoder)
        }
    }

    /// Takes over entries idle for ``StreamReaderOptions/claimIdleMilliseconds`` in any
    /// consumer of the group; returns the cursor for the next scan.
    private func claim(_ redis: RedisConnection, partition k: Int, key: String, from cursor: String, decoder: inout RecordEventDecoder) throws -> String {
        let (next, entries) = try redis.autoclaim(
            stream: key, group: url.group, consumer: url.consumer, minIdleMilliseconds: options.claimIdleMilliseconds,
            start: cursor, count: options.batch)
        try accept(entries, partition: k, key: key, redis: redis, decoder: &decoder)
        return next
    }

    /// Decodes entries into the waiting queue. Entries already waiting or in flight are
    /// ignored; entries already logged (a resumed run) and malformed or deleted ones are
    /// acknowledged at once (a malformed one is counted and kept as an example; in strict
    /// mode it stops the read instead, left pending).
    private func accept(_ entries: [RedisConnection.Entry], partition k: Int, key: String, redis: RedisConnection, decoder: inout RecordEventDecoder) throws {
        guard !entries.isEmpty else { return }
        var done: [String] = []
        var ready: [Ready] = []
        var rejections: [StreamRejection] = []
        // Looked up under the lock, never copied out: a copy would be duplicated in full by
        // the next insertion.
        let known = state.withLock { s in entries.map { s.known.contains(key + " " + $0.id) } }
        for (index, entry) in entries.enumerated() {
            let sourceID = key + " " + entry.id
            if known[index] { continue }
            if entry.isDeleted || options.alreadyLogged.contains(sourceID) {
                done.append(entry.id)
                continue
            }
            switch decoder.event(record: entry.bytes, bounds: entry.bounds) {
            case .success(let event):
                ready.append(Ready(event: event, partition: k, sourceID: sourceID))
            case .failure(let problem):
                rejections.append(StreamRejection(key: key, id: entry.id, field: problem.field, reason: problem.reason, kind: problem.kind.rawValue))
                if !options.strict { done.append(entry.id) }
            }
            if options.strict, !rejections.isEmpty { break }
        }
        state.withLock { s in
            for r in ready { s.known.insert(r.sourceID) }
            s.ready.append(contentsOf: ready)
            s.status.partitions[k].read += ready.count + rejections.count
            for r in rejections {
                s.status.rejected += 1
                s.status.lastRejection = r.description
                s.rejectedByReason[r.kind, default: 0] += 1
                if s.examples.count < options.maxExamples { s.examples.append(r) }
                if options.strict, s.failure == nil { s.failure = r }
            }
        }
        try redis.acknowledge(stream: key, group: url.group, ids: done)
    }

    // MARK: Acknowledging and measuring

    /// XACKs the entries due (logged, or handed out without a workspace), per partition;
    /// they leave the in-flight list only once Redis has answered.
    private func acknowledgeDue(_ redis: RedisConnection, keys: [String]) throws {
        let due = state.withLock { s in Array(s.inFlight[s.front..<s.scheduled]) }
        guard !due.isEmpty else { return }
        var byPartition = [[String]](repeating: [], count: partitions)
        for e in due { byPartition[e.partition].append(e.entryID) }
        let commands = byPartition.indices.filter { !byPartition[$0].isEmpty }.map { ["XACK", keys[$0], url.group] + byPartition[$0] }
        for reply in try redis.send(commands) {
            if case .error(let message) = reply { throw RedisError(kind: .reply, message: "XACK: \(message)") }
        }
        state.withLock { s in
            for e in s.inFlight[s.front..<(s.front + due.count)] { s.known.remove(e.sourceID) }
            s.front += due.count
            if s.front >= 4_096, s.front * 2 >= s.inFlight.count {
                s.inFlight.removeFirst(s.front)
                s.scheduled -= s.front
                s.front = 0
            }
        }
    }

    private func measureLag(_ redis: RedisConnection, keys: [String]) throws {
        var lags: [Int?] = []
        for key in keys { lags.append(try redis.lag(stream: key, group: url.group)) }
        state.withLock { s in
            for k in lags.indices { s.status.partitions[k].lag = lags[k] }
        }
    }
}
