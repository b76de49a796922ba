import Foundation
import Testing
@testable import InterestGraph

/// Engines in one process that split a replayed file's users (`dashboard --engines 2`): the
/// partitioned sources hand out exactly the file's events between them, each only its own
/// users', in order; the engines share the item side through memory; `auto` splits only
/// large files on two cores.
@Suite struct SplitReplayTests {
    static func drain(_ source: inout StreamingReplaySource) -> [Event] {
        var out: [Event] = []
        while let e = source.next() { out.append(e) }
        return out
    }

    /// Each partition's source hands out its users' events in file order and none other;
    /// together they hand out every event once; the look-ahead sees the source's own next
    /// events; totals are per partition; a restart starts the partition over.
    @Test(arguments: [2, 3])
    func partitionedSourcesSplitTheEventsByUser(partitions: Int) throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        let whole = CompactReplaySourceTests.drain(try CompactReplaySource(pathOrName: path))
        var sources = try StreamingReplaySource.partitioned(pathOrName: path, partitions: partitions, chunkSize: 7)
        #expect(sources.count == partitions)
        var total = 0
        for k in sources.indices {
            let partition = try #require(sources[k].userPartition)
            #expect(partition == UserPartition(index: k, of: partitions))
            let expected = whole.filter { UserPartition.index(ofUser: $0.user, partitions: partitions) == k }
            #expect(!expected.isEmpty, "every partition has users in this file")
            var got: [Event] = []
            while let e = sources[k].next() { got.append(e) }
            #expect(got == expected)
            #expect(sources[k].totalCount == expected.count)
            #expect(sources[k].position == expected.count)
            total += got.count
            sources[k].restart()
            #expect(sources[k].next() == expected.first)
        }
        #expect(total == whole.count)
    }

    /// The look-ahead (cache hints, ``EngineCore/prefetchAhead()``) names the source's own
    /// next events, not the file's.
    @Test func aPartitionLooksAheadAtItsOwnEvents() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        var sources = try StreamingReplaySource.partitioned(pathOrName: path, partitions: 2, chunkSize: 256)
        for k in 0..<2 {
            var checked = 0
            // Position -> the keys hinted for it from earlier positions.
            var hinted: [Int: [(user: Int32, item: Int32)]] = [:]
            while sources[k].peekTime() != nil {
                let position = sources[k].position
                for j in 0..<4 { if let keys = sources[k].upcomingKeys(ahead: j) { hinted[position + j, default: []].append(keys) } }
                let next = sources[k].next()!
                #expect(UserPartition.index(ofUser: next.user, partitions: 2) == k)
                for keys in hinted.removeValue(forKey: position) ?? [] {
                    #expect(keys.user == next.keys?.user && keys.item == next.keys?.item)
                    checked += 1
                }
            }
            #expect(checked > 2_000, "hints within each chunk")
        }
    }

    /// A file out of time order is sorted whole, and each partition then hands out its
    /// users' events of the sorted file.
    @Test func aPartitionOfAFileOutOfOrderIsSortedToo() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.rowsOutOfOrderNearTheTop()), to: "shop.csv", in: directory)
        let whole = CompactReplaySourceTests.drain(try CompactReplaySource(pathOrName: path))
        var sources = try StreamingReplaySource.partitioned(pathOrName: path, partitions: 2, chunkSize: 7)
        for k in 0..<2 {
            #expect(Self.drain(&sources[k]) == whole.filter { UserPartition.index(ofUser: $0.user, partitions: 2) == k })
        }
    }

    /// The partition rule is the stream's (`publish`, `serve --own`, a federated dashboard's
    /// routing): FNV-1a 64 of the id, mod the count.
    @Test func thePartitionRuleIsFNV1aOfTheID() {
        #expect(UserPartition.index(ofUser: "", partitions: 1_000) == Int(UInt64(0xcbf2_9ce4_8422_2325) % 1_000))
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c.
        #expect(UserPartition.index(ofUser: "a", partitions: 7) == Int(UInt64(0xaf63_dc4c_8601_ec8c) % 7))
        #expect(UserPartition(index: 1, of: 7).contains(user: "a") == (UInt64(0xaf63_dc4c_8601_ec8c) % 7 == 1))
    }

    /// What one end sends lands at every other end once; a full inbox drops its oldest batch
    /// and counts it.
    @Test func localItemSyncDeliversToEveryOtherEngineOnce() {
        let ends = LocalItemSync.connected(3, interval: 0.5)
        #expect(ends.allSatisfy { $0.interval == 0.5 })
        func batch(_ n: UInt64) -> ItemDeltaBatch {
            ItemDeltaBatch(engine: "A", sequence: n, since: 0, at: 1, dimension: 1, items: ["i\(n)"], ego: [Float(n)])
        }
        ends[0].send(batch(1))
        #expect(ends[0].receive().isEmpty)
        #expect(ends[1].receive().map(\.sequence) == [1])
        #expect(ends[1].receive().isEmpty, "taken once")
        #expect(ends[2].receive().map(\.sequence) == [1])
        for n in 2...UInt64(LocalItemSync.inboxLimit + 3) { ends[0].send(batch(n)) }
        let kept = ends[1].receive()
        #expect(kept.count == LocalItemSync.inboxLimit)
        #expect(kept.first?.sequence == 4 && kept.last?.sequence == UInt64(LocalItemSync.inboxLimit + 3))
        #expect(ends[1].statistics.dropped == 2 && ends[2].statistics.dropped == 2 && ends[0].statistics.dropped == 0)
        #expect(ends[0].statistics.sent == LocalItemSync.inboxLimit + 3)
        #expect(ends[1].statistics.received == 1 + LocalItemSync.inboxLimit)
    }

    /// A spent batch's deltas buffer comes back to the next collect, emptied with its
    /// capacity kept and, once no batch holds it, the same storage (no fresh mapping); the
    /// hub keeps at most one per end.
    @Test func appliedDeltasBuffersAreRefilledInPlace() {
        let ends = LocalItemSync.connected(2)
        #expect(ends[0].recycledDeltas().capacity == 0, "nothing recycled yet")
        var ego = [Float](repeating: 1, count: 4_096)
        let storage = ego.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        ends[1].recycle(deltas: ego)
        ego = []
        ends[1].recycle(deltas: [Float](repeating: 2, count: 8))
        ends[1].recycle(deltas: [Float](repeating: 3, count: 8))
        let taken = [ends[0].recycledDeltas(), ends[0].recycledDeltas(), ends[0].recycledDeltas()]
        #expect(taken.map(\.isEmpty) == [true, true, true])
        #expect(taken[2].capacity == 0, "two ends keep two buffers")
        #expect(taken[1].capacity >= 4_096)
        #expect(taken[1].withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == storage)
    }

    /// Two engines on one file: together they apply every event once, each holds only its
    /// own users, and every item reached by either is known to both (the shared item side).
    @Test func twoEnginesSplitAReplayAndShareItsItems() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        var configuration = EngineConfiguration()
        configuration.speed = 0
        configuration.initialUser = "u3"
        let engines = try Engine.splitting(dataset: path, engines: 2, configuration: configuration)
        #expect(engines.count == 2)
        for engine in engines { engine.start() }
        defer { for engine in engines { engine.stop() } }
        let finished = engines.map { engine in engine.waitForSnapshot(timeout: 60) { $0.source.isFinished } }
        let snapshots = try finished.map { try #require($0) }
        let users = (0..<37).map { "u\($0)" }
        for (k, s) in snapshots.enumerated() {
            let mine = users.filter { UserPartition.index(ofUser: $0, partitions: 2) == k }
            #expect(s.statistics.users == mine.count, "engine \(k) holds its own users only")
            #expect(s.source.total == s.source.position)
        }
        #expect(snapshots.map(\.source.position).reduce(0, +) == 2_000)
        #expect(snapshots.map(\.statistics.events).reduce(0, +) == 2_000)
        // The selected user at start went to the engine holding it.
        let owner = UserPartition.index(ofUser: "u3", partitions: 2)
        #expect(snapshots[owner].selectedUser?.id == "u3")
        #expect(snapshots[1 - owner].selectedUser == nil, "the other engine selects no one: its user view would be built for nobody")
        #expect(engines[owner].configuration.selectsNewestUser && !engines[1 - owner].configuration.selectsNewestUser)
        // Every item is at both engines once they exchanged (each second).
        let both = engines.map { engine in engine.waitForSnapshot(timeout: 10) { $0.statistics.items == 101 } }
        #expect(both.allSatisfy { $0 != nil }, "items per engine: \(engines.map { $0.snapshot().statistics.items })")
    }

    /// Engines that split a file count their drawing threads in the training share, with the
    /// split default unless a share was given; an engine alone does neither.
    @Test func splitEnginesCountTheirDrawingThreads() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let path = try ReaderFixtures.write(StreamingReplaySourceTests.csv(StreamingReplaySourceTests.sortedRows()), to: "shop.csv", in: directory)
        var configuration = EngineConfiguration()
        let split = try Engine.splitting(dataset: path, engines: 2, configuration: configuration)
        #expect(split.allSatisfy { $0.configuration.countsDrawingThread && $0.configuration.trainingShare == EngineConfiguration.splitTrainingShare })
        configuration.trainingShare = 0.3
        let given = try Engine.splitting(dataset: path, engines: 2, configuration: configuration)
        #expect(given.allSatisfy { $0.configuration.countsDrawingThread && $0.configuration.trainingShare == 0.3 })
        let alone = try Engine.splitting(dataset: path, engines: 1, configuration: EngineConfiguration())
        #expect(alone.count == 1 && !alone[0].configuration.countsDrawingThread && alone[0].configuration.trainingShare == nil)
        // Without a user given, the first engine alone picks the newest event's user.
        #expect(split.map(\.configuration.selectsNewestUser) == [true, false])
        #expect(alone[0].configuration.selectsNewestUser)
    }

    /// Recording is one engine's: a split is refused before any thread starts.
    @Test func aSplitRecordsNothing() throws {
        var configuration = EngineConfiguration()
        configuration.makeRecorder = { throw EngineError(message: "unused") }
        #expect(throws: EngineError.self) { try Engine.splitting(dataset: "/nonexistent.csv", engines: 2, configuration: configuration) }
    }

    @Test(arguments: [
        (Int64(0), 2, 1), (Engine.automaticSplitBytes - 1, 2, 1), (Engine.automaticSplitBytes, 2, 2),
        (Engine.automaticSplitBytes * 4, 8, 2), (Engine.automaticSplitBytes * 4, 1, 1),
    ])
    func autoSplitsLargeFilesOnTwoCores(bytes: Int64, cores: Int, engines: Int) {
        #expect(Engine.automaticEngineCount(fileBytes: bytes, cores: cores) == engines)
    }
}
