import Foundation
import Testing
@testable import InterestGraph

/// The engine asks the cache for what upcoming events will touch from what the source says is
/// coming (``EventSource/upcomingKeys(ahead:)``). A hint may be missing, never wrong: the keys
/// said to be `ahead` places after the next event must be that event's keys.
@Suite struct SourceLookaheadTests {
    /// Drains `source`, asking before every event what is `ahead` places on; returns each
    /// answer (by the position it was asked at) and the events' keys in order.
    static func lookahead(_ source: inout some EventSource, ahead: Int) throws -> (said: [(user: Int32, item: Int32)?], keys: [EventKeys]) {
        var said: [(user: Int32, item: Int32)?] = []
        var keys: [EventKeys] = []
        while true {
            let answer = source.upcomingKeys(ahead: ahead)
            guard let event = source.next() else { break }
            said.append(answer)
            keys.append(try #require(event.keys))
        }
        return (said, keys)
    }

    /// Every answer names the event it points at; returns how many positions had one.
    static func checkAnswers(_ said: [(user: Int32, item: Int32)?], _ keys: [EventKeys], ahead: Int) -> Int {
        var answered = 0
        for (position, answer) in said.enumerated() {
            guard let answer else { continue }
            answered += 1
            let target = position + ahead
            #expect(target < keys.count, "an answer past the last event at \(position)")
            guard target < keys.count else { continue }
            #expect(answer.user == keys[target].user && answer.item == keys[target].item, "position \(position)")
        }
        return answered
    }

    @Test(arguments: [0, 1, 6, 40])
    func aCompactReplaySaysWhatComesUpToItsEnd(ahead: Int) throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        var rows = StreamingReplaySourceTests.sortedRows()
        rows.swapAt(10, 1_200)  // out of order: the compact store sorts it
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(rows), to: "shop.csv", in: directory)
        var source = try CompactReplaySource(pathOrName: path)
        let (said, keys) = try Self.lookahead(&source, ahead: ahead)
        #expect(keys.count == 2_000)
        // It holds every event, so it answers exactly where an event is there to name.
        #expect(Self.checkAnswers(said, keys, ahead: ahead) == 2_000 - ahead)
        #expect(source.upcomingKeys(ahead: 0) == nil)
    }

    /// A streamed replay answers within the chunk it is replaying (the next chunk may not be
    /// read yet), and over the whole file once it has sorted it.
    @Test(arguments: [0, 1, 3, 6, 7, 40])
    func aStreamedReplaySaysWhatComesWithinItsChunk(ahead: Int) throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        var streamed = try StreamingReplaySource(pathOrName: path, chunkSize: 7)
        let (said, keys) = try Self.lookahead(&streamed, ahead: ahead)
        #expect(keys.count == 2_000)
        let answered = Self.checkAnswers(said, keys, ahead: ahead)
        // A chunk of 7 is taken up when its first event is asked for, so each chunk's
        // positions 1 ..< 7 - ahead can see `ahead` events on.
        let chunks = 2_000 / 7
        #expect(answered >= chunks * max(0, 6 - ahead))
        if ahead >= 6 { #expect(answered == 0) }

        var rows = StreamingReplaySourceTests.sortedRows()
        rows.swapAt(0, 3)  // out of order at the top: the whole file is sorted first
        let unsorted = try ReaderFixtures.write(StreamingReplaySourceTests.csv(rows), to: "unsorted.csv", in: directory)
        var sorted = try StreamingReplaySource(pathOrName: unsorted, chunkSize: 7)
        let (sortedSaid, sortedKeys) = try Self.lookahead(&sorted, ahead: ahead)
        // Sorted when the first event is asked for: every later position answers.
        #expect(Self.checkAnswers(sortedSaid, sortedKeys, ahead: ahead) == 2_000 - ahead - 1)
    }

    /// Through the wrappers the dashboard replays with (a file read in the background, behind
    /// `AnyEventSource`) and the clock the engine asks: the same answers.
    @Test func theClockPassesOnWhatAWrappedSourceSays() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        let wrapped = AnyEventSource(BackgroundLoadedSource(pathOrName: path, catalogue: ItemCatalogue()))
        var clock = ReplayClock(source: wrapped, speed: 0, skipWarmup: false)
        var answered = 0
        var events: [EventKeys] = []
        var said: [(user: Int32, item: Int32)?] = []
        while case .event(let event) = clock.tick() {
            events.append(try #require(event.keys))
            said.append(clock.upcomingKeys(ahead: 2))
        }
        // Asked after an event was handed out, ahead 2 is the third event after it.
        for (position, answer) in said.enumerated() {
            guard let answer else { continue }
            answered += 1
            let target = position + 3
            #expect(target < events.count && answer.user == events[target].user && answer.item == events[target].item)
        }
        #expect(events.count == 2_000)
        #expect(answered > 1_500)
        // The simulator generates each event on demand: it says nothing (and so costs nothing).
        let simulated = SimulationSource(scenario: try shippedScenario("small"))
        #expect(simulated.upcomingKeys(ahead: 0) == nil)
    }
}
