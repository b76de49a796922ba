import ArgumentParser

/// `driftscope bench all`: every benchmark in turn, as `make bench` runs them, so the figures
/// in docs/BENCHMARKS.md come from one command.
struct BenchAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every benchmark in turn (what `make bench` runs).")

    /// The benchmarks `all` runs, in order; every `bench` subcommand except `all` itself.
    static var benchmarks: [any ParsableCommand.Type] {
        Bench.configuration.subcommands.filter { $0 != BenchAll.self }
    }

    func run() throws {
        for benchmark in Self.benchmarks {
            let name = benchmark.configuration.commandName ?? "\(benchmark)"
            print("== driftscope bench \(name)")
            var command = try benchmark.parseAsRoot([])
            try command.run()
            print()
        }
    }
}
