import Foundation
import TestSupport

/// The built `driftscope` binary for the CLI tests (see `DriftscopeBinary`).
enum CLIRunner {
    typealias Result = ChildProcess.Result

    static var packageRoot: URL { DriftscopeBinary.packageRoot }

    static func binary() throws -> URL { try DriftscopeBinary.url() }

    /// Runs `driftscope ARGS` with extra environment variables (output through files).
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try DriftscopeBinary.run(arguments, environment: environment)
    }

    /// A temporary directory holding `files` (name to contents).
    static func directory(with files: [String: [UInt8]]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-cli-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        return directory
    }
}
