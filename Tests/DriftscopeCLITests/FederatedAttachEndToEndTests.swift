import Foundation
import InterestGraph
import TestSupport
import Testing
import Workspace

/// Issue 14's dashboard in one run: the small scenario published into a real Redis stream of 4
/// partitions, two engines (`serve --own 0,1 --of 4` and `--own 2,3 --of 4`, a workspace each)
/// and one `attach A,B` dashboard in tmux. A user of each engine shows the profile that engine
/// logged, with the status line naming the engine; a kill -9 of B marks partitions 2,3 down
/// while A goes on; `serve --resume` brings B back; the two event logs together then hold
/// every published entry exactly once.
@Suite(.serialized) struct FederatedAttachEndToEndTests {
    struct Pane: TmuxDriven { let session: String }

    let pane = Pane(session: "driftscope-fed-\(getpid())")

    /// Entry ids of `key` (`key ID` as the workspace records them), through a server-side
    /// script so the reply holds the ids only.
    static func entryIDs(_ redis: RedisServer, _ key: String) throws -> Set<String> {
        let script = "local ids = {} for i, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do ids[i] = e[1] end return ids"
        let out = try redis.cli(["EVAL", script, "1", key]).stdout
        return Set(out.split(separator: "\n").map { "\(key) \($0.trimmingCharacters(in: .whitespaces))" }.filter { !$0.hasSuffix(" ") })
    }

