import Foundation

/// Runs the built `driftscope` binary: `$DRIFTSCOPE_BIN`, else `.build/release/driftscope`,
/// else `.build/debug/driftscope` under the package root found from this file's path.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["DRIFTSCOPE_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        for configuration in ["release", "debug"] {
            let url = packageRoot.appendingPathComponent(".build/\(configuration)/driftscope")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw MissingBinary(description: "driftscope binary not found; run `swift build` or set DRIFTSCOPE_BIN")
    }

    /// Runs `driftscope ARGS` with extra environment variables; output captured through files
    /// so a large output can never fill a pipe and block the child.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// A temporary directory holding `files` (name to contents).
    static func directory(with files: [String: [UInt8]]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-cli-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        return directory
    }
}
