import Foundation
import Testing
@testable import InterestGraph

/// A resumed replay reads its file on another thread while the log replays: the events it
/// then hands out are the file's, from the first one after the log.
@Suite struct BackgroundLoadedSourceTests {
    static func shopFile(in directory: String, events: Int) throws -> String {
        var csv = "user,item,timestamp,action,category\n"
        for k in 0..<events { csv += "u\(k % 37),i\(k % 23),\(1_000 + k),view,c\(k % 5)\n" }
        return try ReaderFixtures.write(csv, to: "shop.csv", in: directory)
    }

    @Test func skipsTheLoggedEventsAndHandsOutTheRestInOrder() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try Self.shopFile(in: directory, events: 5_000)
        let direct = try CompactReplaySource(pathOrName: path)
        var background = BackgroundLoadedSource(pathOrName: path, catalogue: direct.catalogue)
        // Asked before the file is read: the skip is remembered, the position says so.
        background.skipLogged(1_234)
        #expect(background.position == 1_234)
        var rest: [Event] = []
        while let event = background.next() { rest.append(event) }
        #expect(background.loadingProgress == nil)
        #expect(background.loadError == nil)
        #expect(background.totalCount == 5_000)
        #expect(background.position == 5_000)
        var expected = direct
        expected.skipLogged(1_234)
        #expect(rest.count == 5_000 - 1_234)
        #expect(rest.first == expected.next())
        #expect(rest.map(\.timestamp) == (1_234..<5_000).map { Double(1_000 + $0) })
        #expect(background.name == direct.name)
        // A seek backwards starts the file over.
        background.restart()
        #expect(background.next()?.timestamp == 1_000)
    }

    @Test func aFileThatCannotBeReadAgainEndsTheReplayWithItsReason() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        var source = BackgroundLoadedSource(pathOrName: directory + "/gone.csv", catalogue: ItemCatalogue())
        source.skipLogged(10)
        #expect(source.next() == nil)
        let error = try #require(source.loadError)
        #expect(error.contains("gone.csv could not be read again"))
        #expect(source.loadingProgress == nil)
    }

    /// The compact replay skips a log by moving its position (no event is built).
    @Test func compactReplaySkipsInPlace() {
        let events = (0..<100).map { Event(user: "u\($0 % 7)", item: "i\($0 % 5)", action: .view, timestamp: Double($0)) }
        var source = CompactReplaySource(name: "t", events: events)
        source.skipLogged(40)
        #expect(source.position == 40)
        #expect(source.next()?.timestamp == 40)
        source.skipLogged(1_000)
        #expect(source.position == 100)
        #expect(source.next() == nil)
    }
}
