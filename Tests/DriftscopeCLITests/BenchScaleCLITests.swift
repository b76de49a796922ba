import Foundation
import Testing

/// `bench scale` on a scaled-down shop: the code path of the issue-10 figures, no timings.
@Suite struct BenchScaleCLITests {
    static let keys = [
        "scenario", "events", "users", "items", "edges", "ingest_events_per_second", "replay_events_per_second",
        "trained_interactions_per_second", "peak_rss_bytes", "bytes_per_edge", "bytes_per_user", "bytes_per_item",
        "topk_p50_microseconds", "topk_p99_microseconds", "audience_milliseconds", "prequential_seconds",
        "prequential_sample_every", "replay_engines", "simulator_replay_events_per_second",
    ]

    @Test func smallScenarioPrintsOneJSONObjectWithEveryFigure() throws {
        // Two engines, as the dashboard splits a large file: the replay stage is that path.
        let result = try CLIRunner.run(["bench", "scale", "--scenario", "small", "--events", "20000", "--engines", "2", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any])
        for key in Self.keys { #expect(report[key] != nil, "missing \(key) in \(result.stdout)") }
        #expect(report["scenario"] as? String == "small")
        #expect(report["events"] as? Int == 20_000)
        #expect(report["ingested_events"] as? Int == 20_000)
        #expect((report["users"] as? Int ?? 0) > 100)
        #expect((report["edges"] as? Int ?? 0) > 1_000)
        // The file replays to its end (a small file: far within the stage time) on both engines.
        #expect(report["replay_engines"] as? Int == 2)
        #expect(report["replayed_events"] as? Int == 20_000)
        #expect((report["replay_training_steps"] as? Int ?? 0) > 0)
        #expect((report["simulator_replayed_events"] as? Int ?? 0) > 0)
        #expect((report["prequential_events"] as? Int ?? 0) == 20_000)
        #expect((report["topk_calls"] as? Int ?? 0) > 0)
        #expect((report["audience_calls"] as? Int ?? 0) > 0)
    }
}
