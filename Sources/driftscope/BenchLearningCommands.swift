import ArgumentParser
import Foundation
import InterestGraph

/// Options shared by the learning benchmarks.
struct BenchLearningOptions: ParsableArguments {
    @Option(help: "Dataset directory or name under ~/.cache/driftscope/datasets.")
    var dataset: String = "ml-100k"

    @Option(help: "Model to benchmark (LightGCN, MF-BPR or Hybrid).")
    var model: String = "LightGCN"

    @Option(help: "Worker threads for propagation and the optimiser.")
    var threads: Int = 2

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hyperparameter, key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard let kind = ModelKind(name: model), kind.hasEmbeddings else {
            throw ValidationError("--model must be one of MF-BPR, LightGCN, Hybrid")
        }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var kind: ModelKind { ModelKind(name: model) ?? .lightGCN }

    /// Tuned temporal hyperparameters with the benchmark's fixed shape (3 layers, dim 64,
    /// batch 2048), the thread count and any overrides.
    func hyperparameters() throws -> Hyperparameters {
        var h = TunedHyperparameters.hyperparameters(for: kind, protocol: .temporal)
        h.layers = 3
        h.dimension = 64
        h.batchSize = 2048
        h.threads = threads
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            do { try h.set(parts[0], to: parts.count > 1 ? parts[1] : "") } catch { throw CommandFailure(message: "\(error)") }
        }
        return h
    }

    func load() throws -> LoadedDataset {
        do { return try DatasetLoader.load(dataset) } catch { throw CommandFailure(message: "\(error)") }
    }

    func emit(_ values: [String: Any], text: String) throws {
        if json {
            let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(text)
        }
    }
}

enum BenchClock {
    static func seconds(_ body: () -> Void) -> Double {
        measure(body).wall
    }

    /// Wall time and process CPU time (all threads) of `body`. On a shared machine the CPU
    /// time shows what the code costs when the wall time is inflated by other processes.
    static func measure(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let clock = ContinuousClock()
        let cpuStart = cpuSeconds()
        let start = clock.now
        body()
        let (s, atto) = (clock.now - start).components
        return (Double(s) + Double(atto) / 1e18, cpuSeconds() - cpuStart)
    }

    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// `driftscope bench train`: seconds per LightGCN training epoch on the protocol A train split.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time full-graph training epochs (3 layers, dim 64, batch 2048) on the 80% temporal train split.")

    @OptionGroup var options: BenchLearningOptions

    @Option(help: "Epochs to time (the median is reported).")
    var epochs: Int = 5

    func run() throws {
        let dataset = try options.load()
        let split = TemporalSplit(events: dataset.events, trainFraction: 0.8)
        let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: dataset.catalogue)
        let h = try options.hyperparameters()
        var model = EmbeddingModel(hyperparameters: Recommender(kind: options.kind, hyperparameters: h).hyperparameters)
        model.reinitialise(graph: graph)
        model.trainEpoch(graph: graph)  // warm-up: buffers, page faults
        var times: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<max(1, epochs) {
            let (wall, used) = BenchClock.measure { model.trainEpoch(graph: graph) }
            times.append(wall)
            cpu.append(used)
        }
        times.sort()
        cpu.sort()
        let median = times[times.count / 2]
        let cpuMedian = cpu[cpu.count / 2]
        let shape = model.propagationShape
        try options.emit(
            [
                "epoch_seconds": median, "epoch_seconds_min": times[0], "interactions": split.train.count,
                "nodes": shape.nodes, "nonzeros": shape.nonzeros, "batches_per_epoch": shape.batchesPerEpoch,
                "threads": h.threads, "model": options.kind.rawValue, "epoch_cpu_seconds": cpuMedian,
            ],
            text: String(format: "%@ epoch on %d interactions (%d nodes, %d nonzeros, %d batches, %d threads): median %.4f s (best %.4f s, CPU %.4f s) over %d epochs",
                         options.kind.rawValue, split.train.count, shape.nodes, shape.nonzeros, shape.batchesPerEpoch, h.threads, median, times[0], cpuMedian, times.count))
    }
}

