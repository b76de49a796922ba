import Foundation
import InterestGraph
@testable import RedisStream
import TestSupport
import Testing

/// The shared item side (issue 14): two in-process models that split the users exchange
/// their item rows' deltas through a real Redis stream, by the additive rule.
@Suite("Shared item side", .serialized)
struct ItemSyncTests {
    /// One engine's share of a shop: `users` on items i0..i11, with a fixed seed.
    struct Side {
        var graph = HeteroGraph()
        var model: Recommender
        var time = 1_000.0

        init(users: [String], seed: UInt64, kind: ModelKind = .lightGCN, adjust: (inout Hyperparameters) -> Void = { _ in }) {
            var h = Hyperparameters()
            h.dimension = 8
            h.seed = seed
            adjust(&h)
            model = Recommender(kind: kind, hyperparameters: h)
            model.reinitialise(graph: graph)
            model.enableItemSync()
            model.enableSignalSync()
            for (k, user) in users.enumerated() {
                for j in 0..<4 { observe(user, "i\((k * 3 + j) % 12)") }
            }
        }

        mutating func observe(_ user: String, _ item: String) {
            time += 1
            let application = graph.apply(Event(user: user, item: item, action: .purchase, timestamp: time))
            model.observe(application, at: time, graph: graph)
        }

        func ego(_ item: String) throws -> [Float] {
            let id = try #require(graph.itemID(item))
            return try #require(model.itemRows(id)).ego
        }

        func final(_ item: String) throws -> [Float] {
            let id = try #require(graph.itemID(item))
            return try #require(model.itemRows(id)).final
        }
    }

