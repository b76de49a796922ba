import Foundation
import TestSupport
import Testing

/// The whole of issue 13 in one run, as a shop would use it: the small scenario published into
/// a real Redis stream of 4 partitions, `serve` following it into a workspace, two `attach`
/// dashboards in tmux (one controls, one watches), a kill -9 of `serve` mid-stream and
/// `serve --resume`: the workspace's log then holds every published entry exactly once.
@Suite(.serialized) struct StreamServeAttachEndToEndTests {
    struct Pane: TmuxDriven { let session: String }

    let controller = Pane(session: "driftscope-sa-a-\(getpid())")
    let watcher = Pane(session: "driftscope-sa-b-\(getpid())")

    func serve(_ arguments: String, home: URL, log: URL) throws -> ChildProcess.Running {
        let binary = try CLIRunner.binary().path
        let env = ["XDG_STATE_HOME": home.path, "XDG_CONFIG_HOME": home.path, "XDG_DATA_HOME": home.path]
        return try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \(binary) serve \(arguments) 2>>\(log.path)"], environment: env)
    }

    static func learningRate(_ screen: String) -> String? {
        screen.matches(of: /learning rate [0-9.e-]+ → ([0-9.e-]+)/).last.map { String($0.1) }
    }

    @Test func publishServeAttachKillResume() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let redis = try RedisServer()
        let binary = try CLIRunner.binary().path
        let home = URL(fileURLWithPath: "/tmp").appendingPathComponent("ds-sa-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let socket = home.appendingPathComponent("engine.sock").path
        let workspace = home.appendingPathComponent("shop.sqlite").path
        let token = home.appendingPathComponent("token").path
        let log = home.appendingPathComponent("serve.log")
        let url = redis.url("shop", "partitions=4")
        let listen = "--listen unix:\(socket) --token-file \(token) --log-every 1"
        var server = try serve("--source '\(url)' --workspace \(workspace) \(listen)", home: home, log: log)
        defer {
            server.send(SIGKILL)
            _ = server.wait()
            _ = try? controller.tmux(["kill-session", "-t", controller.session])
            _ = try? watcher.tmux(["kill-session", "-t", watcher.session])
            try? FileManager.default.removeItem(at: home)
        }
        try Tmux.waitUntil("the server listening") { (try? String(contentsOf: log, encoding: .utf8))?.contains("listening on unix:") == true }

        // Two dashboards on the served engine; the small scenario published at a pace.
        let attach = "\(Tmux.environment(home: home)) \(binary) attach unix:\(socket) --token-file \(token); echo DRIFTSCOPE-EXIT=$?"
        try controller.tmux(["new-session", "-d", "-s", controller.session, "-x", "160", "-y", "40", "sh"])
        try controller.keys(attach, "Enter")
        try controller.waitFor("the controller attached") { $0.contains("CONTROL 1/1") }
        try watcher.tmux(["new-session", "-d", "-s", watcher.session, "-x", "160", "-y", "40", "sh"])
        try watcher.keys(attach, "Enter")
        try watcher.waitFor("the watcher attached") { $0.contains("WATCHING 2/2") }
        let publisher = try ChildProcess.spawn(CLIRunner.binary(), ["publish", "small", "--to", redis.url("shop"), "--partitions", "4", "--speed", "100000", "--json"])
        try Tmux.waitUntil("events from the stream logged") { try RunList.loggedEventsIfReadable(workspace) >= 1_000 }

        // The controller pauses and changes the learning rate; the watcher sees both and the
        // same user.
        try controller.keys("Space")
        try controller.waitFor("paused") { $0.contains("PAUSED") }
        try watcher.waitFor("the watcher sees the pause") { $0.contains("PAUSED") }
        let shown = try controller.waitFor("a selected user") { $0.firstMatch(of: /for (u\d+)/) != nil }
        let user = try #require(shown.firstMatch(of: /for (u\d+)/).map { String($0.1) })
        try watcher.waitFor("the same user") { $0.contains("for \(user)") }
        try controller.keys("5")
        try controller.keys("Right")
        let rate = try #require(Self.learningRate(try controller.waitFor("the change logged") { Self.learningRate($0) != nil }))
        try watcher.waitFor("the watcher sees learning rate \(rate)") { Self.learningRate($0) == rate }
        try controller.keys("Space")
        try watcher.waitFor("running again") { $0.contains("RUNNING") }

        // kill -9 of serve while the publisher still writes.
        let before = try RunList.loggedEventsIfReadable(workspace)
        try Tmux.waitUntil("more events logged") { try RunList.loggedEventsIfReadable(workspace) > before + 500 }
        #expect(publisher.isRunning, "the publisher finished before the kill: the kill would not be mid-stream")
        server.send(SIGKILL)
        _ = server.wait()
        try watcher.waitFor("the dashboards see the engine gone") { $0.contains("DISCONNECTED") }
        #expect(publisher.wait() == .exited(0))
        let published = try #require(try JSONSerialization.jsonObject(with: Data(publisher.outputSoFar.utf8)) as? [String: Any])
        let total = try #require(published["events"] as? Int)
        #expect(try RunList.loggedEventsIfReadable(workspace) < total)

        // Resumed, it reads what is pending and what is new; the dashboards reconnect.
        server = try serve("--workspace \(workspace) --resume \(listen)", home: home, log: log)
        try controller.waitFor("reconnected") { !$0.contains("DISCONNECTED") && ($0.contains("CONTROL") || $0.contains("WATCHING")) }
        try Tmux.waitUntil("every published entry logged", timeout: 180) { try RunList.loggedEventsIfReadable(workspace) >= total }
        server.send(SIGTERM)
        #expect(server.wait() == .exited(0))

        // Exactly once: one logged event per published entry, nothing left pending.
        #expect(try RunList.loggedEventsIfReadable(workspace) == total)
        var entries = 0
        for k in 0..<4 {
            entries += Int(try redis.cli(["XLEN", "shop:\(k)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let pending = try redis.cli(["XPENDING", "shop:\(k)", "driftscope"]).stdout.split(separator: "\n").first
            #expect(pending == "0", "partition \(k) still has pending entries")
        }
        #expect(entries == total)
        for pane in [controller, watcher] {
            try pane.keys("q")
            try pane.waitFor("a clean exit") { Tmux.exitStatus(in: $0) == 0 }
        }
    }
}
