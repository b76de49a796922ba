// Redis Streams as an event source: the URL that names a partitioned stream, its
// partitioning rule, the reader (RedisEventSource), the snapshot reader and the publisher.
import Foundation
import InterestGraph

/// `redis://HOST:PORT/NAME[?group=G&consumer=C&partitions=N]`: a user-partitioned stream.
///
/// The stream is `N` Redis streams `NAME:0 ... NAME:N-1`; an event goes to partition
/// ``partition(ofUser:)``. Defaults: port 6379, group `driftscope`, consumer
/// `driftscope-HOSTNAME` (stable across restarts, so a restarted engine reads back its own
/// pending entries), partitions: the `NAME:k` keys that exist (1 when none does).
///
/// ```swift
/// let url = try StreamURL(parsing: "redis://127.0.0.1:6379/shop?partitions=4")
/// url.key(partition: url.partition(ofUser: "u42", partitions: 4))   // "shop:3"
/// ```
package struct StreamURL: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var name: String
    package var group: String
    package var consumer: String
    /// `nil`: discovered from the keys that exist.
    package var partitions: Int?
    /// `own=0,1` or `own=0-3`: the partitions this engine reads when engines share the stream
    /// (each claimed in Redis, ``PartitionClaims``); `nil`: all of them, unclaimed.
    package var owned: [Int]?
    /// `engine=ID`: who claims ``owned`` (the value of the `NAME:owner:k` keys). A resumed
    /// run reads its recorded URL, so it comes back under the same id and takes its own
    /// claims back at once.
    package var engine: String?

    package static let defaultPort = 6379
    package static let defaultGroup = "driftscope"
    /// Most partitions a URL may name (each is a key read in every XREADGROUP).
    package static let maxPartitions = 1_024

    /// True for text that should be parsed as a stream URL rather than a file name.
    package static func isStreamURL(_ text: String) -> Bool { text.lowercased().hasPrefix("redis://") }

    package static var defaultConsumer: String {
        "driftscope-" + (ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")
    }

    /// - Throws: ``StreamURLError`` naming the part that is wrong and the expected form.
    package init(parsing text: String) throws(StreamURLError) {
        let form = "redis://HOST:PORT/NAME[?group=G&consumer=C&partitions=N&own=K,...&engine=ID]"
        func fail(_ why: String) -> StreamURLError { StreamURLError(message: "\(text): \(why) (expected \(form))") }
        guard Self.isStreamURL(text) else { throw fail("not a redis:// URL") }
        let rest = text.dropFirst("redis://".count)
        guard let slash = rest.firstIndex(of: "/") else { throw fail("no stream name") }
        let authority = rest[..<slash]
        var path = rest[rest.index(after: slash)...]
        var query: Substring = ""
        if let mark = path.firstIndex(of: "?") {
            query = path[path.index(after: mark)...]
            path = path[..<mark]
        }
        // Host: a name, an IPv4 address or a bracketed IPv6 address; then an optional port.
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unclosed '[' in the host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw fail("unexpected '\(after)' after the host") }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw fail("no host") }
        host = String(hostPart)
        if let portPart {
            guard let p = Int(portPart), (1...65_535).contains(p) else { throw fail("port '\(portPart)' is not a number from 1 to 65535") }
            port = p
        } else {
            port = Self.defaultPort
        }
        let decodedName = String(path).removingPercentEncoding ?? String(path)
        guard !decodedName.isEmpty else { throw fail("no stream name") }
        guard !decodedName.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw fail("the stream name '\(decodedName)' has a space or a '/'") }
        name = decodedName
        group = Self.defaultGroup
        consumer = Self.defaultConsumer
        partitions = nil
        owned = nil
        engine = nil
        var ownText: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            switch key {
            case "group":
                guard !value.isEmpty else { throw fail("empty group") }
                group = value
            case "consumer":
                guard !value.isEmpty else { throw fail("empty consumer") }
                consumer = value
            case "partitions":
                guard let n = Int(value), (1...Self.maxPartitions).contains(n) else {
                    throw fail("partitions '\(value)' is not a number from 1 to \(Self.maxPartitions)")
                }
                partitions = n
            case "own":
                ownText = value
            case "engine":
                guard !value.isEmpty, !value.contains(where: \.isWhitespace) else { throw fail("engine '\(value)' is empty or has a space") }
                engine = value
            default:
                throw fail("unknown option '\(key)' (known: group, consumer, partitions, own, engine)")
            }
        }
        if let ownText {
            guard let n = partitions else { throw fail("own= needs partitions=N (the stream's partition count)") }
            do { owned = try Self.ownedPartitions(ownText, of: n) } catch { throw fail(error.message) }
        }
    }

    /// `0,1`, `0-3`, `0-1,6`: partitions of `count`, in increasing order.
    /// - Throws: ``StreamURLError`` naming the bad piece: not a number or range, out of
    ///   `0...count-1`, or named twice.
    package static func ownedPartitions(_ text: String, of count: Int) throws(StreamURLError) -> [Int] {
        func fail(_ why: String) -> StreamURLError {
            StreamURLError(message: "own '\(text)': \(why) (expected partitions of 0...\(count - 1) as K, K-L or a comma list, e.g. 0,1 or 0-3)")
        }
        var seen = Set<Int>()
        var out: [Int] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let lo = Int(bounds[0]), let hi = Int(bounds[bounds.count - 1]) else {
                throw fail("'\(piece)' is not a partition number or a range K-L")
            }
            guard lo <= hi else { throw fail("the range '\(piece)' runs backwards") }
            guard lo >= 0, hi < count else { throw fail("'\(piece)' is not within 0...\(count - 1) (the stream has \(count) partitions)") }
            for k in lo...hi {
                guard seen.insert(k).inserted else { throw fail("partition \(k) is named twice") }
                out.append(k)
            }
        }
        return out.sorted()
    }

    /// `0-3,6`: the shortest text ``ownedPartitions(_:of:)`` reads back as `partitions`.
    package static func describe(partitions: [Int]) -> String {
        var pieces: [String] = []
        var k = 0
        let sorted = partitions.sorted()
        while k < sorted.count {
            var j = k
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            pieces.append(j == k ? "\(sorted[k])" : j == k + 1 ? "\(sorted[k]),\(sorted[j])" : "\(sorted[k])-\(sorted[j])")
            k = j + 1
        }
        return pieces.joined(separator: ",")
    }

    /// The partitions this reader reads, once the count is known.
    package func readPartitions(count: Int) -> [Int] { owned ?? Array(0..<count) }

    /// `NAME:owner:k`: who owns partition `k` (an engine id, with an expiry).
    package func ownerKey(partition k: Int) -> String { "\(name):owner:\(k)" }

    /// The Redis key of partition `k`: `NAME:k`.
    package func key(partition k: Int) -> String { "\(name):\(k)" }

    /// The partition of a user's events among `count`: FNV-1a 64-bit of the user id's UTF-8
    /// bytes (the same hash as `eval --test-users`, offset basis 0xcbf29ce484222325, prime
    /// 0x100000001b3), modulo `count`. Stable across runs, machines and languages, so any
    /// producer can place events where Driftscope expects them.
    package static func partition(ofUser user: String, partitions count: Int) -> Int {
        UserPartition.index(ofUser: user, partitions: count)
    }

    /// `redis://HOST:PORT/NAME`, what runs are recorded under (options are settings of the
    /// reader, not of the stream).
    package var streamAddress: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "redis://\(h):\(port)/\(name)"
    }

    package var description: String {
        var options = ["group=\(group)", "consumer=\(consumer)"]
        if let partitions { options.append("partitions=\(partitions)") }
        if let owned { options.append("own=" + Self.describe(partitions: owned)) }
        if let engine { options.append("engine=\(engine)") }
        return streamAddress + "?" + options.joined(separator: "&")
    }
}

package struct StreamURLError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}
