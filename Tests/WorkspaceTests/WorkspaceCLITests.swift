import Foundation
import InterestGraph
import Testing
import TestSupport
@testable import Workspace

/// The workspace commands, through the built binary.
@Suite("CLI: runs, forget, export-events, workspace")
struct WorkspaceCLITests {
    /// Runs the built binary (output through files: see `ChildProcess`).
    static func driftscope(_ arguments: [String]) throws -> ChildProcess.Result {
        try DriftscopeBinary.run(arguments)
    }

    /// Two finished runs with events, changes, metrics and a bookmark.
    static func prepare(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("cli.sqlite")
        let workspace = try Workspace(path: path)
        for (k, lr) in [0.01, 0.02].enumerated() {
            let run = try TestFiles.beginRun(workspace, hyperparameters: #"{"learning_rate":\#(lr),"dim":64}"#)
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
            try recorder.record(events: SampleEvents.recorded(0..<Int64(1_000 * (k + 1))))
            try recorder.record(change: ChangeRecord(step: 10, time: 1_010, key: "learning_rate", oldValue: lr, newValue: lr / 2, origin: .user, note: "halved"))
            try recorder.record(metrics: RunMetricsPoint(step: 100, wallTime: 1_100, clock: 0, loss: 0.5, hitRate10: 0.1 * Double(k + 1), mrr: 0.05, eventsPerSecond: 1_000, events: 1_000 * (k + 1)))
            try recorder.finish(at: 2_000)
        }
        try workspace.addBookmark(user: "u1", note: "demo")
        return path
    }

    @Test func runsListShowCompare() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.prepare(directory)
        let list = try Self.driftscope(["runs", "list", "--workspace", path, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs.map { $0["logged_events"] as? Int } == [1_000, 2_000])
        #expect((runs[1]["final"] as? [String: Any])?["hr10"] as? Double == 0.2)

        let text = try Self.driftscope(["runs", "list", "--workspace", path])
        #expect(text.stdout.contains("HR@10"))
        #expect(text.stdout.contains("2,000"))

        let show = try Self.driftscope(["runs", "show", "2", "--workspace", path])
        #expect(show.status == 0)
        #expect(show.stdout.contains("learning_rate=0.02"))
        #expect(show.stdout.contains("halved"))

        let compare = try Self.driftscope(["runs", "compare", "1", "2", "--workspace", path, "--json"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any])
        let settings = try #require(object["settings"] as? [[String: Any]])
        let differing = settings.filter { $0["differs"] as? Bool == true }.compactMap { $0["key"] as? String }
        #expect(differing == ["learning_rate"])
        let deltas = try #require(object["deltas"] as? [String: Any])
        #expect(abs((deltas["hr10"] as? Double ?? 0) - 0.1) < 1e-9)
        #expect(deltas["logged_events"] as? Int == 1_000)

        let compareText = try Self.driftscope(["runs", "compare", "1", "2", "--workspace", path])
        #expect(compareText.stdout.contains("starting settings that differ (1 of 2)"))

        let missing = try Self.driftscope(["runs", "show", "9", "--workspace", path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no run 9"))
    }

    @Test func exportForgetInfo() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.prepare(directory)
        let out = directory.file("events.csv")
        let export = try Self.driftscope(["export-events", "--workspace", path, "--out", out])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("2,000 events of run 2"))
        #expect(try DatasetLoader.load(out).events == SampleEvents.recorded(0..<2_000).map(\.event))

        let forget = try Self.driftscope(["forget", "--workspace", path, "--user", "u1", "--json"])
        #expect(forget.status == 0, "\(forget.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(forget.stdout.utf8)) as? [String: Any])
        #expect(report["events"] as? Int == 11 + 21)
        #expect(report["bookmarks"] as? Int == 1)
        #expect(report["wal_truncated"] as? Bool == true)

        let info = try Self.driftscope(["workspace", "info", "--workspace", path, "--check", "--json"])
        #expect(info.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect(object["events"] as? Int == 3_000 - 32)
        #expect(object["integrity"] as? [String] == ["ok"])
        #expect(object["schema_version"] as? Int == Workspace.schemaVersion)
    }

    @Test func refusesForeignAndMissingFiles() throws {
        let directory = try TemporaryDirectory()
        let foreign = directory.file("notes.txt")
        TestFiles.write(Data("hello\n".utf8), to: foreign)
        let result = try Self.driftscope(["runs", "list", "--workspace", foreign])
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a Driftscope workspace"))
        #expect(TestFiles.bytes(foreign) == Data("hello\n".utf8))

        let missing = directory.file("typo.sqlite")
        let none = try Self.driftscope(["forget", "--workspace", missing, "--user", "u1"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no workspace here"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func bookmarksAreAddedListedAndRemoved() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("marks.sqlite")
        let added = try Self.driftscope(["workspace", "bookmark", "--workspace", path, "--user", "196", "--note", "comedy to horror"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("bookmark 1: user '196'"))
        func listed() throws -> [String] {
            let list = try Self.driftscope(["workspace", "bookmarks", "--workspace", path, "--json"])
            try #require(list.status == 0, "\(list.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            return rows.compactMap { $0["user"] as? String }
        }
        #expect(try listed() == ["196"])
        let removed = try Self.driftscope(["workspace", "unbookmark", "1", "--workspace", path])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try listed().isEmpty)
        let missing = try Self.driftscope(["workspace", "unbookmark", "1", "--workspace", path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no bookmark 1"))
    }

    /// A second opening of a workspace in the process that records into it, then a reader
    /// process that opens and closes it: the recorder's later commits must still reach the
    /// file. (Reading the header with a plain descriptor dropped the process's SQLite locks,
    /// so the reader, believing itself the last connection, deleted the live WAL and later
    /// commits went to an unlinked file until the recorder closed.)
    @Test func readersBesideARecorderSeeEveryCommit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("live.sqlite")
        let workspace = try Workspace(path: path)
        let run = try TestFiles.beginRun(workspace, hyperparameters: "{}")
        let recorder = try WorkspaceRecorder(workspace: Workspace(path: path, create: false), run: run)
        try recorder.record(events: SampleEvents.recorded(0..<500))
        try recorder.flush()
        // Opened again in this process, as the dashboard does for its list of runs.
        _ = try Workspace(path: path, create: false)
        func logged() throws -> Int? {
            let list = try Self.driftscope(["runs", "list", "--workspace", path, "--json"])
            try #require(list.status == 0, "\(list.stderr)")
            let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            return runs.first?["logged_events"] as? Int
        }
        #expect(try logged() == 500)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the live WAL was deleted")
        try recorder.record(events: SampleEvents.recorded(500..<1_200))
        try recorder.flush()
        #expect(try logged() == 1_200, "a commit after the reader closed is invisible")
        try recorder.close()
        withExtendedLifetime(workspace) {}
    }
}
