import Foundation
import Synchronization

/// An engine's claim on the partitions it owns: `NAME:owner:k = ENGINE-ID` with an expiry,
/// set for all owned partitions at once or for none (one Lua script, so two engines
/// starting together cannot each get half), refreshed by a heartbeat thread, deleted on a
/// clean stop. A killed engine's claims expire after ``ttlMilliseconds``; the same engine id
/// (a resumed run, which reads its recorded URL) takes its own claims back at once.
///
/// Redis is the arbiter: no consensus of our own. What this cannot prevent is a process
/// that stalls longer than the expiry and comes back while another engine has taken its
/// partitions; its heartbeat then finds another owner and reports the partitions as lost
/// (``lost``), which `serve` logs as an error.
package final class PartitionClaims: @unchecked Sendable {
    // @unchecked: the connection is used by the heartbeat thread only once `init` returns;
    // everything else shared is in `state`.
    package let url: StreamURL
    package let engine: String
    package let partitions: [Int]
    package let ttlMilliseconds: Int
    private let redis: RedisConnection
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        var lost: [Int: String] = [:]
        var lastError: String?
        var renewals = 0
    }

    /// Sets every key of `partitions` to `engine` when each is free or already `engine`'s;
    /// else sets none and returns the owners found: `[]` on success.
    /// KEYS: the owner keys; ARGV: engine id, expiry in ms.
    static let claimScript = """
        local taken = {}
        for i, key in ipairs(KEYS) do
          local owner = redis.call('GET', key)
          if owner and owner ~= ARGV[1] then table.insert(taken, i - 1); table.insert(taken, owner) end
        end
        if #taken > 0 then return taken end
        for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
        return taken
        """

    /// Deletes the keys still held by ARGV[1]; returns how many.
    static let releaseScript = """
        local n = 0
        for i, key in ipairs(KEYS) do
          if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); n = n + 1 end
        end
        return n
        """

    /// Claims `url.owned` for `url.engine` and starts the heartbeat (every third of the
    /// expiry).
    /// - Throws: ``PartitionClaimError`` naming each partition owned by another engine and
    ///   that engine's id; ``RedisError`` when the server cannot be reached.
    package init(url: StreamURL, ttlMilliseconds: Int = 15_000, connectTimeout: Double = 2) throws {
        guard let owned = url.owned, let engine = url.engine else {
            throw PartitionClaimError(message: "\(url.streamAddress): claiming partitions needs own= and engine= in the URL")
        }
        self.url = url
        self.engine = engine
        partitions = owned
        self.ttlMilliseconds = ttlMilliseconds
        redis = try RedisConnection(host: url.host, port: url.port, timeout: connectTimeout)
        let taken = try Self.claim(redis, url: url, engine: engine, partitions: owned, ttl: ttlMilliseconds)
        if !taken.isEmpty {
            let list = taken.map { "partition \($0.partition) (\(url.key(partition: $0.partition))) is owned by engine \($0.owner)" }
            throw PartitionClaimError(message: "\(url.streamAddress): " + list.joined(separator: "; ")
                + ". A partition is read by one engine at a time: choose other partitions with --own, stop that engine,"
                + " or wait up to \(ttlMilliseconds / 1000) s for a killed engine's claim to expire (`driftscope partitions \(url.streamAddress)` lists the owners)")
        }
        let thread = Thread { [self] in heartbeat() }
        thread.name = "driftscope.claims"
        thread.start()
    }

    /// - Returns: the partitions owned by another engine, with its id (none: claimed).
    static func claim(_ redis: RedisConnection, url: StreamURL, engine: String, partitions: [Int], ttl: Int) throws -> [(partition: Int, owner: String)] {
        let keys = partitions.map { url.ownerKey(partition: $0) }
        let reply = try redis.checked(["EVAL", claimScript, String(keys.count)] + keys + [engine, String(ttl)])
        let flat = reply.array ?? []
        return stride(from: 0, to: flat.count - 1, by: 2).map { i in
            (partitions[Int(flat[i].integer ?? 0)], flat[i + 1].text ?? "?")
        }
    }

    /// Partitions another engine holds now (this one's heartbeat found them taken), with
    /// that engine's id.
    package var lost: [Int: String] { state.withLock { $0.lost } }
    /// Heartbeats that renewed every claim.
    package var renewals: Int { state.withLock { $0.renewals } }
    package var lastError: String? { state.withLock { $0.lastError } }

    private func heartbeat() {
        let period = Double(ttlMilliseconds) / 3000
        var connection: RedisConnection? = redis
        while !sleepUnlessStopping(period) {
            do {
                if connection == nil { connection = try RedisConnection(host: url.host, port: url.port, timeout: 2) }
                guard let c = connection else { continue }
                // Renews each partition still ours (or free again); the all-or-nothing script
                // would renew none when one is lost, so partitions go one by one here.
                var lost: [Int: String] = [:]
                for k in partitions {
                    for t in try Self.claim(c, url: url, engine: engine, partitions: [k], ttl: ttlMilliseconds) { lost[t.partition] = t.owner }
                }
                state.withLock { s in
                    s.lost = lost
                    s.lastError = nil
                    if lost.isEmpty { s.renewals += 1 }
                }
            } catch {
                connection = nil
                state.withLock { $0.lastError = "\(error)" }
            }
        }
        if let c = connection {
            let keys = partitions.map { url.ownerKey(partition: $0) }
            _ = try? c.checked(["EVAL", Self.releaseScript, String(keys.count)] + keys + [engine])
        }
        finished.signal()
    }

    /// True once asked to stop; else sleeps `seconds` and returns false.
    private func sleepUnlessStopping(_ seconds: Double) -> Bool {
        let end = Date().timeIntervalSince1970 + seconds
        while Date().timeIntervalSince1970 < end {
            if state.withLock({ $0.stopping }) { return true }
            Thread.sleep(forTimeInterval: min(0.05, seconds))
        }
        return state.withLock { $0.stopping }
    }

    /// Stops the heartbeat and deletes the claims still this engine's (a clean stop frees
    /// the partitions at once). Calling it again does nothing.
    package func release() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        _ = finished.wait(timeout: .now() + 5)
    }

    /// One partition's owner as Redis holds it now.
    package struct Owner: Sendable, Hashable {
        package var partition: Int
        /// The engine id; `nil`: unowned.
        package var engine: String?
        /// Milliseconds until the claim expires unless renewed.
        package var expiresInMilliseconds: Int?
    }

    /// The owner of each of `count` partitions (`GET` and `PTTL` of each key, pipelined).
    package static func owners(_ url: StreamURL, count: Int, timeout: Double = 2) throws -> [Owner] {
        let redis = try RedisConnection(host: url.host, port: url.port, timeout: timeout)
        return try owners(redis, url: url, count: count)
    }

    static func owners(_ redis: RedisConnection, url: StreamURL, count: Int) throws -> [Owner] {
        let replies = try redis.send((0..<count).flatMap { k in [["GET", url.ownerKey(partition: k)], ["PTTL", url.ownerKey(partition: k)]] })
        return (0..<count).map { k in
            let engine = replies[2 * k].text
            let ttl = replies[2 * k + 1].integer.map(Int.init)
            return Owner(partition: k, engine: engine, expiresInMilliseconds: engine == nil ? nil : ttl.flatMap { $0 >= 0 ? $0 : nil })
        }
    }
}

package struct PartitionClaimError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}
