import Foundation
import TestSupport
import Testing

/// Drives tmux for the end-to-end tests: the real binary in a real terminal.
enum Tmux {
    struct Timeout: Error { var what: String }

    static var isInstalled: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A tmux server of this test process only, so the tests never touch the user's sessions
    /// and a fresh machine (no server yet) behaves like a busy one.
    static let socket = "driftscope-tests-\(ProcessInfo.processInfo.processIdentifier)"

    /// Runs `tmux -L SOCKET ARGUMENTS` and returns its standard output. The output goes through
    /// a file, never a pipe: the server daemonises on first use and would otherwise keep a pipe
    /// end open and hang the reader (see `ChildProcess`).
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["tmux", "-L", socket] + arguments).stdout
    }

    /// Environment for a dashboard under test: UTF-8, 256 colours, state and config in `home`.
    static func environment(home: URL) -> String {
        "TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=\(home.path) XDG_CONFIG_HOME=\(home.path) XDG_DATA_HOME=\(home.path)"
    }

    /// Polls `condition` every 0.1 s until it holds; past `timeout` the test records an issue
    /// and this throws ``Timeout``.
    static func waitUntil(_ what: String, timeout: Double = 120, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
        throw Timeout(what: what)
    }

    /// The status a shell line `echo DRIFTSCOPE-EXIT=$?` printed, or `nil` before it ran.
    ///
    /// Only a whole line of digits counts: the typed command itself ends in
    /// `DRIFTSCOPE-EXIT=$?`, and when it wraps at the pane's width that text starts a line
    /// too (a clone in a shorter directory failed a `hasPrefix` check this way).
    static func exitStatus(in screen: String) -> Int? {
        for line in screen.split(separator: "\n").reversed() {
            if let m = line.wholeMatch(of: /DRIFTSCOPE-EXIT=(\d+)\s*/) { return Int(m.1) }
        }
        return nil
    }

    static func isAlive(_ session: String) throws -> Bool {
        try run(["list-sessions", "-F", "#{session_name}"]).split(separator: "\n").contains { $0 == session }
    }
}

/// A suite that drives one tmux session named `session`: its screen, keys, and waiting for the
/// screen to show something (with a deadline, never a fixed sleep).
protocol TmuxDriven {
    var session: String { get }
}

extension TmuxDriven {
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String { try Tmux.run(arguments) }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// Polls the pane until `predicate` holds; fails with the last screen after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 90, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what); screen was:\n\(last)")
        throw Tmux.Timeout(what: what)
    }

    func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }
}
