import Foundation
import Testing

/// `eval --sample-every`, `--test-users` and `--fit-budget` on the small simulated shop: what
/// the table and `--json` report, and the flags' validation.
@Suite struct EvalSamplingCLITests {
    static func shop() throws -> (directory: URL, path: String) {
        let directory = try CLIRunner.directory(with: [:])
        let shop = directory.appendingPathComponent("shop.csv").path
        let simulate = try CLIRunner.run(["simulate", "--scenario", "small", "--out", shop])
        try #require(simulate.status == 0, "simulate failed: \(simulate.stderr)")
        return (directory, shop)
    }

    static func prequential(_ json: String) throws -> (top: [String: Any], mostPop: [String: Any]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rows = try #require(object["prequential"] as? [String: [String: Any]])
        return (object, try #require(rows["MostPop"]))
    }

    @Test func sampledPrequentialReportsSScoredAndEligible() throws {
        let (directory, shop) = try Self.shop()
        defer { try? FileManager.default.removeItem(at: directory) }
        let all = try CLIRunner.run(["eval", shop, "--protocol", "prequential", "--model", "mostpop", "--json"])
        try #require(all.status == 0, "eval failed: \(all.stderr)")
        let sampled = try CLIRunner.run(["eval", shop, "--protocol", "prequential", "--model", "mostpop", "--sample-every", "7", "--json"])
        try #require(sampled.status == 0, "eval failed: \(sampled.stderr)")
        let (allTop, allRow) = try Self.prequential(all.stdout)
        let (top, row) = try Self.prequential(sampled.stdout)
        let eligible = try #require(allRow["eligible"] as? Int)
        #expect(eligible > 1_000)
        #expect(allRow["scored"] as? Int == eligible)
        #expect(allTop["sample_every"] as? Int == 1)
        #expect(top["sample_every"] as? Int == 7)
        #expect(row["sample_every"] as? Int == 7)
        #expect(row["eligible"] as? Int == eligible)
        #expect(row["scored"] as? Int == (eligible + 6) / 7)
        #expect(row["streamed"] as? Int == allRow["streamed"] as? Int)
        #expect((top["peak_rss_bytes"] as? Int ?? 0) > 0)

        let table = try CLIRunner.run(["eval", shop, "--protocol", "prequential", "--model", "mostpop", "--sample-every", "7"])
        try #require(table.status == 0, "eval failed: \(table.stderr)")
        #expect(table.stdout.contains("every 7th eligible event scored"))
        #expect(table.stdout.contains("eligible"))
        #expect(table.stdout.contains("\(eligible)"))
        #expect(table.stdout.contains("Peak resident memory"))
    }

    @Test func testUserSampleIsPrintedAndRepeatable() throws {
        let (directory, shop) = try Self.shop()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["eval", shop, "--protocol", "temporal", "--model", "mostpop", "--test-users", "50"]
        let table = try CLIRunner.run(arguments)
        try #require(table.status == 0, "eval failed: \(table.stderr)")
        #expect(table.stdout.contains("50 of "))
        #expect(table.stdout.contains("smallest FNV-1a 64-bit hash of the user id"))
        let first = try CLIRunner.run(arguments + ["--json"])
        let second = try CLIRunner.run(arguments + ["--json"])
        try #require(first.status == 0 && second.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let users = try #require(object["temporal_test_users"] as? [String: Any])
        #expect(users["ranked"] as? Int == 50)
        #expect((users["eligible"] as? Int ?? 0) > 50)
        #expect(users["sampled"] as? Bool == true)
        let temporal = try #require(object["temporal"] as? [String: [String: Any]])
        let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let temporalAgain = try #require(again["temporal"] as? [String: [String: Any]])
        #expect(temporal["MostPop"]?["NDCG@20"] as? Double == temporalAgain["MostPop"]?["NDCG@20"] as? Double)
    }

    @Test(arguments: [
        ["--sample-every", "0"], ["--test-users", "0"], ["--fit-budget", "-1"],
        ["--protocol", "temporal", "--sample-every", "3"], ["--protocol", "prequential", "--test-users", "10"],
    ])
    func badSamplingFlagsAreRejected(flags: [String]) throws {
        let result = try CLIRunner.run(["eval", "ml-100k"] + flags)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--sample-every") || result.stderr.contains("--test-users") || result.stderr.contains("--fit-budget"), "\(result.stderr)")
    }
}
