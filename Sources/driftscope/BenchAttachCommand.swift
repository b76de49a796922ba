import ArgumentParser
import Foundation
import InterestGraph
import Remote

/// `driftscope bench attach`: what attached dashboards cost and how fast a key comes back.
///
/// Serves the default scenario, ingesting as fast as possible, on a Unix socket in a temporary
/// directory, and attaches 0, 1 and 5 in-process clients (what `driftscope attach` runs, minus
/// the screen). Reports per setting the engine's ingest rate, the bytes per second each
/// dashboard receives, and the server's encoding time; then, with one dashboard, the round
/// trip of a command (sent until the dashboard's snapshot shows its effect), p50/p99.
struct BenchAttach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Bytes/s per attached dashboard, ingest cost of 1 and 5 dashboards, key round trip p50/p99.")

    @Option(help: "Seconds measured per setting (after a 2 s warm-up).")
    var seconds: Double = 10

    @Option(help: "Dashboard counts to measure, comma-separated.")
    var dashboards: String = "0,1,5"

    @Option(help: "Key round trips timed (pause and resume in turn).")
    var roundTrips: Int = 200

    @Option(help: "Scenario (bundled name or TOML file).")
    var scenario: String = "default"

    @Option(help: "Replay speed for the measurement (0: as fast as possible, the engine's heaviest load).")
    var speed: Double = 0

    struct Row {
        var dashboards: Int
        var eventsPerSecond: Double
        /// Events per CPU-second of the engine's threads: steady when serving adds no work to the
        /// engine itself, whatever else the machine runs.
        var eventsPerEngineCPUSecond: Double
        var bytesPerSecondPerDashboard: Double
        var snapshotsPerSecondPerDashboard: Double
        var snapshotBytes: Int
        var encodeMillisecondsPerSnapshot: Double
        /// CPU of the server's event loop (encoding, writing), in cores: what serving costs the engine's machine.
        var serverCores: Double
        /// CPU of the bench's own clients (reading, decoding), in cores: on a laptop in real use.
        var clientCores: Double
    }

    /// CPU seconds per thread name of this process, from /proc (NIO names its threads NIO-ELT-GROUP-#N).
    static func threadCPU() -> [String: Double] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            out[comm.trimmingCharacters(in: .whitespacesAndNewlines) + "/\(task)"] = (user + system) / ticks
        }
        return out
    }

    /// CPU seconds of every thread but the network's: the engine's (ingest and training; the
    /// bench's own main thread only sleeps meanwhile).
    static func engineCPU() -> Double {
        threadCPU().filter { !$0.key.hasPrefix("NIO-ELT-") }.values.reduce(0, +)
    }

    /// (server, clients) CPU seconds: the live NIO group created first is the server's.
    static func serverAndClientCPU() -> (Double, Double) {
        var groups: [Int: Double] = [:]
        for (name, seconds) in threadCPU() {
            guard let match = name.firstMatch(of: /^NIO-ELT-(\d+)-/), let group = Int(match.1) else { continue }
            groups[group, default: 0] += seconds
        }
        guard let server = groups.keys.min() else { return (0, 0) }
        return (groups[server] ?? 0, groups.filter { $0.key != server }.values.reduce(0, +))
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let counts = dashboards.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        print("bench attach: scenario \(scenario), speed \(speed == 0 ? "as fast as possible" : "x\(speed)"), \(seconds) s per setting, \(Stopwatch.buildConfiguration) build")
        print("dashboards  events/s  events/engine-CPU-s  KB/s per dashboard  snapshots/s    frame KB  encode ms  server cores  client cores")
        var baseline: Double?
        for count in counts {
            let row = try measure(dashboards: count)
            // Per engine CPU-second: wall-clock rates on a shared 2-core machine swing by tens of percent.
            let cost = baseline.map { String(format: "  (%+.1f%% per engine CPU-s)", 100 * (row.eventsPerEngineCPUSecond / $0 - 1)) } ?? ""
            if count == 0 { baseline = row.eventsPerEngineCPUSecond }
            print(String(format: "%10d  %8.0f  %19.0f  %18.1f  %11.1f  %11.1f  %9.2f  %12.3f  %12.3f", count, row.eventsPerSecond, row.eventsPerEngineCPUSecond, row.bytesPerSecondPerDashboard / 1000,
                         row.snapshotsPerSecondPerDashboard, Double(row.snapshotBytes) / 1000, row.encodeMillisecondsPerSnapshot,
                         row.serverCores, row.clientCores) + cost)
        }
        // A key's round trip at the scenario's own pace (a live shop) and under full ingest load,
        // in process and through the socket: the difference is what attaching costs.
        print("key round trip (pause or resume until the snapshot shows it), \(roundTrips) trips:")
        for (pace, local) in [(nil, true), (nil, false), (speed, true), (speed, false)] as [(Double?, Bool)] {
            let trips = try roundTrip(speed: pace, local: local)
            let label = (pace.map { $0 == 0 ? "ingesting as fast as possible" : "at x\($0)" } ?? "at the scenario's pace") + (local ? ", in-process engine" : ", attached over the socket")
            print(String(format: "  %@: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                         label, percentile(trips, 0.5) * 1000, percentile(trips, 0.99) * 1000, (trips.max() ?? 0) * 1000))
        }
        var load = [Double](repeating: 0, count: 3)
        if getloadavg(&load, 3) == 3 { print(String(format: "load average during the run: %.2f (%d cores)", load[0], ProcessInfo.processInfo.activeProcessorCount)) }
    }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    /// An engine and a server on a fresh socket; `body` gets the engine, the server, the endpoint.
    private func withServer<T>(speed: Double?, _ body: (Engine, EngineServer, Endpoint) throws -> T) throws -> T {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("driftscope-bench-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = EngineConfiguration()
        if let speed { configuration.speed = speed }
        let engine = try Engine(configuration: configuration, source: .scenario(path: scenario, seed: 7))
        let server = EngineServer(engine: engine, options: ServerOptions(), log: { _ in })
        let endpoint = try server.start(.unix(path: directory.appendingPathComponent("bench.sock").path))
        engine.start()
        defer {
            server.stop()
            engine.stop()
        }
        return try body(engine, server, endpoint)
    }

    private func measure(dashboards count: Int) throws -> Row {
        try withServer(speed: speed) { engine, server, endpoint in
            let clients = try (0..<count).map { _ in try RemoteEngine.connect(to: endpoint, token: nil, client: "bench") }
            defer { clients.forEach { $0.close() } }
            Thread.sleep(forTimeInterval: 2)
            let events0 = engine.snapshot().statistics.events
            let received0 = clients.map { $0.statistics() }
            let server0 = server.statistics()
            let cpu0 = Self.serverAndClientCPU()
            let engineCPU0 = Self.engineCPU()
            let elapsed = Stopwatch.seconds { Thread.sleep(forTimeInterval: seconds) }
            let events1 = engine.snapshot().statistics.events
            let received1 = clients.map { $0.statistics() }
            let server1 = server.statistics()
            let cpu1 = Self.serverAndClientCPU()
            let engineCPU1 = Self.engineCPU()
            let bytes = zip(received0, received1).map { Double($1.bytesReceived - $0.bytesReceived) }
            let frames = zip(received0, received1).map { Double($1.snapshotsReceived - $0.snapshotsReceived) }
            let encoded = max(1, server1.snapshotsEncoded - server0.snapshotsEncoded)
            return Row(
                dashboards: count,
                eventsPerSecond: Double(events1 - events0) / elapsed,
                eventsPerEngineCPUSecond: Double(events1 - events0) / max(1e-9, engineCPU1 - engineCPU0),
                bytesPerSecondPerDashboard: bytes.isEmpty ? 0 : bytes.reduce(0, +) / Double(bytes.count) / elapsed,
                snapshotsPerSecondPerDashboard: frames.isEmpty ? 0 : frames.reduce(0, +) / Double(frames.count) / elapsed,
                snapshotBytes: frames.reduce(0, +) > 0 ? Int(bytes.reduce(0, +) / frames.reduce(0, +)) : 0,
                encodeMillisecondsPerSnapshot: (server1.encodeSeconds - server0.encodeSeconds) / Double(encoded) * 1000,
                serverCores: (cpu1.0 - cpu0.0) / elapsed,
                clientCores: (cpu1.1 - cpu0.1) / elapsed)
        }
    }

    /// Seconds from sending pause (or resume) to the dashboard's snapshot showing it, through
    /// the socket, and (`local`) straight to the engine in this process, the floor the network adds to.
    private func roundTrip(speed: Double?, local: Bool = false) throws -> [Double] {
        try withServer(speed: speed) { engine, _, endpoint in
            let remote = local ? nil : try RemoteEngine.connect(to: endpoint, token: nil, client: "bench")
            defer { remote?.close() }
            let connection: any EngineConnection = remote ?? engine
            guard Self.poll(connection, timeout: 30, { $0.statistics.events > 0 }) else {
                throw CommandError("no events ingested within 30 s")
            }
            var trips: [Double] = []
            for i in 0..<max(1, roundTrips) {
                // Keys at a brisk typist's pace (20 a second), not back to back: the server
                // allows a dashboard 100 commands a second and drops the rest.
                if i > 0 { Thread.sleep(forTimeInterval: 0.05) }
                // Space, as a key would send it: pause, then resume.
                let pausing = i.isMultiple(of: 2)
                var seen = false
                let elapsed = Stopwatch.seconds {
                    connection.send(pausing ? .pause : .resume)
                    seen = Self.poll(connection, timeout: 5) { $0.isPaused == pausing }
                }
                guard seen else { throw CommandError("round trip \(i) not seen within 5 s") }
                trips.append(elapsed)
            }
            return trips
        }
    }

    /// Polls the connection's snapshot every half millisecond until `condition` holds.
    private static func poll(_ connection: any EngineConnection, timeout: Double, _ condition: (EngineSnapshot) -> Bool) -> Bool {
        let deadline = ProcessInfo.processInfo.systemUptime + timeout
        repeat {
            if condition(connection.snapshot()) { return true }
            Thread.sleep(forTimeInterval: 0.0005)
        } while ProcessInfo.processInfo.systemUptime < deadline
        return condition(connection.snapshot())
    }
}
