import Foundation
import Testing

/// `make bench` runs `bench all`, which runs every benchmark with no arguments: each must have
/// a default for everything it needs.
@Suite struct BenchAllCLITests {
    /// `bench replay` once required its file, and `make bench` stopped there with status 64.
    @Test func replayRunsWithNoSourceOnTheDefaultDataset() throws {
        let result = try CLIRunner.run(["bench", "replay", "--seconds", "1", "--every", "1", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any])
        #expect((report["replayed_events"] as? Int ?? 0) > 0, "\(result.stdout)")
        #expect((report["source"] as? String ?? "").contains("ml-100k"), "\(result.stdout)")
    }
}
