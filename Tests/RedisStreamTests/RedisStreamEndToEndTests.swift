import Foundation
import InterestGraph
@testable import RedisStream
import TestSupport
import Testing
import Workspace

extension RedisServer {
    func connect() throws -> RedisConnection {
        try RedisConnection(host: "127.0.0.1", port: port, timeout: 5)
    }
}

/// The built binary against a real `redis-server`: publish, ingest (snapshot and consumer
/// group), malformed entries, and a kill -9 in the middle of a live stream.
@Suite("Redis streams end to end", .serialized)
struct RedisStreamEndToEndTests {
    static func binary() throws -> URL { try DriftscopeBinary.url() }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(300))")
    }

    /// A temporary copy of the small shop log without its side files (catalogue, KG), so a
    /// file read and a stream read see the same fields.
    static func sampleCopy() throws -> (directory: String, file: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-redis-sample-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/shop.csv"
        try FileManager.default.copyItem(atPath: DriftscopeBinary.packageRoot.appendingPathComponent("sample-data/shop-small.csv").path, toPath: file)
        return (directory, file)
    }

    /// FNV-1a 64 of the UTF-8 bytes, written out again here so the test checks the README's
    /// rule rather than the code's own function.
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// One event lands in one partition, yet all four exist (with the readers' group) as
    /// soon as publishing starts: an engine started meanwhile finds the stream's whole count.
    @Test func publishCreatesEveryPartitionBeforeTheFirstEntry() throws {
        let redis = try RedisServer()
        let sample = try Self.sampleCopy()
        defer { try? FileManager.default.removeItem(atPath: sample.directory) }
        try "user,item,timestamp,action\nu1,i1,1709251200,view\n".write(toFile: sample.file, atomically: true, encoding: .utf8)
        let published = try DriftscopeBinary.run(["publish", sample.file, "--to", redis.url("one"), "--partitions", "4"])
        #expect(published.status == 0, "\(published.stderr)")
        let connection = try redis.connect()
        let lengths = try (0..<4).map { try connection.length(stream: "one:\($0)") }
        #expect(lengths.reduce(0, +) == 1)
        #expect(lengths[Int(Self.fnv1a("u1") % 4)] == 1)
        for k in 0..<4 { #expect(try connection.exists("one:\(k)"), "partition \(k)") }
    }

    @Test func publishIntoFourPartitionsThenIngestCountsLikeTheFile() throws {
        let redis = try RedisServer()
        let sample = try Self.sampleCopy()
        defer { try? FileManager.default.removeItem(atPath: sample.directory) }

        let published = try DriftscopeBinary.run(["publish", sample.file, "--to", redis.url("shop"), "--partitions", "4", "--json"])
        #expect(published.status == 0, "\(published.stderr)")
        let report = try Self.json(published.stdout)
        #expect(report["events"] as? Int == 31_996)

        // Each partition holds exactly the rows whose user hashes to it.
        let rows = try String(contentsOfFile: sample.file, encoding: .utf8).split(separator: "\n").dropFirst()
        var expected = [Int](repeating: 0, count: 4)
        for row in rows { expected[Int(Self.fnv1a(String(row.split(separator: ",", omittingEmptySubsequences: false)[0])) % 4)] += 1 }
        let connection = try redis.connect()
        for k in 0..<4 { #expect(try connection.length(stream: "shop:\(k)") == expected[k], "partition \(k)") }

        let fromFile = try Self.json(DriftscopeBinary.run(["ingest", sample.file, "--json"]).stdout)
        let fromStream = try DriftscopeBinary.run(["ingest", redis.url("shop"), "--json"])
        #expect(fromStream.status == 0, "\(fromStream.stderr)")
        var a = fromFile, b = try Self.json(fromStream.stdout)
        for key in ["name", "notes"] {
            a[key] = nil
            b[key] = nil
        }
        #expect(NSDictionary(dictionary: a).isEqual(to: b), "file \(a)\nstream \(b)")

        // Through the consumer group into a workspace: the same events, every entry logged
        // with its id and acknowledged.
        let workspace = sample.directory + "/w.sqlite"
        let consumed = try DriftscopeBinary.run(["ingest", redis.url("shop", "partitions=4"), "--workspace", workspace, "--json"])
        #expect(consumed.status == 0, "\(consumed.stderr)")
        #expect(try Self.json(consumed.stdout)["events"] as? Int == 31_996)
        for k in 0..<4 {
            let pending = try connection.command(["XPENDING", "shop:\(k)", "driftscope"]).array?.first?.integer
            #expect(pending == 0, "partition \(k) still has pending entries")
        }
        let ws = try Workspace(path: workspace, create: false)
        let run = try #require(try ws.lastRun())
        #expect(run.sourceKind == .stream)
        #expect(try ws.loggedSourceIDs(run: run.id).count == 31_996)
    }

    @Test func malformedEntriesAreCountedAndReportedNeverFatal() throws {
        let redis = try RedisServer()
        let connection = try redis.connect()
        let entries: [[String]] = [
            ["user", "u1", "item", "i1", "timestamp", "1709251516", "action", "view"],
            ["user", "u1", "item", "i2", "timestamp", "yesterday", "action", "view"],
            ["user_id", "u2", "product_id", "i1", "ts", "2024-03-01T10:00:00Z", "event_type", "purchase", "price", "9.5"],
            ["user", "u2", "timestamp", "1709251600"],
            ["user", "u3", "item", "i3", "timestamp", "1709251700", "action", "teleport"],
            ["customer", "u3", "sku", "i2", "time", "1709251800000"],
        ]
        var ids: [String] = []
        for e in entries { ids.append(try #require(try connection.command(["XADD", "bad:0", "*"] + e).text)) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-redis-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try DriftscopeBinary.run(["ingest", redis.url("bad"), "--workspace", directory + "/w.sqlite", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.json(result.stdout)
        #expect(summary["events"] as? Int == 3)
        #expect(summary["rejected"] as? Int == 3)
        #expect(summary["rejected_by_reason"] as? [String: Int] == ["bad timestamp": 1, "missing field": 1, "unknown action": 1])
        let examples = try #require(summary["examples"] as? [String])
        #expect(examples.contains { $0.hasPrefix("bad:0 \(ids[1]) timestamp: bad timestamp 'yesterday'") }, "\(examples)")
        #expect(examples.contains { $0.hasPrefix("bad:0 \(ids[3]) item: no item field") }, "\(examples)")
        #expect(examples.contains { $0.hasPrefix("bad:0 \(ids[4]) action: unknown action 'teleport'") }, "\(examples)")
        // Malformed entries are acknowledged too: nothing stays pending.
        #expect(try connection.command(["XPENDING", "bad:0", "driftscope"]).array?.first?.integer == 0)

        let strict = try DriftscopeBinary.run(["ingest", redis.url("bad"), "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("bad:0 \(ids[1]) timestamp:"), "\(strict.stderr)")
    }

    /// Publishes the small scenario at a pace, kills the consuming process with SIGKILL while
    /// entries arrive, resumes once the publisher is done: the run's log holds every entry of
    /// every partition exactly once, each as the event the entry says.
    @Test func killNineMidStreamThenResumeLogsEveryEntryExactlyOnce() throws {
        let redis = try RedisServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-redis-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workspace = directory + "/w.sqlite"
        let url = redis.url("live", "partitions=4")

        // About five seconds of publishing (the small scenario spans three weeks).
        let publisher = try ChildProcess.spawn(Self.binary(), ["publish", "small", "--to", redis.url("live"), "--partitions", "4", "--speed", "400000"])
        let consumer = try ChildProcess.spawn(Self.binary(), ["ingest", url, "--workspace", workspace, "--follow"])
        var logged: Int64 = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, consumer.isRunning, logged < 5_000 {
            usleep(20_000)
            if FileManager.default.fileExists(atPath: workspace), let ws = try? Workspace(path: workspace, create: false) {
                logged = (try? ws.loggedPosition(run: 1)) ?? 0
            }
        }
        #expect(publisher.isRunning, "the publisher finished before the kill: the kill would not be mid-stream")
        consumer.send(SIGKILL)
        #expect(consumer.wait() == .signalled(SIGKILL))
        #expect(logged >= 5_000)
        #expect(publisher.wait() == .exited(0), "\(publisher.outputSoFar)")

        let resumed = try DriftscopeBinary.run(["ingest", url, "--workspace", workspace, "--resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        // Every entry of every partition, by id, against the log.
        let connection = try redis.connect()
        var entries: [String: RedisConnection.Entry] = [:]
        for k in 0..<4 {
            var start = "-"
            while true {
                let batch = try connection.range(stream: "live:\(k)", start: start, count: 10_000)
                guard let last = batch.last else { break }
                start = "(" + last.id
                for e in batch { entries["live:\(k) \(e.id)"] = e }
            }
        }
        let ws = try Workspace(path: workspace, create: false)
        let run = try #require(try ws.lastRun())
        let ids = try ws.loggedSourceIDs(run: run.id)
        #expect(ids.count == entries.count, "logged \(ids.count) ids for \(entries.count) entries")
        #expect(Set(ids.map(\.id)) == Set(entries.keys))
        #expect(ids.map(\.position) == (0..<Int64(ids.count)).map { $0 })
        var decoder = try RecordEventDecoder()
        var reader = try ws.events(run: run.id)
        var k = 0
        var wrong = 0
        while let recorded = try reader.next() {
            defer { k += 1 }
            guard k < ids.count, ids[k].position == recorded.position, let entry = entries[ids[k].id],
                  case .success(let expected) = decoder.event(fields: entry.fields) else {
                wrong += 1
                continue
            }
            if expected.user != recorded.event.user || expected.item != recorded.event.item
                || expected.timestamp != recorded.event.timestamp || expected.action != recorded.event.action {
                wrong += 1
            }
        }
        #expect(k == entries.count, "the log holds \(k) events for \(entries.count) entries")
        #expect(wrong == 0)
        for p in 0..<4 {
            #expect(try connection.command(["XPENDING", "live:\(p)", "driftscope"]).array?.first?.integer == 0)
        }
    }
}

/// The reader in process, against a real server whose connections are cut under it.
@Suite("Redis stream reader", .serialized)
struct StreamFeedTests {
    static func publish(_ range: Range<Int>, to redis: RedisConnection) throws {
        let commands = range.map { k in
            ["XADD", "cut:\(StreamURL.partition(ofUser: "u\(k % 7)", partitions: 2))", "*", "user", "u\(k % 7)", "item", "i\(k)", "timestamp", String(1_709_251_516 + k), "action", "view"]
        }
        for reply in try redis.send(commands) { if case .error(let m) = reply { throw RedisError(kind: .reply, message: m) } }
    }

    /// Takes events until `count` have come or the deadline passes.
    static func take(_ source: inout RedisEventSource, count: Int, into items: inout [String]) {
        let deadline = Date().addingTimeInterval(30)
        while items.count < count, Date() < deadline {
            if let e = source.next() { items.append(e.item) } else { Thread.sleep(forTimeInterval: 0.002) }
        }
    }

    @Test func aLostConnectionIsReestablishedAndNothingIsLostOrRepeated() throws {
        let server = try RedisServer()
        let redis = try server.connect()
        try Self.publish(0..<500, to: redis)
        let feed = try StreamFeed.open(url: StreamURL(parsing: server.url("cut", "partitions=2")), options: StreamReaderOptions())
        defer { feed.stop() }
        var source = RedisEventSource(feed: feed)
        var items: [String] = []
        Self.take(&source, count: 200, into: &items)
        #expect(items.count == 200)

        // Every client but this one loses its connection (the reader's among them).
        let killed = try redis.command(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]).integer ?? 0
        #expect(killed >= 1)
        try Self.publish(500..<1_000, to: redis)
        Self.take(&source, count: 1_000, into: &items)

        #expect(items.count == 1_000)
        #expect(Set(items) == Set((0..<1_000).map { "i\($0)" }), "events lost or repeated")
        #expect(feed.status.reconnects >= 1)
        #expect(feed.status.connection == .connected)
        // Acknowledged on delivery: nothing stays pending once handed out.
        #expect(feed.waitForAcknowledgements(timeout: 10))
        for k in 0..<2 { #expect(try redis.command(["XPENDING", "cut:\(k)", "driftscope"]).array?.first?.integer == 0) }
        // Per user, the events come in publication order.
        var last: [String: Int] = [:]
        var outOfOrder = 0
        for item in items {
            let k = Int(item.dropFirst())!
            let user = "u\(k % 7)"
            if let previous = last[user], previous > k { outOfOrder += 1 }
            last[user] = k
        }
        #expect(outOfOrder == 0)
    }
}
