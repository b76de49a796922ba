import Foundation
import InterestGraph
import Testing
import TestSupport
@testable import Workspace

#if canImport(Glibc)
import Glibc
#endif

/// Runs `driftscope workspace crash-test`, kills it with SIGKILL while it records, and checks
/// what the file holds: it opens, passes SQLite's integrity check, and its log is exactly the
/// generated events 0..<k with no gap, k at least the last position the child reported as
/// committed.
@Suite("Crash safety: kill -9 while recording")
struct CrashSafetyTests {
    /// The crash-test command's event k (Sources/driftscope/WorkspaceCrashTestCommand.swift,
    /// `CrashTestEvents`); kept identical on purpose.
    static func event(_ k: Int64) -> Event {
        let action = Action.allCases[Int(k % 6)]
        return Event(
            user: "u\(k % 1009)", item: "i\(k % 4999)", action: action, timestamp: 1_700_000_000 + Double(k),
            value: action == .rating ? Double(k % 5 + 1) : nil)
    }

    /// The built `driftscope` (see `DriftscopeBinary`).
    static func binary() throws -> String { try DriftscopeBinary.url().path }

    /// The largest "committed N" in `text`.
    static func committed(in text: String) -> Int64? {
        text.split(separator: "\n").compactMap { line -> Int64? in
            guard line.hasPrefix("committed ") else { return nil }
            return Int64(line.dropFirst("committed ".count))
        }.max()
    }

    @Test(arguments: [3, 9, 25])
    func killNineLosesNoCommittedEvent(afterCommits: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("crash.sqlite")
        let child = try ChildProcess.spawn(
            DriftscopeBinary.url(),
            ["workspace", "crash-test", "--workspace", path, "--events", "1000000000", "--slice", "701"])

        // Poll the child's output until it has committed `afterCommits` times, then kill it
        // mid-stride. (A file, not a pipe: see `ChildProcess`.)
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, child.isRunning {
            text = child.outputSoFar
            let commits = text.split(separator: "\n").filter { $0.hasPrefix("committed ") && $0 != "committed 0" }.count
            if commits >= afterCommits { break }
            usleep(2_000)
        }
        child.send(SIGKILL)
        let ending = child.wait()
        text = child.outputSoFar
        #expect(ending == .signalled(SIGKILL), "the child ended before the kill: \(text.suffix(300))")
        let reported = try #require(Self.committed(in: text), "the child reported no commit: \(text.prefix(300))")
        #expect(reported > 0)

        // The file opens, is sound, and holds a gap-free prefix at least as long as reported.
        let workspace = try Workspace(path: path)
        #expect(try workspace.integrityCheck() == ["ok"])
        let run = try #require(try workspace.lastRun())
        #expect(run.status == .running)
        var reader = try workspace.events(run: run.id)
        var k: Int64 = 0
        var wrong = 0
        while let recorded = try reader.next() {
            if recorded.position != k || recorded.event != Self.event(k) { wrong += 1 }
            k += 1
        }
        #expect(wrong == 0, "\(wrong) events out of place or different")
        #expect(k >= reported, "the log holds \(k) events, the child had reported \(reported) committed")
        #expect(try workspace.loggedPosition(run: run.id) == k)
        if let checkpoint = try workspace.latestCheckpoint(run: run.id) {
            #expect(checkpoint.sourcePosition <= k)
            #expect(checkpoint.tables["user"]?.count == 1009 * 8)
        }

        // Resume: the source is replayed from its start; only new positions are logged.
        try workspace.resume(run: run.id)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run.id)
        #expect(recorder.loggedPosition == k)
        let more = k + 1_234
        for start in stride(from: Int64(0), to: more, by: 5_000) {
            try recorder.record(events: (start..<min(start + 5_000, more)).map { RecordedEvent(position: $0, event: Self.event($0)) })
        }
        try recorder.finish(at: 1)
        #expect(try workspace.eventCount(run: run.id) == Int(more))
        // Every event once, in order, each row's names stored with it (format 3: a row
        // committed before the kill never names a number the file lacks).
        var again = try workspace.events(run: run.id)
        var position: Int64 = 0
        var mismatched = 0
        while let recorded = try again.next() {
            if recorded.position != position || recorded.event != Self.event(position) { mismatched += 1 }
            position += 1
        }
        #expect(mismatched == 0 && position == more)
        let users = try workspace.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM event_names WHERE run_id = ? AND kind = 0", arguments: [run.id])
        }
        #expect(users == 1009, "each user stored once across the kill and the resume")
        #expect(try workspace.run(run.id)?.status == .finished)
        #expect(try workspace.integrityCheck() == ["ok"])
    }
}
