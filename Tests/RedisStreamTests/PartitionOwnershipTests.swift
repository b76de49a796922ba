import Foundation
import InterestGraph
@testable import RedisStream
import TestSupport
import Testing
import Workspace

/// Engines sharing a partitioned stream (issue 14): `--own` parsing, claims in Redis
/// (refusal of a partition owned twice, release on a clean stop, take-back on resume), an
/// engine reading only its partitions, and exactly-once per engine across a kill -9.
@Suite("Partition ownership", .serialized)
struct PartitionOwnershipTests {
    static func temporaryDirectory(_ tag: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-own-\(tag)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// `serve` in the background with its stderr in `log`.
    static func serve(_ arguments: [String], log: String, home: String) throws -> ChildProcess.Running {
        let binary = try DriftscopeBinary.url().path
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        return try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \(binary) serve \(quoted) 2>>\(log)"],
                                      environment: ["XDG_STATE_HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home])
    }

    static func waitUntil(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func owners(_ redis: RedisServer, _ name: String, count: Int) throws -> [String?] {
        try PartitionClaims.owners(StreamURL(parsing: redis.url(name)), count: count).map(\.engine)
    }

    static func logged(_ workspace: String) -> Int64 {
        guard FileManager.default.fileExists(atPath: workspace), let ws = try? Workspace(path: workspace, create: false, access: .readOnly),
              let run = try? ws.lastRun() else { return 0 }
        return (try? ws.loggedPosition(run: run.id)) ?? 0
    }

    // MARK: Parsing

    @Test func ownedPartitionsParseListsAndRanges() throws {
        #expect(try StreamURL.ownedPartitions("0,1", of: 4) == [0, 1])
        #expect(try StreamURL.ownedPartitions("0-3", of: 8) == [0, 1, 2, 3])
        #expect(try StreamURL.ownedPartitions("6,0-1", of: 8) == [0, 1, 6])
        #expect(StreamURL.describe(partitions: [0, 1, 2, 3, 6]) == "0-3,6")
        #expect(StreamURL.describe(partitions: [4, 5]) == "4,5")
        let url = try StreamURL(parsing: "redis://h:1/s?partitions=4&own=2-3&engine=e1")
        #expect(url.owned == [2, 3])
        #expect(url.engine == "e1")
        // The description reads back as the same URL (a run records it; resume parses it).
        #expect(try StreamURL(parsing: url.description) == url)
    }

    @Test(arguments: [
        ("0-x", "is not a partition number"), ("4", "not within 0...3"), ("1,1", "partition 1 is named twice"),
        ("3-1", "runs backwards"), ("", "is not a partition number"), ("0,,1", "is not a partition number"),
    ])
    func badOwnedPartitionsAreRefusedWithTheReason(_ text: String, _ reason: String) {
        #expect {
            try StreamURL.ownedPartitions(text, of: 4)
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains("expected partitions of 0...3")
        }
    }

    @Test func serveRefusesBadOwnSyntaxAndAMissingOf() throws {
        for (arguments, expected) in [
            (["--own", "0-x", "--of", "4"], "is not a partition number or a range"),
            (["--own", "1,1", "--of", "4"], "partition 1 is named twice"),
            (["--own", "0,1"], "--own and --of go together"),
            (["--own", "0", "--of", "0"], "--of must be a partition count"),
            (["--set", "layers"], "--set expects key=value"),
            (["--set", "nonsense=1"], "--set nonsense=1: "),
            (["--set", "layers=many"], "--set layers=many: "),
        ] {
            let result = try DriftscopeBinary.run(["serve", "--source", "redis://127.0.0.1:1/s"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        let notAStream = try DriftscopeBinary.run(["serve", "--own", "0", "--of", "2", "--scenario", "small"])
        #expect(notAStream.status == 1)
        #expect(notAStream.stderr.contains("--own needs a stream --source"), "\(notAStream.stderr)")
    }

    // MARK: Claims

    @Test func aPartitionOwnedTwiceIsRefusedAndAStopReleasesTheClaims() throws {
        let redis = try RedisServer()
        let home = try Self.temporaryDirectory("twice")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let published = try DriftscopeBinary.run(["publish", "small", "--to", redis.url("shop"), "--partitions", "4", "--limit", "2000"])
        #expect(published.status == 0, "\(published.stderr)")

        let logA = home + "/a.log"
        let a = try Self.serve(["--source", redis.url("shop"), "--own", "0,1", "--of", "4", "--engine-id", "engine-a",
                                "--listen", "unix:\(home)/a.sock", "--log-every", "0"], log: logA, home: home)
        defer {
            a.send(SIGKILL)
            _ = a.wait()
        }
        try Self.waitUntil("engine A listening") { (try? String(contentsOfFile: logA, encoding: .utf8))?.contains("listening on") == true }
        #expect(try Self.owners(redis, "shop", count: 4) == ["engine-a", "engine-a", nil, nil])
        let startLine = try String(contentsOfFile: logA, encoding: .utf8)
        #expect(startLine.contains("owns partitions 0,1 of 4"), "\(startLine)")
        #expect(startLine.contains("unowned (no engine reads them yet): 2,3"), "\(startLine)")

        // Partition 1 again: refused, naming the partition and its owner; nothing of B's
        // claim is left behind (partition 2 stays free).
        let b = try DriftscopeBinary.run(["serve", "--source", redis.url("shop"), "--own", "1-2", "--of", "4",
                                          "--listen", "unix:\(home)/b.sock"], environment: ["XDG_STATE_HOME": home])
        #expect(b.status == 1)
        #expect(b.stderr.contains("partition 1 (shop:1) is owned by engine engine-a"), "\(b.stderr)")
        #expect(try Self.owners(redis, "shop", count: 4) == ["engine-a", "engine-a", nil, nil])

        // A count other than the stream's is refused.
        let wrongCount = try DriftscopeBinary.run(["serve", "--source", redis.url("shop"), "--own", "2,3", "--of", "8",
                                                   "--listen", "unix:\(home)/c.sock"], environment: ["XDG_STATE_HOME": home])
        #expect(wrongCount.status == 1)
        #expect(wrongCount.stderr.contains("has 4 partitions (shop:0 ... shop:3), not 8"), "\(wrongCount.stderr)")

        // `partitions` lists the owners and the unowned ones; --check fails on the latter.
        let table = try DriftscopeBinary.run(["partitions", redis.url("shop"), "--json"])
        #expect(table.status == 0, "\(table.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(table.stdout.utf8)) as? [String: Any])
        #expect(json["unowned"] as? [Int] == [2, 3])
        let rows = try #require(json["partitions"] as? [[String: Any]])
        #expect(rows.map { $0["owner"] as? String } == ["engine-a", "engine-a", nil, nil])
        #expect(try DriftscopeBinary.run(["partitions", redis.url("shop"), "--check"]).status == 3)

        // A clean stop frees the partitions at once.
        a.send(SIGTERM)
        #expect(a.wait() == .exited(0))
        #expect(try Self.owners(redis, "shop", count: 4) == [nil, nil, nil, nil])
    }

    /// In process: claims expire when not renewed (a killed engine), and the same engine id
    /// takes its own back at once while another id is refused.
    @Test func claimsExpireAndTheSameEngineTakesItsOwnBack() throws {
        let redis = try RedisServer()
        let url = try StreamURL(parsing: redis.url("s", "partitions=2&own=0,1&engine=first"))
        let connection = try redis.connect()
        // As a killed engine leaves them: set, never renewed.
        #expect(try PartitionClaims.claim(connection, url: url, engine: "first", partitions: [0, 1], ttl: 400).isEmpty)
        var other = url
        other.engine = "second"
        #expect(throws: PartitionClaimError.self) { try PartitionClaims(url: other) }
        let again = try PartitionClaims(url: url)
        #expect(try Self.owners(redis, "s", count: 2) == ["first", "first"])
        again.release()
        #expect(try Self.owners(redis, "s", count: 2) == [nil, nil])
        #expect(try PartitionClaims.claim(connection, url: url, engine: "first", partitions: [1], ttl: 200).isEmpty)
        usleep(400_000)
        let taken = try PartitionClaims(url: other)
        defer { taken.release() }
        #expect(try Self.owners(redis, "s", count: 2) == ["second", "second"])
    }

    // MARK: Reading

    /// A reader that owns partitions 1 and 3 of 4: its status lists exactly those (with
    /// their index and the stream's count), every event it hands out hashes to one of them,
    /// and the other partitions are left unread for their owners.
    @Test func anEngineReadsOnlyItsOwnPartitions() throws {
        let redis = try RedisServer()
        let connection = try redis.connect()
        let users = (0..<40).map { "u\($0)" }
        var expected = 0
        let commands = (0..<800).map { k -> [String] in
            let user = users[k % users.count]
            let p = StreamURL.partition(ofUser: user, partitions: 4)
            if p == 1 || p == 3 { expected += 1 }
            return ["XADD", "own:\(p)", "*", "user", user, "item", "i\(k % 50)", "timestamp", String(1_709_251_516 + k), "action", "view"]
        }
        _ = try connection.send(commands)
        let feed = try StreamFeed.open(url: StreamURL(parsing: redis.url("own", "partitions=4&own=1,3&engine=e13")), options: StreamReaderOptions())
        defer { feed.stop() }
        var source = RedisEventSource(feed: feed)
        var events: [Event] = []
        let deadline = Date().addingTimeInterval(20)
        while events.count < expected, Date() < deadline {
            if let e = source.next() { events.append(e) } else { usleep(2_000) }
        }
        usleep(300_000)
        while let e = source.next() { events.append(e) }
        #expect(events.count == expected)
        #expect(events.allSatisfy { [1, 3].contains(StreamURL.partition(ofUser: $0.user, partitions: 4)) })
        let status = try #require(source.streamStatus)
        #expect(status.partitions.map(\.index) == [1, 3])
        #expect(status.partitions.map(\.key) == ["own:1", "own:3"])
        #expect(status.partitionCount == 4)
        // Partitions 0 and 2: nothing delivered to the group.
        for k in [0, 2] {
            #expect(try connection.lag(stream: "own:\(k)", group: "driftscope") == (try connection.length(stream: "own:\(k)")))
        }
    }

    // MARK: Exactly once per engine

    /// Two `serve` engines on 2 + 2 of 4 partitions, each into its own workspace, while the
    /// small scenario is published; kill -9 of one, `serve --resume` of its workspace (taking
    /// its claims back at once): each workspace's log holds exactly the entries of its own
    /// partitions, each once.
    @Test func twoEnginesKillOneResumeItEveryEntryOnceInItsOwnersLog() throws {
        let redis = try RedisServer()
        let home = try Self.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let url = redis.url("live")
        let publisher = try ChildProcess.spawn(DriftscopeBinary.url(), ["publish", "small", "--to", url, "--partitions", "4", "--speed", "300000"])
        defer {
            publisher.send(SIGKILL)
            _ = publisher.wait()
        }
        let wa = home + "/a.sqlite", wb = home + "/b.sqlite"
        func start(_ own: String, _ workspace: String, _ tag: String, resume: Bool = false) throws -> ChildProcess.Running {
            let source = resume ? ["--resume"] : ["--source", url, "--own", own, "--of", "4"]
            return try Self.serve(source + ["--workspace", workspace, "--listen", "unix:\(home)/\(tag).sock", "--log-every", "0"], log: home + "/\(tag).log", home: home)
        }
        var a = try start("0,1", wa, "a")
        let b = try start("2-3", wb, "b")
        defer {
            for p in [a, b] {
                p.send(SIGKILL)
                _ = p.wait()
            }
        }
        try Self.waitUntil("engine A logging") {
            // An engine that stopped (a refused start) fails here with its log, not on the timeout.
            for (p, tag) in [(a, "a"), (b, "b")] where !p.isRunning {
                Issue.record("engine \(tag) stopped: \((try? String(contentsOfFile: home + "/\(tag).log", encoding: .utf8)) ?? "")")
                throw CancellationError()
            }
            return Self.logged(wa) >= 2_000
        }
        #expect(publisher.isRunning, "the publisher finished before the kill: the kill would not be mid-stream")
        a.send(SIGKILL)
        #expect(a.wait() == .signalled(SIGKILL))
        // The killed engine's claims are still there (they expire in 15 s), yet its resumed
        // run takes them back at once: same engine id, recorded in the workspace's run.
        let engineA = try #require(try Self.owners(redis, "live", count: 4)[0])
        a = try start("", wa, "a2", resume: true)
        #expect(publisher.wait() == .exited(0), "\(publisher.outputSoFar)")

        let connection = try redis.connect()
        var entries = [Set<String>](repeating: [], count: 4)
        for k in 0..<4 {
            var start = "-"
            while true {
                let batch = try connection.range(stream: "live:\(k)", start: start, count: 10_000)
                guard let last = batch.last else { break }
                start = "(" + last.id
                for e in batch { entries[k].insert("live:\(k) \(e.id)") }
            }
        }
        let expectA = entries[0].union(entries[1]).count, expectB = entries[2].union(entries[3]).count
        try Self.waitUntil("both engines logged their partitions", timeout: 120) {
            Self.logged(wa) >= Int64(expectA) && Self.logged(wb) >= Int64(expectB)
        }
        #expect(try Self.owners(redis, "live", count: 4)[0] == engineA)
        for p in [a, b] {
            p.send(SIGTERM)
            #expect(p.wait() == .exited(0))
        }
        for (workspace, own) in [(wa, [0, 1]), (wb, [2, 3])] {
            let ws = try Workspace(path: workspace, create: false)
            let run = try #require(try ws.lastRun())
            let ids = try ws.loggedSourceIDs(run: run.id)
            let expected = own.reduce(into: Set<String>()) { $0.formUnion(entries[$1]) }
            #expect(ids.count == expected.count, "\(workspace): logged \(ids.count) for \(expected.count) entries")
            #expect(Set(ids.map(\.id)) == expected)
            #expect(ids.map(\.position) == (0..<Int64(ids.count)).map { $0 })
        }
        for k in 0..<4 {
            #expect(try connection.command(["XPENDING", "live:\(k)", "driftscope"]).array?.first?.integer == 0, "partition \(k)")
        }
        #expect(try Self.owners(redis, "live", count: 4) == [nil, nil, nil, nil])
    }
}
