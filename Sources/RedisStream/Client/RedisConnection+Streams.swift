/// The stream commands Driftscope uses, typed: XADD, XGROUP CREATE, XREADGROUP, XACK,
/// XAUTOCLAIM, XRANGE, XINFO GROUPS and XLEN.
extension RedisConnection {
    /// One stream entry: its id (`ms-seq`) and its field-value pairs in entry order.
    struct Entry: Sendable {
        var id: String
        var fields: [(name: [UInt8], value: [UInt8])]
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
        let reply = try checked(arguments)
        guard let perStream = reply.array else { return [] }
        return perStream.compactMap { item -> (key: String, entries: [Entry])? in
            guard let pair = item.array, pair.count == 2, let key = pair[0].text else { return nil }
            return (key, Self.entries(pair[1]))
        }
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
        let reply = try checked(["XAUTOCLAIM", stream, group, consumer, String(minIdleMilliseconds), start, "COUNT", String(count)])
        guard let parts = reply.array, parts.count >= 2 else { return ("0-0", []) }
        return (parts[0].text ?? "0-0", Self.entries(parts[1]))
    }

    /// `XRANGE key start + COUNT n`: entries from `start` on (inclusive; prefix `(` to exclude).
    func range(stream: String, start: String, count: Int) throws -> [Entry] {
        Self.entries(try checked(["XRANGE", stream, start, "+", "COUNT", String(count)]))
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

    /// Entries from an `[[id, [f, v, ...]], ...]` reply; deleted entries (nil fields) are
    /// returned with no fields.
    static func entries(_ value: RedisValue) -> [Entry] {
        guard let list = value.array else { return [] }
        var out: [Entry] = []
        out.reserveCapacity(list.count)
        for item in list {
            guard let pair = item.array, pair.count == 2, let id = pair[0].text else { continue }
            var fields: [(name: [UInt8], value: [UInt8])] = []
            if let flat = pair[1].array {
                fields.reserveCapacity(flat.count / 2)
                var k = 0
                while k + 1 < flat.count {
                    if case .string(let n) = flat[k], case .string(let v) = flat[k + 1] { fields.append((n, v)) }
                    k += 2
                }
            }
            out.append(Entry(id: id, fields: fields))
        }
        return out
    }
}
