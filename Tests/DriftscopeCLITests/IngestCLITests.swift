import Foundation
import Testing

@Suite struct IngestCLITests {
    static let csv = """
        user,item,timestamp,rating,category
        alice,m1,1700000000,4,Action|Comedy
        bob,m2,1700000100,3.5,Drama
        alice,m2,bad-time,5,Drama
        carol,m3,1700000300,2,Horror|Thriller

        """

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func ingestJSONReportsTheGraphAndRejectedRows() throws {
        let directory = try CLIRunner.directory(with: ["ratings.csv": Array(Self.csv.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["ingest", directory.appendingPathComponent("ratings.csv").path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try Self.json(result.stdout)
        #expect(summary["users"] as? Int == 3)
        #expect(summary["items"] as? Int == 3)
        #expect(summary["categories"] as? Int == 5)
        #expect(summary["brands"] as? Int == 0)
        #expect(summary["entities"] as? Int == 0)
        #expect(summary["events"] as? Int == 3)
        #expect(summary["rejected"] as? Int == 1)
        // 3 user-item edges + 5 item-category links.
        #expect(summary["edges"] as? Int == 8)
        #expect(summary["first_timestamp"] as? Double == 1_700_000_000)
        #expect(summary["last_timestamp"] as? Double == 1_700_000_300)
        #expect((summary["rejected_by_reason"] as? [String: Int]) == ["bad timestamp": 1])
        let examples = try #require(summary["examples"] as? [String])
        #expect(examples.count == 1)
        #expect(examples[0].hasSuffix("ratings.csv:4:10: bad timestamp 'bad-time' in column 'timestamp' (expected epoch seconds or milliseconds, or ISO-8601 such as 2024-03-01T12:00:00Z)"))
    }

    @Test func textSummaryListsCountsReasonsAndExamples() throws {
        let directory = try CLIRunner.directory(with: ["ratings.csv": Array(Self.csv.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["ingest", directory.appendingPathComponent("ratings.csv").path])
        #expect(result.status == 0)
        for line in ["3 events accepted, 1 rows rejected", "users       3", "categories  5", "bad timestamp", "ratings.csv:4:10:", "time span   2023-11-14T22:13:20Z to 2023-11-14T22:18:20Z"] {
            #expect(result.stdout.contains(line), "missing \(line) in:\n\(result.stdout)")
        }
        // Progress only goes to a terminal: stderr stays empty when it is a file.
        #expect(result.stderr.isEmpty)
    }

    @Test func strictExitsNonZeroWithOneLineNamingLineAndColumn() throws {
        let directory = try CLIRunner.directory(with: ["ratings.csv": Array(Self.csv.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["ingest", directory.appendingPathComponent("ratings.csv").path, "--strict"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains("ratings.csv:4:10: bad timestamp") == true)
    }

    @Test(arguments: [
        ("empty.csv", [UInt8](), "empty file"),
        ("garbage.csv", [0x00, 0x01, 0x02, 0xFF, 0x00, 0x10, 0x7F], "binary"),
        ("columns.csv", Array("a,b,c\n1,2,3\n".utf8), "missing required columns user, item, timestamp"),
    ])
    func fatalInputProblemsAreOneLineErrors(name: String, bytes: [UInt8], message: String) throws {
        let directory = try CLIRunner.directory(with: [name: bytes])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["ingest", directory.appendingPathComponent(name).path])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func unknownLayoutAndMissingPathAreOneLineErrors() throws {
        let directory = try CLIRunner.directory(with: ["readme.txt": Array("hello\n".utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in [directory.path, directory.appendingPathComponent("nothing.csv").path] {
            let result = try CLIRunner.run(["ingest", path])
            #expect(result.status != 0)
            #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        }
    }

    @Test func mapOptionNamesColumns() throws {
        let text = "visitor,sku,when,what\nv1,p1,1700000000,view\nv2,p1,1700000001,purchase\n"
        let directory = try CLIRunner.directory(with: ["shop.csv": Array(text.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run([
            "ingest", directory.appendingPathComponent("shop.csv").path, "--map", "visitor=user", "--map", "when=timestamp",
            "--map", "what=action", "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try Self.json(result.stdout)
        #expect(summary["users"] as? Int == 2)
        #expect(summary["items"] as? Int == 1)
        let bad = try CLIRunner.run(["ingest", directory.appendingPathComponent("shop.csv").path, "--map", "visitor"])
        #expect(bad.status != 0)
    }

    @Test func datasetPathFollowsXDGCacheHome() throws {
        let result = try CLIRunner.run(["dataset", "path", "ml-100k"], environment: ["XDG_CACHE_HOME": "/tmp/driftscope-xdg-test"])
        #expect(result.status == 0)
        #expect(result.stdout == "/tmp/driftscope-xdg-test/driftscope/datasets/ml-100k\n")
        let unknown = try CLIRunner.run(["dataset", "path", "ml-1b"])
        #expect(unknown.status != 0)
    }

    /// Reads the real ml-100k from the cache (`make test` fetches it first).
    @Test func ingestML100KFromTheCache() throws {
        let home = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { $0 + "/driftscope/datasets" }
            ?? NSHomeDirectory() + "/.cache/driftscope/datasets"
        guard FileManager.default.fileExists(atPath: home + "/ml-100k/ml-100k.inter") else {
            Issue.record("ml-100k is not cached in \(home); run `driftscope dataset fetch ml-100k` (make test does) first")
            return
        }
        let result = try CLIRunner.run(["ingest", "ml-100k", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try Self.json(result.stdout)
        #expect(summary["users"] as? Int == 943)
        #expect(summary["items"] as? Int == 1682)
        #expect(summary["events"] as? Int == 100_000)
        #expect(summary["categories"] as? Int == 19)
        #expect((summary["entities"] as? Int ?? 0) > 0)
        #expect(summary["rejected"] as? Int == 0)
    }

    @Test func benchIngestJSONHasTheRateKeys() throws {
        let directory = try CLIRunner.directory(with: ["ratings.csv": Array(Self.csv.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run([
            "bench", "ingest", "--dataset", directory.appendingPathComponent("ratings.csv").path, "--replays", "2",
            "--events", "5000", "--users", "500", "--items", "300", "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try Self.json(result.stdout)
        #expect(report["events_per_second"] is Double || report["events_per_second"] is Int)
        #expect(report["graph_events_per_second"] is Double || report["graph_events_per_second"] is Int)
        #expect((report["peak_memory_bytes"] as? Int ?? 0) > 0)
        let synthetic = try #require(report["synthetic"] as? [String: Any])
        #expect(synthetic["events"] as? Int == 5000)
        let dataset = try #require(report["dataset"] as? [String: Any])
        #expect(dataset["events"] as? Int == 6)
    }
}
