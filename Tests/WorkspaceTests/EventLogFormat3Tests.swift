import Foundation
import GRDB
@testable import InterestGraph
import Testing
@testable import Workspace

/// Format 3: the recorder numbers every user, item, label and attribute set once per run
/// (`event_names`) and rows hold numbers; format-1 and -2 logs still read.
@Suite("Event log format 3: names numbered once per run")
struct EventLogFormat3Tests {
    static func readAll(_ workspace: Workspace, run: Int64) throws -> [RecordedEvent] {
        var reader = try workspace.events(run: run)
        var out: [RecordedEvent] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    static func formats(_ workspace: Workspace, run: Int64) throws -> [Int] {
        try workspace.database.read { db in
            try Int.fetchAll(db, sql: "SELECT unicode(substr(data, 1, 1)) FROM event_batches WHERE run_id = ? ORDER BY first_position", arguments: [run])
        }
    }

    /// A copy of the stored format-2 workspace (3,000 events of `CrashSafetyTests.event`).
    static func formatTwoFixture() throws -> (TemporaryDirectory, Workspace, Int64) {
        let fixture = try #require(Bundle.module.url(forResource: "format2-crash-test", withExtension: "sqlite", subdirectory: "Fixtures"))
        let directory = try TemporaryDirectory()
        let path = directory.file("old.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        let workspace = try Workspace(path: path, create: false)
        let run = try #require(try workspace.lastRun()).id
        return (directory, workspace, run)
    }

    static func nameCount(_ workspace: Workspace, run: Int64, kind: LogNameKind) throws -> Int {
        try workspace.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM event_names WHERE run_id = ? AND kind = ?", arguments: [run, kind.rawValue]) ?? -1
        }
    }

    /// A workspace written by the build before format 3 (schema v3, one format-2 row:
    /// `driftscope workspace crash-test --events 3000 --slice 701`) opens, migrates, reads
    /// event for event, and a resumed recorder appends format-3 rows after it.
    @Test func storedFormatTwoLogReadsAndResumes() throws {
        let (directory, workspace, run) = try Self.formatTwoFixture()
        #expect(try Self.formats(workspace, run: run) == [2])
        let old = try Self.readAll(workspace, run: run)
        #expect(old == (0..<3_000).map { RecordedEvent(position: $0, event: CrashSafetyTests.event($0)) })

        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        #expect(recorder.loggedPosition == 3_000)
        try recorder.record(events: (0..<5_000).map { RecordedEvent(position: $0, event: CrashSafetyTests.event($0)) })
        try recorder.finish(at: 1)
        #expect(try Self.formats(workspace, run: run) == [2, 3])
        #expect(try Self.readAll(workspace, run: run) == (0..<5_000).map { RecordedEvent(position: $0, event: CrashSafetyTests.event($0)) })
        // Names of the new rows only: the format-2 row keeps its own.
        #expect(try Self.nameCount(workspace, run: run, kind: .user) == 1_009)
        #expect(try workspace.exportEvents(run: run, to: directory.file("out.csv")) == 5_000)
    }

    /// Every field round-trips bit for bit through the recorder, names and attribute sets
    /// are stored once per run whatever the rows, and a resumed recorder continues the
    /// numbering instead of storing names again.
    @Test func recorderRoundTripsAndStoresEachNameOnce() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        var events = SampleEvents.recorded(0..<20_000)
        events.append(RecordedEvent(position: 20_000, event: Event(
            user: "ユーザー🙂", item: "item,with \"quotes\"", action: .purchase, timestamp: -12.5, value: 0,
            attributes: ItemAttributes(categories: [""], brand: "", price: -0.0))))
        events.append(RecordedEvent(position: 20_001, event: Event(user: "u1", item: "i1", action: .view, timestamp: 7, attributes: ItemAttributes(price: 0))))
        events.append(RecordedEvent(position: 20_002, event: Event(user: "u1", item: "i1", action: .view, timestamp: 0.5, attributes: ItemAttributes(price: .nan))))
        events.append(RecordedEvent(position: 5_000_000_000, event: Event(user: "x", item: "y", action: .view, timestamp: .greatestFiniteMagnitude)))

        // Two recorders, the second resuming the first: rows of 3,000 then of the rest.
        let first = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline, flushEvents: 3_000))
        for start in stride(from: 0, to: 12_000, by: 1_000) { try first.record(events: Array(events[start..<start + 1_000])) }
        try first.close()
        let second = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline, flushEvents: 3_000))
        try second.record(events: events)
        try second.finish(at: 1)

        let decoded = try Self.readAll(workspace, run: run)
        #expect(decoded.count == events.count)
        for (got, want) in zip(decoded, events) where got.position != want.position || got.event.user != want.event.user || got.event.item != want.event.item
            || got.event.timestamp.bitPattern != want.event.timestamp.bitPattern || got.event.value?.bitPattern != want.event.value?.bitPattern
            || got.event.attributes?.price?.bitPattern != want.event.attributes?.price?.bitPattern
            || got.event.attributes?.categories != want.event.attributes?.categories || got.event.attributes?.brand != want.event.attributes?.brand {
            Issue.record("position \(want.position): \(got.event) != \(want.event)")
            break
        }
        #expect(try Self.formats(workspace, run: run).allSatisfy { $0 == 3 })
        // The jump to 5,000,000,000 starts a row of its own (contiguous rows need no gaps).
        let ranges = try workspace.database.read { db in
            try Row.fetchAll(db, sql: "SELECT first_position, last_position, count FROM event_batches WHERE run_id = ? ORDER BY first_position", arguments: [run])
        }
        #expect(ranges.allSatisfy { ($0["last_position"] as Int64) - ($0["first_position"] as Int64) + 1 == $0["count"] as Int64 })
        let users = Set(events.map(\.event.user)).count, items = Set(events.map(\.event.item)).count
        #expect(try Self.nameCount(workspace, run: run, kind: .user) == users)
        #expect(try Self.nameCount(workspace, run: run, kind: .item) == items)
        // -0.0 and 0.0 are two sets; NaN one (by bits); SampleEvents' sets once each.
        let sets = Set(events.compactMap { $0.event.attributes }.filter { !$0.isEmpty }.map(AttributeKey.init)).count
        #expect(try Self.nameCount(workspace, run: run, kind: .attributes) == sets)
    }

    /// Decoded events carry their log numbers as keys (one number per name, one space per
    /// reader), and a graph built through the keys is the graph built by names: what lets a
    /// resume skip hashing a name per event.
    @Test func decodedEventsCarryTheirNumbersAsKeys() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let events = SampleEvents.recorded(0..<6_000)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline, flushEvents: 1_000))
        try recorder.record(events: events)
        try recorder.finish(at: 1)
        let decoded = try Self.readAll(workspace, run: run)
        #expect(decoded.count == events.count)
        var userKeys: [String: Int32] = [:], itemKeys: [String: Int32] = [:]
        var spaces = Set<UInt32>()
        for recorded in decoded {
            let keys = try #require(recorded.event.keys)
            spaces.insert(keys.space)
            #expect(userKeys.updateValue(keys.user, forKey: recorded.event.user).map { $0 == keys.user } ?? true)
            #expect(itemKeys.updateValue(keys.item, forKey: recorded.event.item).map { $0 == keys.item } ?? true)
            #expect((keys.attributes > 0) == (recorded.event.attributes != nil))
        }
        #expect(spaces.count == 1)
        #expect(Set(userKeys.values).count == userKeys.count, "distinct users, distinct numbers")
        #expect(try Self.readAll(workspace, run: run).first?.event.keys?.space != spaces.first, "another reader, another space")

        var byName = HeteroGraph(), byKey = HeteroGraph()
        var map = SourceKeyMap()
        for recorded in decoded {
            let a = byName.apply(recorded.event)
            let b = byKey.apply(recorded.event, keys: &map)
            #expect(a == b)
        }
        #expect(byName.users.names == byKey.users.names)
        #expect(byName.items.names == byKey.items.names)
        #expect(byName.itemCategories == byKey.itemCategories)
        #expect(byName.itemBrand == byKey.itemBrand)
        #expect(byName.itemPrice == byKey.itemPrice)
        #expect(byName.edgeStates == byKey.edgeStates)
    }

    /// A shop-like stream: every event names a user among thousands and repeats its item's
    /// attributes. Format 3 rows take a fraction of format 2's bytes for the same events.
    @Test func shopLikeEventsCostFewBytes() throws {
        var events: [RecordedEvent] = []
        for k in 0..<40_000 {
            let item = (k * 31) % 5_003
            let attributes = ItemAttributes(categories: ["Home/Bath\(item % 40)"], brand: "Brand\(item % 300)", price: Double(item % 97) + 0.99)
            let user = "u\(1_000_000 + (k * 7_919) % 30_011)"
            let action: Action = k % 9 == 0 ? .purchase : .view
            let event = Event(user: user, item: "i\(100_000 + item)", action: action, timestamp: 1_700_000_000 + Double(k / 4), attributes: attributes)
            events.append(RecordedEvent(position: Int64(k), event: event))
        }
        var names = EventLog.Names()
        let rows = EventLog.encode(events[...], names: &names)
        let format3 = rows.reduce(0) { $0 + $1.data.count }
        let format2 = stride(from: 0, to: events.count, by: EventLog.maxBatch).reduce(0) { sum, start in
            sum + EventBatchCodec.encode(events[start..<min(start + EventLog.maxBatch, events.count)]).count
        }
        let perEvent = Double(format3) / Double(events.count)
        #expect(perEvent < 9, "\(perEvent) bytes an event in format 3")
        #expect(Double(format3) < 0.6 * Double(format2), "format 3 \(format3) bytes, format 2 \(format2)")
        var decoded: [RecordedEvent] = []
        for row in rows { decoded += try EventBatchCodec.decodeAll(row.data, firstPosition: row.first, names: names.log.snapshot()) }
        #expect(decoded == events)
    }

    /// A format-3 row needs its run's names: without them, or naming a number the table does
    /// not hold, it is damage (an error naming the run and position), never a crash.
    @Test func aRowNamingAMissingNumberIsDamage() throws {
        var names = EventLog.Names()
        let rows = EventLog.encode(SampleEvents.recorded(0..<50)[...], names: &names)
        let blob = try #require(rows.first?.data)
        #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(blob, firstPosition: 0) }
        var fewer = names.log.snapshot()
        fewer.users.removeLast()
        #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(blob, firstPosition: 0, names: fewer) }
        for cut in [1, 5, 6, blob.count / 2, blob.count - 1] {
            #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(blob.prefix(cut), firstPosition: 0, names: names.log.snapshot()) }
        }

        // Through the reader: the row is stored, the last of its users' names is not.
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let pending = names.log.takePending()
        let last = try #require(pending.filter { $0.kind == .user }.map(\.number).max())
        let stored = pending.filter { !($0.kind == .user && $0.number == last) }
        try workspace.database.write { (db: Database) throws in
            try LogNames.insert(stored, run: run, in: db)
            try EventLog.insert(rows, run: run, in: db)
        }
        let error = #expect(throws: WorkspaceError.self) { try Self.readAll(workspace, run: run) }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains("run \(run), batch at position 0") == true)
    }

    /// The engine's path: ids resolved through the slices' names, a user forgotten and back
    /// under a fresh id gets a fresh number, a rebuilt graph's ids map back to the numbers
    /// their names already have.
    @Test func internedIDsMapToRunNumbers() throws {
        var graph = HeteroGraph()
        var builder = InternedSliceBuilder()
        var names = EventLog.Names()
        var position: Int64 = 0
        func ingest(_ e: Event) {
            builder.append(graph.apply(e), of: e, position: position)
            position += 1
        }
        ingest(Event(user: "alice", item: "apple", action: .view, timestamp: 1))
        ingest(Event(user: "bob", item: "apple", action: .view, timestamp: 2))
        let alice = try #require(graph.userID("alice"))
        builder.willRemoveNames(graph: graph, forgetting: alice)
        graph.forgetUser(alice)
        var rows = try EventLog.encode([.interned(builder.take(graph: graph), kept: 0..<2)], names: &names)
        ingest(Event(user: "alice", item: "pear", action: .view, timestamp: 3))
        rows += try EventLog.encode([.interned(builder.take(graph: graph), kept: 0..<1)], names: &names)
        builder.graphWillReset()
        graph = HeteroGraph()
        ingest(Event(user: "bob", item: "pear", action: .view, timestamp: 4))
        ingest(Event(user: "carol", item: "apple", action: .view, timestamp: 5))
        rows += try EventLog.encode([.interned(builder.take(graph: graph), kept: 0..<2)], names: &names)
        let table = names.log.snapshot()
        // alice twice (forgotten, then back), bob once although his id changed with the graph.
        #expect(table.users == ["alice", "bob", "alice", "carol"])
        #expect(table.items == ["apple", "pear"])
        var decoded: [String] = []
        for row in rows { decoded += try EventBatchCodec.decodeAll(row.data, firstPosition: row.first, names: table).map { "\($0.position) \($0.event.user) \($0.event.item)" } }
        #expect(decoded == ["0 alice apple", "1 bob apple", "2 alice pear", "3 bob pear", "4 carol apple"])
    }

    /// `forget` on format-3 rows: the user's events leave every row of the run, the rows
    /// keep their ranges, other users read as before, and the stored name is blanked.
    @Test func forgetRewritesFormatThreeRowsAndBlanksTheName() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline, flushEvents: 2_000))
        let events = SampleEvents.recorded(0..<10_000)
        try recorder.record(events: events)
        try recorder.close()
        let report = try workspace.forget(user: "u5")
        #expect(report.events == events.filter { $0.event.user == "u5" }.count)
        #expect(try Self.readAll(workspace, run: run) == events.filter { $0.event.user != "u5" })
        #expect(try workspace.loggedPosition(run: run) == 10_000)
        let users = try workspace.database.read { db in try LogNames.read(run: run, in: db).users }
        #expect(users.count == 97 && users.filter(\.isEmpty).count == 1 && !users.contains("u5") && users.contains("u50"))

        // A recorder resumed afterwards gives a returning "u5" a fresh number.
        let resumed = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline))
        try resumed.record(events: [RecordedEvent(position: 10_000, event: Event(user: "u5", item: "i1", action: .view, timestamp: 1))])
        try resumed.finish(at: 2)
        #expect(try Self.readAll(workspace, run: run).last?.event.user == "u5")
        #expect(try Self.nameCount(workspace, run: run, kind: .user) == 98)
    }
}
