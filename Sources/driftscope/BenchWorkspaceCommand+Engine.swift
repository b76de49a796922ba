import ArgumentParser
import InterestGraph
import Workspace

/// The end-to-end figure of `bench workspace`: the engine replaying a dataset at full speed,
/// with and without a workspace.
extension BenchWorkspace {
    /// Median over `--engine-rounds` paired rounds of the engine replaying `loaded`
    /// `--engine-replays` times, bare and recording into a fresh run.
    func measureEngine(_ loaded: LoadedDataset, span: Double, newRun: (String) throws -> (Workspace, Int64)) throws -> BenchWorkspaceEngineResult {
        var events: [Event] = []
        events.reserveCapacity(loaded.events.count * engineReplays)
        for replay in 0..<engineReplays {
            let shift = Double(replay) * span
            events += loaded.events.map { e in var e = e; e.timestamp += shift; return e }
        }
        var stream = loaded
        stream.events = events
        var plain: [EngineTiming] = [], recorded: [EngineTiming] = []
        for round in 0..<engineRounds {
            plain.append(try Self.runEngine(stream, recorder: nil))
            let (workspace, run) = try newRun("engine\(round)")
            let path = workspace.path
            let policy = RecorderPolicy(flushEvents: flushEvents)
            recorded.append(try Self.runEngine(stream) {
                // Opened on the engine thread, as `dashboard --workspace` does.
                try WorkspaceRecorder(workspace: Workspace(path: path, create: false), run: run, policy: policy)
            })
            try Self.expectLogged(workspace, run: run, total: events.count)
        }
        let ingest = (plain: plain.map(\.ingest), recorded: recorded.map(\.ingest))
        let total = (plain: plain.map(\.total), recorded: recorded.map(\.total))
        return BenchWorkspaceEngineResult(
            dataset: "\(loaded.name) x\(engineReplays)", events: events.count, rounds: engineRounds,
            eventsPerSecond: Double(events.count) / Measurement.median(ingest.plain.map(\.wall)),
            recordedEventsPerSecond: Double(events.count) / Measurement.median(ingest.recorded.map(\.wall)),
            slowdownPercent: Measurement.slowdown(ingest.recorded, against: ingest.plain, \.wall),
            processCPUSlowdownPercent: Measurement.slowdown(ingest.recorded, against: ingest.plain, \.process),
            sessionSlowdownPercent: Measurement.slowdown(total.recorded, against: total.plain, \.wall),
            stopSeconds: Measurement.median(plain.map { $0.total.wall - $0.ingest.wall }),
            recordedStopSeconds: Measurement.median(recorded.map { $0.total.wall - $0.ingest.wall }))
    }

    /// One engine session: until every event is ingested, and until `stop()` has returned
    /// (for a recorder: the final checkpoint written and everything committed).
    struct EngineTiming {
        var ingest: Measurement
        var total: Measurement
    }

    /// One replay at speed 0 (`dashboard --speed 0`) with the engine's default model.
    static func runEngine(_ stream: LoadedDataset, recorder: (@Sendable () throws -> any RunRecorder)?) throws -> EngineTiming {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        configuration.makeRecorder = recorder
        let engine = try Engine(configuration: configuration, source: .events(name: stream.name, events: stream.events, catalogue: stream.catalogue))
        let total = stream.events.count
        var finished = false
        var ingest = Measurement.worst
        let session = Measurement.of {
            ingest = Measurement.of {
                engine.start()
                finished = engine.waitForSnapshot(timeout: 900) { $0.source.isFinished && $0.source.position >= total } != nil
            }
            engine.stop()
        }
        guard finished else { throw ValidationError("the engine did not finish replaying \(stream.name) within 15 minutes") }
        if let message = engine.snapshot().message, message.hasPrefix("recording") {
            throw ValidationError("engine: \(message)")
        }
        return EngineTiming(ingest: ingest, total: session)
    }
}

/// The engine figures of `bench workspace`.
struct BenchWorkspaceEngineResult: Encodable {
    var dataset: String
    var events: Int
    var rounds: Int
    /// Until every event is ingested (the recorder writing meanwhile).
    var eventsPerSecond: Double
    var recordedEventsPerSecond: Double
    var slowdownPercent: Double
    var processCPUSlowdownPercent: Double
    /// Start to stopped: includes the end of the session (final checkpoint, last commit).
    var sessionSlowdownPercent: Double
    var stopSeconds: Double
    var recordedStopSeconds: Double

    enum CodingKeys: String, CodingKey {
        case dataset, events, rounds
        case eventsPerSecond = "events_per_second"
        case recordedEventsPerSecond = "recorded_events_per_second"
        case slowdownPercent = "slowdown_percent"
        case processCPUSlowdownPercent = "process_cpu_slowdown_percent"
        case sessionSlowdownPercent = "session_slowdown_percent"
        case stopSeconds = "stop_seconds"
        case recordedStopSeconds = "recorded_stop_seconds"
    }
}
