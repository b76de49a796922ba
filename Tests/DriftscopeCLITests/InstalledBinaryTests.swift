import Foundation
import TestSupport
import Testing

/// A release binary copied away from the checkout (what `make install` does) must work from
/// any directory: the bundled scenarios and themes are compiled in.
@Suite(.serialized) struct InstalledBinaryTests: TmuxDriven {
    let session = "driftscope-installed-\(getpid())"

    /// A fresh directory holding `bin/driftscope` (a copy of the built binary) and an empty
    /// `home/` to run it from: no sample-data/ or themes/ anywhere above either.
    static func copiedBinary() throws -> (root: URL, binary: URL, home: URL) {
        let root = URL(fileURLWithPath: "/tmp").appendingPathComponent("driftscope-installed-\(UUID().uuidString)")
        let bin = root.appendingPathComponent("bin"), home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let binary = bin.appendingPathComponent("driftscope")
        try FileManager.default.copyItem(at: CLIRunner.binary(), to: binary)
        return (root, binary, home)
    }

    /// Runs `binary ARGUMENTS` with `directory` as the working directory, in a new session
    /// without a controlling terminal.
    static func run(_ binary: URL, _ arguments: [String], in directory: URL, term: String = "xterm-256color") throws -> ChildProcess.Result {
        let quoted = ([binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setsid"), [
            "--wait", "/bin/sh", "-c", "cd '\(directory.path)' && TERM=\(term) HOME='\(directory.path)' exec \(quoted)",
        ])
    }

    @Test func simulateFindsTheBundledScenarioFromAnyDirectory() throws {
        let copy = try Self.copiedBinary()
        defer { try? FileManager.default.removeItem(at: copy.root) }
        let result = try Self.run(copy.binary, ["simulate", "--scenario", "small", "--out", "shop.csv"], in: copy.home)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let events = try String(contentsOf: copy.home.appendingPathComponent("shop.csv"), encoding: .utf8)
        #expect(events.hasPrefix("user,item,timestamp,action,value,category,brand,price\n"))
        #expect(events.split(separator: "\n").count > 1_000)
        // The same bytes as the checkout's binary reading sample-data/scenarios/small.toml.
        let here = try CLIRunner.run(["simulate", "--scenario", CLIRunner.packageRoot.appendingPathComponent("sample-data/scenarios/small.toml").path, "--out", copy.root.appendingPathComponent("file.csv").path])
        #expect(here.status == 0, "stderr: \(here.stderr)")
        #expect(try String(contentsOf: copy.root.appendingPathComponent("file.csv"), encoding: .utf8) == events)
    }

    /// Bare `driftscope` resolves the default scenario before it looks at the terminal: with
    /// TERM=dumb the refusal (not "cannot read the scenario file") proves the scenario loaded.
    @Test func bareCommandResolvesTheDefaultScenario() throws {
        let copy = try Self.copiedBinary()
        defer { try? FileManager.default.removeItem(at: copy.root) }
        let result = try Self.run(copy.binary, [], in: copy.home, term: "dumb")
        #expect(!result.stderr.contains("cannot read the scenario file"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("TERM=dumb cannot draw the dashboard"), "stderr: \(result.stderr)")
        #expect(result.status == 2)
    }

    /// `cd ~ && driftscope` in a real terminal: the dashboard opens on the default shop, with
    /// a shipped theme, and quits cleanly.
    @Test func dashboardOpensFromTheHomeDirectory() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let copy = try Self.copiedBinary()
        defer { _ = try? tmux(["kill-session", "-t", session]); try? FileManager.default.removeItem(at: copy.root) }
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])
        try keys("cd \(copy.home.path) && HOME=\(copy.home.path) \(Tmux.environment(home: copy.home)) \(copy.binary.path) --theme colourblind; echo DRIFTSCOPE-EXIT=$?", "Enter")
        let screen = try waitFor("the dashboard on the default shop") { s in
            ["Training", "Interest drift", "Recommendations", "Events"].allSatisfy(s.contains) && s.contains("default")
        }
        #expect(!screen.contains("cannot read"))
        try keys("q")
        let after = try waitFor("exit") { Tmux.exitStatus(in: $0) != nil }
        #expect(Tmux.exitStatus(in: after) == 0, "screen after quitting:\n\(after)")
    }
}
