import ArgumentParser
import Foundation
import InterestGraph
import Workspace

/// `driftscope runs`: the runs a workspace holds, one run in detail, two side by side.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and compare the runs recorded in a workspace.",
        discussion: """
            A run is one dashboard session recorded with --workspace (or --record): its \
            source, seed and code version, its starting hyperparameters, every change made \
            during it, its metrics timeline, its event log and its last checkpoints.

            Examples:
              driftscope runs list
              driftscope runs show 3 --workspace demo.sqlite
              driftscope runs compare 2 3 --json
            """,
        subcommands: [List.self, Show.self, Compare.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every run with its final metrics.")

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Print one JSON array.")
        var json = false

        func run() throws {
            let runs = try workspace.openForReading().runs()
            if json {
                try Console.printJSON(runs.map(RunJSON.init))
                return
            }
            guard !runs.isEmpty else {
                print("no runs in \(workspace.resolvedPath)")
                return
            }
            var table = TextTable(["ID", "STARTED", "STATUS", "SOURCE", "EVENTS", "STEP", "LOSS", "HR@10", "MRR", "EVENTS/S"])
            for r in runs {
                let f = r.final
                table.add([
                    String(r.run.id), RunText.time(r.run.startedAt), r.run.status.rawValue, RunText.source(r.run),
                    Format.count(r.loggedEvents), f.map { Format.count($0.step) } ?? "-", RunText.loss(f?.loss),
                    f.map { RunText.metric($0.hitRate10) } ?? "-", f.map { RunText.metric($0.mrr) } ?? "-",
                    f.map { Format.count(Int($0.eventsPerSecond.rounded())) } ?? "-",
                ])
            }
            print(table.render())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run: settings, changes, metrics summary, checkpoints.")

        @Argument(help: "Run id (see `runs list`).")
        var id: Int64

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            let detail = try workspace.openForReading().detail(run: id)
            if json {
                try Console.printJSON(RunDetailJSON(detail))
            } else {
                print(RunText.detail(detail))
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Two runs side by side: settings that differ, changes, final metrics and deltas.")

        @Argument(help: "The first run id.")
        var left: Int64

        @Argument(help: "The second run id.")
        var right: Int64

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            let comparison = try workspace.openForReading().compare(left, right)
            if json {
                try Console.printJSON(ComparisonJSON(comparison))
            } else {
                print(RunText.comparison(comparison))
            }
        }
    }
}

// MARK: - Text

/// Columns padded to their widest cell; numbers right-aligned.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) {
        self.header = header
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    func render(indent: String = "") -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        let numeric = header.indices.map { c in rows.allSatisfy { Self.isNumber($0[c]) } }
        return all.map { row in
            let cells = row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                return numeric[c] && c > 0 ? pad + row[c] : row[c] + pad
            }
            var line = indent + cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Figures such as `1,234`, `-0.0083`, `+12.5%` or `-` (no value) are right-aligned.
    static func isNumber(_ cell: String) -> Bool {
        cell == "-" || (!cell.isEmpty && cell.contains(where: \.isNumber) && cell.allSatisfy { "0123456789,.+-%e".contains($0) })
    }
}

