import Foundation
import TestSupport
import Testing

/// A workspace's runs as `driftscope runs list --json` prints them, for the end-to-end tests
/// that check what a dashboard or `serve` logged.
enum RunList {
    /// Every run, newest first; a failing `runs list` fails the test.
    static func runs(_ workspace: String) throws -> [[String: Any]] {
        let result = try CLIRunner.run(["runs", "list", "--workspace", workspace, "--json"])
        try #require(result.status == 0, "runs list failed: \(result.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// Events the newest run logged; 0 before the file exists.
    static func loggedEvents(_ workspace: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: workspace) else { return 0 }
        return try runs(workspace).first?["logged_events"] as? Int ?? 0
    }

    /// The same, 0 while the file cannot be read yet (a process killed mid-write, a writer
    /// creating the schema): for polling a live stream's log.
    static func loggedEventsIfReadable(_ workspace: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: workspace) else { return 0 }
        let result = try CLIRunner.run(["runs", "list", "--workspace", workspace, "--json"])
        guard result.status == 0, let runs = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else { return 0 }
        return runs.first?["logged_events"] as? Int ?? 0
    }
}
