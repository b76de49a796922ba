import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench batch`: one training batch, whole-graph against sampled-subgraph, on a
/// graph of any size: what `TrainingMode.automatic` chooses between.
struct BenchBatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Time training batches on the whole graph and on sampled subgraphs (trained interactions per second).",
        discussion: """
            Loads the dataset (or its first --limit events), builds the graph, then runs --batches
            batches in each mode and reports seconds per batch and trained interactions per
            second. Example: driftscope bench batch --dataset large.csv --limit 2000000
            """)

    @OptionGroup var options: BenchLearningOptions

    @Option(help: "Batches to time per mode (after one warm-up batch).")
    var batches: Int = 20

    @Option(help: "Use only the first N events of the dataset (0: all).")
    var limit: Int = 0

    @Option(help: "Modes to time: automatic, wholeGraph, sampled (repeatable; default whole and sampled).")
    var mode: [TrainingMode] = []

    func run() throws {
        let dataset = try options.load()
        var events = TemporalSplit.timeOrdered(dataset.events)
        if limit > 0, events.count > limit { events = Array(events[..<limit]) }
        var graph = HeteroGraph()
        graph.load(dataset.catalogue)
        for event in events { graph.apply(event) }
        let h = try options.hyperparameters()
        let modes: [TrainingMode] = mode.isEmpty ? [.wholeGraph, .sampled] : mode
        var results: [String: Any] = ["events": events.count, "users": graph.statistics.users, "items": graph.statistics.items,
                                      "edges": graph.statistics.userItemEdges]
        var lines = [String(format: "%d events, %d users, %d items, %d edges", events.count, graph.statistics.users,
                            graph.statistics.items, graph.statistics.userItemEdges)]
        for m in modes {
            var model = EmbeddingModel(hyperparameters: Recommender(kind: options.kind, hyperparameters: h).hyperparameters)
            model.trainingMode = m
            let setup = BenchClock.measure { model.reinitialise(graph: graph) }
            var pairs = 0
            let first = model.trainBatch(graph: graph)  // warm-up: buffers, page faults, a first rebuild
            let rowsBefore = model.sampledRows
            var losses: [Float] = [first.loss]
            let (wall, cpu) = BenchClock.measure {
                for _ in 0..<max(1, batches) {
                    let step = model.trainBatch(graph: graph)
                    pairs += step.pairs
                    losses.append(step.loss)
                }
            }
            let perBatch = wall / Double(max(1, batches))
            let rate = Double(pairs) / wall
            let rows = (model.sampledRows - rowsBefore) / max(1, batches)
            results[m.rawValue] = ["seconds_per_batch": perBatch, "cpu_seconds_per_batch": cpu / Double(max(1, batches)),
                                   "trained_interactions_per_second": rate, "pairs_per_batch": pairs / max(1, batches),
                                   "rows_per_batch": rows, "setup_seconds": setup.wall,
                                   "first_loss": Double(losses.first ?? .nan), "last_loss": Double(losses.last ?? .nan)]
            lines.append(String(format: "%@: %.4f s per batch (CPU %.4f s), %d pairs per batch, %.0f trained interactions/s, %d rows per batch; set-up %.2f s; loss %.4f -> %.4f",
                                m.rawValue, perBatch, cpu / Double(max(1, batches)), pairs / max(1, batches), rate, rows, setup.wall,
                                Double(losses.first ?? .nan), Double(losses.last ?? .nan)))
        }
        results["peak_rss_bytes"] = ProcessMemory.peakResidentBytes()
        lines.append("peak RSS \(ProcessMemory.peakResidentBytes() / 1_048_576) MiB")
        try options.emit(results, text: lines.joined(separator: "\n"))
    }
}