enum RunText {
    static func time(_ t: Double?) -> String {
        guard let t else { return "-" }
        return String(CivilTime.iso8601(t).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func source(_ run: RunRecord) -> String {
        let seed = run.seed.map { " (seed \($0))" } ?? ""
        return "\(run.sourceKind.rawValue) \(run.source)\(seed)"
    }

    static func loss(_ loss: Float?) -> String {
        loss.map { String(format: "%.4f", $0) } ?? "-"
    }

    static func metric(_ x: Double) -> String {
        String(format: "%.4f", x)
    }

    static func number(_ x: Double) -> String {
        abs(x) >= 1e5 || (x != 0 && abs(x) < 1e-3) ? String(format: "%.4g", x) : String(format: "%.6g", x)
    }

    static func delta(_ a: Double?, _ b: Double?, digits: Int = 4) -> String {
        guard let a, let b else { return "-" }
        guard digits == 0 else { return String(format: "%+.\(digits)f", b - a) }
        let d = Int((b - a).rounded())
        return (d < 0 ? "" : "+") + Format.count(d)
    }

    static func detail(_ d: RunDetail) -> String {
        let run = d.summary.run
        var lines = ["run \(run.id): \(source(run)), code \(run.codeVersion), \(run.status.rawValue)"]
        var duration = ""
        if let end = run.endedAt { duration = " (\(Format.duration(end - run.startedAt)))" }
        lines.append("  started     \(time(run.startedAt))   ended \(time(run.endedAt))\(duration)   last write \(time(run.updatedAt))")
        lines.append("  event log   \(Format.count(d.summary.loggedEvents)) events, a resumed source continues at position \(Format.count(Int(d.summary.loggedPosition)))")
        let settings = run.settings.sorted { $0.key < $1.key }
        lines.append("  settings    " + (settings.isEmpty ? "-" : settings.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))
        if let m = d.metrics {
            lines.append("  metrics     \(m.points) points, steps \(Format.count(m.firstStep))..\(Format.count(m.lastStep)); loss \(loss(m.firstLoss)) -> \(loss(m.lastLoss)) (min \(loss(m.minimumLoss))); best HR@10 \(metric(m.bestHitRate10)), best MRR \(metric(m.bestMRR)); mean \(Format.count(Int(m.meanEventsPerSecond.rounded()))) events/s")
            let f = m.final
            lines.append("  final       step \(Format.count(f.step)): loss \(loss(f.loss)), HR@10 \(metric(f.hitRate10)), MRR \(metric(f.mrr)), \(Format.count(f.events)) events")
        } else {
            lines.append("  metrics     none recorded")
        }
        lines.append("changes (\(d.changes.count)):")
        if d.changes.isEmpty {
            lines.append("  none")
        } else {
            lines.append(changesTable(d.changes).render(indent: "  "))
        }
        lines.append("checkpoints (\(d.checkpoints.count)):")
        if d.checkpoints.isEmpty {
            lines.append("  none")
        } else {
            var table = TextTable(["STEP", "POSITION", "USERS", "ITEMS", "FLOATS", "SAVED"])
            for c in d.checkpoints {
                table.add([Format.count(c.step), Format.count(Int(c.sourcePosition)), Format.count(c.users), Format.count(c.items), Format.count(c.floats), time(c.createdAt)])
            }
            lines.append(table.render(indent: "  "))
        }
        return lines.joined(separator: "\n")
    }

    static func changesTable(_ changes: [ChangeRecord]) -> TextTable {
        var table = TextTable(["STEP", "TIME", "KEY", "OLD", "NEW", "ORIGIN", "NOTE"])
        for c in changes {
            table.add([Format.count(c.step), time(c.time), c.key, number(c.oldValue), number(c.newValue), c.origin.rawValue, c.note.isEmpty ? "-" : c.note])
        }
        return table
    }

    static func comparison(_ c: RunComparison) -> String {
        let a = c.left.summary, b = c.right.summary
        let l = "run \(a.run.id)", r = "run \(b.run.id)"
        var lines: [String] = []
        var head = TextTable(["", l, r])
        head.add(["source", source(a.run), source(b.run)])
        head.add(["code", a.run.codeVersion, b.run.codeVersion])
        head.add(["started", time(a.run.startedAt), time(b.run.startedAt)])
        head.add(["status", a.run.status.rawValue, b.run.status.rawValue])
        lines.append(head.render())
        lines.append("")
        let differences = c.differences
        lines.append("starting settings that differ (\(differences.count) of \(c.settings.count)):")
        if differences.isEmpty {
            lines.append("  none")
        } else {
            var table = TextTable(["KEY", l.uppercased(), r.uppercased()])
            for s in differences { table.add([s.key, s.left ?? "(unset)", s.right ?? "(unset)"]) }
            lines.append(table.render(indent: "  "))
        }
        for (name, detail) in [(l, c.left), (r, c.right)] {
            lines.append("changes during \(name) (\(detail.changes.count)):")
            lines.append(detail.changes.isEmpty ? "  none" : changesTable(detail.changes).render(indent: "  "))
        }
        lines.append("final metrics:")
        var table = TextTable(["METRIC", l.uppercased(), r.uppercased(), "DELTA"])
        let fa = a.final, fb = b.final
        table.add(["step", fa.map { Format.count($0.step) } ?? "-", fb.map { Format.count($0.step) } ?? "-", delta(fa.map { Double($0.step) }, fb.map { Double($0.step) }, digits: 0)])
        table.add(["loss", loss(fa?.loss), loss(fb?.loss), delta(fa?.loss.map(Double.init), fb?.loss.map(Double.init))])
        table.add(["HR@10", fa.map { metric($0.hitRate10) } ?? "-", fb.map { metric($0.hitRate10) } ?? "-", delta(fa?.hitRate10, fb?.hitRate10)])
        table.add(["MRR", fa.map { metric($0.mrr) } ?? "-", fb.map { metric($0.mrr) } ?? "-", delta(fa?.mrr, fb?.mrr)])
        table.add(["events/s", fa.map { Format.count(Int($0.eventsPerSecond.rounded())) } ?? "-", fb.map { Format.count(Int($0.eventsPerSecond.rounded())) } ?? "-", delta(fa?.eventsPerSecond, fb?.eventsPerSecond, digits: 0)])
        table.add(["logged events", Format.count(a.loggedEvents), Format.count(b.loggedEvents), delta(Double(a.loggedEvents), Double(b.loggedEvents), digits: 0)])
        lines.append(table.render(indent: "  "))
        return lines.joined(separator: "\n")
    }
}

// MARK: - JSON

struct MetricsJSON: Encodable {
    var step: Int
    var wallTime: Double
    var clock: Double
    var loss: Float?
    var hr10: Double
    var mrr: Double
    var eventsPerSecond: Double
    var events: Int

    init(_ p: RunMetricsPoint) {
        (step, wallTime, clock, loss, hr10, mrr, eventsPerSecond, events) = (p.step, p.wallTime, p.clock, p.loss, p.hitRate10, p.mrr, p.eventsPerSecond, p.events)
    }

    enum CodingKeys: String, CodingKey {
        case step, clock, loss, hr10, mrr, events
        case wallTime = "wall_time"
        case eventsPerSecond = "events_per_second"
    }
}

struct RunJSON: Encodable {
    var id: Int64
    var startedAt: Double
    var endedAt: Double?
    var updatedAt: Double
    var status: String
    var sourceKind: String
    var source: String
    var seed: UInt64?
    var codeVersion: String
    var hyperparameters: String
    var loggedEvents: Int
    var loggedPosition: Int64
    var final: MetricsJSON?

    init(_ s: RunSummary) {
        let r = s.run
        id = r.id
        startedAt = r.startedAt
        endedAt = r.endedAt
        updatedAt = r.updatedAt
        status = r.status.rawValue
        sourceKind = r.sourceKind.rawValue
        source = r.source
        seed = r.seed
        codeVersion = r.codeVersion
        hyperparameters = String(decoding: r.hyperparameters, as: UTF8.self)
        loggedEvents = s.loggedEvents
        loggedPosition = s.loggedPosition
        final = s.final.map(MetricsJSON.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, source, seed, hyperparameters, final
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case updatedAt = "updated_at"
        case sourceKind = "source_kind"
        case codeVersion = "code_version"
        case loggedEvents = "logged_events"
        case loggedPosition = "logged_position"
    }
}

struct ChangeJSON: Encodable {
    var step: Int
    var time: Double
    var key: String
    var old: Double
    var new: Double
    var origin: String
    var note: String

    init(_ c: ChangeRecord) {
        (step, time, key, old, new, origin, note) = (c.step, c.time, c.key, c.oldValue, c.newValue, c.origin.rawValue, c.note)
    }
}

struct RunDetailJSON: Encodable {
    struct Summary: Encodable {
        var points: Int
        var firstStep: Int
        var lastStep: Int
        var firstLoss: Float?
        var lastLoss: Float?
        var minimumLoss: Float?
        var bestHR10: Double
        var bestMRR: Double
        var meanEventsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case points
            case firstStep = "first_step"
            case lastStep = "last_step"
            case firstLoss = "first_loss"
            case lastLoss = "last_loss"
            case minimumLoss = "minimum_loss"
            case bestHR10 = "best_hr10"
            case bestMRR = "best_mrr"
            case meanEventsPerSecond = "mean_events_per_second"
        }
    }

    struct Checkpoint: Encodable {
        var step: Int
        var sourcePosition: Int64
        var graphClock: Double
        var users: Int
        var items: Int
        var floats: Int
        var savedAt: Double

        enum CodingKeys: String, CodingKey {
            case step, users, items, floats
            case sourcePosition = "source_position"
            case graphClock = "graph_clock"
            case savedAt = "saved_at"
        }
    }

    var run: RunJSON
    var changes: [ChangeJSON]
    var metrics: Summary?
    var checkpoints: [Checkpoint]

    init(_ d: RunDetail) {
        run = RunJSON(d.summary)
        changes = d.changes.map(ChangeJSON.init)
        metrics = d.metrics.map {
            Summary(
                points: $0.points, firstStep: $0.firstStep, lastStep: $0.lastStep, firstLoss: $0.firstLoss, lastLoss: $0.lastLoss,
                minimumLoss: $0.minimumLoss, bestHR10: $0.bestHitRate10, bestMRR: $0.bestMRR, meanEventsPerSecond: $0.meanEventsPerSecond)
        }
        checkpoints = d.checkpoints.map {
            Checkpoint(step: $0.step, sourcePosition: $0.sourcePosition, graphClock: $0.graphClock, users: $0.users, items: $0.items, floats: $0.floats, savedAt: $0.createdAt)
        }
    }
}

struct ComparisonJSON: Encodable {
    struct Setting: Encodable {
        var key: String
        var left: String?
        var right: String?
        var differs: Bool
    }

    struct Deltas: Encodable {
        var loss: Double?
        var hr10: Double?
        var mrr: Double?
        var eventsPerSecond: Double?
        var loggedEvents: Int

        enum CodingKeys: String, CodingKey {
            case loss, hr10, mrr
            case eventsPerSecond = "events_per_second"
            case loggedEvents = "logged_events"
        }
    }

    var left: RunDetailJSON
    var right: RunDetailJSON
    var settings: [Setting]
    /// right minus left.
    var deltas: Deltas

    init(_ c: RunComparison) {
        left = RunDetailJSON(c.left)
        right = RunDetailJSON(c.right)
        settings = c.settings.map { Setting(key: $0.key, left: $0.left, right: $0.right, differs: $0.differs) }
        let a = c.left.summary.final, b = c.right.summary.final
        func minus(_ x: Double?, _ y: Double?) -> Double? { x.flatMap { x in y.map { $0 - x } } }
        deltas = Deltas(
            loss: minus(a?.loss.map(Double.init), b?.loss.map(Double.init)), hr10: minus(a?.hitRate10, b?.hitRate10),
            mrr: minus(a?.mrr, b?.mrr), eventsPerSecond: minus(a?.eventsPerSecond, b?.eventsPerSecond),
            loggedEvents: c.right.summary.loggedEvents - c.left.summary.loggedEvents)
    }
}
