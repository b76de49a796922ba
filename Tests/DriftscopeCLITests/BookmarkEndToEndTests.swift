import Foundation
import Testing

/// Bookmarks through the real binary: `b` in a recording dashboard writes the workspace at
/// once (seen by `workspace bookmarks --json` while the dashboard still runs), and a resumed
/// dashboard starts with those and the ones made with `workspace bookmark`, which `'` visits.
@Suite(.serialized) struct BookmarkEndToEndTests: TmuxDriven {
    let session = "driftscope-bm-\(getpid())"

    /// `workspace bookmarks --json` as (user, note, run).
    func bookmarks(_ path: String) throws -> [(user: String, note: String, run: Int?)] {
        let result = try CLIRunner.run(["workspace", "bookmarks", "--workspace", path, "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")
        return rows.map { ($0["user"] as? String ?? "", $0["note"] as? String ?? "", $0["run"] as? Int) }
    }

    func quit() throws {
        try keys("q")
        let after = try waitFor("clean exit") { Tmux.exitStatus(in: $0) != nil }
        #expect(Tmux.exitStatus(in: after) == 0, "screen after quitting:\n\(after)")
        try keys("clear", "Enter")
        try waitFor("a cleared shell") { !$0.contains("DRIFTSCOPE-EXIT=") }
    }

    @Test func aBookmarkMadeInTheDashboardLandsInTheWorkspace() throws {
        try #require(Tmux.isInstalled, "tmux is required for the end-to-end test (make test installs it)")
        let binary = try CLIRunner.binary().path
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-bm-\(getpid())")
        try? FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { _ = try? tmux(["kill-session", "-t", session]); try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent("demo.sqlite").path
        let env = Tmux.environment(home: home)
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])

        // A recording dashboard: bookmark the selected user with `b`.
        try keys("\(env) \(binary) dashboard --scenario small --workspace \(path); echo DRIFTSCOPE-EXIT=$?", "Enter")
        try waitFor("all panels") { s in ["Interest drift", "Neighbourhood", "Events"].allSatisfy(s.contains) && s.contains("for u") }
        try keys("Space")
        let paused = try waitFor("paused status") { $0.lowercased().contains("paused") }
        let selected = try #require(paused.firstMatch(of: /for (u\d{5})/).map { String($0.1) }, "no selected user on screen")
        let other = try #require(paused.matches(of: /u\d{5}/).map { String($0.0) }.first { $0 != selected }, "no other user id on screen")
        try keys("b")
        try waitFor("the bookmark prompt") { $0.contains("Bookmark user \(selected), note:") }
        try keys("-l", "quiet buyer")
        try keys("Enter")
        try waitFor("the saved message") { $0.contains("Bookmarked user \(selected)") && $0.contains("saved in") }
        try waitFor("the star in the drift title") { $0.contains("★ \(selected)") }

        // Written at once: another process sees it while the dashboard still runs.
        let live = try bookmarks(path)
        #expect(live.count == 1)
        #expect(live.first?.user == selected)
        #expect(live.first?.note == "quiet buyer")
        #expect(live.first?.run == 1, "attached to the run being recorded")
        try quit()

        // One more from the CLI, then a resumed dashboard starts with both; `'` visits them.
        let cli = try CLIRunner.run(["workspace", "bookmark", "--workspace", path, "--user", other, "--note", "from the CLI"])
        #expect(cli.status == 0, "\(cli.stderr)")
        try keys("\(env) \(binary) dashboard --workspace \(path) --resume; echo DRIFTSCOPE-EXIT=$?", "Enter")
        try waitFor("the resumed dashboard") { s in ["Interest drift", "Neighbourhood", "Events"].allSatisfy(s.contains) && s.contains("for u") }
        try keys("Space")
        try waitFor("paused status") { $0.lowercased().contains("paused") }
        let first = try screen().firstMatch(of: /for (u\d{5})/).map { String($0.1) }
        try keys("'")
        // The first jump goes after the selected user when it is bookmarked, else to the first.
        let (stop, user, note) = first == selected ? (2, other, "from the CLI") : (1, selected, "quiet buyer")
        try waitFor("bookmark \(stop)/2") { $0.contains("bookmark \(stop)/2: user \(user) — \(note)") }
        try waitFor("\(user) selected and starred") { $0.contains("for \(user)") && $0.contains("★ \(user)") }
        try quit()
        #expect(try bookmarks(path).map(\.user) == [selected, other])
    }
}
