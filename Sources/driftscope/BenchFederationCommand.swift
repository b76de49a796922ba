import ArgumentParser
import Foundation
import InterestGraph
import Remote
import Synchronization

/// `driftscope bench federation`: what one dashboard over N engines (`attach A,B,...`) costs
/// the dashboard's own thread, per frame.
///
/// Runs the scenario's engine for a warm-up, selects a user and an item (so the snapshot holds
/// a profile, recommendations and an audience), then presents N copies of that snapshot, each
/// reading its own partitions, to a ``FederatedEngine`` and times ``FederatedEngine/snapshot()``,
/// with every engine publishing a new snapshot before every frame (the worst case: the merge
/// runs in full each time).
struct BenchFederation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation",
        abstract: "Microseconds per dashboard frame to merge the snapshots of 1, 2, 4, 8 engines (attach A,B,...).")

    @Option(help: "Engine counts to measure, comma-separated.")
    var engines: String = "1,2,4,8"

    @Option(help: "Seconds measured per engine count.")
    var seconds: Double = 3

    @Option(help: "Seconds the engine runs before its snapshot is taken.")
    var warmup: Double = 3

    @Option(help: "Scenario (bundled name or TOML file).")
    var scenario: String = "default"

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    /// An engine that publishes a new snapshot (same content, next sequence) whenever read.
    final class Publishing: EngineConnection {
        private let state: Mutex<EngineSnapshot>
        init(_ snapshot: EngineSnapshot) { state = Mutex(snapshot) }
        func snapshot() -> EngineSnapshot {
            state.withLock {
                $0.sequence += 1
                $0.rateSamples += 1
                return $0
            }
        }
        func send(_ command: EngineCommand) {}
    }

    func validate() throws {
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be positive and --warmup 0 or more") }
        let most = AttachCommand.maxEngines
        guard !counts.isEmpty, counts.allSatisfy({ (1...most).contains($0) }) else {
            throw ValidationError("--engines: counts from 1 to \(most), comma-separated, got '\(engines)'")
        }
    }

    /// The engine counts asked for (0 for an item that is not a number, which `validate` refuses).
    var counts: [Int] { engines.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 } }

    /// The engine's snapshot after the warm-up, with a user and an item selected.
    func warmSnapshot() throws -> EngineSnapshot {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        let engine = try Engine(configuration: configuration, source: .scenario(path: scenario, seed: 7))
        engine.start()
        defer { engine.stop() }
        Thread.sleep(forTimeInterval: warmup)
        let deadline = Date().addingTimeInterval(10)
        var s = engine.snapshot()
        while Date() < deadline, s.selectedUser?.recommendations.isEmpty != false || s.audience == nil {
            if s.selectedUser == nil, let user = s.demoCandidates.first ?? s.recentEvents.last?.user { engine.send(.selectUser(user)) }
            if s.audience == nil, let item = s.selectedUser?.recommendations.first?.item { engine.send(.selectItem(item)) }
            Thread.sleep(forTimeInterval: 0.05)
            s = engine.snapshot()
        }
        return s
    }

    /// `n` engines, engine k reading partition k of n.
    static func federation(of snapshot: EngineSnapshot, engines n: Int) -> FederatedEngine {
        FederatedEngine((0..<n).map { k in
            var s = snapshot
            var stream = StreamStatus()
            stream.connection = .connected
            stream.partitionCount = n
            stream.partitions = [StreamStatus.Partition(key: "shop:\(k)", index: k, lag: 0, read: 0)]
            s.source.stream = stream
            return (endpoint: "unix:/bench/\(k).sock", connection: Publishing(s) as any EngineConnection)
        })
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let snapshot = try warmSnapshot()
        var rows: [[String: Any]] = []
        if !json {
            print("bench federation: scenario \(scenario), \(seconds) s per setting, \(Stopwatch.buildConfiguration) build")
            print("engines  frames  p50 µs  p99 µs  mean µs  share of a 50 ms frame (p99)")
        }
        for n in counts {
            let federation = Self.federation(of: snapshot, engines: n)
            var times: [Double] = []
            let end = ProcessInfo.processInfo.systemUptime + seconds
            while ProcessInfo.processInfo.systemUptime < end {
                let t = Stopwatch.seconds { _ = federation.snapshot() }
                times.append(t)
            }
            times.sort()
            func at(_ p: Double) -> Double { times[min(times.count - 1, Int((Double(times.count - 1) * p).rounded()))] * 1e6 }
            let mean = times.reduce(0, +) / Double(times.count) * 1e6
            rows.append(["engines": n, "frames": times.count, "p50_microseconds": at(0.5), "p99_microseconds": at(0.99), "mean_microseconds": mean])
            if !json {
                print(String(format: "%7d  %6d  %6.0f  %6.0f  %7.0f  %.2f %%", n, times.count, at(0.5), at(0.99), mean, at(0.99) / 50_000 * 100))
            }
        }
        var load = [Double](repeating: 0, count: 3)
        if !json, getloadavg(&load, 3) == 3 {
            print(String(format: "load average during the run: %.2f (%d cores)", load[0], ProcessInfo.processInfo.activeProcessorCount))
        }
        if json {
            let object: [String: Any] = ["scenario": scenario, "build": Stopwatch.buildConfiguration, "events": snapshot.statistics.events,
                                         "audience_users": snapshot.audience?.users.count ?? 0, "rows": rows]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
