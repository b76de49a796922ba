import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope simulate`: writes a simulated shop's events, catalogue, knowledge graph and
/// ground truth as CSV. The same scenario and seed give the same bytes.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a shop with scheduled interest drift and write its events as CSV.",
        discussion: """
        Writes OUT (user,item,timestamp,action,value,category,brand,price), <stem>.catalogue.csv \
        (item,category,brand,price,entities) and <stem>.kg.csv (head,relation,tail). With --truth, \
        also the true category shares (user,time,category,share) and <truth-stem>.drifts.csv. \
        See sample-data/README.md.

          driftscope simulate --scenario small --out shop.csv --truth shop.truth.csv
          driftscope simulate --scenario small --seed 9 --workspace demo.sqlite

        With --workspace the events are also recorded as a run (scenario and seed), which \
        `export-events` writes back as CSV and `dashboard --workspace FILE --resume` continues.
        """
    )

    @Option(help: "Scenario file, or a name in sample-data/scenarios/ (default: default).")
    var scenario: String?

    @Option(help: "Random seed (overrides the scenario's).")
    var seed: UInt64?

    @Option(help: "Users present at the start (overrides the scenario's).")
    var users: Int?

    @Option(help: "Items on sale at the start (overrides the scenario's).")
    var items: Int?

    @Option(help: "Days to simulate (overrides the scenario's).")
    var days: Double?

    @Option(help: "Events CSV to write.")
    var out: String?

    @Option(help: ArgumentHelp("Record the events as a run (scenario + seed) into this workspace file.", valueName: "file"))
    var workspace: String?

    @Option(help: "Ground-truth CSV to write (true shares per checkpoint; drifts go to <stem>.drifts.csv).")
    var truth: String?

    @Option(name: .customLong("truth-interval"), help: "Hours between ground-truth checkpoints.")
    var truthInterval: Double = 24

    func validate() throws {
        if let users, users < 1 { throw ValidationError("--users must be at least 1") }
        if let items, items < 1 { throw ValidationError("--items must be at least 1") }
        if let days, !(days > 0 && days <= 3_650) { throw ValidationError("--days must be in 0...3650 (exclusive of 0)") }
        if !(truthInterval > 0) { throw ValidationError("--truth-interval must be positive") }
        if out == nil && workspace == nil { throw ValidationError("give --out FILE, --workspace FILE, or both") }
        if truth != nil && out == nil { throw ValidationError("--truth needs --out") }
        if workspace != nil, users != nil || items != nil || days != nil {
            // A run records its scenario and seed only: a resumed or replayed run must be able
            // to generate the same stream again.
            throw ValidationError("--workspace records the scenario and seed only: put --users, --items and --days in a scenario file")
        }
    }

    func run() throws {
        var scenario = try ScenarioOptions.load(self.scenario)
        if let seed { scenario.seed = seed }
        if let users { scenario.users.count = users }
        if let items { scenario.catalogue.items = max(items, scenario.catalogue.leafCount) }
        if let days {
            scenario.days = days
            scenario.warmupDays = min(scenario.warmupDays, days / 2)
        }
        let world = ShopWorld(scenario: scenario)
        if let workspace {
            let recorded = try SimulateRecording.record(world: world, scenario: self.scenario ?? "default", path: workspace)
            print("recorded \(recorded.events) events as run \(recorded.run) in \(workspace)")
        }
        guard let out else { return }
        let stem = OutputFile.stem(out)

        let events = try OutputFile.write(out) { write in try world.writeEventsCSV(write) }
        try OutputFile.write(stem + ".catalogue.csv", world.catalogueCSV())
        try OutputFile.write(stem + ".kg.csv", world.knowledgeGraphCSV())
        print("wrote \(events) events (\(world.userCount) users, \(world.itemCount) items, \(world.categoryNames.count) categories) to \(out)")
        print("wrote the catalogue to \(stem).catalogue.csv and knowledge-graph facts to \(stem).kg.csv")
        if let truth {
            let truthStem = OutputFile.stem(truth)
            _ = try OutputFile.write(truth) { write in try world.trueSharesCSV(interval: truthInterval * 3_600, write); return 0 }
            try OutputFile.write(truthStem + ".drifts.csv", world.driftsCSV())
            print("wrote true shares to \(truth) and \(world.truth.drifts.count) scheduled drifts to \(truthStem).drifts.csv")
        }
    }
}

/// Scenario loading shared by the simulation commands.
enum ScenarioOptions {
    /// Loads `pathOrName` (default "default"); a TOML error becomes a clean exit message.
    static func load(_ pathOrName: String?) throws -> Scenario {
        do {
            return try Scenario.load(pathOrName ?? "default")
        } catch {
            throw CommandError(error.description)
        }
    }
}

/// File output for CSV commands.
enum OutputFile {
    /// `shop.csv` -> `shop`; `out/shop` -> `out/shop`.
    static func stem(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.pathExtension.isEmpty ? path : String(path.dropLast(url.pathExtension.count + 1))
    }

    static func write(_ path: String, _ text: String) throws {
        _ = try write(path) { write in try write(Array(text.utf8)); return 0 }
    }

    /// Creates `path` and hands `body` a chunk writer.
    static func write(_ path: String, _ body: (([UInt8]) throws -> Void) throws -> Int) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CommandError("cannot create '\(path)'")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return try body { bytes in try handle.write(contentsOf: bytes) }
    }
}

/// A failure reported as "Error: <message>" without the usage text (that is for bad flags).
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
