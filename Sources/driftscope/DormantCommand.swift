import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope dormant`: users idle for much longer than their own rhythm, the churn audience.
struct DormantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dormant",
        abstract: "List users idle for more than --factor times their usual gap between sessions.",
        discussion: """
            Replays PATH (a scenario or a dataset) and lists, at the time of its last event, the \
            users whose time since their last event is more than --factor times their typical \
            gap between sessions (users with one session have no rhythm yet and are left out), \
            most overdue first: the audience for a win-back campaign.

            Examples:
              driftscope dormant small
              driftscope dormant shop.csv --factor 5 --json

            --json prints one object:
              {"source", "now", "factor", "total", "users":
                [{"user", "last_seen", "idle_days", "typical_gap_days", "ratio", "events"}]}
            """
    )

    @Argument(help: "A scenario (.toml or name) or a dataset path or name.")
    var source: String

    @Option(help: "Idle time over the usual gap at or above which a user is dormant.")
    var factor: Double = 3

    @Option(help: "Print at most this many users.")
    var limit: Int = 1_000

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if !(factor > 0) { throw ValidationError("--factor must be a positive number") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let replay = try ChangeReplay(source: source)
        let graph = replay.graph
        let users = DormantList.users(graph: graph, factor: factor)
        let shown = users.prefix(limit)
        if json {
            struct Line: Encodable {
                var user: String, lastSeen: Double, idleDays: Double, typicalGapDays: Double, ratio: Double, events: Int
                enum CodingKeys: String, CodingKey {
                    case user, ratio, events
                    case lastSeen = "last_seen"
                    case idleDays = "idle_days"
                    case typicalGapDays = "typical_gap_days"
                }
            }
            struct Output: Encodable { var source: String; var now: Double; var factor: Double; var total: Int; var users: [Line] }
            let output = Output(source: replay.name, now: graph.now, factor: factor, total: users.count, users: shown.map {
                Line(user: $0.user, lastSeen: $0.lastSeen, idleDays: $0.idleSeconds / 86_400, typicalGapDays: $0.typicalGapSeconds / 86_400, ratio: $0.ratio, events: $0.events)
            })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        print("\(users.count) dormant user\(users.count == 1 ? "" : "s") in \(replay.name) at \(Format.date(graph.now)) (idle over \(Format.number(factor))x their usual gap)")
        guard !shown.isEmpty else { return }
        var rows = [["user", "last seen", "idle", "usual gap", "ratio", "events"]]
        for d in shown {
            rows.append([d.user, Format.date(d.lastSeen), Format.duration(d.idleSeconds), Format.duration(d.typicalGapSeconds), Format.number(d.ratio) + "x", "\(d.events)"])
        }
        print(ProfileReport.leftTable(rows), terminator: "")
        if users.count > shown.count { print("(\(users.count - shown.count) more; raise --limit)") }
    }
}
