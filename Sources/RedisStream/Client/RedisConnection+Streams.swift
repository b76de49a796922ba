import CHiredis

/// The stream commands Driftscope uses, typed: XADD, XGROUP CREATE, XREADGROUP, XACK,
/// XAUTOCLAIM, XRANGE, XREAD, XREVRANGE, XINFO GROUPS and XLEN.
extension RedisConnection {
    /// One stream entry: its id (`ms-seq`) and its field-value pairs in entry order, in one
    /// buffer (``RecordEventDecoder/event(record:bounds:)``'s layout): field k's name is
    /// `bytes[bounds[2k] ..< bounds[2k+1]]`, its value `bytes[bounds[2k+1] ..< bounds[2k+2]]`.
    struct Entry: Sendable {
        var id: String
        var bytes: [UInt8]
        var bounds: [Int]

        /// No fields: an entry deleted since it was delivered.
        var isDeleted: Bool { bounds.count < 3 }

        /// The pairs as separate arrays (tests and messages).
        var fields: [(name: [UInt8], value: [UInt8])] {
            stride(from: 0, to: bounds.count - 2, by: 2).map { k in
                (Array(bytes[bounds[k]..<bounds[k + 1]]), Array(bytes[bounds[k + 1]..<bounds[k + 2]]))
            }
        }
    }

    /// Throws a `.reply` error for an error reply, else returns the reply.
    @discardableResult
    func checked(_ arguments: [String]) throws -> RedisValue {
        let reply = try command(arguments)
        if case .error(let message) = reply {
            throw RedisError(kind: .reply, message: "redis://\(host):\(port): \(arguments.prefix(2).joined(separator: " ")): \(message)")
        }
        return reply
    }

    /// ``createGroup(stream:group:)`` on every one of `streams` in one transaction
    /// (MULTI/EXEC): another client never sees some of a stream's partitions and not the
    /// others, which it would take for another partition count.
    func createGroups(streams: [String], group: String) throws {
        let replies = try send([["MULTI"]] + streams.map { ["XGROUP", "CREATE", $0, group, "0", "MKSTREAM"] } + [["EXEC"]])
        guard case .array(let results)? = replies.last, results.count == streams.count else {
            throw RedisError(kind: .reply, message: "redis://\(host):\(port): MULTI/EXEC of XGROUP CREATE: \(replies.last.map { "\($0)" } ?? "no reply")")
        }
        for (stream, result) in zip(streams, results) {
            if case .error(let message) = result, !message.hasPrefix("BUSYGROUP") {
                throw RedisError(kind: .reply, message: "redis://\(host):\(port): XGROUP CREATE \(stream) \(group): \(message)")
            }
        }
    }

    /// `XGROUP CREATE key group 0 MKSTREAM`: a new group reads the stream from its first
    /// entry; an existing group (BUSYGROUP) is left as it is.
    func createGroup(stream: String, group: String) throws {
        let reply = try command(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"])
        if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") {
            throw RedisError(kind: .reply, message: "redis://\(host):\(port): XGROUP CREATE \(stream) \(group): \(message)")
        }
    }

