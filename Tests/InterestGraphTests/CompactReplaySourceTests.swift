import Foundation
import Synchronization
import Testing
@testable import InterestGraph

/// The dashboard's file replay keeps events as compact columns; it must hand out exactly the
/// events, in exactly the order, that replaying the loaded `Event` array would.
@Suite struct CompactReplaySourceTests {
    static func drain(_ source: some EventSource) -> [Event] {
        var source = source
        var out: [Event] = []
        while let e = source.next() { out.append(e) }
        return out
    }

    /// The dashboard's loading line: a dataset opened with a progress callback reports the
    /// file's size as the total and ends with everything read, and replays the same events.
    @Test func aDatasetReportsItsLoadingProgress() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.csv").path
        let rows = (0..<2_000).map { "u\($0 % 37),i\($0 % 101),\(1_700_000_000 + $0),view" }
        try ("user,item,timestamp,action\n" + rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        let seen = Mutex<[(Int64, Int64)]>([])
        let source = try SourceSpecification.dataset(path) { done, total in seen.withLock { $0.append((done, total)) } }.open()
        let reports = seen.withLock { $0 }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.1 == size })
        #expect(reports.last?.0 == size)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 })
        #expect(source.totalCount == 2_000)
        #expect(Self.drain(source) == Self.drain(try SourceSpecification.dataset(path).open()))
    }

    /// Unsorted input with ties, values present and absent, attribute sets repeated, changed
    /// and absent, a long (heap-allocated) id: the same sequence as ``ArrayEventSource``.
    @Test func handsOutWhatTheEventArraySourceDoes() {
        let shoes = ItemAttributes(categories: ["Fashion/Shoes"], brand: "Acme", price: 49.5)
        let sale = ItemAttributes(categories: ["Fashion/Shoes"], brand: "Acme", price: 39.5)
        let longUser = "customer-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        let events = [
            Event(user: "u1", item: "i1", action: .view, timestamp: 30, attributes: shoes),
            Event(user: "u2", item: "i1", action: .purchase, timestamp: 10, value: 2, attributes: shoes),
            Event(user: longUser, item: "i2", action: .rating, timestamp: 20, value: 4.5),
            Event(user: "u1", item: "i1", action: .cart, timestamp: 20, attributes: sale),
            Event(user: "u2", item: "i3", action: .click, timestamp: 10),
            Event(user: "u1", item: "i2", action: .review, timestamp: 40, value: 0),
        ]
        let expected = Self.drain(ArrayEventSource(name: "t", events: events))
        var compact = CompactReplaySource(name: "t", events: events)
        #expect(compact.totalCount == events.count)
        #expect(compact.peekTime() == 10)
        let got = Self.drain(compact)
        #expect(got == expected)
        // Restart goes back to the first event.
        while compact.next() != nil {}
        #expect(compact.next() == nil)
        compact.restart()
        #expect(compact.position == 0)
        #expect(compact.next() == expected.first)
    }

    /// From a file with attributes on its rows (and a bad row): the same events, catalogue
    /// and name as the `Event`-array loader gives.
    @Test func readsAFileAsTheLoaderDoes() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let csv = """
            user,item,timestamp,action,value,category,brand,price
            u1,i1,5,view,,Home/Bath,Kesdera,75.99
            u2,i1,3,purchase,1,Home/Bath,Kesdera,75.99
            u1,i2,4,view,,Garden/Tools,,12
            u3,i1,not-a-time,view,,Home/Bath,Kesdera,75.99
            u3,i1,6,cart,,Home/Bath,Monvia,70
            u2,i2,6,view,,Garden/Watering,,12

            """
        let path = try ReaderFixtures.write(csv, to: "shop.csv", in: directory)
        let loaded = try DatasetLoader.load(path)
        let compact = try CompactReplaySource(pathOrName: path)
        #expect(compact.name == loaded.name)
        #expect(compact.catalogue.items == loaded.catalogue.items)
        #expect(compact.catalogue.items["i1"]?.brand == "Monvia")
        #expect(compact.catalogue.items["i2"]?.categories == ["Garden/Tools", "Garden/Watering"])
        let expected = Self.drain(ArrayEventSource(name: loaded.name, events: loaded.events, catalogue: loaded.catalogue))
        #expect(expected.count == 5)
        #expect(Self.drain(compact) == expected)
    }

    /// A delimited file's rows reach the store with their sets by the reader cache's id
    /// (``DecodedRow``), not as events: items switching back and forth between sets, one set
    /// shared by every item, rows without attributes, and more distinct sets than the cache
    /// keeps (emptied and refilled when its keys came back, stopped when they did not; the
    /// ids it hands out stay unique either way). The same events, in the same order, and the
    /// same catalogue as the `Event`-array loader gives.
    @Test(arguments: [true, false])
    func rowsWithSetsByIDReadAsTheLoaderDoes(keysComeBack: Bool) throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let n = RowAttributeCache.maxEntries + 3_000
        var text = "user,item,timestamp,action,value,category,brand,price\n"
        text.reserveCapacity(n * 48)
        for k in 0..<n {
            let attributes: String
            switch k % 7 {
            case 0: attributes = ",,"
            case 1: attributes = "Home/Bath,Kesdera,75.99"
            case 2: attributes = "Garden|Tools,Monvia,\(k % 2 == 0 ? "12" : "12.0")"
            default: attributes = "Shoes,Acme,\(keysComeBack ? k / 2 : k)"
            }
            text += "u\(k % 1_234),i\(k % 997),\(1_700_000_000 + k),view,,\(attributes)\n"
        }
        let path = try ReaderFixtures.write(text, to: "sets.csv", in: directory)
        let loaded = try DatasetLoader.load(path)
        let compact = try CompactReplaySource(pathOrName: path)
        #expect(loaded.events.count == n)
        #expect(compact.catalogue.items == loaded.catalogue.items)
        let expected = Self.drain(ArrayEventSource(name: loaded.name, events: loaded.events, catalogue: loaded.catalogue))
        let got = Self.drain(compact)
        #expect(got.count == expected.count)
        #expect(got == expected)
        #expect(got[1].attributes == ItemAttributes(categories: ["Home/Bath"], brand: "Kesdera", price: 75.99))
        #expect(got[0].attributes == nil)
    }

    /// The point of the type: about 29 bytes an event in columns, where an `Event` with an
    /// attribute set costs several times that.
    @Test func storesAnEventInAboutThirtyBytes() {
        let set = ItemAttributes(categories: ["Home/Bath"], brand: "Kesdera", price: 75.99)
        let n = 10_000
        let events = (0..<n).map { k in
            Event(user: "u\(k % 500)", item: "i\(k % 40)", action: .view, timestamp: Double(k), attributes: set)
        }
        let compact = CompactReplaySource(name: "t", events: events)
        let perEvent = Double(compact.storedBytes) / Double(n)
        #expect(perEvent < 32, "\(perEvent) bytes per event")
    }
}
