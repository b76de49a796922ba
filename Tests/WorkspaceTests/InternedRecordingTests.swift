import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

@Suite("Interned recording: the engine's id path logs exactly what the Event path logs")
struct InternedRecordingTests {
    /// SampleEvents (attributes on every 5th event), plus a user and an item never seen
    /// before every 333 events, so new ids keep arriving mid-slice.
    static func event(_ k: Int64) -> Event {
        var e = SampleEvents.event(at: k)
        if k % 333 == 100 {
            e.user = "new-user-\(k)"
            e.item = "new-item-\(k) ü"
        }
        return e
    }

    static let total: Int64 = 6_000
    static let forgetAt: Int64 = 2_950
    static let resetAt: Int64 = 4_500
    static let forgotten = "u5"

    struct Logged {
        var rows: [Row]
        var events: [RecordedEvent]
        var names: EventLog.Names?
    }

    static func rows(_ workspace: Workspace, run: Int64) throws -> [Row] {
        try workspace.database.read { db in
            try Row.fetchAll(db, sql: "SELECT first_position, last_position, count, data FROM event_batches WHERE run_id = ? ORDER BY first_position", arguments: [run])
        }
    }

    static func readAll(_ workspace: Workspace, run: Int64) throws -> [RecordedEvent] {
        var reader = try workspace.events(run: run)
        var out: [RecordedEvent] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    /// Feeds the stream in slices of `slice` events through one path. The interned path
    /// ingests into a graph, forgets `forgotten` mid-slice and rebuilds the graph from
    /// scratch at `resetAt`, as the engine does; the Event path cuts its slices at the same
    /// places, so both recorders commit the same batches.
    static func record(interned: Bool, slice: Int, catalogue: ItemCatalogue, into workspace: Workspace) throws -> Int64 {
        let run = try TestFiles.beginRun(workspace)
        // Commits cut by event count only, never by time: both paths cut the same rows.
        let policy = RecorderPolicy(writer: .inline, flushEvents: 1_500, flushDelay: 1_000_000)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: policy)
        var graph = HeteroGraph()
        graph.load(catalogue)
        var builder = InternedSliceBuilder(expectedSliceSize: slice)
        var pending: [RecordedEvent] = []
        func send() throws {
            if interned {
                try recorder.record(slice: builder.take(graph: graph))
            } else {
                try recorder.record(events: pending)
                pending = []
            }
        }
        for k in 0..<total {
            if k == forgetAt, let u = graph.userID(forgotten) {
                builder.willRemoveNames(graph: graph, forgetting: u)
                graph.forgetUser(u)
            }
            if k == resetAt {
                try send()
                builder.graphWillReset()
                graph = HeteroGraph()
                graph.load(catalogue)
            }
            let e = event(k)
            if interned {
                builder.append(graph.apply(e), of: e, position: k)
            } else {
                pending.append(RecordedEvent(position: k, event: e))
            }
            if (k + 1) % Int64(slice) == 0 { try send() }
        }
        try send()
        try recorder.finish(at: 5_000)
        return run
    }

    static var catalogue: ItemCatalogue {
        var c = ItemCatalogue()
        c.items["i3"] = ItemAttributes(categories: ["catalogue-c"], brand: "b", price: 2)
        c.items["only-in-catalogue"] = ItemAttributes(categories: ["x"])
        return c
    }

    @Test(arguments: [1, 37, 1_000, 10_000])
    func sameBlobsAsTheEventPath(slice: Int) throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let byEvents = try Self.record(interned: false, slice: slice, catalogue: Self.catalogue, into: workspace)
        let byIDs = try Self.record(interned: true, slice: slice, catalogue: Self.catalogue, into: workspace)

