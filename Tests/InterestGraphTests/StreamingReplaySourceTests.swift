import Foundation
import Testing
@testable import InterestGraph

/// A file replay streams: the first events play while a second thread reads the rest. It must
/// hand out exactly the events, in exactly the time order, that the whole-file replay does.
@Suite struct StreamingReplaySourceTests {
    static func csv(_ rows: [String]) -> String {
        "user,item,timestamp,action,value,category,brand\n" + rows.joined(separator: "\n") + "\n"
    }

    /// 2,000 rows in time order with ties, values, attribute sets on some rows; tiny chunks so
    /// the replay crosses about 300 chunk boundaries.
    static func sortedRows() -> [String] {
        (0..<2_000).map { k in
            let attributes = k % 5 == 0 ? "Home/Bath,Brand\(k % 7)" : ","
            let value = k % 3 == 0 ? "\(k % 5)" : ""
            return "u\(k % 37),i\(k % 101),\(1_700_000_000 + k / 2),\(k % 4 == 0 ? "purchase" : "view"),\(value),\(attributes)"
        }
    }

    static func drain(_ source: inout StreamingReplaySource) -> [Event] {
        var out: [Event] = []
        while let e = source.next() { out.append(e) }
        return out
    }

    @Test func aSortedFileStreamsTheEventsTheWholeFileReplayHandsOut() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(Self.csv(Self.sortedRows()), to: "shop.csv", in: directory)
        let expected = CompactReplaySourceTests.drain(try CompactReplaySource(pathOrName: path))
        var streamed = try StreamingReplaySource(pathOrName: path, chunkSize: 7)
        #expect(streamed.name == "shop")
        #expect(streamed.peekTime() == 1_700_000_000)
        let got = Self.drain(&streamed)
        #expect(got.count == 2_000)
        #expect(got == expected)
        #expect(streamed.totalCount == 2_000)
        #expect(streamed.takeGap() == .ended)
        // Keys name the same user and item wherever they occur, in one key space.
        var userOfKey: [Int32: String] = [:]
        var itemOfKey: [Int32: String] = [:]
        var spaces = Set<UInt32>()
        for event in got {
            let keys = try #require(event.keys)
            #expect(userOfKey.updateValue(event.user, forKey: keys.user).map { $0 == event.user } ?? true)
            #expect(itemOfKey.updateValue(event.item, forKey: keys.item).map { $0 == event.item } ?? true)
            spaces.insert(keys.space)
        }
        #expect(spaces.count == 1 && userOfKey.count == 37 && itemOfKey.count == 101)
        // Row attributes are applied as their rows arrive, not merged into the catalogue ahead.
        #expect(streamed.catalogue.items.isEmpty)
        // Restart goes back to the first event, across the chunks already read.
        streamed.restart()
        #expect(streamed.position == 0)
        #expect(streamed.next() == expected.first)
    }

    /// ``sortedRows()`` with two pairs swapped, the first near the top.
    static func rowsOutOfOrderNearTheTop() -> [String] {
        var rows = sortedRows()
        rows.swapAt(0, 3)
        rows.swapAt(500, 1_500)
        return rows
    }

    /// ml-100k's `u.data` is out of order from its first rows: nothing was handed out, so the
    /// replay simply starts on the sorted file.
    @Test func aFileOutOfOrderNearItsTopIsSortedBeforeTheFirstEvent() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(Self.csv(Self.rowsOutOfOrderNearTheTop()), to: "shop.csv", in: directory)
        let expected = CompactReplaySourceTests.drain(try CompactReplaySource(pathOrName: path))
        var streamed = try StreamingReplaySource(pathOrName: path, chunkSize: 7)
        let got = Self.drain(&streamed)
        #expect(got == expected)
        #expect(zip(got, got.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(streamed.takeGap() == .ended)
        #expect(streamed.totalCount == 2_000)
    }

    static func event(_ user: String, _ item: String, _ time: Double) -> Event {
        Event(user: user, item: item, action: .view, timestamp: time)
    }

    /// Found out of order after events were handed out: the source stops, asks once for a
    /// restart, and then hands out the whole file sorted.
    @Test func aFileFoundOutOfOrderLaterAsksForARestartAndReplaysItSorted() throws {
        let load = StreamingLoad(chunkSize: 3)
        load.deliver(ItemCatalogue())
        var events = (1...6).map { Self.event("u\($0 % 2)", "i\($0)", Double($0)) }
        for e in events { load.append(e) }
        var source = StreamingReplaySource(name: "t", catalogue: ItemCatalogue(), load: load)
        let first = (0..<6).compactMap { _ in source.next() }
        #expect(first == events)
        // Caught up with the reader: no event, and not the end either.
        #expect(source.peekTime() == nil)
        #expect(source.takeGap() == .waiting)
        let late = [Self.event("u9", "i1", 0.5), Self.event("u1", "i7", 7)]
        for e in late { load.append(e) }
        load.finish(error: nil)
        events += late
        // The file is sorted whole; nothing is handed out until the restart is taken.
        #expect(source.peekTime() == nil)
        #expect(source.next() == nil)
        let gap = source.takeGap()
        guard case .restart(let reason) = gap else {
            Issue.record("expected a restart, got \(gap)")
            return
        }
        #expect(reason.contains("not in time order"))
        #expect(source.position == 0)
        #expect(source.peekTime() == 0.5)
        let sorted = Self.drain(&source)
        #expect(sorted == CompactReplaySourceTests.drain(ArrayEventSource(name: "t", events: events)))
        #expect(sorted.first?.timestamp == 0.5)
        #expect(source.totalCount == 8)
    }

    /// Strict mode: a bad row before the first chunk fails the open (as a whole-file load
    /// does); one after it ends the replay at the row before it and says why.
    @Test func aStrictReadThatFailsReportsWhere() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        var rows = Self.sortedRows()
        rows[19] = "u1,i1,not-a-time,view,,,"
        let path = try ReaderFixtures.write(Self.csv(rows), to: "shop.csv", in: directory)
        let strict = ReadOptions(strict: true)
        #expect(throws: (any Error).self) { try StreamingReplaySource(pathOrName: path, options: strict, chunkSize: 64) }
        var streamed = try StreamingReplaySource(pathOrName: path, options: strict, chunkSize: 7)
        let got = Self.drain(&streamed)
        #expect(got == Array(CompactReplaySourceTests.drain(try CompactReplaySource(pathOrName: path)).prefix(19)))
        let error = try #require(streamed.loadError)
        #expect(error.contains("21"), "the file's line: \(error)")
        // Lenient (the default): the row is skipped and counted, the replay goes on.
        var lenient = try StreamingReplaySource(pathOrName: path, chunkSize: 7)
        #expect(Self.drain(&lenient).count == 1_999)
        #expect(lenient.loadError == nil)
    }

    /// The engine side: a restart asked by the source rebuilds the graph and replays the
    /// sorted file, and the engine says why.
    @Test func theEngineStartsOverWhenTheSourceAsks() throws {
        let load = StreamingLoad(chunkSize: 3)
        load.deliver(ItemCatalogue())
        var events = (1...6).map { Self.event("u\($0 % 3)", "i\($0 % 4)", Double($0)) }
        for e in events { load.append(e) }
        var configuration = EngineConfiguration()
        configuration.model = .mostPop
        configuration.speed = 0
        let engine = try Engine(configuration: configuration, source: .custom(name: "t") {
            AnyEventSource(StreamingReplaySource(name: "t", catalogue: ItemCatalogue(), load: load))
        })
        engine.start()
        // The engine has replayed what was published and waits for the reader (publishing,
        // answering commands: not blocked, not finished).
        let before = engine.waitForSnapshot(timeout: 30) { $0.statistics.events == 6 && !$0.source.isFinished }
        let late = [Self.event("u7", "i1", 0.5), Self.event("u1", "i3", 7)]
        for e in late { load.append(e) }
        load.finish(error: nil)
        events += late
        let after = engine.waitForSnapshot(timeout: 30) { $0.source.isFinished && $0.source.position == 8 }
        engine.stop()
        #expect(before != nil)
        let snapshot = try #require(after)
        #expect(snapshot.statistics.events == 8, "the graph holds the sorted replay only")
        #expect(snapshot.statistics.users == 4)
        #expect(snapshot.source.total == 8)
        #expect(snapshot.message?.contains("not in time order") == true)
    }
}
