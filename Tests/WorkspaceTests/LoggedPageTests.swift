import Foundation
import GRDB
@testable import InterestGraph
import Testing
@testable import Workspace

/// A resume reads the log as pages of numbers (``EventLogReader/forEachPage(before:_:)``)
/// instead of one `Event` per event: the pages must say exactly what the events say.
@Suite("Event log read as pages of numbers")
struct LoggedPageTests {
    /// Every page, as (position, event) pairs, with the names each page came with.
    static func pages(_ workspace: Workspace, run: Int64, from: Int64 = 0, before end: Int64 = .max) throws -> (events: [RecordedEvent], pages: [(LoggedEventPage, LoggedEventNames)]) {
        var reader = try workspace.events(run: run, from: from)
        var events: [RecordedEvent] = []
        var pages: [(LoggedEventPage, LoggedEventNames)] = []
        try reader.forEachPage(before: end) { page, names in
            for k in 0..<page.count { events.append(RecordedEvent(position: page.positions[k], event: names.event(page, at: k))) }
            pages.append((page, names))
        }
        return (events, pages)
    }

    /// A recorded log; `directory` holds the file for as long as the value lives.
    struct Log {
        let directory: TemporaryDirectory
        let workspace: Workspace
        let run: Int64
    }

    static func recordedLog(_ events: [RecordedEvent], rowEvents: Int = 1_000) throws -> Log {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        // One row per flush: a log of several rows.
        for start in stride(from: 0, to: events.count, by: rowEvents) {
            try recorder.record(events: Array(events[start..<min(start + rowEvents, events.count)]))
            try recorder.flush()
        }
        try recorder.finish(at: 1)
        return Log(directory: directory, workspace: workspace, run: run)
    }

    /// Pages hold the events `next()` hands out, every field, from any start up to any end,
    /// each name under one number.
    @Test func pagesHoldTheLoggedEventsFromAnyStartToAnyEnd() throws {
        let events = SampleEvents.recorded(0..<7_000)
        let log = try Self.recordedLog(events)
        let workspace = log.workspace, run = log.run
        defer { withExtendedLifetime(log) {} }
        #expect(try EventLogFormat3Tests.formats(workspace, run: run).allSatisfy { $0 == 3 })
        for (from, end): (Int64, Int64) in [(0, .max), (0, 7_000), (0, 1), (1, 999), (999, 1_001), (3_500, 6_999), (6_999, .max), (7_000, .max), (0, 0)] {
            let read = try Self.pages(workspace, run: run, from: from, before: end)
            let expected = events.filter { $0.position >= from && $0.position < end }
            #expect(read.events == expected, "from \(from) before \(end)")
            #expect(read.pages.allSatisfy { !$0.0.isEmpty })
        }
        let all = try Self.pages(workspace, run: run)
        #expect(all.pages.count > 1, "a log of several rows reads as several pages")
        #expect(Set(all.pages.map(\.1.space)).count == 1, "one run, one numbering")
        var numberOf: [String: Int32] = [:]
        for (page, names) in all.pages {
            for k in 0..<page.count {
                let name = names.users[Int(page.users[k])]
                #expect(numberOf.updateValue(page.users[k], forKey: name).map { $0 == page.users[k] } ?? true)
            }
        }
        #expect(numberOf.count == 97)
    }

    /// A log begun by a build before format 3 (a format-2 row) and continued in format 3:
    /// the old row's names are numbered by the reader, on pages of their own, and the pages
    /// still hold every event once, in order.
    @Test func oldRowsAreNumberedOnPagesOfTheirOwn() throws {
        let (directory, workspace, run) = try EventLogFormat3Tests.formatTwoFixture()
        defer { withExtendedLifetime(directory) {} }
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.record(events: (0..<5_000).map { RecordedEvent(position: $0, event: CrashSafetyTests.event($0)) })
        try recorder.finish(at: 1)
        #expect(try EventLogFormat3Tests.formats(workspace, run: run) == [2, 3])

        let read = try Self.pages(workspace, run: run)
        #expect(read.events == (0..<5_000).map { RecordedEvent(position: $0, event: CrashSafetyTests.event($0)) })
        #expect(Set(read.pages.map(\.1.space)).count == 2, "the old row's numbers are the reader's, not the run's")
        #expect(read.pages.first.map { $0.0.positions.last == 2_999 } == true, "the format-2 row is a page by itself")
    }

    /// A graph built from pages is the graph built from the events by name, field by field:
    /// what a resume rebuilds.
    @Test func aGraphFromPagesIsTheGraphFromEvents() throws {
        let events = SampleEvents.recorded(0..<6_000)
        let log = try Self.recordedLog(events, rowEvents: 700)
        let workspace = log.workspace, run = log.run
        defer { withExtendedLifetime(log) {} }
        var byName = HeteroGraph(), byPage = HeteroGraph()
        var map = SourceKeyMap()
        var reader = try workspace.events(run: run)
        var k = 0
        try reader.forEachPage(before: .max) { page, names in
            for row in 0..<page.count {
                let a = byName.apply(events[k].event)
                let b = byPage.apply(logged: page, at: row, names: names, keys: &map)
                #expect(a == b)
                k += 1
            }
        }
        #expect(k == events.count)
        #expect(byName.users.names == byPage.users.names)
        #expect(byName.items.names == byPage.items.names)
        #expect(byName.itemCategories == byPage.itemCategories)
        #expect(byName.itemBrand == byPage.itemBrand)
        #expect(byName.itemPrice == byPage.itemPrice)
        #expect(byName.edgeStates == byPage.edgeStates)
    }

    /// A damaged row read as pages is the same error as read as events (run and position
    /// named), never a crash.
    @Test func aDamagedRowIsAnErrorInPagesToo() throws {
        let log = try Self.recordedLog(SampleEvents.recorded(0..<3_000))
        let workspace = log.workspace, run = log.run
        defer { withExtendedLifetime(log) {} }
        try workspace.database.write { db in
            try db.execute(sql: "UPDATE event_batches SET data = substr(data, 1, length(data) - 3) WHERE run_id = ? AND first_position > 0", arguments: [run])
        }
        var reader = try workspace.events(run: run)
        var seen = 0
        let error = #expect(throws: WorkspaceError.self) {
            try reader.forEachPage(before: .max) { page, _ in seen += page.count }
        }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains("damaged event log: run \(run), batch at position") == true)
        #expect(seen <= 1_000)
    }
}
