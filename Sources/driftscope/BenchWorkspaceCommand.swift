import ArgumentParser
import Foundation
import InterestGraph
import Workspace
#if canImport(Glibc)
import Glibc
#endif

/// `driftscope bench workspace`: what recording into a workspace costs full-speed ingestion,
/// and what resuming from the log costs.
struct BenchWorkspace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Events/s ingesting with and without a workspace recorder; resume cost.",
        discussion: """
            Replays DATASET --replays times (each replay shifted past the previous one in time) \
            into a fresh HeteroGraph at full speed: once bare, and once with a WorkspaceRecorder \
            receiving every event in slices of --slice events, as the engine hands them over, \
            with the background writer (the default) and with the inline writer; and once \
            building the same slices with nobody receiving them (what handing events over costs \
            the engine). The recorded timing runs until finish(at:) has committed the last \
            event. Every round runs all variants back to back; slowdowns are the median over \
            rounds of each round's ratio, which holds up on a shared machine. Wall-clock, \
            ingesting-thread CPU and whole-process CPU are reported: with a spare core the \
            background writer costs the ingesting thread little wall-clock time, on a saturated \
            machine its CPU (writer_cpu_ns_per_event) competes with ingestion.

            Resume: rebuilding the graph by streaming the run's log back from the workspace, \
            against reading the dataset files again.

            Example: swift build -c release && .build/release/driftscope bench workspace --json
            """)

    @Option(help: "Dataset to replay (path or name).")
    var dataset = "ml-100k"

    @Option(help: "How many times to replay the dataset per round.")
    var replays = 4

    @Option(help: "Events per record(events:) call.")
    var slice = 2_000

    @Option(help: "Rounds; each runs every variant back to back, and the median round is reported.")
    var rounds = 7

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard replays > 0, slice > 0, rounds > 0 else { throw ValidationError("--replays, --slice and --rounds must be positive") }
    }

    /// Takes a slice the optimiser cannot see through, as a recorder would.
    @inline(never)
    static func handOver(_ events: [RecordedEvent]) -> Int {
        withExtendedLifetime(events) { events.count }
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let loaded = try DatasetLoader.load(dataset)
        let times = loaded.events.map(\.timestamp)
        let span = (times.max() ?? 0) - (times.min() ?? 0) + 86_400
        let total = loaded.events.count * replays

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-bench-workspace-\(ProcessInfo.processInfo.processIdentifier)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // One measurement per round and variant; rounds run the variants back to back, so
        // comparisons are made within a round (paired) and the median round is reported.
        var bare: [Measurement] = [], slicing: [Measurement] = [], background: [Measurement] = [], inline: [Measurement] = []
        var reference: GraphStatistics?
        var lastFile = ""
        var lastRun: Int64 = 0
        for round in 0..<rounds {
            // Bare ingestion.
            var graph = HeteroGraph()
            graph.load(loaded.catalogue)
            bare.append(Measurement.of {
                for replay in 0..<replays {
                    let shift = Double(replay) * span
                    for var event in loaded.events {
                        event.timestamp += shift
                        graph.apply(event)
                    }
                }
            })
            reference = graph.statistics

            // Slices built and dropped, no recorder: what handing events over costs the
            // engine whatever receives them.
            var sliced = HeteroGraph()
            sliced.load(loaded.catalogue)
            var handedOver = 0
            slicing.append(Measurement.of {
                var pending: [RecordedEvent] = []
                pending.reserveCapacity(slice)
                var position: Int64 = 0
                for replay in 0..<replays {
                    let shift = Double(replay) * span
                    for var event in loaded.events {
                        event.timestamp += shift
                        sliced.apply(event)
                        pending.append(RecordedEvent(position: position, event: event))
                        position += 1
                        if pending.count == slice {
                            handedOver &+= Self.handOver(pending)
                            pending = []
                            pending.reserveCapacity(slice)
                        }
                    }
                }
                handedOver &+= Self.handOver(pending)
            })
            guard handedOver == total else { throw ValidationError("slicing lost events") }

            // Recorded, with each writer.
            for writer in [RecorderPolicy.Writer.background, .inline] {
                let file = directory + "/round\(round)-\(writer).sqlite"
                let workspace = try Workspace(path: file)
                let run = try workspace.beginRun(source: .replay, name: loaded.name, seed: nil, codeVersion: "bench", hyperparameters: Array("{}".utf8))
                var recorded = HeteroGraph()
                recorded.load(loaded.catalogue)
                let measurement = try Measurement.of {
                    let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer))
                    var pending: [RecordedEvent] = []
                    pending.reserveCapacity(slice)
                    var position: Int64 = 0
                    for replay in 0..<replays {
                        let shift = Double(replay) * span
                        for var event in loaded.events {
                            event.timestamp += shift
                            recorded.apply(event)
                            pending.append(RecordedEvent(position: position, event: event))
                            position += 1
                            if pending.count == slice {
                                try recorder.record(events: pending)
                                pending = []
                                pending.reserveCapacity(slice)
                            }
                        }
                    }
                    try recorder.record(events: pending)
                    try recorder.finish(at: Date().timeIntervalSince1970)
                }
                guard try workspace.eventCount(run: run) == total else {
                    throw ValidationError("the log holds \(try workspace.eventCount(run: run)) of \(total) events")
                }
                if writer == .background {
                    background.append(measurement)
                    lastFile = file
                    lastRun = run
                } else {
                    inline.append(measurement)
                }
            }
        }

        // The writer alone: encode + SQLite, no graph, pre-built slices.
        var slices: [[RecordedEvent]] = []
        var position: Int64 = 0
        for replay in 0..<replays {
            let shift = Double(replay) * span
            for var event in loaded.events {
                event.timestamp += shift
                if slices.last.map({ $0.count == slice }) ?? true { slices.append([]) }
                slices[slices.count - 1].append(RecordedEvent(position: position, event: event))
                position += 1
            }
        }
        var writerOnly = Measurement.worst
        for round in 0..<rounds {
            let workspace = try Workspace(path: directory + "/writer\(round).sqlite")
            let run = try workspace.beginRun(source: .replay, name: loaded.name, seed: nil, codeVersion: "bench", hyperparameters: Array("{}".utf8))
            writerOnly = writerOnly.best(try Measurement.of {
                let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline))
                for s in slices { try recorder.record(events: s) }
                try recorder.finish(at: 0)
            })
        }

        // Resume: rebuild from the log vs read the dataset again.
        let workspace = try Workspace(path: lastFile)
        var fromLog = HeteroGraph()
        fromLog.load(loaded.catalogue)
        var replayed = 0
        let logSeconds = try Stopwatch.seconds {
            var reader = try workspace.events(run: lastRun)
            while let recorded = try reader.next() {
                fromLog.apply(recorded.event)
                replayed += 1
            }
        }
        guard replayed == total, fromLog.statistics == reference else {
            throw ValidationError("the graph rebuilt from the log differs from the ingested one")
        }
        var fromSource = HeteroGraph()
        let sourceSeconds = try Stopwatch.seconds {
            for replay in 0..<replays {
                let shift = Double(replay) * span
                _ = try DatasetLoader.stream(dataset, catalogue: { if replay == 0 { fromSource.load($0) } }, body: { event in
                    var event = event
                    event.timestamp += shift
                    fromSource.apply(event)
                })
            }
        }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: lastFile)[.size] as? NSNumber)?.intValue ?? 0

        func median(_ xs: [Double]) -> Double {
            let sorted = xs.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        /// Median over rounds of the paired slowdown of `variant` against the bare run.
        func slowdown(_ variant: [Measurement], _ value: (Measurement) -> Double) -> Double {
            median(zip(variant, bare).map { (value($0) / value($1) - 1) * 100 })
        }
        func rate(_ variant: [Measurement]) -> Double { Double(total) / median(variant.map(\.wall)) }
        let result = BenchWorkspaceResult(
            build: Stopwatch.buildConfiguration, dataset: "\(loaded.name) x\(replays)", events: total, slice: slice, rounds: rounds,
            eventsPerSecond: rate(bare), recordedEventsPerSecond: rate(background),
            slowdownPercent: slowdown(background, \.wall),
            inlineEventsPerSecond: rate(inline), inlineSlowdownPercent: slowdown(inline, \.wall),
            ingestThreadCPUSlowdownPercent: slowdown(background, \.thread),
            processCPUSlowdownPercent: slowdown(background, \.process),
            inlineThreadCPUSlowdownPercent: slowdown(inline, \.thread),
            slicingEventsPerSecond: rate(slicing),
            slicingThreadCPUSlowdownPercent: slowdown(slicing, \.thread),
            ingestNanosecondsPerEvent: median(bare.map(\.thread)) / Double(total) * 1e9,
            writerNanosecondsPerEvent: writerOnly.thread / Double(total) * 1e9,
            logBytesPerEvent: Double(fileBytes) / Double(total),
            resumeFromLogSeconds: logSeconds, resumeFromLogEventsPerSecond: Double(total) / logSeconds,
            rereadSourceSeconds: sourceSeconds, rereadSourceEventsPerSecond: Double(total) / sourceSeconds)
        if json {
            try Console.printJSON(result)
        } else {
            print(result.text)
        }
    }
}

