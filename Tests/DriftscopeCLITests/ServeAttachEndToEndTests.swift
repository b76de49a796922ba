import Foundation
import TestSupport
import Testing

/// `driftscope serve` on a Unix socket and two `attach` dashboards in tmux, as people would
/// use them: one controls, one watches; a wrong token and a garbage client are refused while
/// both keep running; the server killed with -9 and resumed continues the recorded run, and
/// the dashboards reconnect by themselves.
@Suite(.serialized) struct ServeAttachEndToEndTests {
    struct Pane: TmuxDriven { let session: String }

    let controller = Pane(session: "driftscope-attach-a-\(getpid())")
    let watcher = Pane(session: "driftscope-attach-b-\(getpid())")

    /// `serve` in the background, its log in `log`.
    func serve(_ arguments: String, home: URL, log: URL) throws -> ChildProcess.Running {
        let binary = try CLIRunner.binary().path
        let env = ["XDG_STATE_HOME": home.path, "XDG_CONFIG_HOME": home.path, "XDG_DATA_HOME": home.path]
        return try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \(binary) serve \(arguments) 2>>\(log.path)"], environment: env)
    }

    /// The status line's "N users · M items · K edges" (shown from 160 columns with the attach badge).
    static func counters(_ screen: String) -> String? {
        screen.firstMatch(of: /\S+ users · \S+ items · \S+ edges/).map { String($0.0) }
    }

    /// The new value in the change log's last learning-rate line.
    static func learningRate(_ screen: String) -> String? {
        screen.matches(of: /learning rate [0-9.e-]+ → ([0-9.e-]+)/).last.map { String($0.1) }
    }

    @Test func twoDashboardsShareOneServedEngine() throws {
        try #require(Tmux.isInstalled, "tmux is required for the end-to-end test (make test installs it)")
        let binary = try CLIRunner.binary().path
        let home = URL(fileURLWithPath: "/tmp").appendingPathComponent("ds-attach-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let socket = home.appendingPathComponent("engine.sock").path
        let workspace = home.appendingPathComponent("shop.sqlite").path
        let token = home.appendingPathComponent("token").path
        let log = home.appendingPathComponent("serve.log")
        var server = try serve("--scenario small --workspace \(workspace) --listen unix:\(socket) --token-file \(token) --log-every 1", home: home, log: log)
        defer {
            server.send(SIGKILL)
            _ = server.wait()
            _ = try? controller.tmux(["kill-session", "-t", controller.session])
            _ = try? watcher.tmux(["kill-session", "-t", watcher.session])
            try? FileManager.default.removeItem(at: home)
        }
        try Tmux.waitUntil("the server listening", timeout: 90) { (try? String(contentsOf: log, encoding: .utf8))?.contains("listening on unix:") == true }
        var info = stat()
        #expect(lstat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600, "the socket is 0600")

        // Two dashboards: the first holds control, the second watches.
        let env = Tmux.environment(home: home)
        let attach = "\(env) \(binary) attach unix:\(socket) --token-file \(token); echo DRIFTSCOPE-EXIT=$?"
        try controller.tmux(["new-session", "-d", "-s", controller.session, "-x", "160", "-y", "40", "sh"])
        try controller.keys(attach, "Enter")
        try controller.waitFor("the controller attached") { $0.contains("CONTROL 1/1") }
        try watcher.tmux(["new-session", "-d", "-s", watcher.session, "-x", "160", "-y", "40", "sh"])
        try watcher.keys(attach, "Enter")
        try watcher.waitFor("the watcher attached") { $0.contains("WATCHING 2/2") }
        try controller.waitFor("the controller sees two dashboards") { $0.contains("CONTROL 1/2") }

        // The controller pauses: both say so, and show the same user and the same counters.
        try controller.keys("Space")
        try controller.waitFor("paused") { $0.contains("PAUSED") }
        try watcher.waitFor("the watcher sees the pause") { $0.contains("PAUSED") }
        let a = try controller.waitFor("a selected user") { $0.firstMatch(of: /for (u\d+)/) != nil }
        let user = try #require(a.firstMatch(of: /for (u\d+)/).map { String($0.1) })
        // (The "Pausing" message hides the counters for two seconds.)
        let shown = try #require(Self.counters(try controller.waitFor("the counters") { Self.counters($0) != nil }))
        try watcher.waitFor("the same user and counters") { $0.contains("for \(user)") && Self.counters($0) == shown }

        // The controller raises the learning rate: the watcher sees the new value.
        try controller.keys("5")
        try controller.keys("Right")
        let changed = try controller.waitFor("the change logged") { Self.learningRate($0) != nil }
        let rate = try #require(Self.learningRate(changed))
        try watcher.waitFor("the watcher sees learning rate \(rate)") { Self.learningRate($0) == rate }

        // The watcher's keys change nothing and say how to take control.
        try watcher.keys("Space")
        try watcher.waitFor("the watcher told it is watching") { $0.contains("press C to take control") }
        #expect(try controller.screen().contains("PAUSED"))

        // A wrong token gets one generic refusal; a garbage client is closed; both dashboards go on.
        let wrong = home.appendingPathComponent("wrong-token").path
        _ = FileManager.default.createFile(atPath: wrong, contents: Data(String(repeating: "0", count: 64).utf8), attributes: [.posixPermissions: 0o600])
        let refused = try CLIRunner.run(["attach", "unix:\(socket)", "--token-file", wrong])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the server refused the connection: refused"), "stderr: \(refused.stderr)")
        let garbage = try RawSocket(path: socket)
        garbage.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0xff, count: 1000))
        #expect(garbage.readUntilClosed() >= 0, "the garbage client is closed")
        try controller.keys("Space")
        try watcher.waitFor("the watcher sees the engine running again") { $0.contains("RUNNING") && $0.contains("WATCHING 2/2") }
        try controller.waitFor("the controller still in control") { $0.contains("RUNNING") && $0.contains("CONTROL 1/2") }

