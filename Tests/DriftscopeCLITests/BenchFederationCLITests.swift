import Foundation
import Testing

/// `bench federation` on the small shop: the code path of the figure, no timings.
@Suite struct BenchFederationCLITests {
    @Test func printsOneRowPerEngineCount() throws {
        let result = try CLIRunner.run(["bench", "federation", "--scenario", "small", "--engines", "1,3", "--seconds", "0.2", "--warmup", "1", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["engines"] as? Int } == [1, 3])
        for row in rows {
            #expect((row["frames"] as? Int ?? 0) > 0)
            #expect((row["p50_microseconds"] as? Double ?? -1) > 0)
        }
        #expect((report["events"] as? Int ?? 0) > 0)
        #expect((report["audience_users"] as? Int ?? 0) > 0, "the measured snapshot holds an audience")
    }

    @Test func refusesAnEngineCountOutOfRange() throws {
        let result = try CLIRunner.run(["bench", "federation", "--engines", "2,x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--engines: counts from 1 to 26"))
    }
}