        let expected = (0..<Self.total).map { RecordedEvent(position: $0, event: Self.event($0)) }
        #expect(try Self.readAll(workspace, run: byEvents) == expected)
        let decoded = try Self.readAll(workspace, run: byIDs)
        #expect(decoded.count == expected.count)
        for (got, want) in zip(decoded, expected) where got != want {
            Issue.record("position \(want.position): \(got.event) != \(want.event)")
            break
        }
        // Row for row: same ranges, same events (each decoded with its run's names). The
        // blobs differ from where the forgotten user comes back: the id path numbers them
        // afresh, the Event path (which never forgot them) reuses their number.
        let a = try Self.rows(workspace, run: byEvents), b = try Self.rows(workspace, run: byIDs)
        #expect(a.count == b.count)
        #expect(a.count > 1)
        var sameBytes = 0
        let (namesA, namesB) = try workspace.database.read { db in (try LogNames.read(run: byEvents, in: db), try LogNames.read(run: byIDs, in: db)) }
        for (x, y) in zip(a, b) {
            #expect(x["first_position"] as Int64 == y["first_position"] as Int64)
            #expect(x["last_position"] as Int64 == y["last_position"] as Int64)
            #expect(x["count"] as Int == y["count"] as Int)
            let (dx, dy) = (x["data"] as Data, y["data"] as Data)
            #expect(try EventBatchCodec.decodeAll(dx, firstPosition: x["first_position"], names: namesA) == EventBatchCodec.decodeAll(dy, firstPosition: y["first_position"], names: namesB))
            if dx == dy { sameBytes += 1 }
        }
        // Rows without such a user are the same bytes.
        #expect(sameBytes > 0 || a.count < 3)
        // The forgotten user came back with a fresh id; both ids' events name them.
        #expect(decoded.filter { $0.event.user == Self.forgotten }.count == expected.filter { $0.event.user == Self.forgotten }.count)
        #expect(decoded.contains { $0.event.attributes != nil && $0.event.item.hasPrefix("new-item") })
    }

    /// The writer's tables: names arrive per slice, a forgotten user's name is erased after
    /// the events that precede the forget, and a rebuilt graph renames from id 0.
    @Test func writerTablesFollowTheGraph() throws {
        var graph = HeteroGraph()
        var builder = InternedSliceBuilder()
        var names = EventLog.Names()
        func encode(_ slice: InternedSlice) throws -> [RecordedEvent] {
            let batches = try EventLog.encode([.interned(slice, kept: 0..<slice.events.count)], names: &names)
            return try batches.flatMap { try EventBatchCodec.decodeAll($0.data, firstPosition: $0.first, names: names.log.snapshot()) }
        }
        let a = Event(user: "alice", item: "apple", action: .view, timestamp: 1)
        builder.append(graph.apply(a), of: a, position: 0)
        let alice = try #require(graph.userID("alice"))
        // Alice's event is still in this slice when she is forgotten: it keeps her name.
        builder.willRemoveNames(graph: graph, forgetting: alice)
        graph.forgetUser(alice)
        let b = Event(user: "alice", item: "pear", action: .purchase, timestamp: 2, value: 3)
        builder.append(graph.apply(b), of: b, position: 1)
        let first = builder.take(graph: graph)
        #expect(first.forgottenUsers == [alice])
        // The old id's name was captured before the graph dropped it; the new id follows.
        #expect(first.newUsers == ["alice", "alice"])
        #expect(first.newItems == ["apple", "pear"])
        #expect(try encode(first).map(\.event) == [a, b])
        #expect(names.users.name(alice) == "")
        #expect(names.users.name(1) == "alice")

        let d = Event(user: "carol", item: "apple", action: .view, timestamp: 2.5)
        builder.append(graph.apply(d), of: d, position: 2)
        let second = builder.take(graph: graph)
        #expect(second.firstNewUser == 2 && second.firstNewItem == 2)
        #expect(second.newUsers == ["carol"])
        #expect(second.newItems.isEmpty)
        #expect(try encode(second).map(\.event) == [d])

        builder.graphWillReset()
        graph = HeteroGraph()
        let c = Event(user: "bob", item: "plum", action: .cart, timestamp: 3)
        builder.append(graph.apply(c), of: c, position: 3)
        let third = builder.take(graph: graph)
        #expect(third.firstNewUser == 0 && third.firstNewItem == 0)
        #expect(try encode(third).map(\.event) == [c])
        #expect(names.users.count == 1 && names.items.count == 1)
        #expect(names.users.name(0) == "bob")
    }

    /// An id no slice named is the producer's bug: recording stops with a clear error.
    @Test func unnamedIDStopsRecording() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        var slice = InternedSlice()
        slice.newUsers = ["u"]
        slice.newItems = ["i"]
        slice.events = [InternedEvent(position: 0, user: 0, item: 0, action: .view, timestamp: 1, value: nil),
                        InternedEvent(position: 1, user: 0, item: 7, action: .view, timestamp: 2, value: nil)]
        try recorder.record(slice: slice)
        let error = try #require(throws: WorkspaceError.self) { try recorder.flush() }
        #expect(error.kind == .invalid)
        #expect(error.message.contains("item id 7"))
        #expect(try workspace.eventCount(run: run) == 0)
    }

    /// Positions out of order or already logged are dropped on the writer thread, exactly as
    /// `record(events:)` drops them, and the attributes stay with their events.
    @Test func positionsFilteredOnTheWriter() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline))
        var graph = HeteroGraph()
        var builder = InternedSliceBuilder()
        let order: [Int64] = [0, 2, 1, 3, 3, 7, 5, 9]
        for p in order {
            let e = Self.event(p * 5)
            builder.append(graph.apply(e), of: e, position: p)
        }
        try recorder.record(slice: builder.take(graph: graph))
        for p: Int64 in [8, 9, 10] {
            let e = Self.event(p * 5)
            builder.append(graph.apply(e), of: e, position: p)
        }
        try recorder.record(slice: builder.take(graph: graph))
        try recorder.flush()
        let logged = try Self.readAll(workspace, run: run)
        #expect(logged.map(\.position) == [0, 2, 3, 7, 9, 10])
        #expect(logged.map(\.event) == [0, 2, 3, 7, 9, 10].map { Self.event($0 * 5) })
        #expect(logged.allSatisfy { $0.event.attributes != nil })
    }
}
