import Foundation
import Testing
@testable import InterestGraph

/// Engines that split a stream's users (issue 14, docs/SCALE-OUT.md §2-3): an item one
/// engine's users reached is created, ranked and scored at every engine once its
/// announcement arrives through the item channel, and a partitioned engine trains the same
/// way whatever its share of the graph.
@Suite struct SharedItemEngineTests {
    static let attributes = ItemAttributes(categories: ["Toys/x"], brand: "bx", price: 9)

    /// A's users reach items h0..h5 and `x`; B's users reach h0..h5, then b0 reaches `x`,
    /// which no user of B touched before.
    static func streams() -> (a: [Event], b: [Event]) {
        var a: [Event] = [], b: [Event] = []
        var t = 1_700_000_000.0
        func event(_ user: String, _ item: String) -> Event {
            t += 60
            let attributes = item == "x" ? Self.attributes : ItemAttributes(categories: ["Home/h"], brand: "bh", price: 5)
            return Event(user: user, item: item, action: .view, timestamp: t, attributes: attributes)
        }
        for round in 0..<6 {
            for u in 0..<4 {
                a.append(event("a\(u)", "h\((u + round) % 6)"))
                b.append(event("b\(u)", "h\((u * 2 + round) % 6)"))
            }
            a.append(event("a\(round % 4)", "x"))
        }
        b.append(event("b0", "x"))
        return (a, b)
    }

    static func engine(_ events: [Event], channel: (any ItemSyncChannel)?, partitioned: Bool = true, catalogue: ItemCatalogue = ItemCatalogue(),
                       model: ModelKind? = nil, hyperparameters: Hyperparameters? = nil, shareCounts: Bool = true) -> EngineCore {
        var c = EngineTests.configuration()
        c.shareCounts = shareCounts
        if let model { c.model = model }
        if let hyperparameters { c.hyperparameters = hyperparameters }
        c.itemSync = channel
        c.prequentialSampleEvery = 1
        c.trainEveryEvents = 1_000_000  // no background batch: rows move by the online steps only
        if partitioned { c.trainingMode = .sampled }
        return EngineCore(configuration: c, source: AnyEventSource(ArrayEventSource(name: "t", events: events, catalogue: catalogue)))
    }

    static func drain(_ core: inout EngineCore, events: Int) {
        var slices = 0
        while core.graph.eventsApplied < events, slices < 10_000 {
            _ = core.runSlice(budget: 0.05)
            slices += 1
        }
    }

    /// Eligible events of `events` by protocol B, items in `seen` counting as seen before.
    static func eligible(_ events: [Event], seen: Set<String>) -> Int {
        var graph = HeteroGraph()
        var n = 0
        for e in events {
            if let u = graph.userID(e.user), !(graph.itemID(e.item).map { graph.hasEdge(user: u, item: $0) } ?? false),
               seen.contains(e.item) || (graph.itemID(e.item).map { graph.eventCount(ofItem: $0) > 0 } ?? false) {
                n += 1
            }
            graph.apply(e)
        }
        return n
    }

