import Foundation
import InterestGraph
import Synchronization

/// The shared state between a stream's reader thread and the engine thread: entries read
/// and waiting, entries handed out and not yet acknowledged, and the status shown on screen.
///
/// The reader thread (``StreamFeed/run()``) owns the Redis connection: it reads through the
/// consumer group in batches with a blocking `XREADGROUP`, decodes entries into events,
/// sends the acknowledgements that are due, claims what dead consumers left pending, polls
/// the lag, and reconnects with backoff when the connection drops. The engine thread only
/// takes decoded events from memory, so it never waits on the network.
///
/// Positions: the source numbers events as it hands them out (0, 1, 2, ... continuing from
/// the workspace log on resume); entries in flight are kept in position order, so the
/// recorder's look-up of a position's entry id is O(1).
package final class StreamFeed: SourcePositionLedger {
    /// One decoded entry waiting to be handed out.
    struct Ready: Sendable {
        var event: Event
        var partition: Int
        var sourceID: String
    }

    /// One entry handed out at `position`, not yet acknowledged.
    struct InFlight: Sendable {
        var position: Int64
        var partition: Int
        var entryID: String
        var sourceID: String
    }

    struct State: Sendable {
        var ready: [Ready] = []
        var readyFront = 0
        /// In position order; `[front, scheduled)` are logged and due for XACK,
        /// `[scheduled, count)` wait for the recorder.
        var inFlight: [InFlight] = []
        var front = 0
        var scheduled = 0
        /// Source ids read and not yet acknowledged (waiting or in flight): a redelivery
        /// of one (after a reconnect, or claimed back while idle) is ignored.
        var known: Set<String> = []
        var status = StreamStatus()
        var examples: [StreamRejection] = []
        var rejectedByReason: [String: Int] = [:]
        var accepted = 0
        var drained = false
        var failure: StreamRejection?
        var stopping = false

        var readyCount: Int { ready.count - readyFront }
        var inFlightCount: Int { inFlight.count - front }
    }

    let url: StreamURL
    let options: StreamReaderOptions
    /// The partitions read, in index order: all of the stream's, or the owned ones. The
    /// reader numbers them by slot (0..<owned.count); ``StreamStatus/Partition/index`` and
    /// the keys carry the stream's own numbers.
    let owned: [Int]
    /// How many partitions the stream has in all.
    let partitionCount: Int
    /// The claims on ``owned`` when engines share the stream (released by ``stop()``).
    package let claims: PartitionClaims?
    let state = Mutex(State())
    let finishedSemaphore = DispatchSemaphore(value: 0)
    /// The first connection, made by ``open(url:options:)`` so a bad address fails at once;
    /// handed to the reader thread when it starts.
    let firstConnection: Mutex<RedisConnection?>
    /// A decoder with the reader's `--map`, copied by the reader thread.
    let decoderTemplate: RecordEventDecoder

    /// Partitions read (slots).
    var partitions: Int { owned.count }

    private init(url: StreamURL, options: StreamReaderOptions, owned: [Int], count: Int, claims: PartitionClaims?, connection: RedisConnection, decoder: RecordEventDecoder) {
        self.url = url
        self.options = options
        self.owned = owned
        partitionCount = count
        self.claims = claims
        firstConnection = Mutex(connection)
        decoderTemplate = decoder
        state.withLock { s in
            s.status.partitions = owned.map { StreamStatus.Partition(key: url.key(partition: $0), index: $0, lag: nil, read: 0) }
            s.status.partitionCount = count
        }
    }

    /// Connects (failing at once when the server cannot be reached), finds the partitions,
    /// claims the owned ones (``StreamURL/owned``), creates the consumer group on each, and
    /// starts the reader thread.
    /// - Throws: ``RedisError`` with the address and the server's or the system's reason;
    ///   ``PartitionClaimError`` when the stream's partition count is not `partitions=` or
    ///   an owned partition is another engine's.
    package static func open(url: StreamURL, options: StreamReaderOptions) throws -> StreamFeed {
        let decoder = try RecordEventDecoder(columnMap: options.columnMap)
        let redis = try RedisConnection(host: url.host, port: url.port, timeout: options.connectTimeout)
        let count = try url.partitions ?? discoverPartitions(url, redis)
        var claims: PartitionClaims?
        if url.owned != nil {
            try checkPartitionCount(url, count: count, redis)
            claims = try PartitionClaims(url: url, ttlMilliseconds: options.claimMilliseconds, connectTimeout: options.connectTimeout)
        }
        let owned = url.readPartitions(count: count)
        do {
            // Every partition gets the group (and exists, MKSTREAM), not only the owned ones:
            // the next engine then finds the stream's full count.
            try redis.createGroups(streams: (0..<count).map { url.key(partition: $0) }, group: url.group)
        } catch {
            claims?.release()
            throw error
        }
        let feed = StreamFeed(url: url, options: options, owned: owned, count: count, claims: claims, connection: redis, decoder: decoder)
        let thread = Thread { feed.run() }
        thread.name = "driftscope.redis"
        thread.start()
        return feed
    }

    /// Engines that share a stream must agree on its partition count (a user's partition
    /// is her hash mod the count): a stream with none of `NAME:0..N-1` yet is fine (nothing
    /// published), one with `NAME:N`, or with some of them missing, has another count.
    static func checkPartitionCount(_ url: StreamURL, count: Int, _ redis: RedisConnection) throws {
        let replies = try redis.send((0...count).map { ["EXISTS", url.key(partition: $0)] })
        let exists = replies.map { ($0.integer ?? 0) > 0 }
        let present = exists[0..<count].filter { $0 }.count
        if exists[count] || (present > 0 && present < count) {
            let actual = try discoverPartitions(url, redis)
            throw PartitionClaimError(message: "\(url.streamAddress) has \(actual) partitions (\(url.key(partition: 0)) ... \(url.key(partition: actual - 1))), not \(count): --of (partitions=) must be the stream's partition count, the one it was published with")
        }
    }

    /// The `NAME:k` keys that exist, from 0 up (1 when there is none yet).
    static func discoverPartitions(_ url: StreamURL, _ redis: RedisConnection) throws -> Int {
        var n = 0
        while n < StreamURL.maxPartitions, try redis.exists(url.key(partition: n)) { n += 1 }
        return max(1, n)
    }

    // MARK: Engine side

    /// The next decoded event, registered as handed out at `position`; `nil` when none is
    /// waiting, or when ``StreamReaderOptions/maxInFlight`` entries await acknowledgement.
    /// - Complexity: O(1) amortised.
    func take(position: Int64) -> Ready? {
        state.withLock { s in
            guard s.readyFront < s.ready.count, s.inFlightCount < options.maxInFlight else { return nil }
            let r = s.ready[s.readyFront]
            s.readyFront += 1
            if s.readyFront >= 4_096, s.readyFront * 2 >= s.ready.count {
                s.ready.removeFirst(s.readyFront)
                s.readyFront = 0
            }
            let entryID = String(r.sourceID[r.sourceID.index(after: r.sourceID.lastIndex(of: " ")!)...])
            s.inFlight.append(InFlight(position: position, partition: r.partition, entryID: entryID, sourceID: r.sourceID))
            if options.acknowledge == .onDelivery { s.scheduled = s.inFlight.count }
            s.accepted += 1
            return r
        }
    }

    /// True once a draining reader has read every partition to its end and everything read
    /// has been handed out.
    package var isExhausted: Bool {
        state.withLock { $0.drained && $0.readyCount == 0 }
    }

    /// The malformed entry that stopped a strict read.
    package var failure: StreamRejection? { state.withLock { $0.failure } }

    var status: StreamStatus {
        state.withLock { s in
            var status = s.status
            status.buffered = s.readyCount
            status.unacknowledged = s.inFlightCount
            if let lost = claims?.lost, !lost.isEmpty {
                status.lastError = lost.keys.sorted().map { "partition \($0) is now owned by engine \(lost[$0] ?? "?")" }.joined(separator: "; ")
            }
            return status
        }
    }

    /// Accepted count, rejected counts by reason and the first examples.
    package var report: (accepted: Int, rejectedByReason: [String: Int], examples: [StreamRejection]) {
        state.withLock { ($0.accepted, $0.rejectedByReason, $0.examples) }
    }

    /// Stops the reader thread after it has sent the acknowledgements that are due; waits
    /// up to a few seconds for it. Calling it again does nothing.
    package func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        _ = finishedSemaphore.wait(timeout: .now() + options.connectTimeout + Double(options.blockMilliseconds) / 1000 + 2)
        claims?.release()
    }

    /// Waits until every entry handed out has been acknowledged (or `timeout` passes).
    /// - Returns: whether everything was acknowledged.
    @discardableResult
    package func waitForAcknowledgements(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if state.withLock({ $0.inFlightCount == 0 }) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return state.withLock { $0.inFlightCount == 0 }
    }

    // MARK: SourcePositionLedger

    package func sourceIDs(in range: Range<Int64>) -> [(position: Int64, id: String)] {
        state.withLock { s in
            guard s.front < s.inFlight.count else { return [] }
            let base = s.inFlight[s.front].position
            let lo = max(range.lowerBound, base)
            let hi = min(range.upperBound, base + Int64(s.inFlightCount))
            guard lo < hi else { return [] }
            return (lo..<hi).map { p in
                let e = s.inFlight[s.front + Int(p - base)]
                return (e.position, e.sourceID)
            }
        }
    }

    package func logged(below position: Int64) {
        state.withLock { s in
            while s.scheduled < s.inFlight.count, s.inFlight[s.scheduled].position < position { s.scheduled += 1 }
        }
    }
}
