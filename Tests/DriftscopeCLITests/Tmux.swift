import Foundation

/// Drives tmux for the end-to-end tests: the real binary in a real terminal.
enum Tmux {
    struct Timeout: Error { var what: String }

    static var isInstalled: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tmux ARGUMENTS` and returns its standard output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux"] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Environment for a dashboard under test: UTF-8, 256 colours, state and config in `home`.
    static func environment(home: URL) -> String {
        "TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=\(home.path) XDG_CONFIG_HOME=\(home.path) XDG_DATA_HOME=\(home.path)"
    }

    static func isAlive(_ session: String) throws -> Bool {
        try run(["list-sessions", "-F", "#{session_name}"]).split(separator: "\n").contains { $0 == session }
    }
}