/// `driftscope bench online`: microseconds per online update over the second half of the stream.
struct BenchOnline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online",
        abstract: "Time the per-event online update over the second half of the stream (model fitted on the first half).")

    @Option(help: "Training epochs for the warm-up fit.")
    var epochs: Int = 5

    @OptionGroup var options: BenchLearningOptions

    func run() throws {
        let dataset = try options.load()
        let ordered = TemporalSplit.timeOrdered(dataset.events)
        let half = ordered.count / 2
        var graph = HeteroGraph()
        graph.load(dataset.catalogue)
        for event in ordered[..<half] { graph.apply(event) }
        var h = try options.hyperparameters()
        h.epochs = epochs
        var model = Recommender(kind: options.kind, hyperparameters: h)
        model.fit(graph: graph)
        // Wall time: each `observe` alone (after its event is applied to the graph).
        // CPU time: the apply+observe loop minus an apply-only loop on a copy of the graph,
        // so that no per-event CPU-clock syscall distorts the figure.
        var applyOnly = graph
        let applyCPUStart = BenchClock.cpuSeconds()
        for event in ordered[half...] { applyOnly.apply(event) }
        let applyCPU = BenchClock.cpuSeconds() - applyCPUStart
        let clock = ContinuousClock()
        var nanoseconds: Int64 = 0
        var events = 0
        let loopCPUStart = BenchClock.cpuSeconds()
        for event in ordered[half...] {
            let application = graph.apply(event)
            let start = clock.now
            model.observe(application, at: event.timestamp, graph: graph)
            let (s, atto) = (clock.now - start).components
            nanoseconds += s * 1_000_000_000 + atto / 1_000_000_000
            events += 1
        }
        let cpu = max(0, BenchClock.cpuSeconds() - loopCPUStart - applyCPU)
        let perEvent = Double(nanoseconds) / 1e3 / Double(max(events, 1))
        let perEventCPU = cpu * 1e6 / Double(max(events, 1))
        try options.emit(
            [
                "update_microseconds": perEvent, "update_cpu_microseconds": perEventCPU, "events": events,
                "model": options.kind.rawValue, "dimension": h.dimension,
            ],
            text: String(format: "%@ online update: %.3f us per event (CPU %.3f us) over %d events (dim %d)",
                         options.kind.rawValue, perEvent, perEventCPU, events, h.dimension))
    }
}

/// `driftscope bench topk`: microseconds to score all items and select the top 20 for a user.
struct BenchTopK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topk",
        abstract: "Time top-20 selection over all items (seen items excluded) per user.")

    @Option(help: "Training epochs before timing (scores do not depend on quality).")
    var epochs: Int = 1

    @Option(help: "Passes over all users.")
    var repeats: Int = 20

    @OptionGroup var options: BenchLearningOptions

    func run() throws {
        let dataset = try options.load()
        let split = TemporalSplit(events: dataset.events, trainFraction: 0.8)
        let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: dataset.catalogue)
        var h = try options.hyperparameters()
        h.epochs = epochs
        var model = Recommender(kind: options.kind, hyperparameters: h)
        model.fit(graph: graph)
        let users = graph.statistics.users
        var checksum: Float = 0
        let (seconds, cpu) = BenchClock.measure {
            for _ in 0..<max(1, repeats) {
                for user in 0..<users {
                    let top = model.recommend(user: Int32(user), k: 20, graph: graph)
                    checksum += top.first?.score ?? 0
                }
            }
        }
        let calls = Double(max(1, repeats) * users)
        let perUser = seconds * 1e6 / calls
        let perUserCPU = cpu * 1e6 / calls
        try options.emit(
            [
                "topk_microseconds": perUser, "topk_cpu_microseconds": perUserCPU, "items": graph.statistics.items,
                "users": users, "model": options.kind.rawValue, "checksum": Double(checksum),
            ],
            text: String(format: "%@ top-20 over %d items: %.3f us per user (CPU %.3f us; %d users x %d passes)",
                         options.kind.rawValue, graph.statistics.items, perUser, perUserCPU, users, repeats))
    }
}