    /// Events per user in a workspace's latest run, from `export-events`.
    static func eventsPerUser(_ workspace: String, _ home: URL) throws -> [String: Int] {
        let csv = home.appendingPathComponent("export-\(UUID().uuidString.prefix(6)).csv").path
        let result = try CLIRunner.run(["export-events", "--workspace", workspace, "--out", csv])
        try #require(result.status == 0, "export-events failed: \(result.stderr)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            counts[String(line.prefix { $0 != "," }), default: 0] += 1
        }
        return counts
    }

    /// 1234 as the dashboard prints it ("1,234").
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return digits.enumerated().map { i, d in (i > 0 && (digits.count - i) % 3 == 0 ? "," : "") + String(d) }.joined()
    }

    static func partition(_ user: String) -> Int { Int(TemporalGroundTruth.userHash(user) % 4) }

    @Test func twoEnginesOneDashboardKillResume() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let redis = try RedisServer()
        let binary = try CLIRunner.binary().path
        let home = URL(fileURLWithPath: "/tmp").appendingPathComponent("ds-fed-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let url = redis.url("shop")
        let wa = home.appendingPathComponent("a.sqlite").path, wb = home.appendingPathComponent("b.sqlite").path
        let sa = home.appendingPathComponent("a.sock").path, sb = home.appendingPathComponent("b.sock").path
        let logA = home.appendingPathComponent("a.log"), logB = home.appendingPathComponent("b.log")
        let launcher = StreamServeAttachEndToEndTests()

        // The first part of the stream, published before the engines start.
        let first = try CLIRunner.run(["publish", "small", "--to", url, "--partitions", "4", "--speed", "0", "--json"])
        try #require(first.status == 0, "publish failed: \(first.stderr)")

        let a = try launcher.serve("--source '\(url)' --own 0,1 --of 4 --workspace \(wa) --listen unix:\(sa) --log-every 1", home: home, log: logA)
        var b = try launcher.serve("--source '\(url)' --own 2,3 --of 4 --workspace \(wb) --listen unix:\(sb) --log-every 1", home: home, log: logB)
        defer {
            for p in [a, b] where p.isRunning {
                p.send(SIGKILL)
                _ = p.wait()
            }
            _ = try? pane.tmux(["kill-session", "-t", pane.session])
            try? FileManager.default.removeItem(at: home)
        }
        func published(_ partitions: [Int]) throws -> Set<String> {
            try partitions.reduce(into: Set<String>()) { $0.formUnion(try Self.entryIDs(redis, "shop:\($1)")) }
        }
        let firstA = try published([0, 1]).count, firstB = try published([2, 3]).count
        try Tmux.waitUntil("both engines logged the first part") {
            try RunList.loggedEventsIfReadable(wa) == firstA && RunList.loggedEventsIfReadable(wb) == firstB
        }

        // One dashboard over both.
        try pane.tmux(["new-session", "-d", "-s", pane.session, "-x", "160", "-y", "40", "sh"])
        try pane.keys("\(Tmux.environment(home: home)) \(binary) attach unix:\(sa),unix:\(sb); echo DRIFTSCOPE-EXIT=$?", "Enter")
        try pane.waitFor("the dashboard attached to both") { $0.contains("CONTROL 1/1") && $0.contains("user ← engine") }

        // A user of each engine: the profile comes from the engine that owns them.
        let usersA = try Self.eventsPerUser(wa, home), usersB = try Self.eventsPerUser(wb, home)
        #expect(usersA.keys.allSatisfy { [0, 1].contains(Self.partition($0)) }, "engine A logged a user of another partition")
        #expect(usersB.keys.allSatisfy { [2, 3].contains(Self.partition($0)) }, "engine B logged a user of another partition")
        let userA = try #require(usersA.max { $0.value < $1.value }), userB = try #require(usersB.max { $0.value < $1.value })
        for (user, engine) in [(userA, "engine A (partitions 0,1)"), (userB, "engine B (partitions 2,3)")] {
            try pane.keys("/")
            try pane.keys("-l", user.key)
            try pane.keys("Enter")
            try pane.waitFor("\(user.key)'s profile from \(engine)") {
                $0.contains("\(user.key) · \(Self.grouped(user.value)) events") && $0.contains("user ← \(engine)")
            }
        }

        // The rest of the stream at a pace; kill -9 of B in the middle of it.
        let publisher = try ChildProcess.spawn(CLIRunner.binary(), ["publish", "small", "--seed", "77", "--to", url, "--partitions", "4", "--speed", "100000", "--json"])
        defer {
            if publisher.isRunning {
                publisher.send(SIGKILL)
                _ = publisher.wait()
            }
        }
        try Tmux.waitUntil("B logging the second part") { try RunList.loggedEventsIfReadable(wb) > firstB + 300 }
        #expect(publisher.isRunning, "the publisher finished before the kill: the kill would not be mid-stream")
        b.send(SIGKILL)
        _ = b.wait()
        try pane.waitFor("B's partitions down") { $0.contains("partitions 2,3 down (B)") }
        // The dashboard goes on with A: its log still grows.
        let whileDown = try RunList.loggedEventsIfReadable(wa)
        try Tmux.waitUntil("A still logging") { try RunList.loggedEventsIfReadable(wa) > whileDown || !publisher.isRunning }
        #expect(publisher.wait() == .exited(0))

        // Resumed, B is back in the dashboard and reads what it had not logged.
        b = try launcher.serve("--workspace \(wb) --resume --listen unix:\(sb) --log-every 1", home: home, log: logB)
        try pane.waitFor("B back") { !$0.contains("down (B)") && $0.contains("CONTROL 1/1") }
        let entriesA = try published([0, 1]), entriesB = try published([2, 3])
        try Tmux.waitUntil("every published entry logged", timeout: 180) {
            try RunList.loggedEventsIfReadable(wa) >= entriesA.count && RunList.loggedEventsIfReadable(wb) >= entriesB.count
        }
        for p in [a, b] {
            p.send(SIGTERM)
            #expect(p.wait() == .exited(0))
        }

        // Exactly once: each engine's log holds the entries of its partitions, each once.
        for (workspace, expected) in [(wa, entriesA), (wb, entriesB)] {
            let ws = try Workspace(path: workspace, create: false, access: .readOnly)
            let run = try #require(try ws.lastRun())
            let ids = try ws.loggedSourceIDs(run: run.id).map(\.id)
            #expect(ids.count == expected.count, "\(workspace): logged \(ids.count) events for \(expected.count) entries")
            #expect(Set(ids) == expected)
        }
        #expect(entriesA.count + entriesB.count > firstA + firstB)
        try pane.keys("q")
        try pane.waitFor("a clean exit") { Tmux.exitStatus(in: $0) == 0 }
    }
}
