import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench simulate`: how fast the shop simulator generates events.
struct BenchSimulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Measure simulated events generated per second (release builds only mean anything).",
        discussion: """
        Times three stages on the same world: compact events (the simulator itself), Event \
        values with id strings (what the engine consumes), and CSV bytes (what `simulate` writes). \
        The best of --repeat runs is reported.

          swift build -c release && .build/release/driftscope bench simulate --json
        """
    )

    @Option(help: "Scenario file, or a name in sample-data/scenarios/.")
    var scenario: String = "default"

    @Option(help: "Users present at the start (overrides the scenario's).")
    var users: Int?

    @Option(help: "Days to simulate (overrides the scenario's).")
    var days: Double?

    @Option(help: "Runs per stage; the fastest counts.")
    var `repeat` = 3

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if let users, users < 1 { throw ValidationError("--users must be at least 1") }
        if let days, !(days > 0) { throw ValidationError("--days must be positive") }
    }

    func run() throws {
        var scenario = try ScenarioOptions.load(self.scenario)
        if let users { scenario.users.count = users }
        if let days { scenario.days = days; scenario.warmupDays = min(scenario.warmupDays, days / 2) }

        let clock = ContinuousClock()
        var world: ShopWorld?
        let build = clock.measure { world = ShopWorld(scenario: scenario) }
        guard let world else { return }

        var events = 0
        var checksum: UInt64 = 0
        let compact = best(clock) {
            var simulator = ShopSimulator(world: world)
            events = 0
            while let e = simulator.next() {
                events += 1
                checksum &+= UInt64(bitPattern: e.time) ^ UInt64(e.item)
            }
        }
        let structs = best(clock) {
            var source = SimulationSource(world: world)
            while let e = source.next() { checksum &+= UInt64(e.user.utf8.count) }
        }
        var bytes = 0
        let csv = best(clock) {
            bytes = 0
            world.writeEventsCSV { chunk in bytes += chunk.count }
        }
        let result = Result(
            scenario: scenario.name, users: world.userCount, items: world.itemCount, events: events,
            worldBuildSeconds: build.seconds, seconds: compact.seconds,
            eventsPerSecond: Double(events) / compact.seconds,
            eventStructsPerSecond: Double(events) / structs.seconds,
            csvMegabytesPerSecond: Double(bytes) / 1_048_576 / csv.seconds,
            csvEventsPerSecond: Double(events) / csv.seconds, checksum: checksum)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("""
            simulate bench: scenario \(result.scenario), \(result.users) users, \(result.items) items, \(result.events) events
              world build        \(Format.fixed(result.worldBuildSeconds, 3)) s
              compact events     \(Format.fixed(result.eventsPerSecond / 1e6, 2)) M events/s (\(Format.fixed(result.seconds, 3)) s)
              Event values       \(Format.fixed(result.eventStructsPerSecond / 1e6, 2)) M events/s
              CSV rendering      \(Format.fixed(result.csvEventsPerSecond / 1e6, 2)) M events/s, \(Format.fixed(result.csvMegabytesPerSecond, 0)) MB/s
            """)
        }
    }

    private func best(_ clock: ContinuousClock, _ body: () -> Void) -> Duration {
        var fastest = Duration.seconds(1_000_000)
        for _ in 0..<`repeat` { fastest = min(fastest, clock.measure(body)) }
        return max(fastest, .nanoseconds(1))
    }

    struct Result: Encodable {
        var scenario: String
        var users: Int
        var items: Int
        var events: Int
        var worldBuildSeconds: Double
        var seconds: Double
        var eventsPerSecond: Double
        var eventStructsPerSecond: Double
        var csvMegabytesPerSecond: Double
        var csvEventsPerSecond: Double
        /// Keeps the optimiser from dropping the loops.
        var checksum: UInt64

        enum CodingKeys: String, CodingKey {
            case scenario, users, items, events, seconds, checksum
            case worldBuildSeconds = "world_build_seconds"
            case eventsPerSecond = "events_per_second"
            case eventStructsPerSecond = "event_structs_per_second"
            case csvMegabytesPerSecond = "csv_megabytes_per_second"
            case csvEventsPerSecond = "csv_events_per_second"
        }
    }
}

private extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
