public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs child processes for the tests with `posix_spawn`, output in temporary files.
///
/// Why not Foundation's `Process`: on Linux it learns that a child ended when a socket the
/// child inherited closes, and it does not close the parent's other descriptors in the child.
/// A tmux client that starts the tmux server (which happens on a fresh machine) passes that
/// socket, and any pipe another test has open at that moment, to the daemonised server, which
/// keeps them for its whole life: `waitUntilExit` and end-of-file reads then never return and
/// the test run hangs. Here every descriptor above 2 is closed in the child, standard output
/// and error go to files, and the parent waits for the pid itself.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// How a child ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A started child whose standard output grows in `outputFile`.
    public final class Running {
        public let pid: pid_t
        public let outputFile: URL
        let directory: URL
        private var ended: Termination?

        init(pid: pid_t, outputFile: URL, directory: URL) {
            self.pid = pid
            self.outputFile = outputFile
            self.directory = directory
        }

        /// Everything the child has written to standard output so far.
        public var outputSoFar: String {
            (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        }

        /// Whether the child is still running (reaps it when it has ended).
        public var isRunning: Bool {
            if ended != nil { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { ended = ChildProcess.termination(status); return false }
            return result == 0
        }

        /// Sends `signal` to the child.
        public func send(_ signal: Int32) { kill(pid, signal) }

        /// Waits for the child to end and says how it ended.
        @discardableResult
        public func wait() -> Termination {
            if let ended { return ended }
            let termination = ChildProcess.waitFor(pid)
            ended = termination
            return termination
        }

        deinit {
            if ended == nil { kill(pid, SIGKILL); _ = ChildProcess.waitFor(pid) }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Runs `executable ARGUMENTS` to completion with standard input from /dev/null.
    /// A child killed by a signal reports status 128 + signal, as a shell would.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        let pid = try start(executable, arguments, environment: environment, stdout: out.path, stderr: err.path)
        let status: Int32
        switch waitFor(pid) {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return Result(
            status: status,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Starts `executable ARGUMENTS` and returns at once; standard error is discarded.
    public static func spawn(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("stdout")
        let pid = try start(executable, arguments, environment: environment, stdout: out.path, stderr: "/dev/null")
        return Running(pid: pid, outputFile: out, directory: directory)
    }

    private static func start(
        _ executable: URL, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)

        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        // Test threads (Dispatch workers) block most signals and a mask survives exec: reset
        // the mask and every disposition, or a dashboard started in tmux could never receive
        // the SIGHUP of its killed session and would run on after the test.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw SpawnError(description: "cannot start \(executable.path): \(String(cString: strerror(code)))")
        }
        return pid
    }

    /// Adds "close every descriptor above 2" to `actions`: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34+, looked up at run time because Swift
    /// does not import it), else one close per descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// Blocks until `pid` ends (retrying on EINTR).
    static func waitFor(_ pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return .exited(-1) }
        }
        return termination(status)
    }

    /// Decodes a `waitpid` status (the W* macros are not imported into Swift).
    static func termination(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    private static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// The built `driftscope` binary: `$DRIFTSCOPE_BIN`, else beside the test executable, else
/// `.build/release` or `.build/debug` under the package root.
public enum DriftscopeBinary {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static func url() throws -> URL {
        let manager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["DRIFTSCOPE_BIN"], manager.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let beside = me.deletingLastPathComponent().appendingPathComponent("driftscope")
        if manager.isExecutableFile(atPath: beside.path) { return beside }
        for configuration in ["release", "debug"] {
            let url = packageRoot.appendingPathComponent(".build/\(configuration)/driftscope")
            if manager.isExecutableFile(atPath: url.path) { return url }
        }
        throw Missing(description: "driftscope binary not found; run `swift build` or set DRIFTSCOPE_BIN")
    }

    /// Runs `driftscope ARGUMENTS` to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        try ChildProcess.run(url(), arguments, environment: environment)
    }
}