/// What `bench workspace` reports.
struct BenchWorkspaceResult: Encodable {
    var build: String
    var dataset: String
    var events: Int
    var slice: Int
    var rounds: Int
    var eventsPerSecond: Double
    var recordedEventsPerSecond: Double
    var slowdownPercent: Double
    var inlineEventsPerSecond: Double
    var inlineSlowdownPercent: Double
    var ingestThreadCPUSlowdownPercent: Double
    var processCPUSlowdownPercent: Double
    var inlineThreadCPUSlowdownPercent: Double
    var slicingEventsPerSecond: Double
    var slicingThreadCPUSlowdownPercent: Double
    var ingestNanosecondsPerEvent: Double
    var writerNanosecondsPerEvent: Double
    var logBytesPerEvent: Double
    var resumeFromLogSeconds: Double
    var resumeFromLogEventsPerSecond: Double
    var rereadSourceSeconds: Double
    var rereadSourceEventsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case build, dataset, events, slice, rounds
        case eventsPerSecond = "events_per_second"
        case recordedEventsPerSecond = "recorded_events_per_second"
        case slowdownPercent = "slowdown_percent"
        case inlineEventsPerSecond = "inline_recorded_events_per_second"
        case inlineSlowdownPercent = "inline_slowdown_percent"
        case ingestThreadCPUSlowdownPercent = "ingest_thread_cpu_slowdown_percent"
        case processCPUSlowdownPercent = "process_cpu_slowdown_percent"
        case inlineThreadCPUSlowdownPercent = "inline_ingest_thread_cpu_slowdown_percent"
        case slicingEventsPerSecond = "slices_only_events_per_second"
        case slicingThreadCPUSlowdownPercent = "slices_only_ingest_thread_cpu_slowdown_percent"
        case ingestNanosecondsPerEvent = "ingest_cpu_ns_per_event"
        case writerNanosecondsPerEvent = "writer_cpu_ns_per_event"
        case logBytesPerEvent = "log_bytes_per_event"
        case resumeFromLogSeconds = "resume_from_log_seconds"
        case resumeFromLogEventsPerSecond = "resume_from_log_events_per_second"
        case rereadSourceSeconds = "reread_source_seconds"
        case rereadSourceEventsPerSecond = "reread_source_events_per_second"
    }

    var text: String {
        func rate(_ x: Double) -> String { Format.count(Int(x.rounded())) + " events/s" }
        return """
            bench workspace (\(build) build): \(dataset), \(Format.count(events)) events, slices of \(Format.count(slice)); median of \(rounds) paired rounds
              ingest, no recorder        \(rate(eventsPerSecond))
              ingest + slices, no sink   \(rate(slicingEventsPerSecond))  (building the RecordedEvent slices alone)
              ingest + recorder          \(rate(recordedEventsPerSecond))  (\(String(format: "%+.1f", slowdownPercent))%, background writer)
              ingest + inline recorder   \(rate(inlineEventsPerSecond))  (\(String(format: "%+.1f", inlineSlowdownPercent))%)
              CPU time, slices only      \(String(format: "%+.1f", slicingThreadCPUSlowdownPercent))% on the ingesting thread
              CPU time, background       \(String(format: "%+.1f", ingestThreadCPUSlowdownPercent))% on the ingesting thread, \(String(format: "%+.1f", processCPUSlowdownPercent))% for the process
              CPU time, inline           \(String(format: "%+.1f", inlineThreadCPUSlowdownPercent))% on the ingesting thread
              CPU per event              \(String(format: "%.0f", ingestNanosecondsPerEvent)) ns ingest, \(String(format: "%.0f", writerNanosecondsPerEvent)) ns log writer (encode + SQLite, alone)
              log size                   \(String(format: "%.1f", logBytesPerEvent)) bytes/event
            resume (graph rebuild)
              replay the workspace log   \(String(format: "%.3f", resumeFromLogSeconds)) s  (\(rate(resumeFromLogEventsPerSecond)))
              read the dataset again     \(String(format: "%.3f", rereadSourceSeconds)) s  (\(rate(rereadSourceEventsPerSecond)))
            """
    }
}

/// Wall-clock, whole-process CPU and calling-thread CPU seconds of one timed block. On a
/// shared machine wall-clock time includes waiting for a core; CPU time does not.
struct Measurement {
    var wall: Double
    var process: Double
    var thread: Double

    static let worst = Measurement(wall: .infinity, process: .infinity, thread: .infinity)

    func best(_ other: Measurement) -> Measurement {
        Measurement(wall: min(wall, other.wall), process: min(process, other.process), thread: min(thread, other.thread))
    }

    static func of(_ body: () throws -> Void) rethrows -> Measurement {
        let process0 = processCPU(), thread0 = threadCPU()
        let wall = try Stopwatch.seconds(body)
        return Measurement(wall: wall, process: processCPU() - process0, thread: threadCPU() - thread0)
    }

    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