    static func waitForBatches(_ channel: RedisItemSync, count: Int, timeout: Double = 10) -> [ItemDeltaBatch] {
        var got: [ItemDeltaBatch] = []
        let deadline = Date().addingTimeInterval(timeout)
        while got.count < count, Date() < deadline {
            got += channel.receive()
            usleep(10_000)
        }
        return got
    }

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0)) }
    }

    @Test func codecRoundTripsABatch() throws {
        let announced = [ItemAnnouncement(index: 1, attributes: ItemAttributes(categories: ["Home/Bath", "Sale"], brand: "Kesdera", price: 75.99), ego: [0.5, -1], final: [0.25, 2]),
                         ItemAnnouncement(index: 0, attributes: ItemAttributes(), ego: [1, 2], final: [3, 4])]
        var batch = ItemDeltaBatch(engine: "e", sequence: 7, since: 1.5, at: 2.25, dimension: 2, items: ["i1", "ü2"], ego: [1, -2, 3.5, 0.000_976_562_5], announced: announced, edges: [3, 0])
        let bytes = ItemDeltaCodec.encode(batch)
        #expect(ItemDeltaCodec.decode(bytes[...], engine: "e", sequence: 7) == batch)
        for cut in [1, 8, 17] { #expect(ItemDeltaCodec.decode(bytes.dropLast(cut), engine: "e", sequence: 7) == nil) }
        #expect(ItemDeltaCodec.decode((bytes + [0])[...], engine: "e", sequence: 7) == nil)
        // With popularity and co-visitation counts, and a batch of counts only.
        batch.signals = ItemSignals(reference: 1_709_251_200, items: ["i1", "i9"], popularity: [.init(index: 1, count: 3, weight: 2.5)],
                                    mass: [.init(index: 0, weight: 1)], pairs: [.init(a: 0, b: 1, weight: 0.75)])
        let counted = ItemDeltaCodec.encode(batch)
        #expect(ItemDeltaCodec.decode(counted[...], engine: "e", sequence: 7) == batch)
        for cut in [1, 4, 13] { #expect(ItemDeltaCodec.decode(counted.dropLast(cut), engine: "e", sequence: 7) == nil) }
        var outOfRange = batch
        outOfRange.signals?.pairs[0].b = 2
        #expect(ItemDeltaCodec.decode(ItemDeltaCodec.encode(outOfRange)[...], engine: "e", sequence: 7) == nil, "a pair of an item the batch does not name")
        let countsOnly = ItemDeltaBatch(engine: "e", sequence: 8, since: 1, at: 2, dimension: 64, items: [], ego: [], signals: batch.signals)
        #expect(ItemDeltaCodec.decode(ItemDeltaCodec.encode(countsOnly)[...], engine: "e", sequence: 8) == countsOnly)
        // An engine before counts were shared (DSI2, no counts section) still decodes.
        var previous = bytes
        previous.replaceSubrange(0..<4, with: Array("DSI2".utf8))
        previous.removeLast()
        var plain = batch
        plain.signals = nil
        #expect(ItemDeltaCodec.decode(previous[...], engine: "e", sequence: 7) == plain)
        #expect(ItemDeltaCodec.decode(Array("nonsense".utf8)[...], engine: "e", sequence: 7) == nil)
    }

    /// A's steps on an item reach B through Redis and are added to B's row (B's own steps
    /// since its last exchange stay on top); what B sends next holds its own steps only,
    /// never A's back; an item B has never seen is created at A's rows from its announcement.
    @Test func deltasGoThroughRedisAndAddUp() throws {
        let redis = try RedisServer()
        let url = try StreamURL(parsing: redis.url("shop"))
        var a = Side(users: ["a0", "a1", "a2", "a3"], seed: 1)
        var b = Side(users: ["b0", "b1", "b2", "b3"], seed: 2)
        a.observe("a0", "only-a")
        // The published copies start here: what came before is each side's own start.
        _ = a.model.collectItemDeltas()
        _ = b.model.collectItemDeltas()
        let channelA = try RedisItemSync(url: url, engine: "A", interval: 0.01)
        let channelB = try RedisItemSync(url: url, engine: "B", interval: 0.01)
        defer {
            channelA.stop()
            channelB.stop()
        }

        let aBefore = try a.ego("i1"), bBefore = try b.ego("i1"), bFinalBefore = try b.final("i1")
        for _ in 0..<5 { a.observe("a1", "i1") }
        for _ in 0..<3 { _ = a.model.trainBatch(graph: a.graph) }
        a.observe("a2", "only-a")
        let aStep = zip(try a.ego("i1"), aBefore).map { $0 - $1 }
        #expect(aStep.contains { $0 != 0 }, "A's events did not move i1's row")
        // B steps on i1 too, before A's batch arrives.
        for _ in 0..<3 { b.observe("b2", "i1") }
        let bStep = zip(try b.ego("i1"), bBefore).map { $0 - $1 }

        // A spent batch's buffer is filled in place (LocalItemSync hands them back).
        var spare = [Float]()
        spare.reserveCapacity(1_024)
        let spareStorage = spare.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let batch = try #require(ItemDeltaExchange.collect(from: &a.model, graph: a.graph, since: 0, at: 1, reusing: consume spare))
        #expect(batch.items.contains("i1"))
        #expect(batch.items.contains("only-a"))
        #expect(batch.ego.count == batch.items.count * batch.dimension)
        #expect(batch.ego.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == spareStorage)
        channelA.send(batch)
        let received = Self.waitForBatches(channelB, count: 1)
        #expect(received.count == 1)
        let arrived = try #require(received.first)
        #expect(arrived.engine == "A")
        #expect(arrived.sequence == 1)
        #expect(arrived.items == batch.items)
        #expect(arrived.ego == batch.ego)
        // B never sees its own entries.
        #expect(Self.waitForBatches(channelA, count: 1, timeout: 0.5).isEmpty)

        let bFinalBeforeApply = try b.final("i1")
        #expect(b.graph.itemID("only-a") == nil)
        ItemDeltaExchange.apply(arrived, to: &b.model, graph: &b.graph, channel: channelB)
        let expected = zip(zip(bBefore, bStep), aStep).map { $0.0 + $0.1 + $1 }
        #expect(Self.close(try b.ego("i1"), expected), "B's i1 = its start + its own steps + A's steps")
        // The final row moves by the ego step's layer-0 share (layers 3: a quarter).
        let k = try #require(a.graph.itemID("i1"))
        let row = try #require(batch.items.firstIndex(of: "i1"))
        let d = batch.dimension
        let share = batch.ego[(row * d)..<((row + 1) * d)].map { $0 / 4 }
        #expect(Self.close(try b.final("i1"), zip(bFinalBeforeApply, share).map { $0 + $1 }))
        #expect(bFinalBefore.count == 8 && k >= 0)
        let statistics = channelB.statistics
        #expect(statistics.createdItems == 1, "only-a was not B's item: B creates it")
        #expect(statistics.unknownRows == 0)
        #expect(statistics.appliedRows == batch.items.count - 1)
        #expect(try b.ego("only-a") == a.ego("only-a"), "B starts only-a at A's row")
        #expect(try b.final("only-a") == a.final("only-a"))
        #expect(batch.announced.contains { batch.items[$0.index] == "only-a" })
        #expect(statistics.receivedBatches == 1)
        #expect(channelA.statistics.sentBytes == ItemDeltaCodec.encode(batch).count)

        // B's next batch: its own steps on i1 only (A's are not sent back).
        let back = try #require(ItemDeltaExchange.collect(from: &b.model, graph: b.graph, since: 1, at: 2))
        let i1 = try #require(back.items.firstIndex(of: "i1"))
        #expect(Self.close(Array(back.ego[(i1 * d)..<((i1 + 1) * d)]), bStep))
        // Nothing changed since: nothing to send.
        #expect(ItemDeltaExchange.collect(from: &b.model, graph: b.graph, since: 2, at: 3) == nil)
    }

    /// Two engines through the serve path: `--own` with item sharing on, the status lines
    /// report batches both ways and the staleness.
    @Test func twoServedEnginesExchangeItemDeltas() throws {
        let redis = try RedisServer()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-items-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let published = try DriftscopeBinary.run(["publish", "small", "--to", redis.url("shop"), "--partitions", "4", "--limit", "20000"])
        #expect(published.status == 0, "\(published.stderr)")
        var engines: [ChildProcess.Running] = []
        for (tag, own) in [("a", "0,1"), ("b", "2,3")] {
            engines.append(try PartitionOwnershipTests.serve(["--source", redis.url("shop"), "--own", own, "--of", "4", "--sync-every", "0.2",
                                                              "--listen", "unix:\(home)/\(tag).sock", "--log-every", "0.5"], log: home + "/\(tag).log", home: home))
        }
        defer {
            for e in engines {
                e.send(SIGKILL)
                _ = e.wait()
            }
        }
        let pattern = /received (\d+) \/ (\d+) rows/
        try PartitionOwnershipTests.waitUntil("both engines received item deltas") {
            ["a", "b"].allSatisfy { tag in
                let text = (try? String(contentsOfFile: home + "/\(tag).log", encoding: .utf8)) ?? ""
                return text.matches(of: pattern).contains { Int($0.1) ?? 0 >= 2 }
            }
        }
        for e in engines {
            e.send(SIGTERM)
            #expect(e.wait() == .exited(0))
        }
        let entries = try redis.cli(["XLEN", "shop:items"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(entries) ?? 0) >= 4)
        let log = try String(contentsOfFile: home + "/a.log", encoding: .utf8)
        #expect(log.contains("staleness max"), "\(log.suffix(500))")
    }

    /// Popularity and co-visitation (issue 14: "must reflect all users"): two hybrid engines
    /// that split the users exchange their counts through Redis; afterwards each engine's
    /// counts equal those of one model that saw every event, and a duplicated entry (an
    /// `XADD` retried, a replay) is skipped, not counted twice.
    @Test func popularityAndCovisitationCoverBothEnginesUsersOnce() throws {
        let redis = try RedisServer()
        let url = try StreamURL(parsing: redis.url("shop"))
        let hybrid: (inout Hyperparameters) -> Void = {
            $0.popularityWeight = 1
            $0.covisitWeight = 1
            $0.halfLife = .infinity
        }
        var a = Side(users: [], seed: 1, kind: .hybrid, adjust: hybrid)
        var b = Side(users: [], seed: 2, kind: .hybrid, adjust: hybrid)
        var whole = Side(users: [], seed: 3, kind: .hybrid, adjust: hybrid)
        let channelA = try RedisItemSync(url: url, engine: "A", interval: 0.01)
        let channelB = try RedisItemSync(url: url, engine: "B", interval: 0.01)
        defer {
            channelA.stop()
            channelB.stop()
        }
        // Disjoint users, overlapping items; `whole` sees every event in the same order.
        let eventsA = [("a0", "i1"), ("a0", "i2"), ("a0", "i3"), ("a1", "i2"), ("a1", "i4"), ("a0", "i1")]
        let eventsB = [("b0", "i2"), ("b0", "i3"), ("b1", "i4"), ("b1", "i2"), ("b1", "only-b")]
        for (user, item) in eventsA {
            a.observe(user, item)
            whole.observe(user, item)
        }
        for (user, item) in eventsB {
            b.observe(user, item)
            whole.observe(user, item)
        }
        let batch = try #require(ItemDeltaExchange.collect(from: &a.model, graph: a.graph, since: 0, at: 1))
        let signals = try #require(batch.signals)
        #expect(signals.popularity.reduce(0) { $0 + Int($1.count) } == eventsA.count)
        #expect(signals.pairs.count == 4, "a0: i1-i2, i1-i3, i2-i3; a1: i2-i4")
        channelA.send(batch)
        let received = Self.waitForBatches(channelB, count: 1)
        #expect(received.count == 1)
        for arrived in received { ItemDeltaExchange.apply(arrived, to: &b.model, graph: &b.graph, channel: channelB) }
        #expect(channelB.statistics.mergedSignals == signals.count)

        func counts(_ side: Side) throws -> [String: Float] {
            var out: [String: Float] = [:]
            for item in ["i1", "i2", "i3", "i4", "only-b"] {
                let i = try #require(side.graph.itemID(item))
                out["pop " + item] = side.model.popularity(ofItem: i)
                out["mass " + item] = side.model.covisitation(i, i).mass
                for other in ["i1", "i2", "i3", "i4", "only-b"] where other != item {
                    out[item + ">" + other] = side.model.covisitation(i, try #require(side.graph.itemID(other))).weight
                }
            }
            return out
        }
        let expected = try counts(whole)
        #expect(expected["pop i2"] == 4 && expected["i2>i3"] == 2, "the reference counts both engines' users")
        let merged = try counts(b)
        #expect(merged.keys.sorted() == expected.keys.sorted())
        for (key, value) in expected { #expect(abs((merged[key] ?? -1) - value) < 1e-5, "\(key): \(merged[key] ?? -1) at B, \(value) over all users") }
        #expect(try b.model.popularity(ofItem: #require(b.graph.itemID("i1"))) == 2, "i1 has events of A's users only")

        // The same entry again (as a retried XADD would leave it): skipped, not counted twice.
        let connection = try RedisConnection(host: url.host, port: url.port, timeout: 2)
        let entry = try #require(try connection.read(stream: url.name + ":items", after: "0-0", count: 1, blockMilliseconds: nil).first)
        var command: [[UInt8]] = [Array("XADD".utf8), Array((url.name + ":items").utf8), Array("*".utf8)]
        for k in 0..<(entry.bounds.count - 1) { command.append(Array(entry.bytes[entry.bounds[k]..<entry.bounds[k + 1]])) }
        _ = try connection.send(bytes: [command])
        var skipped = 0
        let deadline = Date().addingTimeInterval(10)
        while skipped == 0, Date() < deadline {
            for again in channelB.receive() { ItemDeltaExchange.apply(again, to: &b.model, graph: &b.graph, channel: channelB) }
            skipped = channelB.statistics.duplicateBatches
            usleep(10_000)
        }
        #expect(skipped == 1)
        #expect(channelB.statistics.receivedBatches == 1)
        #expect(try counts(b) == merged, "the duplicate changed no count")
    }

    /// MostPop has no item rows to announce: an item only the other engine's users reached
    /// is created from its counts, ranked and counted as seen, with the popularity of every
    /// user (decayed counts: weights are sent at the sender's event time and added exactly).
    @Test func mostPopEnginesShareTheirCounts() throws {
        var a = Side(users: [], seed: 1, kind: .mostPop)
        var b = Side(users: [], seed: 2, kind: .mostPop)
        var whole = Side(users: [], seed: 3, kind: .mostPop)
        for (user, item) in [("a0", "x"), ("a1", "x"), ("a2", "x"), ("a0", "y")] {
            a.observe(user, item)
            whole.observe(user, item)
        }
        for (user, item) in [("b0", "y"), ("b1", "z")] {
            b.observe(user, item)
            whole.observe(user, item)
        }
        let batch = try #require(ItemDeltaExchange.collect(from: &a.model, graph: a.graph, since: 0, at: 1))
        #expect(batch.items.isEmpty, "MostPop has no rows to send")
        #expect(b.graph.itemID("x") == nil)
        ItemDeltaExchange.apply(batch, to: &b.model, graph: &b.graph, channel: nil)
        for item in ["x", "y", "z"] {
            let here = try #require(b.graph.itemID(item)), there = try #require(whole.graph.itemID(item))
            #expect(abs(b.model.popularity(ofItem: here) - whole.model.popularity(ofItem: there)) < 1e-4 * whole.model.popularity(ofItem: there), "\(item)")
        }
        let x = try #require(b.graph.itemID("x"))
        #expect(b.graph.eventCount(ofItem: x) == 0 && b.model.isSeenItem(x), "x is seen through A's users")
        #expect(b.model.recommend(user: try #require(b.graph.userID("b1")), k: 1, graph: b.graph, includeColdItems: true).first?.item == x, "x, with three events of A's users, is B's most popular item")
        // Nothing new since: nothing to send.
        #expect(ItemDeltaExchange.collect(from: &a.model, graph: a.graph, since: 1, at: 2) == nil)
    }
}
