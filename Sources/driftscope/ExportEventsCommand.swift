import ArgumentParser
import Workspace

/// `driftscope export-events`: a run's event log as CSV the readers take back.
struct ExportEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-events",
        abstract: "Write a run's event log as CSV (user,item,timestamp,action,value,category,brand,price).",
        discussion: """
            The file reads back with every command that takes a dataset (`driftscope ingest \
            out.csv`) and gives the logged events exactly: categories are |-separated, fields \
            quoted per RFC 4180, numbers written so they read back bit for bit. The file is \
            created owner-only (0600) since it holds the same personal data as the workspace.

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
        guard try workspace.run(id) != nil else {
            throw ValidationError("\(workspace.path) has no run \(id) (see `driftscope runs list`)")
        }
        let count = try workspace.exportEvents(run: id, to: out)
        print("wrote \(Format.count(count)) events of run \(id) to \(out)")
    }
}
