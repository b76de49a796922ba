import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope profile`: one user's interest timeline and drift scores, headless.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Print a user's interest profile over time and their drift scores.",
        discussion: """
        PATH_OR_NAME is a scenario (a .toml file or a name in sample-data/scenarios/), which is \
        simulated with its ground truth, or a dataset any reader takes. For a CSV written by \
        `simulate`, a sibling <stem>.truth.csv and <stem>.truth.drifts.csv are used as ground truth.

          driftscope profile sample-data/shop-small.csv --user u00042
          driftscope profile small --user u00042 --json
        """
    )

    @Argument(help: "A scenario (.toml or name) or a dataset path or name.")
    var source: String

    @Option(help: "The user id.")
    var user: String

    @Option(name: .customLong("half-life"), help: "Decay half-life in days.")
    var halfLife: Double = DecayPolicy.default.halfLife / 86_400

    @Option(help: "Hours between checkpoints (default: chosen from the data's time span).")
    var interval: Double?

    @Option(help: "Days between the older and the newest profile for the drift scores.")
    var window: Double = 7

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if !(halfLife > 0) { throw ValidationError("--half-life must be positive") }
        if let interval, !(interval > 0) { throw ValidationError("--interval must be positive") }
        if !(window > 0) { throw ValidationError("--window must be positive") }
    }

    func run() throws {
        let input = try ProfileInput.open(source)
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: halfLife * 86_400))
        graph.load(input.catalogue)
        guard let first = input.events.first?.timestamp, let last = input.events.last?.timestamp else {
            throw CommandError("\(source): no events")
        }
        let step = interval.map { $0 * 3_600 } ?? ProfileInput.interval(span: last - first)
        let capacity = min(255, Int(((last - first) / step).rounded(.up)) + 2)
        var history = ProfileHistory(configuration: .init(interval: step, capacity: capacity, topCategories: 8))
        var userEvents = 0
        for event in input.events {
            graph.apply(event)
            if event.user == user, let id = graph.userID(user) {
                userEvents += 1
                history.observe(user: id, graph: graph, at: event.timestamp)
            }
        }
        guard let id = graph.userID(user), userEvents > 0 else {
            throw CommandError("\(source): no events for user '\(user)'")
        }
        if let lastTime = history.lastCheckpointTime(ofUser: id), lastTime < graph.now {
            history.checkpoint(user: id, graph: graph, at: graph.now)
        }
        let settings = DriftSettings(window: window * 86_400)
        let truth = input.truth
        let view = history.driftView(ofUser: id, graph: graph, settings: settings, rows: 8, trueShares: truth.map { t in { time in t.shares(user, time) } })
        let timeline = history.timeline(ofUser: id)
        let report = ProfileReport(
            user: user, source: input.name, events: userEvents, halfLifeDays: halfLife, intervalHours: step / 3_600,
            timeline: timeline.map { c in c.shares.map { (graph.name(of: NodeRef(.category, $0.category)), $0.share) } },
            times: timeline.map(\.time), view: view, truth: truth, scheduled: truth?.drifts(user) ?? [])
        print(json ? try report.json() : report.text())
    }
}

/// The profile command's input: events in time order, the catalogue, optional ground truth.
struct ProfileInput {
    var name: String
    var events: [Event]
    var catalogue: ItemCatalogue
    var truth: TruthTable?

    static func open(_ source: String) throws -> ProfileInput {
        if Scenario.exists(source) {
            let scenario = try ScenarioOptions.load(source)
            var simulation = SimulationSource(scenario: scenario)
            var events: [Event] = []
            while let e = simulation.next() { events.append(e) }
            return ProfileInput(name: simulation.name, events: events, catalogue: simulation.catalogue, truth: TruthTable(simulation.world.truth))
        }
        let dataset: LoadedDataset
        do { dataset = try DatasetLoader.load(source) } catch { throw CommandError("\(error)") }
        let events = ArrayEventSource(name: dataset.name, events: dataset.events).events
        let stem = OutputFile.stem(source)
        return ProfileInput(name: dataset.name, events: events, catalogue: dataset.catalogue, truth: TruthTable(csvAt: stem + ".truth.csv", drifts: stem + ".truth.drifts.csv"))
    }

    /// The smallest of 1 h, 3 h, 6 h, 12 h, 1 d, 2 d, 7 d, 30 d giving at most 40 checkpoints.
    static func interval(span: Double) -> Double {
        let options: [Double] = [1, 3, 6, 12, 24, 48, 168, 720].map { $0 * 3_600 }
        return options.first { span / $0 <= 40 } ?? options.last!
    }
}

/// Ground truth for the profile command: from a simulated world, or from the CSV files
/// `simulate --truth` writes.
struct TruthTable {
    var shares: (String, Double) -> [String: Double]?
    var drifts: (String) -> [DriftEvent]

    init(_ truth: GroundTruth) {
        shares = { user, t in truth.namedShares(ofUser: user, at: t) }
        drifts = { user in truth.drifts.filter { $0.user == user } }
    }

    /// Reads `user,time,category,share` rows; a time's shares hold until the next checkpoint.
    init?(csvAt path: String, drifts driftsPath: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var byUser: [String: [(time: Double, shares: [String: Double])]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 4, let t = Double(f[1]), let s = Double(f[3]) else { continue }
            let u = String(f[0])
            if byUser[u]?.last?.time == t { byUser[u]![byUser[u]!.count - 1].shares[String(f[2])] = s }
            else { byUser[u, default: []].append((t, [String(f[2]): s])) }
        }
        shares = { user, t in byUser[user]?.last { $0.time <= t }?.shares }
        var events: [DriftEvent] = []
        if let d = FileManager.default.contents(atPath: driftsPath) {
            for line in String(decoding: d, as: UTF8.self).split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 10, let kind = DriftEvent.Kind(rawValue: f[0]), let start = Double(f[3]), let end = Double(f[4]) else { continue }
                events.append(DriftEvent(kind: kind, label: f[1], user: f[2].isEmpty ? nil : f[2], start: start, end: end,
                                         from: f[6].split(separator: "|").map(String.init), to: f[7].split(separator: "|").map(String.init),
                                         amount: Double(f[8]) ?? 0, crossover: Double(f[5]), affectedUsers: Int(f[9]) ?? 1))
            }
        }
        drifts = { user in events.filter { $0.user == user } }
    }
}

/// What `profile` prints.
struct ProfileReport {
    var user: String
    var source: String
    var events: Int
    var halfLifeDays: Double
    var intervalHours: Double
    /// Per checkpoint: (category, share), largest first.
    var timeline: [[(String, Double)]]
    var times: [Double]
    var view: DriftView
    var truth: TruthTable?
    var scheduled: [DriftEvent]

    /// Checkpoints where the top category changed: (time, from, to).
    var topChanges: [(Double, String, String)] {
        var out: [(Double, String, String)] = []
        for k in timeline.indices.dropFirst() {
            if let a = timeline[k - 1].first?.0, let b = timeline[k].first?.0, a != b { out.append((times[k], a, b)) }
        }
        return out
    }

    func text() -> String {
        var out = "profile of \(user) in \(source): \(events) events, half-life \(Format.number(halfLifeDays)) d, checkpoint every \(Format.number(intervalHours)) h\n"
        for d in scheduled {
            out += "scheduled drift: \(d.kind.rawValue) \"\(d.label)\" from \(Format.date(d.start)): \(d.from.joined(separator: ", ")) -> \(d.to.joined(separator: ", "))"
            if let c = d.crossover { out += " (true top from \(Format.date(c)))" }
            out += "\n"
        }
        out += "\n"
        var rows = [["time", "top categories (share of profile)", "drift", truth == nil ? "" : "true top"]]
        for k in timeline.indices {
            let tops = timeline[k].prefix(3).map { "\($0.0) \(Int(($0.1 * 100).rounded()))%" }.joined(separator: "  ")
            let score = k < view.scores.count ? Format.fixed(Double(view.scores[k]), 2) + (view.changePoints.contains(k) ? " *" : "  ") : ""
            var trueTop = ""
            if let s = truth?.shares(user, times[k]), let best = s.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) {
                trueTop = "\(best.key) \(Int((best.value * 100).rounded()))%"
            }
            rows.append([Format.date(times[k]), tops, score, trueTop])
        }
        out += Self.leftTable(rows)
        out += "(drift: Jensen-Shannon divergence from the previous checkpoints; * = change point)\n\n"
        if topChanges.isEmpty {
            out += "top category: \(timeline.last?.first?.0 ?? "-") throughout\n"
        } else {
            for (t, a, b) in topChanges { out += "top category moved at \(Format.date(t)): \(a) -> \(b)\n" }
        }
        out += "drift now: divergence \(Format.fixed(view.divergence, 3))\(view.divergence >= DriftSettings.default.changeThreshold ? " (change point)" : "")"
        if !view.gained.isEmpty { out += ", gained \(view.gained.joined(separator: ", "))" }
        if !view.lost.isEmpty { out += ", lost \(view.lost.joined(separator: ", "))" }
        out += "\n"
        return out
    }

    static func leftTable(_ rows: [[String]]) -> String {
        guard let n = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: n)
        for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
        return rows.map { r in
            r.enumerated().map { k, c in k == r.count - 1 ? c : c + String(repeating: " ", count: widths[k] - c.count) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    func json() throws -> String {
        struct Share: Encodable { var category: String; var share: Double }
        struct Checkpoint: Encodable { var time: Double; var date: String; var shares: [Share]; var drift: Double; var changePoint: Bool; var trueShares: [Share]?
            enum CodingKeys: String, CodingKey { case time, date, shares, drift; case changePoint = "change_point"; case trueShares = "true_shares" } }
        struct Move: Encodable { var time: Double; var from: String; var to: String }
        struct Scheduled: Encodable { var kind: String; var label: String; var start: Double; var end: Double; var crossover: Double?; var from: [String]; var to: [String] }
        struct Drift: Encodable { var divergence: Double; var changePoint: Bool; var embeddingShift: Double; var gained: [String]; var lost: [String]
            enum CodingKeys: String, CodingKey { case divergence, gained, lost; case changePoint = "change_point"; case embeddingShift = "embedding_shift" } }
        struct Output: Encodable { var user: String; var source: String; var events: Int; var halfLifeDays: Double; var intervalHours: Double
            var checkpoints: [Checkpoint]; var topChanges: [Move]; var drift: Drift; var scheduled: [Scheduled]
            enum CodingKeys: String, CodingKey { case user, source, events, checkpoints, drift, scheduled
                case halfLifeDays = "half_life_days"; case intervalHours = "interval_hours"; case topChanges = "top_changes" } }
        let checkpoints = timeline.indices.map { k in
            Checkpoint(time: times[k], date: Format.date(times[k]), shares: timeline[k].map { Share(category: $0.0, share: $0.1) },
                       drift: k < view.scores.count ? Double(view.scores[k]) : 0, changePoint: view.changePoints.contains(k),
                       trueShares: truth?.shares(user, times[k]).map { $0.sorted { $0.value > $1.value }.map { Share(category: $0.key, share: $0.value) } })
        }
        let output = Output(
            user: user, source: source, events: events, halfLifeDays: halfLifeDays, intervalHours: intervalHours, checkpoints: checkpoints,
            topChanges: topChanges.map { Move(time: $0.0, from: $0.1, to: $0.2) },
            drift: Drift(divergence: view.divergence, changePoint: view.divergence >= DriftSettings.default.changeThreshold, embeddingShift: view.embeddingShift, gained: view.gained, lost: view.lost),
            scheduled: scheduled.map { Scheduled(kind: $0.kind.rawValue, label: $0.label, start: $0.start, end: $0.end, crossover: $0.crossover, from: $0.from, to: $0.to) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
