import ArgumentParser
import InterestGraph

@main
struct Driftscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftscope",
        abstract: "Keep a user interest graph live from an event stream, learn embeddings, and watch it drift.",
        version: "0.1.0",
        subcommands: [DashboardCommand.self, ServeCommand.self, AttachCommand.self, Ingest.self, Dataset.self, SimulateCommand.self, Eval.self, ProfileCommand.self, ChangesCommand.self, DormantCommand.self, RecommendCommand.self, AudienceCommand.self, SimilarCommand.self, ExportCommand.self, DriftLagCommand.self, Runs.self, Forget.self, ExportEvents.self, WorkspaceCommand.self, Bench.self, PublishCommand.self, PartitionsCommand.self],
        defaultSubcommand: DashboardCommand.self
    )

    /// Starts again on huge pages first where the kernel offers them (``LargePages``), then
    /// parses the arguments and runs the command.
    static func main() {
        LargePages.adopt()
        main(nil)
    }
}
