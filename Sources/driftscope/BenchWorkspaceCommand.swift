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
            Graph only (strict): replays DATASET --replays times (each replay shifted past the \
            previous one in time) into a fresh HeteroGraph at full speed: bare; collecting the \
            engine's interned slices of --slice events with nobody receiving them (the engine \
            thread's share); with a WorkspaceRecorder receiving every slice, with the \
            background writer (the default) and the inline writer; and, for comparison, with \
            the recorder fed `Event` values (the path the engine used before). The recorders are \
            made before the clock starts (the engine makes its own at start-up); the timings run \
            until finish(at:) has committed the last event.

            Engine (end to end): the Engine replaying DATASET --engine-replays times at full \
            speed, as `driftscope dashboard --source DATASET --speed 0` does, with online model \
            updates, background training and prequential scoring, with and without recording \
            into a workspace: timed until every event is ingested (the slowdown reported), and \
            until the engine has stopped (the session figure: the recorder's final checkpoint \
            and last commit included).

            Every round runs all variants back to back; slowdowns are the median over rounds of \
            each round's ratio, which holds up on a shared machine. Wall-clock, \
            ingesting-thread CPU and whole-process CPU are reported.

            Resume: rebuilding the graph by streaming the run's log back from the workspace, \
            against reading the dataset files again.

            Example: swift build -c release && .build/release/driftscope bench workspace --json
            """)

    @Option(help: "Dataset to replay (path or name).")
    var dataset = "ml-100k"

    @Option(help: "How many times to replay the dataset per round (graph-only variants).")
    var replays = 4

    @Option(help: "Events per recorded slice (graph-only variants).")
    var slice = 2_000

    @Option(help: "Rounds; each runs every graph-only variant back to back, and the median round is reported.")
    var rounds = 7

    @Option(name: .customLong("flush-events"), help: "The recorders' RecorderPolicy.flushEvents (commit once this many events wait).")
    var flushEvents = RecorderPolicy.default.flushEvents

    @Option(name: .customLong("engine-rounds"), help: "Rounds of the engine replay with and without a workspace (0 skips them).")
    var engineRounds = 9

    @Option(name: .customLong("engine-replays"), help: "How many times the engine replays the dataset per session.")
    var engineReplays = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard replays > 0, slice > 0, rounds > 0, engineRounds >= 0, engineReplays > 0 else {
            throw ValidationError("--replays, --slice, --rounds and --engine-replays must be positive, --engine-rounds 0 or more")
        }
    }

    /// Takes a value the optimiser cannot see through, as a recorder would.
    @inline(never)
    static func handOver<T>(_ value: T, count: Int) -> Int {
        withExtendedLifetime(value) { count }
    }

    /// Feeds every event of every replay, time-shifted, to `body` with its source position.
    @inline(__always)
    func replay(_ events: [Event], span: Double, _ body: (Event, Int64) throws -> Void) rethrows {
        var position: Int64 = 0
        let replays = self.replays
        for replay in 0..<replays {
            let shift = Double(replay) * span
            for var event in events {
                event.timestamp += shift
                try body(event, position)
                position += 1
            }
        }
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let loaded = try DatasetLoader.load(dataset)
        let times = loaded.events.map(\.timestamp)
        let span = (times.max() ?? 0) - (times.min() ?? 0) + 86_400
        let total = loaded.events.count * replays
        // Read once: an @Option's getter costs a generic metadata lookup, far too slow for
        // a per-event comparison in the timed loops.
        let sliceSize = slice

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-bench-workspace-\(ProcessInfo.processInfo.processIdentifier)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func newRun(_ name: String) throws -> (Workspace, Int64) {
            let workspace = try Workspace(path: directory + "/" + name + ".sqlite")
            return (workspace, try workspace.beginRun(source: .replay, name: loaded.name, seed: nil, codeVersion: "bench", hyperparameters: Array("{}".utf8)))
        }
        func freshGraph() -> HeteroGraph {
            var graph = HeteroGraph()
            graph.load(loaded.catalogue)
            return graph
        }

        // One measurement per round and variant; rounds run the variants back to back, so
        // comparisons are made within a round (paired) and the median round is reported.
        var bare: [Measurement] = [], slicing: [Measurement] = [], background: [Measurement] = [], inline: [Measurement] = []
        var eventPath: [Measurement] = []
        var reference: GraphStatistics?
        var lastFile = ""
        var lastRun: Int64 = 0
        for round in 0..<rounds {
            var graph = freshGraph()
            bare.append(Measurement.of {
                replay(loaded.events, span: span) { event, _ in graph.apply(event) }
            })
            reference = graph.statistics

            // Interned slices built and dropped, no recorder: the engine thread's share.
            var sliced = freshGraph()
            var handedOver = 0
            slicing.append(Measurement.of {
                var builder = InternedSliceBuilder(expectedSliceSize: sliceSize)
                replay(loaded.events, span: span) { event, position in
                    builder.append(sliced.apply(event), of: event, position: position)
                    if builder.count == sliceSize { handedOver &+= Self.handOver(builder.take(graph: sliced), count: sliceSize) }
                }
                let last = builder.take(graph: sliced)
                handedOver &+= Self.handOver(last, count: last.events.count)
            })
            guard handedOver == total else { throw ValidationError("slicing lost events") }

            // Recorded, with each writer, from interned slices (the engine's path).
            for writer in [RecorderPolicy.Writer.background, .inline] {
                let (workspace, run) = try newRun("round\(round)-\(writer)")
                var recorded = freshGraph()
                // Made before the clock starts, as the engine makes it at start-up; the final
                // commit (finish) is timed.
                let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer, flushEvents: flushEvents))
                let measurement = try Measurement.of {
                    var builder = InternedSliceBuilder(expectedSliceSize: sliceSize)
                    try replay(loaded.events, span: span) { event, position in
                        builder.append(recorded.apply(event), of: event, position: position)
                        if builder.count == sliceSize { try recorder.record(slice: builder.take(graph: recorded)) }
                    }
                    try recorder.record(slice: builder.take(graph: recorded))
                    try recorder.finish(at: Date().timeIntervalSince1970)
                }
                try Self.expectLogged(workspace, run: run, total: total)
                if writer == .background {
                    background.append(measurement)
                    lastFile = workspace.path
                    lastRun = run
                } else {
                    inline.append(measurement)
                }
            }

            // For comparison: the recorder fed `Event` values, as the engine did before.
            let (workspace, run) = try newRun("round\(round)-events")
            var recorded = freshGraph()
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(flushEvents: flushEvents))
            eventPath.append(try Measurement.of {
                var pending: [RecordedEvent] = []
                pending.reserveCapacity(sliceSize)
                try replay(loaded.events, span: span) { event, position in
                    recorded.apply(event)
                    pending.append(RecordedEvent(position: position, event: event))
                    if pending.count == sliceSize {
                        try recorder.record(events: pending)
                        pending = []
                        pending.reserveCapacity(sliceSize)
                    }
                }
                try recorder.record(events: pending)
                try recorder.finish(at: Date().timeIntervalSince1970)
            })
            try Self.expectLogged(workspace, run: run, total: total)
        }

        // The writer alone: names, encode + SQLite, no graph, pre-built interned slices.
        var slices: [InternedSlice] = []
        var builder = InternedSliceBuilder(expectedSliceSize: sliceSize)
        var prebuilt = freshGraph()
        replay(loaded.events, span: span) { event, position in
            builder.append(prebuilt.apply(event), of: event, position: position)
            if builder.count == sliceSize { slices.append(builder.take(graph: prebuilt)) }
        }
        slices.append(builder.take(graph: prebuilt))
        var writerOnly = Measurement.worst
        for round in 0..<rounds {
            let (workspace, run) = try newRun("writer\(round)")
            writerOnly = writerOnly.best(try Measurement.of {
                let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline, flushEvents: flushEvents))
                for s in slices { try recorder.record(slice: s) }
                try recorder.finish(at: 0)
            })
        }

        let engine = try engineRounds > 0 ? measureEngine(loaded, span: span, newRun: newRun) : nil

        // Resume: rebuild from the log vs read the dataset again.
        let workspace = try Workspace(path: lastFile)
        var fromLog = freshGraph()
        var replayed = 0
        let logSeconds = try Stopwatch.seconds {
            // As a resume reads it: pages of numbers.
            var reader = try workspace.events(run: lastRun)
            var keys = SourceKeyMap()
            try reader.forEachPage(before: .max) { page, names in
                for k in 0..<page.count { fromLog.apply(logged: page, at: k, names: names, keys: &keys) }
                replayed += page.count
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

        func slowdown(_ variant: [Measurement], _ value: (Measurement) -> Double) -> Double {
            Measurement.slowdown(variant, against: bare, value)
        }
        func rate(_ variant: [Measurement]) -> Double { Double(total) / Measurement.median(variant.map(\.wall)) }
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
            eventPathSlowdownPercent: slowdown(eventPath, \.wall),
            eventPathThreadCPUSlowdownPercent: slowdown(eventPath, \.thread),
            ingestNanosecondsPerEvent: Measurement.median(bare.map(\.thread)) / Double(total) * 1e9,
            writerNanosecondsPerEvent: writerOnly.thread / Double(total) * 1e9,
            logBytesPerEvent: Double(fileBytes) / Double(total),
            engine: engine,
            resumeFromLogSeconds: logSeconds, resumeFromLogEventsPerSecond: Double(total) / logSeconds,
            rereadSourceSeconds: sourceSeconds, rereadSourceEventsPerSecond: Double(total) / sourceSeconds)
        if json {
            try Console.printJSON(result)
        } else {
            print(result.text)
        }
    }

    static func expectLogged(_ workspace: Workspace, run: Int64, total: Int) throws {
        let logged = try workspace.eventCount(run: run)
        guard logged == total else { throw ValidationError("the log holds \(logged) of \(total) events") }
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
    var eventPathSlowdownPercent: Double
    var eventPathThreadCPUSlowdownPercent: Double
    var ingestNanosecondsPerEvent: Double
    var writerNanosecondsPerEvent: Double
    var logBytesPerEvent: Double
    var engine: BenchWorkspaceEngineResult?
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
        case eventPathSlowdownPercent = "event_path_slowdown_percent"
        case eventPathThreadCPUSlowdownPercent = "event_path_ingest_thread_cpu_slowdown_percent"
        case ingestNanosecondsPerEvent = "ingest_cpu_ns_per_event"
        case writerNanosecondsPerEvent = "writer_cpu_ns_per_event"
        case logBytesPerEvent = "log_bytes_per_event"
        case engine
        case resumeFromLogSeconds = "resume_from_log_seconds"
        case resumeFromLogEventsPerSecond = "resume_from_log_events_per_second"
        case rereadSourceSeconds = "reread_source_seconds"
        case rereadSourceEventsPerSecond = "reread_source_events_per_second"
    }

    var text: String {
        func rate(_ x: Double) -> String { Format.count(Int(x.rounded())) + " events/s" }
        func pct(_ x: Double) -> String { String(format: "%+.1f%%", x) }
        var out = """
            bench workspace (\(build) build): \(dataset), \(Format.count(events)) events, slices of \(Format.count(slice)); median of \(rounds) paired rounds
            graph only (strict)
              ingest, no recorder        \(rate(eventsPerSecond))
              ingest + interned slices   \(rate(slicingEventsPerSecond))  (collecting the slices alone, nobody receiving)
              ingest + recorder          \(rate(recordedEventsPerSecond))  (\(pct(slowdownPercent)), background writer)
              ingest + inline recorder   \(rate(inlineEventsPerSecond))  (\(pct(inlineSlowdownPercent)))
              recorder fed Event values  \(pct(eventPathSlowdownPercent)) wall, \(pct(eventPathThreadCPUSlowdownPercent)) ingesting-thread CPU (the path before interned slices)
              CPU time, slices only      \(pct(slicingThreadCPUSlowdownPercent)) on the ingesting thread
              CPU time, background       \(pct(ingestThreadCPUSlowdownPercent)) on the ingesting thread, \(pct(processCPUSlowdownPercent)) for the process
              CPU time, inline           \(pct(inlineThreadCPUSlowdownPercent)) on the ingesting thread
              CPU per event              \(String(format: "%.0f", ingestNanosecondsPerEvent)) ns ingest, \(String(format: "%.0f", writerNanosecondsPerEvent)) ns log writer (names + encode + SQLite, alone)
              log size                   \(String(format: "%.1f", logBytesPerEvent)) bytes/event

            """
        if let engine {
            out += """
                engine replay at full speed (\(engine.dataset), \(Format.count(engine.events)) events, online updates + training; median of \(engine.rounds) paired rounds)
                  no workspace               \(rate(engine.eventsPerSecond))
                  recording                  \(rate(engine.recordedEventsPerSecond))  (\(pct(engine.slowdownPercent)) wall, \(pct(engine.processCPUSlowdownPercent)) process CPU)
                  whole session              \(pct(engine.sessionSlowdownPercent)) wall; stop() \(String(format: "%.3f", engine.stopSeconds)) s bare, \(String(format: "%.3f", engine.recordedStopSeconds)) s with the final checkpoint and commit

                """
        }
        out += """
            resume (graph rebuild)
              replay the workspace log   \(String(format: "%.3f", resumeFromLogSeconds)) s  (\(rate(resumeFromLogEventsPerSecond)))
              read the dataset again     \(String(format: "%.3f", rereadSourceSeconds)) s  (\(rate(rereadSourceEventsPerSecond)))
            """
        return out
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

    static func median(_ xs: [Double]) -> Double {
        let sorted = xs.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Median over rounds of the paired slowdown (percent) of `variant` against `baseline`.
    static func slowdown(_ variant: [Measurement], against baseline: [Measurement], _ value: (Measurement) -> Double) -> Double {
        median(zip(variant, baseline).map { (value($0) / value($1) - 1) * 100 })
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
