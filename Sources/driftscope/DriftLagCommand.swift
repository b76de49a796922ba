import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope drift-lag`: how fast and how faithfully the graph's profiles follow the
/// simulator's ground truth, for one or more decay half-lives.
struct DriftLagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift-lag",
        abstract: "Measure drift tracking lag against a scenario's ground truth.",
        discussion: """
        Replays the scenario through the interest graph and reports, for each scheduled per-user \
        drift, how long (hours and the user's events) until the profile ranks the new interest \
        first; plus the mean Jensen-Shannon divergence between estimated and true shares, and \
        profile noise (day-to-day divergence of users with no scheduled change). A shorter \
        half-life reacts faster and is noisier.

          driftscope drift-lag --half-life 3 --half-life 14 --half-life 30
        """
    )

    @Option(help: "Scenario file, or a name in sample-data/scenarios/.")
    var scenario: String = "default"

    @Option(name: .customLong("half-life"), help: "Decay half-life in days (repeat to compare; default 30).")
    var halfLives: [Double] = []

    @Option(help: "Random seed (overrides the scenario's).")
    var seed: UInt64?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        for h in halfLives where !(h > 0) { throw ValidationError("--half-life must be a positive number of days") }
    }

    func run() throws {
        var scenario = try ScenarioOptions.load(self.scenario)
        if let seed { scenario.seed = seed }
        let world = ShopWorld(scenario: scenario)
        let days = halfLives.isEmpty ? [DecayPolicy.default.halfLife / 86_400] : halfLives
        let reports = days.map { DriftLag.measure(world: world, halfLife: $0 * 86_400) }
        if json {
            struct Output: Encodable { var scenario: String; var seed: UInt64; var reports: [DriftLagReport] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(Output(scenario: scenario.name, seed: scenario.seed, reports: reports))
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(Self.render(reports))
    }

    static func render(_ reports: [DriftLagReport]) -> String {
        guard let first = reports.first else { return "" }
        var out = "drift tracking lag: scenario \(first.scenario) (seed \(first.seed)), \(first.events) events, \(first.usersMeasured) drifting users\n\n"
        let header = ["half-life", "detected", "median lag", "p90 lag", "median events", "p90 events", "divergence", "noise"]
        var rows = [header]
        for r in reports {
            rows.append([
                Format.number(r.halfLifeDays) + " d", "\(r.detected)/\(r.usersMeasured)",
                r.medianLagHours.map { Format.number($0) + " h" } ?? "not reached",
                r.p90LagHours.map { Format.number($0) + " h" } ?? "not reached",
                r.medianLagEvents.map { Format.number($0) } ?? "-",
                r.p90LagEvents.map { Format.number($0) } ?? "-",
                Format.fixed(r.meanDivergence, 3), Format.fixed(r.noise, 4),
            ])
        }
        out += Format.table(rows)
        out += "\nlag: time from the true crossover until the profile ranks the new interest first;\n"
        out += "divergence: mean Jensen-Shannon (bits) between estimated and true shares; noise: day-to-day JS of stable users."
        return out
    }
}