        // Control is handed over with C.
        try watcher.keys("C")
        try watcher.waitFor("the watcher in control") { $0.contains("CONTROL 2/2") }
        try controller.waitFor("the former controller watching") { $0.contains("WATCHING 1/2") }

        // kill -9 of the server mid-stream: the dashboards say they lost it.
        try Tmux.waitUntil("events logged", timeout: 90) { try RunList.loggedEvents(workspace) > 0 }
        server.send(SIGKILL)
        _ = server.wait()
        let before = try RunList.loggedEvents(workspace)
        try watcher.waitFor("disconnected") { $0.contains("DISCONNECTED") }

        // Resumed, it continues the same run; the dashboards reconnect by themselves.
        server = try serve("--workspace \(workspace) --resume --listen unix:\(socket) --token-file \(token) --log-every 1", home: home, log: log)
        try controller.waitFor("reconnected") { !$0.contains("DISCONNECTED") && ($0.contains("CONTROL") || $0.contains("WATCHING")) }
        try watcher.waitFor("reconnected") { !$0.contains("DISCONNECTED") && ($0.contains("CONTROL") || $0.contains("WATCHING")) }
        try Tmux.waitUntil("the resumed run logging more events", timeout: 90) { try RunList.loggedEvents(workspace) > before }

        // SIGTERM stops it cleanly; the log has every event once, in one run.
        server.send(SIGTERM)
        #expect(server.wait() == .exited(0))
        let run = try #require(try RunList.runs(workspace).first)
        #expect(try RunList.runs(workspace).count == 1)
        #expect(run["logged_events"] as? Int == run["logged_position"] as? Int, "no gap, no duplicate: \(run)")
        #expect((run["logged_events"] as? Int ?? 0) > before)

        // Quitting the dashboards: clean exits.
        for pane in [controller, watcher] {
            try pane.keys("q")
            try pane.waitFor("a clean exit") { Tmux.exitStatus(in: $0) == 0 }
        }
    }
}
