import Foundation
import InterestGraph
import Remote

/// The engines `dashboard --source FILE --speed 0` runs on a file, replaying it at full
/// speed without a screen, polled the way the dashboard polls them (one merged snapshot,
/// every 0.1 s from another thread). `bench replay` prints its trajectory; `bench scale`
/// takes its rate on the scenario's own file.
struct FileReplayRun {
    /// One progress line: the state at a moment of the replay.
    struct Row {
        var seconds: Double
        var events: Int
        var windowRate: Double
        var loss: Double?
        var learningRate: Double?
        var hitRate10: Double
        var batches: Int
        var residentBytes: Int
    }

    /// Seconds to open the file (its catalogue and first chunk) and build the engines.
    var loadSeconds: Double
    /// Resident bytes once the engines were built, before the first event.
    var loadedResidentBytes: Int
    /// How many engines split the file's users.
    var engines: Int
    /// The last snapshot polled.
    var last: EngineSnapshot
    /// Events read by the first poll that saw any (the rate is measured from there).
    var firstPosition: Int
    /// Seconds from the first poll that saw events to the last poll.
    var seconds: Double
    /// The longest the published event count stood still mid-replay: what a dashboard
    /// would show as a frozen screen.
    var longestPause: Double
    var rows: [Row]

    /// Events per second from the first poll that saw events to the last.
    var eventsPerSecond: Double { seconds > 0 ? Double(last.source.position - firstPosition) / seconds : 0 }

    /// Builds the engines for `source` (`engines` resolved as `dashboard --engines` does),
    /// replays until the file ends or `limit` seconds have passed since the first event, and
    /// hands `onRow` a progress row every `every` seconds and at the end.
    static func run(
        source: String, configuration: EngineConfiguration, engines: EngineCount, syncEvery: Double,
        limit: Double?, every: Double, onRow: (Row) -> Void = { _ in }
    ) throws -> FileReplayRun {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let split: [Engine]
        do {
            let count = try engines.resolve(for: .dataset(source), recording: false)
            split = try Engine.splitting(dataset: source, engines: count, configuration: configuration, syncInterval: syncEvery)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let loadSeconds = Stopwatch.seconds(of: clock.now - loadStart)
        let loadedRSS = ProcessMemory.currentResidentBytes()
        for engine in split { engine.start() }
        defer { for engine in split { engine.stop() } }
        // Several engines through one merged snapshot, as the dashboard sees them.
        let engine: any EngineConnection = split.count == 1 ? split[0] : FederatedEngine(splitting: split)

        var rows: [Row] = []
        var first: (time: ContinuousClock.Instant, position: Int)?
        var nextLine = every
        var last = engine.snapshot()
        var lastTime = clock.now
        var previous: (time: Double, position: Int) = (0, 0)
        var longestPause = 0.0
        var movedAt = clock.now
        var movedPosition = 0
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            last = engine.snapshot()
            lastTime = clock.now
            if first == nil, last.source.position > 0 { first = (lastTime, last.source.position) }
            guard let f = first else {
                if last.source.isFinished { break }
                continue
            }
            let t = Stopwatch.seconds(of: lastTime - f.time)
            let done = last.source.isFinished || (limit.map { t >= $0 } ?? false)
            if last.source.position != movedPosition {
                movedPosition = last.source.position
                movedAt = lastTime
            } else if !last.source.isFinished {
                longestPause = max(longestPause, Stopwatch.seconds(of: lastTime - movedAt))
            }
            if t >= nextLine || done {
                let rate = t > previous.time ? Double(last.source.position - previous.position) / (t - previous.time) : 0
                let row = Row(
                    seconds: t, events: last.source.position, windowRate: rate, loss: last.loss.last.map { Double($0.value) },
                    learningRate: last.tunables.first { $0.key == "learning_rate" }?.value,
                    hitRate10: last.prequential.hitRate10, batches: last.trainingStep, residentBytes: ProcessMemory.currentResidentBytes())
                rows.append(row)
                previous = (t, last.source.position)
                nextLine += every
                onRow(row)
            }
            if done { break }
        }
        guard let f = first else { throw CommandFailure(message: "the engine read no event") }
        return FileReplayRun(
            loadSeconds: loadSeconds, loadedResidentBytes: loadedRSS, engines: split.count, last: last,
            firstPosition: f.position, seconds: Stopwatch.seconds(of: lastTime - f.time), longestPause: longestPause, rows: rows)
    }
}
