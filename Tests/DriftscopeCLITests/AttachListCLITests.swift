import Foundation
import TestSupport
import Testing

/// `attach A,B,...`: what the endpoint list and the token files refuse, before any terminal.
@Suite struct AttachListCLITests {
    @Test(arguments: [
        (["attach", "unix:/tmp/a.sock,,unix:/tmp/b.sock"], "endpoint 2 is empty"),
        (["attach", "unix:/tmp/a.sock,/tmp/a.sock"], "'/tmp/a.sock' is listed twice"),
        (["attach", "unix:/tmp/a.sock,127.0.0.1:99999"], "the port must be a number from 0 to 65535"),
        (["attach", "unix:/tmp/a,unix:/tmp/b,unix:/tmp/c", "--token-file", "x", "--token-file", "y"], "2 --token-file for 3 endpoints"),
    ])
    func refusesABadList(_ arguments: [String], _ expected: String) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test func namesTheEngineThatCannotBeReached() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-attach-list-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.sock").path, b = directory.appendingPathComponent("b.sock").path
        let result = try CLIRunner.run(["attach", "unix:\(a),unix:\(b)"], environment: ["XDG_STATE_HOME": directory.path, "XDG_CONFIG_HOME": directory.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("engine A (unix:\(a)): cannot connect"), "\(result.stderr)")
    }

    @Test func aTokenFileOthersCanReadIsRefusedForTheEngineThatNeedsIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-attach-tok-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("a.tok").path, open = directory.appendingPathComponent("b.tok").path
        try Data("0123456789abcdef0123456789abcdef\n".utf8).write(to: URL(fileURLWithPath: good))
        try Data("0123456789abcdef0123456789abcdef\n".utf8).write(to: URL(fileURLWithPath: open))
        chmod(good, 0o600)
        chmod(open, 0o644)
        let result = try CLIRunner.run(["attach", "tcp:1,tcp:2", "--token-file", good, "--token-file", open])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(open): the token file is open to others"), "\(result.stderr)")
    }
}
