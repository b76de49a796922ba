import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

@Suite("Checkpoints: bit-exact round trip, last K kept")
struct CheckpointTests {
    static func checkpoint(step: Int, users: [String], items: [String], dim: Int = 4, seed: UInt64 = 1) -> ModelCheckpoint {
        var generator = SeededGenerator(seed: seed)
        func table(_ rows: Int) -> [Float] { (0..<rows * dim).map { _ in Float.random(in: -1...1, using: &generator) } }
        return ModelCheckpoint(
            step: step, graphClock: 1_700_000_000.5 + Double(step), sourcePosition: Int64(step * 10),
            hyperparameters: Array(#"{"learning_rate":0.01}"#.utf8),
            tables: ["user": table(users.count), "item": table(items.count), "adam.m.user": table(users.count), "category": table(3)],
            userIDs: users, itemIDs: items)
    }

    @Test func roundTripIsBitExact() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        var saved = Self.checkpoint(step: 5, users: ["a", "b", "ユーザー"], items: ["i1", "i2"])
        // Values that a lossy encoding would change.
        saved.tables["special"] = [
            .nan, Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFFA0_0001), -0.0, .infinity, -.infinity,
            .leastNonzeroMagnitude, .greatestFiniteMagnitude, Float(bitPattern: 0x0000_0001), 1 / 3,
        ]
        saved.tables["empty"] = []
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.save(checkpoint: saved)
        try recorder.flush()
        let loaded = try #require(try workspace.latestCheckpoint(run: run))
        #expect(loaded.step == saved.step)
        #expect(loaded.graphClock == saved.graphClock)
        #expect(loaded.sourcePosition == saved.sourcePosition)
        #expect(loaded.hyperparameters == saved.hyperparameters)
        #expect(loaded.userIDs == saved.userIDs)
        #expect(loaded.itemIDs == saved.itemIDs)
        #expect(Set(loaded.tables.keys) == Set(saved.tables.keys))
        for (name, values) in saved.tables {
            #expect(loaded.tables[name]?.map(\.bitPattern) == values.map(\.bitPattern), "table \(name)")
        }
    }

    /// A resume plans with the newest checkpoint's row alone, then reads its tables by id on
    /// another thread (``PendingCheckpoint``): the two must name the same checkpoint.
    @Test func summaryNamesTheNewestCheckpointWithoutReadingItsTables() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        #expect(try workspace.latestCheckpointSummary(run: run) == nil)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.save(checkpoint: Self.checkpoint(step: 3, users: ["a"], items: ["i"]))
        var newest = Self.checkpoint(step: 4, users: ["a", "b"], items: ["i"], seed: 9)
        newest.tables["user.final"] = [1, 2, 3, 4, 5, 6, 7, 8]
        try recorder.save(checkpoint: newest)
        try recorder.flush()
        let summary = try #require(try workspace.latestCheckpointSummary(run: run))
        #expect(summary.step == 4)
        #expect(summary.sourcePosition == 40)
        #expect(summary.hyperparameters == newest.hyperparameters)
        #expect(summary.tableNames == Set(newest.tables.keys))
        let loaded = try #require(try workspace.checkpoint(id: summary.id, run: run))
        #expect(loaded.tables == newest.tables)
        #expect(try workspace.checkpoint(id: summary.id, run: run + 1) == nil, "another run's id is not this run's checkpoint")
    }

    @Test func onlyTheLastKAreKept() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let other = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(checkpointsKept: 3))
        let otherRecorder = try WorkspaceRecorder(workspace: workspace, run: other, policy: RecorderPolicy(checkpointsKept: 3))
        try otherRecorder.save(checkpoint: Self.checkpoint(step: 1, users: ["z"], items: ["y"]))
        try otherRecorder.flush()
        for step in 1...7 {
            try recorder.save(checkpoint: Self.checkpoint(step: step, users: ["a", "b"], items: ["i"], seed: UInt64(step)))
        }
        try recorder.flush()
        let detail = try workspace.detail(run: run)
        #expect(detail.checkpoints.map(\.step) == [5, 6, 7])
        #expect(detail.checkpoints.allSatisfy { $0.users == 2 && $0.items == 1 })
        #expect(try workspace.latestCheckpoint(run: run)?.step == 7)
        // The other run's checkpoint is untouched, and no orphan tables remain.
        #expect(try workspace.latestCheckpoint(run: other)?.step == 1)
        let tables = try workspace.database.read { (db: Database) throws in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoint_tables") }
        #expect(tables == 4 * 4)
    }

    @Test func checkpointIsWrittenAfterTheEventsBeforeIt() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(flushEvents: 1_000_000, flushDelay: 60))
        try recorder.record(events: SampleEvents.recorded(0..<500))
        var checkpoint = Self.checkpoint(step: 1, users: ["u"], items: ["i"])
        checkpoint.sourcePosition = 500
        try recorder.save(checkpoint: checkpoint)
        try recorder.flush()
        #expect(try workspace.loggedPosition(run: run) == 500)
        #expect(try workspace.latestCheckpoint(run: run)?.sourcePosition == 500)
    }

    @Test func noCheckpointIsNil() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        #expect(try workspace.latestCheckpoint(run: run) == nil)
    }
}
