import Foundation
import GRDB
import InterestGraph
import Synchronization
import Testing
@testable import Workspace

/// Schema v3: each event's id in its source (a stream entry), logged in the event's own
/// transaction, and the source told once it is committed.
@Suite("Event source ids (schema v3)")
struct SourceIDTests {
    /// A source's side of the ledger: ids by position, and the positions reported logged.
    final class Ledger: SourcePositionLedger {
        let loggedBelow = Mutex<[Int64]>([])

        func sourceIDs(in range: Range<Int64>) -> [(position: Int64, id: String)] {
            range.map { ($0, "s:\($0 % 3) \($0)-0") }
        }

        func logged(below position: Int64) { loggedBelow.withLock { $0.append(position) } }
    }

    @Test func idsAreLoggedWithTheirEventsAndTheSourceToldAfterTheCommit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        let workspace = try Workspace(path: path)
        let run = try workspace.beginRun(source: .stream, name: "redis://h:1/s", seed: nil, codeVersion: "t", hyperparameters: Array("{}".utf8))
        let ledger = Ledger()
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: .default, ledger: ledger)
        try recorder.record(events: SampleEvents.recorded(0..<700))
        try recorder.flush()
        #expect(ledger.loggedBelow.withLock { $0.last } == 700)
        try recorder.record(events: SampleEvents.recorded(700..<1_000))
        try recorder.finish(at: 1)
        #expect(ledger.loggedBelow.withLock { $0.last } == 1_000)

        let ids = try workspace.loggedSourceIDs(run: run)
        #expect(ids.map(\.position) == Array(0..<1_000))
        #expect(ids.allSatisfy { $0.id == "s:\($0.position % 3) \($0.position)-0" })
        #expect(try workspace.sourceIDs(run: run, from: 990) == Set((990..<1_000).map { "s:\($0 % 3) \($0)-0" }))
        #expect(try workspace.lastRun()?.sourceKind == .stream)
    }

    /// A v2 file (before source ids) reads as having none when opened read-only, and is
    /// migrated, keeping its runs, on a read-write open.
    @Test func aVersion2FileReadsAsNoIdsThenMigrates() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("old.sqlite")
        do {
            let workspace = try Workspace(path: path)
            let run = try workspace.beginRun(source: .replay, name: "x", seed: nil, codeVersion: "old", hyperparameters: Array("{}".utf8))
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
            try recorder.record(events: SampleEvents.recorded(0..<10))
            try recorder.finish(at: 1)
        }
        let raw = try TestFiles.raw(path)
        try raw.write { db in try db.execute(sql: "DROP TABLE event_source_ids; DROP TABLE event_names; DELETE FROM grdb_migrations WHERE identifier IN ('v3', 'v4'); PRAGMA user_version = 2") }
        try raw.close()

        let reader = try Workspace(path: path, create: false, access: .readOnly)
        #expect(try reader.loggedSourceIDs(run: 1).isEmpty)
        #expect(try reader.sourceIDs(run: 1, from: 0).isEmpty)
        #expect(try reader.eventCount(run: 1) == 10)

        let writer = try Workspace(path: path, create: false)
        #expect(try writer.eventCount(run: 1) == 10)
        let check = try TestFiles.raw(path, readonly: true)
        #expect(try check.read { db in try db.tableExists("event_source_ids") })
        try check.close()
    }
}
