import Foundation
import Testing

/// Drives the real binary in tmux as a person would: keys in, screens out.
///
/// Runs only where tmux exists (`make test` installs it). Each step waits for the screen to
/// show what it should, with a deadline, rather than sleeping a fixed time.
@Suite(.serialized) struct DashboardEndToEndTests: TmuxDriven {
    let session = "driftscope-e2e-\(getpid())"

    @Test func dashboardRunsAndRestoresTheTerminal() throws {
        try #require(Tmux.isInstalled, "tmux is required for the end-to-end test (make test installs it)")
        let binary = try CLIRunner.binary().path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-e2e-\(getpid())")
        try? FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { _ = try? tmux(["kill-session", "-t", session]); try? FileManager.default.removeItem(at: state) }
        let env = Tmux.environment(home: state)
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])
        try keys("\(env) \(binary) dashboard --scenario small; echo DRIFTSCOPE-EXIT=$?", "Enter")

        // Every panel is there and live.
        let first = try waitFor("all panels") { s in
            ["Training", "Interest drift", "Neighbourhood", "Recommendations", "Hyperparameters", "Events"].allSatisfy(s.contains)
        }
        #expect(first.lowercased().contains("running"))

        // Pause: the status line says so.
        try keys("Space")
        try waitFor("paused status") { $0.lowercased().contains("paused") }

        // Select another user by id with `/`: the drift and recommendation panels follow.
        let paused = try screen()
        let selected = paused.firstMatch(of: /for (u\d{5})/).map { String($0.1) }
        let other = try #require(paused.matches(of: /u\d{5}/).map { String($0.0) }.first { $0 != selected }, "no user id on screen")
        try keys("/")
        try waitFor("the search prompt") { $0.contains("Find user id") }
        try keys(other, "Enter")
        try waitFor("\(other) selected") { $0.contains("for \(other)") }

        // Help overlay lists the key map, Esc closes it.
        try keys("?")
        try waitFor("help overlay") { $0.contains("pause or resume the engine") }
        try keys("Escape")
        try waitFor("help closed") { !$0.contains("pause or resume the engine") }

        // Focus the Hyperparameters panel and raise the highlighted value: the change log shows it.
        try keys("5")
        try keys("Right")
        try waitFor("hyperparameter change logged") { $0.contains("→") }

        // Zoom the focused panel and back.
        try keys("f")
        try waitFor("zoomed panel") { s in s.contains("Hyperparameters") && !s.contains("Interest drift") }
        try keys("f")
        try waitFor("unzoomed") { $0.contains("Interest drift") }

        // Resize to 80x24 and back: still legible, nothing crashes.
        try tmux(["resize-window", "-t", session, "-x", "80", "-y", "24"])
        try waitFor("80x24 layout") { s in s.contains("Hyperparameters") && s.contains("page") && s.split(separator: "\n").allSatisfy { $0.count <= 80 } }
        try tmux(["resize-window", "-t", session, "-x", "120", "-y", "40"])
        try waitFor("120x40 layout again") { $0.contains("Neighbourhood") && $0.contains("Events") }

        // Quit: the shell prints the exit code on a restored screen.
        try keys("q")
        let after = try waitFor("clean exit") { Tmux.exitStatus(in: $0) != nil }
        #expect(Tmux.exitStatus(in: after) == 0, "screen after quitting:\n\(after)")
        #expect(!after.contains("Hyperparameters"), "the alternate screen was not restored")
    }

    /// Two engines that split a replay's users, shown as one; started as `./driftscope` from
    /// the binary's own directory (a relative path once crashed the dashboard before its
    /// first frame, in the theme directory lookup).
    @Test func twoEnginesSplitAReplayUnderOneDashboard() throws {
        try #require(Tmux.isInstalled, "tmux is required for the end-to-end test (make test installs it)")
        let binary = try CLIRunner.binary()
        let data = try SplitReplayCLITests.shop()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-e2e-split-\(getpid())")
        try? FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let session = self.session + "-split"
        defer {
            _ = try? tmux(["kill-session", "-t", session])
            try? FileManager.default.removeItem(at: state)
            try? FileManager.default.removeItem(at: data)
        }
        let env = Tmux.environment(home: state)
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])
        let file = data.appendingPathComponent("shop.csv").path
        let command = "cd \(binary.deletingLastPathComponent().path) && \(env) ./\(binary.lastPathComponent) dashboard --source \(file) --engines 2 --speed 0; echo DRIFTSCOPE-EXIT=$?"
        try tmux(["send-keys", "-t", session, command, "Enter"])
        func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }
        var last = ""
        try Tmux.waitUntil("every event seen by the two engines") {
            last = try screen()
            return last.contains("seen 3,000 / 3,000")
        }
        #expect(last.contains("engine A") || last.contains("engine B"), "the status line names the engine answering:\n\(last)")
        try tmux(["send-keys", "-t", session, "q"])
        try Tmux.waitUntil("clean exit") {
            last = try screen()
            return Tmux.exitStatus(in: last) != nil
        }
        #expect(Tmux.exitStatus(in: last) == 0, "screen after quitting:\n\(last)")
    }
}
