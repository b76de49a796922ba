import Foundation
import Testing

/// A replay recorded into a workspace, killed with SIGKILL mid-run, then resumed: the log ends
/// with every event exactly once and the graph it rebuilds equals the dataset's.
@Suite(.serialized) struct WorkspaceResumeEndToEndTests: TmuxDriven {
    let session = "driftscope-resume-\(getpid())"

    func launch(_ arguments: String, home: URL) throws {
        let binary = try CLIRunner.binary().path
        let env = Tmux.environment(home: home)
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "exec env \(env) \(binary) dashboard \(arguments)"])
    }

    func sessionAlive() throws -> Bool { try Tmux.isAlive(session) }

    @Test func killedReplayResumesWithEveryEventExactlyOnce() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-resume-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer {
            _ = try? tmux(["kill-session", "-t", session])
            try? FileManager.default.removeItem(at: home)
        }
        let workspace = home.appendingPathComponent("replay.sqlite").path

        // 1. Replay ml-100k as fast as possible, recording; kill -9 once part of it is logged.
        try launch("--source ml-100k --speed 0 --workspace \(workspace)", home: home)
        try Tmux.waitUntil("the first logged events", timeout: 240) { try RunList.loggedEvents(workspace) >= 2_000 }
        let pid = try tmux(["list-panes", "-t", session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        kill(try #require(pid_t(pid)), SIGKILL)
        try Tmux.waitUntil("the killed dashboard to go", timeout: 30) { try !sessionAlive() }

        // The file is intact and holds a prefix of the replay.
        let afterKill = try RunList.loggedEvents(workspace)
        #expect(afterKill >= 2_000)
        let integrity = try RunList.runs(workspace)
        #expect(integrity.count == 1)

        // 2. Resume until the whole dataset is logged, then quit cleanly.
        try launch("--workspace \(workspace) --resume --speed 0", home: home)
        try Tmux.waitUntil("the resumed replay to log all 100,000 events", timeout: 240) { try RunList.loggedEvents(workspace) >= 100_000 }
        try tmux(["send-keys", "-t", session, "q"])
        try Tmux.waitUntil("a clean exit", timeout: 60) { try !sessionAlive() }

        let run = try #require(try RunList.runs(workspace).first)
        #expect(run["logged_events"] as? Int == 100_000, "every event exactly once")
        #expect(run["logged_position"] as? Int == 100_000, "no gap, no duplicate")
        #expect(run["status"] as? String == "finished")

        // 3. The log rebuilds the same graph as the dataset itself.
        let exported = home.appendingPathComponent("log.csv").path
        let export = try CLIRunner.run(["export-events", "--workspace", workspace, "--out", exported])
        try #require(export.status == 0, "export failed: \(export.stderr)")
        func stats(_ path: String) throws -> [String: Any] {
            let result = try CLIRunner.run(["ingest", path, "--json"])
            try #require(result.status == 0, "ingest \(path) failed: \(result.stderr)")
            return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let fromLog = try stats(exported)
        let fromDataset = try stats("ml-100k")
        for key in ["users", "items", "events", "first_timestamp", "last_timestamp"] {
            #expect("\(fromLog[key] ?? "nil")" == "\(fromDataset[key] ?? "nil")", "\(key) differs")
        }
        #expect(fromLog["rejected"] as? Int == 0)
    }
}
