import Foundation
import Testing

/// `--engines`: a replayed file's users split between engines in one process, through the
/// real binary (`bench replay` runs what `dashboard --source FILE` runs, without a screen).
@Suite struct SplitReplayCLITests {
    static func shop() throws -> URL {
        var rows = ["user,item,timestamp,action,value,category,brand"]
        for k in 0..<3_000 { rows.append("u\(k % 53),i\(k % 97),\(1_700_000_000 + k * 30),\(k % 5 == 0 ? "purchase" : "view"),,Home/h\(k % 3),b\(k % 4)") }
        return try CLIRunner.directory(with: ["shop.csv": Array((rows.joined(separator: "\n") + "\n").utf8)])
    }

    /// `bench replay` on the shop with `options`, its JSON summary (the run must succeed).
    static func benchReplay(_ options: [String]) throws -> [String: Any] {
        let directory = try shop()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shop.csv").path
        let result = try CLIRunner.run(["bench", "replay", path] + options + ["--every", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func benchReplayWithTwoEnginesReplaysEveryEventOnce() throws {
        let json = try Self.benchReplay(["--engines", "2"])
        #expect(json["engines"] as? Int == 2)
        #expect(json["replayed_events"] as? Int == 3_000)
        #expect(json["finished"] as? Bool == true)
        // auto: a small file runs one engine.
        let one = try Self.benchReplay([])
        #expect(one["engines"] as? Int == 1)
        #expect(one["replayed_events"] as? Int == 3_000)
    }

    /// The simulator and a recorded run are one engine's: `--engines 2` says so, before the
    /// dashboard looks for a terminal.
    @Test(arguments: [
        (["dashboard", "--engines", "2"], "simulator"),
        (["dashboard", "--source", "ml-100k", "--engines", "2", "--workspace", "/nonexistent/split.sqlite"], "one engine's run"),
        (["dashboard", "--source", "ml-100k", "--engines", "2", "--resume"], "one engine's run"),
    ])
    func aSplitThatCannotBeHonouredIsRefused(arguments: [String], reason: String) throws {
        let result = try CLIRunner.run(arguments, environment: ["TERM": "dumb"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--engines 2") && result.stderr.contains(reason), "\(result.stderr)")
    }

    @Test(arguments: ["0", "9", "two"])
    func aBadEngineCountIsRefused(count: String) throws {
        let result = try CLIRunner.run(["bench", "replay", "ml-100k", "--engines", count])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--engines"), "\(result.stderr)")
    }

    /// `--training-share` is a fraction strictly between 0 and 1, for the dashboard (before it
    /// looks for a terminal) as for `bench replay`.
    @Test(arguments: ["0", "1", "-0.2", "1.5", "half"])
    func aBadTrainingShareIsRefused(share: String) throws {
        for command in [["bench", "replay", "ml-100k"], ["dashboard", "--source", "ml-100k"]] {
            let result = try CLIRunner.run(command + ["--training-share", share], environment: ["TERM": "dumb"])
            #expect(result.status == 64, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("--training-share"), "\(result.stderr)")
        }
    }

    @Test func aTrainingShareIsAccepted() throws {
        let json = try Self.benchReplay(["--training-share", "0.5"])
        #expect(json["replayed_events"] as? Int == 3_000)
    }
}
