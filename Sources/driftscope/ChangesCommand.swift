import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope changes`: who changed their interests recently, headless (the dashboard's
/// who-changed view).
struct ChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List users whose interests changed recently (who moved from what to what).",
        discussion: """
            Replays PATH (a scenario, simulated, or a dataset any reader takes) through the \
            per-user change detector (see docs/EVALUATION.md) and lists the changes detected in \
            the last --since of the data's own time, newest first: user, time, the category \
            that lost most, the one that gained most, and the confidence (the posterior \
            probability of a change: the test statistic weighed by the population's own change \
            rate; see docs/EVALUATION.md). --to keeps changes into a category, a department ("Baby" matches \
            "Baby/Nursery") or any name containing the text, so the list is an audience: \
            users who just moved into Baby.

            Examples:
              driftscope changes small --since 7d
              driftscope changes shop.csv --since 36h --to Baby --json
              driftscope changes default --since all --threshold 8
              driftscope changes shop.csv --since all --reference-half-life 28

            --json prints one object:
              {"source", "since", "until", "threshold", "changes":
                [{"user", "time", "date", "from", "to", "confidence"}]}
            """
    )

    @Argument(help: "A scenario (.toml or name) or a dataset path or name.")
    var source: String

    @Option(help: ArgumentHelp("How far back from the last event: 7d, 36h, 90m, 2w, or all.", valueName: "duration"))
    var since: String = "7d"

    @Option(help: ArgumentHelp("Only changes into this category or department.", valueName: "category"))
    var to: String?

    @Option(help: "Alarm threshold in nats (higher: fewer, surer changes).")
    var threshold: Double = ChangeDetectorSettings.default.threshold

    @Option(name: .customLong("reference-half-life"), help: "Half-life of each user's reference profile, in days.")
    var referenceHalfLife: Double = ChangeDetectorSettings.default.referenceHalfLife / 86_400

    @Option(name: .customLong("minimum-reference"), help: "Draws a user's reference needs before the test runs.")
    var minimumReference: Double = ChangeDetectorSettings.default.minimumReference

    @Option(help: "Print at most this many changes.")
    var limit: Int = 1_000

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        _ = try Self.duration(since)
        if !(threshold > 0) { throw ValidationError("--threshold must be a positive number of nats") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if !(referenceHalfLife > 0) || !referenceHalfLife.isFinite { throw ValidationError("--reference-half-life must be a positive number of days") }
        if !(minimumReference >= 1) || !minimumReference.isFinite { throw ValidationError("--minimum-reference must be at least 1 draw") }
    }

    /// Seconds in "7d", "36h", "90m", "2w", "45s" (`infinity` for "all").
    static func duration(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "all" { return .infinity }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = t.last.flatMap({ units[$0] }), let n = Double(t.dropLast()), n >= 0, n.isFinite else {
            throw ValidationError("--since expects a number with a unit (7d, 36h, 90m, 2w) or all, got \"\(text)\"")
        }
        return n * unit
    }

    func run() throws {
        let settings = ChangeDetectorSettings(threshold: threshold, referenceHalfLife: referenceHalfLife * 86_400, minimumReference: minimumReference)
        let replay = try ChangeReplay(source: source, settings: settings)
        let until = replay.graph.now
        let window = try Self.duration(since)
        let from = window.isFinite ? until - window : -.infinity
        var changes = replay.tracker.recent(since: from).map { replay.graph.named($0) }
        if let to { changes = changes.filter { InterestChangeFilter.matches($0.to, to) } }
        let total = changes.count
        changes = Array(changes.prefix(limit))
        if json {
            struct Line: Encodable { var user: String; var time: Double; var date: String; var from: String; var to: String; var confidence: Double }
            struct Output: Encodable { var source: String; var since: Double?; var until: Double; var threshold: Double; var total: Int; var changes: [Line] }
            let output = Output(source: replay.name, since: from.isFinite ? from : nil, until: until, threshold: threshold, total: total,
                                changes: changes.map { Line(user: $0.user, time: $0.time, date: Format.date($0.time), from: $0.from, to: $0.to, confidence: $0.confidence) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        var head = "\(total) change\(total == 1 ? "" : "s") in \(replay.name)"
        if let to { head += " into \"\(to)\"" }
        head += from.isFinite ? " since \(Format.date(from))" : ""
        head += " (threshold \(Format.number(threshold)) nats; \(replay.tracker.detected) in the whole replay)"
        print(head)
        guard !changes.isEmpty else { return }
        var rows = [["time", "user", "from", "to", "confidence"]]
        for c in changes { rows.append([Format.date(c.time), c.user, c.from.isEmpty ? "-" : c.from, c.to.isEmpty ? "-" : c.to, Format.fixed(c.confidence, 3)]) }
        print(ProfileReport.leftTable(rows), terminator: "")
        if total > changes.count { print("(\(total - changes.count) more; raise --limit)") }
    }
}

/// A source replayed through a graph and the change tracker (for `changes` and `dormant`).
struct ChangeReplay {
    var name: String
    var graph: HeteroGraph
    var tracker: ChangeTracker

    init(source: String, settings: ChangeDetectorSettings = .default) throws {
        let input = try ProfileInput.open(source)
        guard !input.events.isEmpty else { throw CommandError("\(source): no events") }
        name = input.name
        graph = HeteroGraph()
        graph.load(input.catalogue)
        tracker = ChangeTracker(settings: settings, categoryCount: graph.categoryCount)
        for event in input.events {
            let application = graph.apply(event)
            if let c = graph.categories(ofItem: application.item).first {
                if graph.categoryCount > tracker.registeredCategories {
                    let names = graph
                    tracker.registerCategories(upTo: names.categoryCount) { names.name(of: NodeRef(.category, Int32($0))) }
                }
                tracker.observe(user: application.user, category: c, at: event.timestamp, categoryCount: graph.categoryCount)
            }
        }
    }
}
