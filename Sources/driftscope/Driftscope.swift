import ArgumentParser
import InterestGraph

@main
struct Driftscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftscope",
        abstract: "Keep a user interest graph live from an event stream, learn embeddings, and watch it drift.",
        version: "0.1.0",
        subcommands: [Eval.self, BenchLearning.self]
    )
}
