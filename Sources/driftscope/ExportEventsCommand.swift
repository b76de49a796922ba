import ArgumentParser
import Foundation
import InterestGraph
import Workspace

/// `driftscope export-events`: a run's event log as CSV the readers take back, with the
/// run's item catalogue beside it, so `ingest` of the export builds the same graph.
struct ExportEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-events",
        abstract: "Write a run's event log as CSV (user,item,timestamp,action,value,category,brand,price).",
        discussion: """
            Writes OUT, and beside it STEM.catalogue.csv (item,category,brand,price,title,\
            entities: every item the run's source described, with its knowledge-graph links) \
            and, when the source had knowledge-graph facts, STEM.kg.csv (head,relation,tail). \
            `driftscope ingest OUT` reads the catalogue too and gives the same counts as the \
            recorded source. Category, brand and price are on every row; timestamps are \
            integers when whole; categories are |-separated, fields quoted per RFC 4180, \
            numbers written so they read back bit for bit. Files are created owner-only \
            (0600) since they hold the same personal data as the workspace. The workspace is \
            opened read-only.

            Runs recorded before the catalogue was stored (workspace schema v1): a simulation \
            run's catalogue is generated again from its scenario and seed, a replay's is read \
            from its dataset when that is still there; otherwise rows carry only what the \
            events carried (a warning says so).

            Example: driftscope export-events --workspace demo.sqlite --out events.csv --run 2
            """)

    @OptionGroup var workspace: WorkspaceOptions

    @Option(help: ArgumentHelp("The CSV file to write (replaced if it exists).", valueName: "file"))
    var out: String

    @Option(name: .customLong("run"), help: ArgumentHelp("The run to export (default: the latest).", valueName: "id"))
    var runID: Int64?

    func run() throws {
        let workspace = try workspace.openForReading()
        guard let id = try runID ?? workspace.lastRun()?.id else {
            throw ValidationError("\(workspace.path) holds no runs")
        }
        guard let record = try workspace.run(id) else {
            throw ValidationError("\(workspace.path) has no run \(id) (see `driftscope runs list`)")
        }
        let catalogue = try workspace.catalogue(run: id) ?? Self.recoveredCatalogue(of: record)
        let count = try workspace.exportEvents(run: id, to: out, catalogue: catalogue ?? ItemCatalogue())
        print("wrote \(Format.count(count)) events of run \(id) to \(out)")
        guard let catalogue, !catalogue.isEmpty else {
            Console.error("warning: run \(id) has no recorded catalogue and its source (\(record.source)) cannot be read again: rows carry only the attributes the events carried")
            return
        }
        let stem = OutputFile.stem(out)
        let items = try Workspace.exportCatalogue(catalogue, to: stem + ".catalogue.csv")
        print("wrote the catalogue (\(Format.count(items)) items) to \(stem).catalogue.csv")
        if !catalogue.triples.isEmpty {
            let facts = try Workspace.exportKnowledgeGraph(catalogue, to: stem + ".kg.csv")
            print("wrote \(Format.count(facts)) knowledge-graph facts to \(stem).kg.csv")
        }
    }

    /// The catalogue of a run recorded before catalogues were stored, from its source: the
    /// simulator regenerates it from scenario and seed (deterministic); a dataset is read
    /// up to its catalogue. `nil` when the source is gone.
    static func recoveredCatalogue(of run: RunRecord) -> ItemCatalogue? {
        switch run.sourceKind {
        case .simulation:
            guard var scenario = try? Scenario.load(run.source) else { return nil }
            if let seed = run.seed { scenario.seed = seed }
            return SimulationSource(scenario: scenario).catalogue
        case .replay, .idle:
            struct Enough: Error {}
            var catalogue: ItemCatalogue?
            do {
                _ = try DatasetLoader.stream(run.source, catalogue: { catalogue = $0 }, body: { _ in throw Enough() })
            } catch {}
            return catalogue
        case .stream:
            // A stream carries attributes on its entries; there is no side file to reread.
            return nil
        }
    }
}
