import ArgumentParser
import Foundation
import InterestGraph
import RedisStream

/// `driftscope publish`: writes a file's or a simulation's events into a user-partitioned
/// Redis stream, for demos, tests and load.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write a dataset's or a scenario's events into a Redis stream, partitioned by user.",
        discussion: """
            Each event becomes one entry (XADD) of NAME:k, k = FNV-1a 64 of the user id's UTF-8 \
            bytes mod N, with the fields user, item, timestamp (epoch seconds), action, and when \
            known value, category (|-separated), brand, price. Events go out in time order; \
            --speed paces them to a multiple of real time (0, the default: as fast as Redis \
            takes them).

            Examples:
              driftscope publish sample-data/shop-small.csv --to redis://127.0.0.1:6379/shop --partitions 4
              driftscope publish small --to redis://127.0.0.1:6379/shop --partitions 4 --speed 3600
              driftscope publish ml-100k --to redis://10.0.0.5/ratings --partitions 8 --limit 10000
            """)

    @Argument(help: ArgumentHelp("A dataset file, directory or name, or a scenario (a .toml file or a bundled name: default, small, seasonal, large).", valueName: "file-or-scenario"))
    var input: String

    @Option(help: ArgumentHelp("The stream: redis://HOST:PORT/NAME.", valueName: "url"))
    var to: String

    @Option(help: "Partitions (NAME:0 ... NAME:N-1). Default: the URL's partitions=, else 1.")
    var partitions: Int?

    @Option(help: "Replay speed as a multiple of event time (0: as fast as possible).")
    var speed: Double = 0

    @Option(help: "Publish at most this many events.")
    var limit: Int?

    @Option(help: "Seed for a scenario (overrides the scenario's).")
    var seed: UInt64?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if let partitions, !(1...StreamURL.maxPartitions).contains(partitions) {
            throw ValidationError("--partitions must be between 1 and \(StreamURL.maxPartitions), got \(partitions)")
        }
        if !(speed.isFinite && speed >= 0) { throw ValidationError("--speed must be 0 or more, got \(speed)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
    }

    /// A scenario when the input is a .toml file or a bundled scenario name that is not a file.
    static func isScenario(_ input: String) -> Bool {
        if input.lowercased().hasSuffix(".toml") { return true }
        return !FileManager.default.fileExists(atPath: input) && (try? Scenario.load(input)) != nil
    }

    func run() throws {
        let url = try StreamSources.url(to)
        if let a = url.partitions, let b = partitions, a != b {
            throw CommandError("--partitions \(b) contradicts the URL's partitions=\(a)")
        }
        let count = partitions ?? url.partitions ?? 1
        var source: AnyEventSource
        if Self.isScenario(input) {
            var scenario: Scenario
            do { scenario = try Scenario.load(input) } catch { throw CommandError("\(error)") }
            if let seed { scenario.seed = seed }
            source = AnyEventSource(SimulationSource(scenario: scenario))
        } else {
            DatasetOptions.announceFetch(input)
            let data: LoadedDataset
            do { data = try DatasetLoader.load(input) } catch { throw CommandError("\(error)") }
            source = AnyEventSource(ArrayEventSource(name: data.name, events: data.events, catalogue: data.catalogue))
        }
        let publisher: StreamPublisher
        let report: StreamPublisher.Report
        do {
            publisher = try StreamPublisher(url: url, partitions: count)
            report = try publisher.publish(&source, speed: speed, limit: limit)
        } catch {
            throw CommandError("cannot publish to \(url.streamAddress): \(error)")
        }
        if json {
            struct Output: Encodable {
                var stream: String
                var partitions: [String: Int]
                var events: Int
                var seconds: Double
            }
            let perKey = Dictionary(uniqueKeysWithValues: report.perPartition.enumerated().map { (url.key(partition: $0.offset), $0.element) })
            try Console.printJSON(Output(stream: url.streamAddress, partitions: perKey, events: report.events, seconds: report.seconds))
        } else {
            let parts = report.perPartition.enumerated().map { "\(url.key(partition: $0.offset)) \(Format.count($0.element))" }.joined(separator: ", ")
            print("published \(Format.count(report.events)) events to \(url.streamAddress) in \(Format.fixed(report.seconds, 1)) s: \(parts)")
        }
    }
}