    /// `catalogued`: B's catalogue lists x (an item in its graph with no events and no row),
    /// else B has never heard of x.
    @Test(arguments: [false, true])
    func anItemLearnedThroughTheChannelIsCreatedRankedAndScored(catalogued: Bool) throws {
        let (eventsA, eventsB) = Self.streams()
        let ends = LocalItemSync.connected(2, interval: 0)
        var catalogue = ItemCatalogue()
        if catalogued { catalogue.items["x"] = Self.attributes }
        var a = Self.engine(eventsA, channel: ends[0])
        var b = Self.engine(eventsB, channel: ends[1], catalogue: catalogue)
        #expect((b.graph.itemID("x") != nil) == catalogued)
        Self.drain(&a, events: eventsA.count)
        a.exchangeItemDeltas()
        let xAtA = try #require(a.graph.itemID("x"))
        let rowsAtA = try #require(a.model.itemRows(xAtA))

        // B's first exchange, before any of its own events: it creates A's items.
        b.exchangeItemDeltas()
        let x = try #require(b.graph.itemID("x"), "B did not create the item A announced")
        #expect(b.graph.eventCount(ofItem: x) == 0, "B's users have not touched x")
        let rows = try #require(b.model.itemRows(x))
        #expect(rows.ego == rowsAtA.ego, "B starts x at A's row")
        #expect(rows.final == rowsAtA.final)
        #expect(b.graph.categories(ofItem: x).map { b.graph.name(of: NodeRef(.category, $0)) } == ["Toys/x"])
        #expect(b.graph.itemBrand[Int(x)] >= 0)
        // x's degree at B counts A's users' edges: LightGCN normalises by the degree over all users.
        #expect(b.model.otherItemDegree(x) == Float(a.graph.itemEdges[Int(xAtA)].count))
        #expect(a.graph.itemEdges[Int(xAtA)].count == 4)

        // B's users' events: x is a candidate for them and b0's event on it is scored.
        Self.drain(&b, events: eventsB.count)
        let b1 = try #require(b.graph.userID("b1"))
        #expect(b.rank(item: x, forUser: b1) != nil)
        let known = Set(a.graph.items.names)
        #expect(Self.eligible(eventsB, seen: known) > Self.eligible(eventsB, seen: []), "the stream has an event only the union makes eligible")
        #expect(b.makeSnapshot().prequential.scored == Self.eligible(eventsB, seen: known))
        // x came from A: B never announces it back (its own steps on it go as deltas).
        let xAgain = b.model.needsAnnouncement(x)
        #expect(!xAgain)
        let h0 = try #require(b.graph.itemID("h0"))
        let h0Again = b.model.needsAnnouncement(h0)
        #expect(!h0Again, "A announced h0 first")
    }

    /// Deltas go out in half precision; what rounding leaves out goes with the next batch,
    /// so the receivers' sum of deltas converges on the sender's row.
    @Test func roundingLeftoversAreSentWithTheNextBatch() throws {
        var graph = HeteroGraph()
        var h = Hyperparameters()
        h.dimension = 8
        var model = EmbeddingModel(hyperparameters: h)
        model.reinitialise(graph: graph)
        model.enableItemSync()
        let application = graph.apply(Event(user: "u", item: "i", action: .view, timestamp: 1))
        model.observe(application, at: 1, graph: graph)
        _ = model.collectItemDeltas()
        let row = Int(application.item)
        let base = row * model.stride
        let step: Float = 1.000_1  // 1 in half precision
        model.egoItems.storage[base] += step
        model.markItemChanged(row)
        let first = try #require(model.collectItemDeltas().first { $0.row == application.item })
        #expect(first.ego[0] == 1)
        #expect(model.collectItemDeltas().isEmpty, "nothing marked changed: nothing sent")
        model.markItemChanged(row)
        let second = try #require(model.collectItemDeltas().first { $0.row == application.item })
        #expect(abs(first.ego[0] + second.ego[0] - step) < 1e-7, "the leftover 0.0001 goes out next")
        // The flat table holds the row's delta at the row's place.
        model.egoItems.storage[base + 1] += 0.5
        model.markItemChanged(row)
        let third = model.collectItemDeltas()
        #expect(third.count == 1 && third.ego == [0, 0.5, 0, 0, 0, 0, 0, 0] && third[0].ego == third.ego)
    }

    /// An engine that owns partitions trains on sampled subgraphs from its first batch: the
    /// automatic switch depends on the graph's size, so an engine with half the users would
    /// otherwise train on whole-graph batches for twice as many events as one engine.
    @Test func aPartitionedEngineTrainsOnSampledSubgraphsAtAnySize() throws {
        let (events, _) = Self.streams()
        var partitioned = Self.engine(events, channel: nil, partitioned: true)
        var single = Self.engine(events, channel: nil, partitioned: false)
        Self.drain(&partitioned, events: events.count)
        Self.drain(&single, events: events.count)
        let p = try #require(partitioned.model.embedding), s = try #require(single.model.embedding)
        #expect(p.usesSampledTraining(graph: partitioned.graph))
        #expect(!s.usesSampledTraining(graph: single.graph), "a small graph trains whole-graph batches by default")
        partitioned.restartFromScratch()
        #expect(try #require(partitioned.model.embedding).usesSampledTraining(graph: partitioned.graph))
    }

