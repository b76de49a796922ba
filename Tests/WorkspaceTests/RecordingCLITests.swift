import Foundation
import InterestGraph
import Testing
import TestSupport
@testable import Workspace

/// `simulate --workspace` and `eval --workspace`, through the built binary.
@Suite("CLI: simulate and eval record runs")
struct RecordingCLITests {
    static func driftscope(_ arguments: [String]) throws -> ChildProcess.Result {
        try DriftscopeBinary.run(arguments)
    }

    static var root: URL { DriftscopeBinary.packageRoot }
    static var smallScenario: String { root.appendingPathComponent("sample-data/scenarios/small.toml").path }
    static var shopSmall: String { root.appendingPathComponent("sample-data/shop-small.csv").path }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func simulateRecordsTheStreamTheDashboardReplays() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("sim.sqlite"), csv = directory.file("shop.csv")
        let result = try Self.driftscope(["simulate", "--scenario", Self.smallScenario, "--seed", "9", "--workspace", path, "--out", csv])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("as run 1 in \(path)"))

        let list = try Self.driftscope(["runs", "list", "--workspace", path, "--json"])
        let runs = try #require(try Self.json(list.stdout) as? [[String: Any]])
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        #expect(run["source_kind"] as? String == "simulation")
        #expect(run["source"] as? String == Self.smallScenario)
        #expect(run["seed"] as? Int == 9)
        #expect(run["status"] as? String == "finished")

        // The log is exactly what the dashboard's source generates for this scenario and seed
        // (so `dashboard --resume` continues it), and the same stream as the CSV.
        let workspace = try Workspace(path: path, create: false)
        var scenario = try Scenario.load(Self.smallScenario)
        scenario.seed = 9
        var source = SimulationSource(scenario: scenario)
        var reader = try workspace.events(run: 1)
        var logged = 0
        var mismatches = 0
        while let recorded = try reader.next() {
            if recorded.position != Int64(logged) || recorded.event != source.next() { mismatches += 1 }
            logged += 1
        }
        #expect(source.next() == nil)
        #expect(mismatches == 0)
        #expect(run["logged_events"] as? Int == logged)
        let written = try DatasetLoader.load(csv).events
        #expect(written.count == logged)

        // Exported back, it reads as the same events.
        let exported = directory.file("export.csv")
        let export = try Self.driftscope(["export-events", "--workspace", path, "--out", exported])
        #expect(export.status == 0, "\(export.stderr)")
        let back = try DatasetLoader.load(exported).events
        #expect(back.map(\.user) == written.map(\.user))
        #expect(back.map(\.item) == written.map(\.item))
        #expect(back.map(\.timestamp) == written.map(\.timestamp))
        #expect(back.map(\.action) == written.map(\.action))
        #expect(back.map(\.value) == written.map(\.value))
    }

    /// `ingest --json` of `file`: every value, as text (counts and first/last timestamps).
    static func ingestCounts(_ file: String) throws -> [String: String] {
        let result = try Self.driftscope(["ingest", file, "--json"])
        #expect(result.status == 0, "ingest \(file): \(result.stderr)")
        var object = try #require(try Self.json(result.stdout) as? [String: Any])
        object["name"] = nil  // the file's stem
        return object.mapValues { "\($0)" }
    }

    /// A recorded simulation exported and ingested again builds the graph that ingesting the
    /// simulator's own `--out` files builds: every count of `ingest --json` agrees. Before the
    /// catalogue was recorded, every exported row had empty category, brand and price and
    /// the items' knowledge-graph links were lost.
    @Test(arguments: [false, true])
    func exportReadsBackToTheSameGraph(withoutStoredCatalogue: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("sim.sqlite"), csv = directory.file("shop.csv"), exported = directory.file("export.csv")
        let simulate = try Self.driftscope(["simulate", "--scenario", Self.smallScenario, "--seed", "9", "--workspace", path, "--out", csv])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        if withoutStoredCatalogue {
            // A run recorded before schema v2 has no catalogue: it is generated again from
            // the run's scenario and seed.
            let raw = try TestFiles.raw(path)
            try raw.write { db in try db.execute(sql: "DELETE FROM run_catalogues") }
            try raw.close()
            #expect(try Workspace(path: path, create: false, access: .readOnly).catalogue(run: 1) == nil)
        }
        let export = try Self.driftscope(["export-events", "--workspace", path, "--out", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("to \(directory.file("export.catalogue.csv"))"))
        #expect(FileManager.default.fileExists(atPath: directory.file("export.kg.csv")))

        let original = try Self.ingestCounts(csv)
        let roundTrip = try Self.ingestCounts(exported)
        #expect(roundTrip == original)
        for key in ["users", "items", "categories", "brands", "entities", "edges", "events"] {
            #expect(Int(original[key] ?? "") ?? 0 > 0, "\(key): \(original)")
        }

        // Every row names its item's category, brand and price; timestamps are integers.
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst()
        #expect(rows.count == Int(original["events"] ?? ""))
        let incomplete = rows.filter { row in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count != 8 || fields[5].isEmpty || fields[6].isEmpty || fields[7].isEmpty || fields[2].contains(".")
        }
        #expect(incomplete.isEmpty, "\(incomplete.count) rows lack attributes, e.g. \(incomplete.first ?? "")")
    }

    @Test func simulateRefusesWhatARunCannotReplay() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("sim.sqlite")
        let days = try Self.driftscope(["simulate", "--scenario", Self.smallScenario, "--days", "2", "--workspace", path])
        #expect(days.status != 0)
        #expect(days.stderr.contains("put --users, --items and --days in a scenario file"))
        #expect(!FileManager.default.fileExists(atPath: path))
        let nothing = try Self.driftscope(["simulate", "--scenario", Self.smallScenario])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("give --out FILE, --workspace FILE, or both"))
    }

    @Test func evalRecordsOneRunPerModelWithItsTimeline() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("eval.sqlite")
        let eval = try Self.driftscope(["eval", Self.shopSmall, "--protocol", "prequential", "--model", "itemknn", "--workspace", path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try Self.json(eval.stdout) as? [String: Any])
        let prequential = try #require(report["prequential"] as? [String: [String: Any]])
        let recorded = try #require(report["workspace_runs"] as? [String: Int])
        #expect(recorded == ["MostPop": 1, "ItemKNN": 2])

        // runs list: each run's final point is the protocol's final HR@10 and MRR.
        let list = try Self.driftscope(["runs", "list", "--workspace", path, "--json"])
        let runs = try #require(try Self.json(list.stdout) as? [[String: Any]])
        #expect(runs.count == 2)
        for (model, id) in recorded {
            let run = try #require(runs.first { $0["id"] as? Int == id })
            let final = try #require(run["final"] as? [String: Any])
            let metrics = try #require(prequential[model])
            #expect(abs((final["hr10"] as? Double ?? -1) - (metrics["HR@10"] as? Double ?? -2)) < 1e-9, "\(model)")
            #expect(abs((final["mrr"] as? Double ?? -1) - (metrics["MRR"] as? Double ?? -2)) < 1e-9, "\(model)")
            #expect(run["status"] as? String == "finished")
            #expect(run["source"] as? String == Self.shopSmall)
        }

        // The timeline: hundreds of points, events ingested rising to the whole dataset.
        let workspace = try Workspace(path: path, create: false)
        let timeline = try workspace.metrics(run: 2)
        #expect(timeline.count >= 100)
        #expect(zip(timeline, timeline.dropFirst()).allSatisfy { $0.events < $1.events })
        #expect(timeline.last?.events == report["events"] as? Int)

        // runs compare: the models differ, and the deltas are the metrics' differences.
        let compare = try Self.driftscope(["runs", "compare", "1", "2", "--workspace", path, "--json"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let object = try #require(try Self.json(compare.stdout) as? [String: Any])
        let settings = try #require(object["settings"] as? [[String: Any]])
        let differing = Set(settings.filter { $0["differs"] as? Bool == true }.compactMap { $0["key"] as? String })
        #expect(differing.contains("model"))
        let deltas = try #require(object["deltas"] as? [String: Any])
        let expected = (prequential["ItemKNN"]?["HR@10"] as? Double ?? 0) - (prequential["MostPop"]?["HR@10"] as? Double ?? 0)
        #expect(abs((deltas["hr10"] as? Double ?? 0) - expected) < 1e-9)
    }

    @Test func evalWorkspaceNeedsThePrequentialProtocol() throws {
        let directory = try TemporaryDirectory()
        let result = try Self.driftscope(["eval", Self.shopSmall, "--protocol", "temporal", "--workspace", directory.file("x.sqlite")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--workspace records the prequential protocol"))
    }
}
