import Foundation
import TestSupport
import Testing

/// When the dashboard cannot draw (TERM unset or dumb, no terminal at all) it says why on
/// standard error and exits with status 2, so a script can tell a refusal from a run; with
/// standard output redirected but a terminal present it draws on /dev/tty and leaves the
/// redirected file clean.
@Suite(.serialized) struct DashboardRefusalTests: TmuxDriven {
    let session = "driftscope-refusal-\(getpid())"

    /// Runs the binary in a new session (`setsid`: no controlling terminal, so /dev/tty cannot
    /// be opened even when the test runner has one), with `TERM` set to `term` or removed.
    static func runWithoutTerminal(term: String?, _ arguments: [String] = ["dashboard"]) throws -> ChildProcess.Result {
        let binary = try CLIRunner.binary().path
        let termArguments = term.map { ["TERM=\($0)"] } ?? ["-u", "TERM"]
        return try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setsid"), ["--wait", "/usr/bin/env"] + termArguments + [binary] + arguments)
    }

    @Test("refusals go to stderr with status 2", arguments: [
        ("dumb", "TERM=dumb cannot draw the dashboard"),
        (nil, "TERM is not set"),
        ("xterm-256color", "Standard output is not a terminal and /dev/tty cannot be opened"),
    ] as [(String?, String)])
    func refusalIsAFailureOnStderr(term: String?, reason: String) throws {
        let result = try Self.runWithoutTerminal(term: term)
        #expect(result.status == 2, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.isEmpty, "the refusal leaked to stdout: \(result.stdout)")
        #expect(result.stderr.contains(reason), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Headless commands work anywhere"))
    }

    /// Bare `driftscope` is the dashboard: it refuses the same way.
    @Test func bareCommandRefusesTheSameWay() throws {
        let result = try Self.runWithoutTerminal(term: "dumb", [])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("TERM=dumb"))
    }

    /// A scenario that does not exist is reported before the terminal is looked at.
    @Test func aMissingScenarioIsReportedBeforeTheTerminal() throws {
        let result = try Self.runWithoutTerminal(term: "dumb", ["dashboard", "--scenario", "no-such-scenario"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no-such-scenario"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("TERM=dumb"))
    }

    /// Standard output redirected to a file inside a terminal: the dashboard runs on /dev/tty
    /// (as the README says), quits with 0 and writes nothing into the file.
    @Test func redirectedStdoutDrawsOnTheTerminal() throws {
        try #require(Tmux.isInstalled, "tmux is required (make test installs it)")
        let binary = try CLIRunner.binary().path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-refusal-\(getpid())")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { _ = try? tmux(["kill-session", "-t", session]); try? FileManager.default.removeItem(at: state) }
        let output = state.appendingPathComponent("out.txt")
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh"])
        try keys("\(Tmux.environment(home: state)) \(binary) dashboard --scenario small > \(output.path); echo DRIFTSCOPE-EXIT=$?", "Enter")
        try waitFor("the dashboard on /dev/tty") { $0.contains("Hyperparameters") && $0.contains("Interest drift") }
        try keys("q")
        let after = try waitFor("exit") { Tmux.exitStatus(in: $0) != nil }
        #expect(Tmux.exitStatus(in: after) == 0, "screen after quitting:\n\(after)")
        let written = try Data(contentsOf: output)
        #expect(written.isEmpty, "escape codes went into the redirected file: \(written.count) bytes")
    }
}
