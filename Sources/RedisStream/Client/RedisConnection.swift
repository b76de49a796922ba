// The only file that imports hiredis: one blocking connection, commands in, replies copied
// out as `RedisValue`s (hiredis parses the protocol; nothing here reads RESP).
import CHiredis
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reply, copied out of hiredis's reply tree (which is freed at once).
enum RedisValue: Sendable, Hashable {
    case string([UInt8])
    case integer(Int64)
    case array([RedisValue])
    case null
    case status(String)
    case error(String)

    /// The bytes of a bulk or status string as text.
    var text: String? {
        switch self {
        case .string(let b): String(decoding: b, as: UTF8.self)
        case .status(let s): s
        default: nil
        }
    }

    var integer: Int64? {
        if case .integer(let n) = self { return n }
        return nil
    }

    var array: [RedisValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// What went wrong talking to Redis: the connection (reconnect and retry) or the command
/// (the server answered with an error; retrying the same command would fail again).
struct RedisError: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable { case connection, reply }
    var kind: Kind
    var message: String
    var description: String { message }
}

/// One blocking hiredis connection, used by one thread at a time.
///
/// ```swift
/// let redis = try RedisConnection(host: "127.0.0.1", port: 6379, timeout: 2)
/// _ = try redis.command(["XADD", "events:0", "*", "user", "u1", "item", "i9"])
/// ```
final class RedisConnection: @unchecked Sendable {
    // @unchecked: a connection is used by one thread at a time; it crosses threads only
    // when handed over whole (the opener gives the first one to the reader thread).
    let host: String
    let port: Int
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects within `timeout` seconds; later commands time out after `timeout` too
    /// (``setTimeout(_:)`` raises it for blocking reads).
    /// - Throws: ``RedisError`` `.connection` when the server cannot be reached.
    init(host: String, port: Int, timeout: Double) throws {
        self.host = host
        self.port = port
        guard let c = redisConnectWithTimeout(host, Int32(port), Self.makeTimeval(timeout)) else {
            throw RedisError(kind: .connection, message: "redis://\(host):\(port): cannot allocate a connection")
        }
        if c.pointee.err != 0 {
            let message = String(cString: chr_errstr(c))
            redisFree(c)
            throw RedisError(kind: .connection, message: "redis://\(host):\(port): \(message)")
        }
        context = c
        setTimeout(timeout)
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// The socket read/write timeout for later commands.
    func setTimeout(_ seconds: Double) {
        guard let context else { return }
        _ = redisSetTimeout(context, Self.makeTimeval(seconds))
    }

    private static func makeTimeval(_ seconds: Double) -> timeval {
        let s = max(0, seconds)
        var t = timeval()
        t.tv_sec = Int(s)
        t.tv_usec = .init((s - s.rounded(.down)) * 1e6)
        return t
    }

    /// Sends one command and returns its reply; an error reply is returned, not thrown.
    /// - Throws: ``RedisError`` `.connection` when the connection failed (it is then unusable).
    func command(_ arguments: [String]) throws -> RedisValue {
        try send([arguments]).first ?? .null
    }

    /// Sends commands in one write and reads their replies in order (a pipeline).
    func send(_ commands: [[String]]) throws -> [RedisValue] {
        try send(bytes: commands.map { $0.map { Array($0.utf8) } })
    }

    /// ``send(_:)`` with binary arguments (a blob is not text).
    func send(bytes commands: [[[UInt8]]]) throws -> [RedisValue] {
        guard let context else { throw RedisError(kind: .connection, message: "redis://\(host):\(port): connection closed") }
        for arguments in commands {
            try withArgv(bytes: arguments) { argc, argv, lengths in
                if redisAppendCommandArgv(context, argc, argv, lengths) != REDIS_OK { throw connectionError() }
            }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            guard let reply = chr_get_reply(context) else { throw connectionError() }
            replies.append(Self.copy(reply))
            freeReplyObject(reply)
        }
        return replies
    }

    /// Sends one command and hands `body` hiredis's reply tree (valid during the call only),
    /// for replies too large to copy value by value (stream entries).
    /// - Throws: ``RedisError`` `.connection` when the connection failed, `.reply` for an
    ///   error reply.
    func entryReply<T>(_ arguments: [String], _ body: (UnsafeMutablePointer<redisReply>) -> T) throws -> T {
        guard let context else { throw RedisError(kind: .connection, message: "redis://\(host):\(port): connection closed") }
        let reply: UnsafeMutablePointer<redisReply>? = try withArgv(arguments) { argc, argv, lengths in chr_command(context, argc, argv, lengths) }
        guard let reply else { throw connectionError() }
        defer { freeReplyObject(reply) }
        if reply.pointee.type == REDIS_REPLY_ERROR {
            throw RedisError(kind: .reply, message: "redis://\(host):\(port): \(arguments.prefix(2).joined(separator: " ")): \(Self.string(reply) ?? "error")")
        }
        return body(reply)
    }

    /// The elements of an array reply (none for any other reply).
    static func children(_ reply: UnsafeMutablePointer<redisReply>?) -> [UnsafeMutablePointer<redisReply>?] {
        guard let r = reply?.pointee, r.type == REDIS_REPLY_ARRAY, let element = r.element else { return [] }
        return (0..<Int(r.elements)).map { element[$0] }
    }

    /// The text of a string, status or error reply.
    static func string(_ reply: UnsafeMutablePointer<redisReply>?) -> String? {
        guard let r = reply?.pointee, r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR,
              let str = r.str else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(r.len)), as: UTF8.self)
    }

    /// Fails the connection for good (hiredis keeps the first error) and says why.
    private func connectionError() -> RedisError {
        let text = context.map { String(cString: chr_errstr($0)) } ?? "connection closed"
        return RedisError(kind: .connection, message: "redis://\(host):\(port): \(text.isEmpty ? "connection lost" : text)")
    }

    /// Calls `body` with C views of `arguments` (binary-safe: lengths are passed).
    private func withArgv<T>(_ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> T) throws -> T {
        try withArgv(bytes: arguments.map { Array($0.utf8) }, body)
    }

    private func withArgv<T>(bytes: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> T) throws -> T {
        let lengths = bytes.map(\.count)
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        pointers.reserveCapacity(bytes.count)
        defer { for p in pointers { p?.deallocate() } }
        for b in bytes {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, b.count))
            b.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: b.count) }
            }
            pointers.append(p)
        }
        var argv = pointers.map { UnsafePointer<CChar>($0) }
        return try argv.withUnsafeMutableBufferPointer { argvBuffer in
            try lengths.withUnsafeBufferPointer { lengthBuffer in
                try body(Int32(bytes.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
            }
        }
    }

    /// A Swift copy of a hiredis reply tree.
    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(r.len))) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "error")
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var out: [RedisValue] = []
            out.reserveCapacity(Int(r.elements))
            for k in 0..<Int(r.elements) {
                if let child = r.element[k] { out.append(copy(child)) } else { out.append(.null) }
            }
            return .array(out)
        default:
            return .null
        }
    }
}
