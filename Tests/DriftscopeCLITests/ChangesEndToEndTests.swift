import Foundation
import Testing

/// The who-changed view in the real binary, in tmux: open it, open a user from it, the drift
/// panel marks the change, the dormant tab lists users, Esc closes.
@Suite(.serialized) struct ChangesEndToEndTests: TmuxDriven {
    let session = "driftscope-changes-\(getpid())"

    @Test func whoChangedViewOpensUsersAndListsDormantOnes() throws {
        try #require(Tmux.isInstalled, "tmux is required for the end-to-end test (make test installs it)")
        let binary = try CLIRunner.binary().path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-changes-e2e-\(getpid())")
        try? FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { _ = try? tmux(["kill-session", "-t", session]); try? FileManager.default.removeItem(at: state) }
        let env = Tmux.environment(home: state)
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])
        try keys("\(env) \(binary) dashboard --scenario small --speed 100000; echo DRIFTSCOPE-EXIT=$?", "Enter")
        try waitFor("all panels") { $0.contains("Interest drift") && $0.contains("Hyperparameters") }

        // The view lists detected changes as they happen (the small shop's drifts start on day 7).
        try keys("w")
        let listed = try waitFor("a detected change") { s in s.contains("Who changed") && s.contains(" ▸ ") && s.firstMatch(of: /u\d{5}/) != nil }
        #expect(listed.contains("confidence"))
        try keys("Space")  // pause, so the list holds still
        try waitFor("paused") { $0.lowercased().contains("paused") }
        let first = try #require(try screen().split(separator: "\n").first { $0.contains("▸ ") && $0.firstMatch(of: /\d{4}-\d\d-\d\d/) != nil }, "no change row")
        let user = try #require(first.firstMatch(of: /u\d{5}/).map { String($0.0) })

        // Enter opens the highlighted (newest) change's user: the drift panel marks the change.
        try keys("Enter")
        try waitFor("\(user) selected with a marked change") { s in !s.contains("Who changed") && s.contains(user) && s.contains("◆ changed") }

        // The dormant tab.
        try keys("w")
        try waitFor("the view again") { $0.contains("Who changed") }
        try keys("Tab")
        try waitFor("the dormant list") { $0.contains("idle over 3×") }
        try keys("Escape")
        try waitFor("the view closed") { !$0.contains("Who changed") && $0.contains("Interest drift") }

        // The change detector's settings are live in the Hyperparameters panel.
        try keys("5")
        try keys("G")  // the change settings come last
        try waitFor("change settings listed") { $0.contains("change: threshold (nats)") }

        try keys("q")
        let after = try waitFor("clean exit") { Tmux.exitStatus(in: $0) != nil }
        #expect(Tmux.exitStatus(in: after) == 0, "screen after quitting:\n\(after)")
    }
}