    /// `XREADGROUP GROUP g c COUNT n [BLOCK ms] STREAMS k1 k2 ... id1 id2 ...`: entries per
    /// stream (streams with none are left out). `>` reads new entries; an id reads this
    /// consumer's pending entries after it.
    func readGroup(group: String, consumer: String, count: Int, blockMilliseconds: Int?, streams: [(key: String, id: String)]) throws -> [(key: String, entries: [Entry])] {
        var arguments = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count)]
        if let blockMilliseconds { arguments += ["BLOCK", String(blockMilliseconds)] }
        arguments.append("STREAMS")
        arguments += streams.map(\.key)
        arguments += streams.map(\.id)
        return try entryReply(arguments) { reply in
            // [[key, [entries]], ...], or nil when a blocking read timed out.
            Self.children(reply).compactMap { item -> (key: String, entries: [Entry])? in
                let pair = Self.children(item)
                guard pair.count == 2, let key = Self.string(pair[0]) else { return nil }
                return (key, Self.entries(pair[1]))
            }
        }
    }

    /// `XREAD COUNT n [BLOCK ms] STREAMS key id`: entries after `id`, without a group (every
    /// reader sees every entry: the engines' shared item deltas).
    func read(stream key: String, after id: String, count: Int, blockMilliseconds: Int?) throws -> [Entry] {
        var arguments = ["XREAD", "COUNT", String(count)]
        if let blockMilliseconds { arguments += ["BLOCK", String(blockMilliseconds)] }
        arguments += ["STREAMS", key, id]
        return try entryReply(arguments) { reply in
            Self.children(reply).flatMap { item -> [Entry] in
                let pair = Self.children(item)
                guard pair.count == 2 else { return [] }
                return Self.entries(pair[1])
            }
        }
    }

    /// The id of a stream's newest entry (`XREVRANGE key + - COUNT 1`), "0-0" when it is empty.
    func lastID(stream key: String) throws -> String {
        try entryReply(["XREVRANGE", key, "+", "-", "COUNT", "1"]) { Self.entries($0).first?.id ?? "0-0" }
    }

    /// `XACK key group id...`: how many were acknowledged.
    @discardableResult
    func acknowledge(stream: String, group: String, ids: [String]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return Int(try checked(["XACK", stream, group] + ids).integer ?? 0)
    }

    /// `XAUTOCLAIM key group consumer min-idle start COUNT n`: entries pending longer than
    /// `minIdleMilliseconds` in any consumer of the group move to `consumer`. Returns them and
    /// the cursor for the next call ("0-0" when the scan is complete).
    func autoclaim(stream: String, group: String, consumer: String, minIdleMilliseconds: Int, start: String, count: Int) throws -> (next: String, entries: [Entry]) {
        try entryReply(["XAUTOCLAIM", stream, group, consumer, String(minIdleMilliseconds), start, "COUNT", String(count)]) { reply in
            let parts = Self.children(reply)
            guard parts.count >= 2 else { return ("0-0", []) }
            return (Self.string(parts[0]) ?? "0-0", Self.entries(parts[1]))
        }
    }

    /// `XRANGE key start + COUNT n`: entries from `start` on (inclusive; prefix `(` to exclude).
    func range(stream: String, start: String, count: Int) throws -> [Entry] {
        try entryReply(["XRANGE", stream, start, "+", "COUNT", String(count)]) { Self.entries($0) }
    }

    /// `XLEN key`.
    func length(stream: String) throws -> Int {
        Int(try checked(["XLEN", stream]).integer ?? 0)
    }

    /// `EXISTS key`.
    func exists(_ key: String) throws -> Bool {
        (try checked(["EXISTS", key]).integer ?? 0) > 0
    }

    /// The group's lag on `stream` from `XINFO GROUPS`: entries not yet delivered to the
    /// group (Redis 7). `nil` when the server cannot tell (an older server, or entries
    /// deleted in between); then `XLEN` minus the group's `entries-read` is not reliable
    /// either, and the panel shows "?".
    func lag(stream: String, group: String) throws -> Int? {
        guard let groups = try checked(["XINFO", "GROUPS", stream]).array else { return nil }
        for g in groups {
            guard let fields = g.array else { continue }
            var name: String?
            var lag: Int?
            var k = 0
            while k + 1 < fields.count {
                switch fields[k].text {
                case "name": name = fields[k + 1].text
                case "lag": lag = fields[k + 1].integer.map(Int.init)
                default: break
                }
                k += 2
            }
            if name == group { return lag }
        }
        return nil
    }

    /// Entries from an `[[id, [f, v, ...]], ...]` reply, read straight from hiredis's reply
    /// tree: one buffer and one bounds array per entry, not an array per field (the
    /// allocator's work dominated reading; docs/BENCHMARKS.md). Deleted entries (nil fields)
    /// come with no fields.
    static func entries(_ reply: UnsafeMutablePointer<redisReply>?) -> [Entry] {
        let list = children(reply)
        var out: [Entry] = []
        out.reserveCapacity(list.count)
        for item in list {
            let pair = children(item)
            guard pair.count == 2, let id = string(pair[0]) else { continue }
            let flat = children(pair[1])
            var size = 0
            for f in flat { size += f.map { Int($0.pointee.len) } ?? 0 }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            var bounds: [Int] = [0]
            bounds.reserveCapacity(flat.count + 1)
            var k = 0
            while k + 1 < flat.count {
                for f in [flat[k], flat[k + 1]] {
                    if let f, let str = f.pointee.str {
                        bytes.append(contentsOf: UnsafeRawBufferPointer(start: str, count: Int(f.pointee.len)))
                    }
                    bounds.append(bytes.count)
                }
                k += 2
            }
            out.append(Entry(id: id, bytes: bytes, bounds: bounds))
        }
        return out
    }
}
