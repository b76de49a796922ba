import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

@Suite("Event log: recording, reading back, positions logged once")
struct EventLogTests {
    static let writers: [RecorderPolicy.Writer] = [.background, .inline]

    func readAll(_ workspace: Workspace, run: Int64, from: Int64 = 0) throws -> [RecordedEvent] {
        var reader = try workspace.events(run: run, from: from)
        var out: [RecordedEvent] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    @Test(arguments: writers)
    func recordFlushReadBack(_ writer: RecorderPolicy.Writer) throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer, flushEvents: 1_000))
        #expect(recorder.loggedPosition == 0)
        let events = SampleEvents.recorded(0..<25_000)
        for start in stride(from: 0, to: events.count, by: 777) {
            try recorder.record(events: Array(events[start..<min(start + 777, events.count)]))
        }
        #expect(try recorder.flush() == 25_000)
        #expect(recorder.loggedPosition == 25_000)
        #expect(try workspace.loggedPosition(run: run) == 25_000)
        #expect(try workspace.eventCount(run: run) == 25_000)
        #expect(try readAll(workspace, run: run) == events)
        // Rows hold at most maxBatch events each.
        let largest = try workspace.database.read { (db: Database) throws in try Int.fetchOne(db, sql: "SELECT MAX(count) FROM event_batches") }
        #expect(try #require(largest) <= EventLog.maxBatch)
        try recorder.finish(at: 2_000)
        #expect(try workspace.run(run)?.status == .finished)
        #expect(try workspace.run(run)?.endedAt == 2_000)
    }

    @Test func readerStartsAnywhere() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        let events = SampleEvents.recorded(0..<20_000)
        for start in stride(from: 0, to: events.count, by: 3_000) {
            try recorder.record(events: Array(events[start..<min(start + 3_000, events.count)]))
            try recorder.flush()
        }
        for from: Int64 in [0, 1, 2_999, 3_000, 3_001, 12_345, 19_999, 20_000, 50_000] {
            let read = try readAll(workspace, run: run, from: from)
            #expect(read == Array(events.dropFirst(Int(min(from, 20_000)))), "from \(from)")
        }
        // Another run's log is separate.
        let other = try TestFiles.beginRun(workspace)
        #expect(try readAll(workspace, run: other).isEmpty)
        #expect(try workspace.loggedPosition(run: other) == 0)
    }

    @Test(arguments: writers)
    func samePositionIsNeverLoggedTwice(_ writer: RecorderPolicy.Writer) throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        do {
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer))
            try recorder.record(events: SampleEvents.recorded(0..<100))
            try recorder.record(events: SampleEvents.recorded(50..<150))      // overlaps
            try recorder.record(events: SampleEvents.recorded(120..<130))     // entirely old
            try recorder.flush()
            try recorder.record(events: SampleEvents.recorded(0..<160))       // after a commit
            try recorder.close()
        }
        #expect(try readAll(workspace, run: run) == SampleEvents.recorded(0..<160))
        // A resumed recorder starts after the log and ignores a source replayed from 0.
        let resumed = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer))
        #expect(resumed.loggedPosition == 160)
        try resumed.record(events: SampleEvents.recorded(0..<200))
        try resumed.flush()
        let all = try readAll(workspace, run: run)
        #expect(all == SampleEvents.recorded(0..<200))
        #expect(Set(all.map(\.position)).count == all.count)
    }

    @Test func outOfOrderPositionsInsideASliceAreDropped() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        let e = SampleEvents.recorded(0..<10)
        try recorder.record(events: [e[0], e[2], e[1], e[3], e[3], e[7], e[5], e[9]])
        try recorder.flush()
        #expect(try readAll(workspace, run: run).map(\.position) == [0, 2, 3, 7, 9])
        #expect(recorder.loggedPosition == 10)
    }

    @Test func overlappingBatchIsRejectedByTheDatabase() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        try workspace.database.write { (db: Database) throws in
            try EventLog.insert(EventLog.encode(SampleEvents.recorded(0..<100)[...]), run: run, in: db)
        }
        for overlap in [50..<60, 99..<120, 0..<1] as [Range<Int64>] {
            #expect(throws: DatabaseError.self) {
                try workspace.database.write { (db: Database) throws in
                    try EventLog.insert(EventLog.encode(SampleEvents.recorded(overlap)[...]), run: run, in: db)
                }
            }
        }
        // Adjacent is fine.
        try workspace.database.write { (db: Database) throws in
            try EventLog.insert(EventLog.encode(SampleEvents.recorded(100..<110)[...]), run: run, in: db)
        }
        #expect(try workspace.eventCount(run: run) == 110)
    }

    @Test func codecRoundTripsEveryField() throws {
        var events = SampleEvents.recorded(0..<300)
        events.append(RecordedEvent(position: 1_000, event: Event(
            user: "ユーザー🙂", item: "item,with \"quotes\"", action: .purchase, timestamp: -12.5, value: 0,
            attributes: ItemAttributes(categories: [""], brand: "", price: -0.0))))
        events.append(RecordedEvent(position: 5_000_000_000, event: Event(user: "x", item: "y", action: .view, timestamp: .greatestFiniteMagnitude)))
        let blob = EventBatchCodec.encode(events[...])
        let decoded = try EventBatchCodec.decodeAll(blob, firstPosition: 0)
        #expect(decoded == events)
    }

    /// Whole and fractional timestamps and values, -0.0, negative times, names repeated
    /// within the row and first seen late: format 2's choices all round-trip exactly.
    @Test func codecRoundTripsWholeNumbersAndRepeatedNames() throws {
        let times: [Double] = [1_700_000_000, 1_700_000_000, 1_699_999_000, 0.5, -3, 9_007_199_254_740_994, -0.0, 2.5e-300]
        let values: [Double?] = [nil, 5, -0.0, 4.5, -2, 1e300, 0, nil]
        var events: [RecordedEvent] = []
        for k in 0..<64 {
            let event = Event(user: "u\(k % 3)", item: k % 2 == 0 ? "shared" : "i\(k)", action: .rating,
                              timestamp: times[k % times.count], value: values[k % values.count],
                              attributes: k % 4 == 0 ? ItemAttributes(categories: ["Baby", "Baby/Toys"], brand: k % 8 == 0 ? "Baby" : nil, price: 9.99) : nil)
            events.append(RecordedEvent(position: Int64(k * 2), event: event))
        }
        let decoded = try EventBatchCodec.decodeAll(EventBatchCodec.encode(events[...]), firstPosition: 0)
        #expect(decoded == events)
        // Bit for bit: -0.0 stays negative, 0.5 is not rounded.
        #expect(zip(decoded, events).allSatisfy { $0.event.timestamp.bitPattern == $1.event.timestamp.bitPattern })
        #expect(zip(decoded, events).allSatisfy { $0.event.value?.bitPattern == $1.event.value?.bitPattern })
    }

    /// A shop's log repeats users and items and has whole-second times: format 2 writes such
    /// events in a fraction of format 1's 26-27 bytes.
    @Test func repeatedNamesAndWholeSecondsCostFewBytes() throws {
        let events = (0..<8_192).map { k in
            RecordedEvent(position: Int64(k), event: Event(user: "u\(100_000 + k % 1_500)", item: "i\(10_000 + (k * 7) % 900)", action: .click, timestamp: 1_700_000_000 + Double(k / 3)))
        }
        let blob = EventBatchCodec.encode(events[...])
        #expect(Double(blob.count) / Double(events.count) < 10, "\(Double(blob.count) / Double(events.count)) bytes an event")
        #expect(try EventBatchCodec.decodeAll(blob, firstPosition: 0) == events)
    }

    /// A shop's export repeats an item's category, brand and price on every row: the row
    /// writes them once, then one flag byte; a change (or 0.0 after -0.0) is written again.
    @Test func repeatedAttributesAreWrittenOnceARow() throws {
        let prices: [Double] = [75.99, 75.99, 0.1, 0.1, 0, -0.0, 1e300, 1e300, 19.999]
        var events: [RecordedEvent] = []
        for (k, price) in prices.enumerated() {
            events.append(RecordedEvent(position: Int64(k), event: Event(user: "u", item: "i", action: .view, timestamp: 1_700_000_000,
                                                                  attributes: ItemAttributes(categories: ["Home/Bath"], brand: "Kesdera", price: price))))
        }
        let decoded = try EventBatchCodec.decodeAll(EventBatchCodec.encode(events[...]), firstPosition: 0)
        #expect(decoded == events)
        #expect(zip(decoded, events).allSatisfy { $0.event.attributes?.price?.bitPattern == $1.event.attributes?.price?.bitPattern })
        // 200 views of one item with the same attributes: a few bytes each, not 14 more.
        let same = (0..<200).map { k in
            RecordedEvent(position: Int64(k), event: Event(user: "u\(k % 50)", item: "i\(k % 20)", action: .view, timestamp: 1_700_000_000 + Double(k),
                                                         attributes: ItemAttributes(categories: ["Home/Bath"], brand: "Kesdera", price: 75.99)))
        }
        let blob = EventBatchCodec.encode(same[...])
        #expect(blob.count < 200 * 9, "\(blob.count) bytes")
        #expect(try EventBatchCodec.decodeAll(blob, firstPosition: 0) == same)
    }

    /// Workspaces written before format 2 still read.
    @Test func formatOneBlobsStillDecode() throws {
        var w = ByteWriter()
        w.byte(1)
        w.uint32(2)
        w.varint(0)                       // gap
        w.byte(Action.rating.rawValue | 1 << 3 | 1 << 5)
        w.double(1_700_000_000.5)
        w.double(4)
        w.string("u1")
        w.string("i1")
        w.string("Acme")                  // brand
        w.varint(3)                       // gap
        w.byte(Action.view.rawValue)
        w.double(1_700_000_001)
        w.string("u2")
        w.string("i1")
        let decoded = try EventBatchCodec.decodeAll(w.data(), firstPosition: 10)
        #expect(decoded == [
            RecordedEvent(position: 10, event: Event(user: "u1", item: "i1", action: .rating, timestamp: 1_700_000_000.5, value: 4, attributes: ItemAttributes(brand: "Acme"))),
            RecordedEvent(position: 14, event: Event(user: "u2", item: "i1", action: .view, timestamp: 1_700_000_001)),
        ])
    }

    @Test func aNameNumberNotYetWrittenIsDamage() throws {
        var w = ByteWriter()
        w.byte(2)
        w.uint32(1)
        w.varint(0)
        w.byte(Action.view.rawValue | 1 << 5)
        w.varint(EventBatchCodec.zigzag(1_700_000_000))
        w.varint(3 << 1)                  // user number 3 of a row that has named nobody
        w.newName("i1")
        let blob = w.data()
        #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(blob, firstPosition: 0) }
    }

    @Test func damagedBlobIsAnErrorNotACrash() throws {
        let blob = EventBatchCodec.encode(SampleEvents.recorded(0..<50)[...])
        for cut in [0, 1, 2, 3, 10, blob.count / 2, blob.count - 1] {
            #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(blob.prefix(cut), firstPosition: 0) }
        }
        var wrong = blob
        wrong[0] = 9
        #expect(throws: EventBatchCodec.Damaged.self) { try EventBatchCodec.decodeAll(wrong, firstPosition: 0) }

        // Through the reader: a damaged row gives a one-line corrupt error.
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        try workspace.database.write { (db: Database) throws in
            try db.execute(sql: "INSERT INTO event_batches (run_id, first_position, last_position, count, data) VALUES (?, 0, 49, 50, ?)", arguments: [run, Data(blob.prefix(30))])
        }
        let error = #expect(throws: WorkspaceError.self) { try readAll(workspace, run: run) }
        #expect(error?.kind == .corrupt)
    }

    @Test func recorderForUnknownRunThrows() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let error = #expect(throws: WorkspaceError.self) { try WorkspaceRecorder(workspace: workspace, run: 42) }
        #expect(error?.kind == .notFound)
    }

    @Test func closedRecorderRefusesMoreEvents() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.record(events: SampleEvents.recorded(0..<10))
        try recorder.close()
        #expect(try workspace.eventCount(run: run) == 10)
        #expect(try workspace.run(run)?.status == .running)
        #expect(throws: WorkspaceError.self) { try recorder.record(events: SampleEvents.recorded(10..<20)) }
    }

    @Test func timeThresholdCommitsWithoutAFlush() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(flushEvents: 1_000_000, flushDelay: 0.02))
        try recorder.record(events: SampleEvents.recorded(0..<10))
        // The background writer commits on its own once the delay has passed; poll (no timing
        // assertion: the bound is generous and only guards against a hang).
        var waited = 0
        while recorder.loggedPosition < 10, waited < 1_000 {
            usleep(10_000)
            waited += 1
        }
        #expect(recorder.loggedPosition == 10)
        #expect(try workspace.eventCount(run: run) == 10)
    }
}
