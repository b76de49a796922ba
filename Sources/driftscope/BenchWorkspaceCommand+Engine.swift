import ArgumentParser
import InterestGraph
import Workspace

/// The end-to-end figure of `bench workspace`: the engine replaying a dataset at full speed,
/// with and without a workspace.
extension BenchWorkspace {
    /// Median over `--engine-rounds` paired rounds of the engine replaying `loaded` bare and
    /// recording into a fresh run.
    func measureEngine(_ loaded: LoadedDataset, newRun: (String) throws -> (Workspace, Int64)) throws -> BenchWorkspaceEngineResult {
        var plain: [Measurement] = [], recorded: [Measurement] = []
        for round in 0..<engineRounds {
            plain.append(try Self.runEngine(loaded, recorder: nil))
            let (workspace, run) = try newRun("engine\(round)")
            let path = workspace.path
            let policy = RecorderPolicy(flushEvents: flushEvents)
            recorded.append(try Self.runEngine(loaded) {
                // Opened on the engine thread, as `dashboard --workspace` does.
                try WorkspaceRecorder(workspace: Workspace(path: path, create: false), run: run, policy: policy)
            })
            try Self.expectLogged(workspace, run: run, total: loaded.events.count)
        }
        let events = loaded.events.count
        return BenchWorkspaceEngineResult(
            dataset: loaded.name, events: events, rounds: engineRounds,
            eventsPerSecond: Double(events) / Measurement.median(plain.map(\.wall)),
            recordedEventsPerSecond: Double(events) / Measurement.median(recorded.map(\.wall)),
            slowdownPercent: Measurement.slowdown(recorded, against: plain, \.wall),
            processCPUSlowdownPercent: Measurement.slowdown(recorded, against: plain, \.process))
    }

    /// One replay at speed 0 (`dashboard --speed 0`) with the engine's default model, timed
    /// from `start()` until `stop()` has returned (recording finished and committed).
    static func runEngine(_ loaded: LoadedDataset, recorder: (@Sendable () throws -> any RunRecorder)?) throws -> Measurement {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        configuration.makeRecorder = recorder
        let engine = try Engine(configuration: configuration, source: .events(name: loaded.name, events: loaded.events, catalogue: loaded.catalogue))
        let total = loaded.events.count
        var finished = false
        let measurement = Measurement.of {
            engine.start()
            finished = engine.waitForSnapshot(timeout: 900) { $0.source.isFinished && $0.source.position >= total } != nil
            engine.stop()
        }
        guard finished else { throw ValidationError("the engine did not finish replaying \(loaded.name) within 15 minutes") }
        if let message = engine.snapshot().message, message.hasPrefix("recording") {
            throw ValidationError("engine: \(message)")
        }
        return measurement
    }
}

/// The engine figures of `bench workspace`.
struct BenchWorkspaceEngineResult: Encodable {
    var dataset: String
    var events: Int
    var rounds: Int
    var eventsPerSecond: Double
    var recordedEventsPerSecond: Double
    var slowdownPercent: Double
    var processCPUSlowdownPercent: Double

    enum CodingKeys: String, CodingKey {
        case dataset, events, rounds
        case eventsPerSecond = "events_per_second"
        case recordedEventsPerSecond = "recorded_events_per_second"
        case slowdownPercent = "slowdown_percent"
        case processCPUSlowdownPercent = "process_cpu_slowdown_percent"
    }
}