    /// Popularity and co-visitation reflect all users (issue 14): after the engines exchange
    /// in both directions, A's counts of every item are those of one engine holding both
    /// engines' users (MostPop's popularity; ItemKNN's co-occurrences; the hybrid's prior and
    /// co-visitation), and an item only B's users reached is seen and ranked at A.
    @Test(arguments: [ModelKind.mostPop, .itemKNN, .hybrid])
    func countsOfTheOtherEnginesUsersReachEveryEngine(kind: ModelKind) throws {
        let (eventsA, eventsB) = Self.streams()
        var extra = eventsB
        extra.append(Event(user: "b1", item: "only-b", action: .view, timestamp: extra.last!.timestamp + 60))
        var h = EngineTests.configuration().hyperparameters
        h.popularityWeight = 1
        h.covisitWeight = 1
        let ends = LocalItemSync.connected(2, interval: 0)
        var a = Self.engine(eventsA, channel: ends[0], model: kind, hyperparameters: h)
        var b = Self.engine(extra, channel: ends[1], model: kind, hyperparameters: h)
        let all = (eventsA + extra).sorted { $0.timestamp < $1.timestamp }
        var whole = Self.engine(all, channel: nil, model: kind, hyperparameters: h)
        Self.drain(&whole, events: all.count)
        Self.drain(&a, events: eventsA.count)
        a.exchangeItemDeltas()
        Self.drain(&b, events: extra.count)
        b.exchangeItemDeltas()  // applies A's batch, sends B's counts
        a.exchangeItemDeltas()  // applies B's

        let onlyB = try #require(a.graph.itemID("only-b"), "A has the item B's users reached")
        #expect(a.graph.eventCount(ofItem: onlyB) == 0 && a.model.isSeenItem(onlyB))
        let a0 = try #require(a.graph.userID("a0"))
        #expect(a.rank(item: onlyB, forUser: a0) != nil)
        let names = ["h0", "h1", "h2", "h3", "h4", "h5", "x", "only-b"]
        for name in names {
            let here = try #require(a.graph.itemID(name)), there = try #require(whole.graph.itemID(name))
            if kind != .itemKNN {
                let expected = whole.model.popularity(ofItem: there)
                #expect(expected > 0)
                #expect(abs(a.model.popularity(ofItem: here) - expected) <= 1e-3 * expected, "popularity of \(name) at A")
            }
            guard kind != .mostPop else { continue }
            // ItemKNN's counts decay (14 days) from each engine's first event, minutes apart.
            for other in names where other != name {
                let o = try #require(a.graph.itemID(other)), w = try #require(whole.graph.itemID(other))
                let mine = a.model.covisitation(here, o), all = whole.model.covisitation(there, w)
                #expect(abs(mine.weight - all.weight) <= 1e-3 * max(1, all.weight), "co-visitation \(name) > \(other) at A: \(mine) against \(all)")
                #expect(abs(mine.mass - all.mass) <= 1e-3 * max(1, all.mass))
            }
        }
        // `serve --no-sync-counts`: item rows only.
        let quietEnds = LocalItemSync.connected(2, interval: 0)
        var quiet = Self.engine(eventsA, channel: quietEnds[0], model: kind, hyperparameters: h, shareCounts: false)
        Self.drain(&quiet, events: eventsA.count)
        quiet.exchangeItemDeltas()
        let sent = quietEnds[1].receive()
        #expect(sent.allSatisfy { $0.signals == nil }, "counts were sent")
        #expect(sent.isEmpty == !kind.hasEmbeddings, "MostPop and ItemKNN have no item rows: nothing goes out")
        // Without the exchange A would count its own users only.
        var lone = Self.engine(eventsA, channel: nil, model: kind, hyperparameters: h)
        Self.drain(&lone, events: eventsA.count)
        let h0 = try #require(lone.graph.itemID("h0")), h0All = try #require(whole.graph.itemID("h0"))
        if kind == .itemKNN {
            #expect(lone.model.covisitation(h0, h0).mass < whole.model.covisitation(h0All, h0All).mass - 1)
        } else {
            #expect(lone.model.popularity(ofItem: h0) < whole.model.popularity(ofItem: h0All) - 1)
        }
    }
}
