import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

@Suite("Forget: no row, blob or file byte keeps the user")
struct ForgetTests {
    static let forgotten = "user-FORGET-ME-7"

    /// Events of a few users, with the forgotten one spread through every batch.
    static func events(_ positions: Range<Int64>) -> [RecordedEvent] {
        positions.map { p in
            var e = SampleEvents.event(at: p)
            if p % 3 == 0 { e.user = forgotten }
            return RecordedEvent(position: p, event: e)
        }
    }

    @Test func forgetLeavesNoTrace() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        let workspace = try Workspace(path: path)
        let runA = try TestFiles.beginRun(workspace)
        let runB = try TestFiles.beginRun(workspace)
        let users = ["u1", Self.forgotten, "u2", "u3"]
        for run in [runA, runB] {
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(flushEvents: 2_000))
            let events = Self.events(0..<20_000)
            for start in stride(from: 0, to: events.count, by: 1_000) {
                try recorder.record(events: Array(events[start..<start + 1_000]))
            }
            for step in 1...2 {
                try recorder.save(checkpoint: CheckpointTests.checkpoint(step: step, users: users, items: ["i1", "i2"], seed: UInt64(step)))
            }
            try recorder.finish(at: 3_000)
        }
        try workspace.addBookmark(user: Self.forgotten, note: "to forget", run: runA)
        try workspace.addBookmark(user: "u1", note: "keep")
        let before = try #require(try workspace.latestCheckpoint(run: runA))
        let expectedEvents = Self.events(0..<20_000).filter { $0.event.user != Self.forgotten }

        let report = try workspace.forget(user: Self.forgotten)
        #expect(report.events == 2 * 6_667)   // positions 0, 3, ..., 19_998 in each run
        #expect(report.bookmarks == 1)
        #expect(report.checkpoints == 4)
        #expect(report.walTruncated)

        // What must stay, stays.
        for run in [runA, runB] {
            var reader = try workspace.events(run: run)
            var read: [RecordedEvent] = []
            while let e = try reader.next() { read.append(e) }
            #expect(read == expectedEvents)
        }
        #expect(try workspace.bookmarks().map(\.user) == ["u1"])
        let after = try #require(try workspace.latestCheckpoint(run: runA))
        #expect(after.userIDs == ["u1", "", "u2", "u3"])
        for (name, values) in before.tables {
            let rows: Int
            switch name {
            case "category": rows = 3
            case "item": rows = 2
            default: rows = users.count
            }
            let stride = values.count / rows
            let changed = try #require(after.tables[name])
            if name == "user" || name == "adam.m.user" {
                let userRow: ArraySlice<Float> = changed[stride..<2 * stride]
                #expect(userRow.allSatisfy { $0 == 0 }, "row of the user in \(name) not zeroed")
                let headBefore: [Float] = Array(values[0..<stride]), headAfter: [Float] = Array(changed[0..<stride])
                let tailBefore: [Float] = Array(values[(2 * stride)...]), tailAfter: [Float] = Array(changed[(2 * stride)...])
                #expect(headAfter == headBefore)
                #expect(tailAfter == tailBefore)
            } else {
                #expect(changed == values, "table \(name) should be untouched")
            }
        }

        // Every table, every text and blob column.
        let needle = Data(Self.forgotten.utf8)
        let raw = try TestFiles.raw(path)
        try raw.read { (db: Database) throws in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            #expect(tables.contains("event_batches"))
            for table in tables {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for (column, value) in row {
                        switch value.storage {
                        case .string(let text):
                            #expect(!text.contains(Self.forgotten), "\(table).\(column) holds the id")
                        case .blob(let data):
                            #expect(data.range(of: needle) == nil, "\(table).\(column) holds the id's bytes")
                        default:
                            break
                        }
                    }
                }
            }
        }
        try raw.close()
        // And the raw bytes of the file and its log.
        for suffix in ["", "-wal"] {
            if let bytes = TestFiles.bytes(path + suffix) {
                #expect(bytes.range(of: needle) == nil, "the bytes of \(suffix.isEmpty ? "the file" : suffix) hold the id")
            }
        }
        #expect(try workspace.integrityCheck() == ["ok"])
    }

    @Test func forgetKeepsTheLoggedPositionSoResumeNeverReadsTheUserBack() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        // The user owns the whole last batch and the first event of the run.
        var events = SampleEvents.recorded(0..<100)
        events[0].event.user = Self.forgotten
        try recorder.record(events: events)
        try recorder.flush()
        try recorder.record(events: (100..<150).map { RecordedEvent(position: $0, event: Event(user: Self.forgotten, item: "i", action: .view, timestamp: Double($0))) })
        try recorder.close()
        let report = try workspace.forget(user: Self.forgotten)
        #expect(report.events == 51)
        #expect(try workspace.loggedPosition(run: run) == 150)
        var reader = try workspace.events(run: run)
        var positions: [Int64] = []
        while let e = try reader.next() { positions.append(e.position) }
        #expect(positions == Array(1..<100))
        // A resumed recorder fed the source from the start adds only what is new.
        let resumed = try WorkspaceRecorder(workspace: workspace, run: run)
        #expect(resumed.loggedPosition == 150)
        try resumed.record(events: SampleEvents.recorded(0..<160))
        try resumed.flush()
        #expect(try workspace.eventCount(run: run) == 99 + 10)
    }

    @Test func recorderForgetWritesQueuedEventsFirst() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        let workspace = try Workspace(path: path)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(flushEvents: 1_000_000, flushDelay: 60))
        try recorder.record(events: Self.events(0..<300))
        let report = try recorder.forget(user: Self.forgotten)
        #expect(report.events == 100)
        #expect(try workspace.eventCount(run: run) == 200)
        try recorder.close()
        #expect(TestFiles.bytes(path)?.range(of: Data(Self.forgotten.utf8)) == nil)
    }

    @Test func mismatchedCheckpointTableForgetsNothing() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        var checkpoint = CheckpointTests.checkpoint(step: 1, users: ["a", Self.forgotten], items: ["i"])
        checkpoint.tables["user"] = [1, 2, 3]   // not a multiple of 2 users
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.record(events: Self.events(0..<30))
        try recorder.save(checkpoint: checkpoint)
        try recorder.close()
        let error = #expect(throws: WorkspaceError.self) { try workspace.forget(user: Self.forgotten) }
        #expect(error?.kind == .invalid)
        #expect(try workspace.eventCount(run: run) == 30)
    }
}
