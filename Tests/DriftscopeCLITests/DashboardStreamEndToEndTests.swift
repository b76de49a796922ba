import Foundation
import TestSupport
import Testing

/// The dashboard following a live Redis stream while recording: it shows the stream's state,
/// survives a kill -9 in the middle of the stream, and the resumed run's log holds every
/// published entry exactly once, all acknowledged.
@Suite(.serialized) struct DashboardStreamEndToEndTests: TmuxDriven {
    let session = "driftscope-stream-\(getpid())"

    func launch(_ arguments: String, home: URL) throws {
        let binary = try CLIRunner.binary().path
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "exec env \(Tmux.environment(home: home)) \(binary) dashboard \(arguments)"])
    }

    @Test func killedStreamDashboardResumesWithEveryEntryExactlyOnce() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let redis = try RedisServer()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-stream-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer {
            _ = try? tmux(["kill-session", "-t", session])
            try? FileManager.default.removeItem(at: home)
        }
        let workspace = home.appendingPathComponent("stream.sqlite").path
        let url = redis.url("live", "partitions=4")

        // 1. The dashboard follows the stream (recording) while the small scenario is published
        //    at a pace; kill -9 once part of it is logged and while the publisher still runs.
        try launch("--source '\(url)' --workspace \(workspace)", home: home)
        try waitFor("the stream connected") { $0.contains("stream ok") && $0.contains("stream · redis://127.0.0.1:\(redis.port)/live") }
        let publisher = try ChildProcess.spawn(CLIRunner.binary(), ["publish", "small", "--to", redis.url("live"), "--partitions", "4", "--speed", "300000", "--json"])
        try Tmux.waitUntil("the first logged events") { try RunList.loggedEventsIfReadable(workspace) >= 3_000 }
        #expect(publisher.isRunning, "the publisher finished before the kill: the kill would not be mid-stream")
        let pid = try tmux(["list-panes", "-t", session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        kill(try #require(pid_t(pid)), SIGKILL)
        try Tmux.waitUntil("the killed dashboard to go", timeout: 30) { try !Tmux.isAlive(session) }
        #expect(publisher.wait() == .exited(0))
        let published = try #require(try JSONSerialization.jsonObject(with: Data(publisher.outputSoFar.utf8)) as? [String: Any])
        let total = try #require(published["events"] as? Int)
        #expect(try RunList.loggedEventsIfReadable(workspace) < total)

        // 2. Resume: the run continues from the log and reads what is pending and what is new.
        try launch("--workspace \(workspace) --resume", home: home)
        try Tmux.waitUntil("every published entry logged", timeout: 180) { try RunList.loggedEventsIfReadable(workspace) >= total }
        let screen = try waitFor("no lag left") { $0.contains("lag 0 [0 0 0 0]") }
        #expect(screen.contains("stream ok"))
        try keys("q")
        try Tmux.waitUntil("the dashboard to quit", timeout: 30) { try !Tmux.isAlive(session) }

        // 3. Exactly once: as many logged events as entries (a duplicate entry id could not
        //    be logged twice: the id is unique per run), and nothing left pending.
        #expect(try RunList.loggedEventsIfReadable(workspace) == total)
        var entries = 0
        for k in 0..<4 {
            entries += Int(try redis.cli(["XLEN", "live:\(k)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let pending = try redis.cli(["XPENDING", "live:\(k)", "driftscope"]).stdout.split(separator: "\n").first
            #expect(pending == "0", "partition \(k) still has pending entries")
        }
        #expect(entries == total)
    }
}
