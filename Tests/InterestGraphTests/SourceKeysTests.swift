import Foundation
import Testing
@testable import InterestGraph

/// The replay's per-event shortcuts (issue 10, item 2) must leave exactly the state the plain
/// path leaves: ids found through a source's keys (``SourceKeyMap``) instead of hashed names,
/// attribute sets skipped when repeated, negatives drawn before the online steps.
@Suite struct SourceKeysTests {
    /// Rows with attribute sets that repeat, change, and come back (A, B, A on one item), a
    /// long (heap-allocated) id, values present and absent.
    static func events() -> [Event] {
        let a = ItemAttributes(categories: ["Home/Bath"], brand: "Kesdera", price: 10)
        let b = ItemAttributes(categories: ["Home/Bath", "Home/Sale"], brand: "Monvia", price: 8)
        let long = "customer-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        var rng = SeededGenerator(seed: 11)
        var out: [Event] = []
        for k in 0..<400 {
            let user = k % 17 == 0 ? long : "u\(rng.index(below: 30))"
            let item = "i\(rng.index(below: 25))"
            let set: ItemAttributes? = switch k % 5 {
            case 0: a
            case 1: item == "i3" ? b : a
            case 2: nil
            default: a
            }
            let action: Action = k % 9 == 0 ? .purchase : .view
            out.append(Event(user: user, item: item, action: action, timestamp: 1_000 + Double(k), value: k % 9 == 0 ? 2 : nil, attributes: set))
        }
        return out
    }

    /// The events as the compact replay hands them out: with their keys.
    static func keyed(_ events: [Event]) -> [Event] {
        var source = CompactReplaySource(name: "t", events: events)
        var out: [Event] = []
        while let e = source.next() { out.append(e) }
        return out
    }

    static func expectSameGraph(_ a: HeteroGraph, _ b: HeteroGraph, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.users.names == b.users.names, sourceLocation: sourceLocation)
        #expect(a.items.names == b.items.names, sourceLocation: sourceLocation)
        #expect(a.categories.names == b.categories.names, sourceLocation: sourceLocation)
        #expect(a.brands.names == b.brands.names, sourceLocation: sourceLocation)
        #expect(a.edgeUser == b.edgeUser && a.edgeItem == b.edgeItem, sourceLocation: sourceLocation)
        #expect(a.edgeStates == b.edgeStates, sourceLocation: sourceLocation)
        #expect(a.userEdges == b.userEdges && a.itemEdges == b.itemEdges, sourceLocation: sourceLocation)
        #expect(a.userItems == b.userItems, sourceLocation: sourceLocation)
        #expect(a.userActivity == b.userActivity && a.itemActivity == b.itemActivity, sourceLocation: sourceLocation)
        #expect(a.itemEventCount == b.itemEventCount, sourceLocation: sourceLocation)
        #expect(a.itemCategories == b.itemCategories && a.categoryItems == b.categoryItems, sourceLocation: sourceLocation)
        // The flat first category is the list's first, on both paths.
        #expect(a.itemFirstCategory == a.itemCategories.map { $0.first ?? -1 }, sourceLocation: sourceLocation)
        #expect(b.itemFirstCategory == b.itemCategories.map { $0.first ?? -1 }, sourceLocation: sourceLocation)
        #expect(a.itemBrand == b.itemBrand && a.brandItems == b.brandItems, sourceLocation: sourceLocation)
        #expect(a.itemPrice.map(\.bitPattern) == b.itemPrice.map(\.bitPattern), sourceLocation: sourceLocation)
        #expect(a.itemActive == b.itemActive && a.userActive == b.userActive, sourceLocation: sourceLocation)
        #expect(a.eventsApplied == b.eventsApplied && a.liveEdgeCount == b.liveEdgeCount, sourceLocation: sourceLocation)
    }

    /// Keys in, the same graph out, through a forgotten user, a delisted item, a catalogue
    /// change between two rows that repeat a set, and a graph rebuilt under the same map.
    @Test func keyedApplyBuildsTheGraphTheNamesBuild() throws {
        let events = Self.keyed(Self.events())
        #expect(events.allSatisfy { $0.keys != nil })
        var plain = HeteroGraph()
        var keyed = HeteroGraph()
        var map = SourceKeyMap()
        for (k, event) in events.enumerated() {
            let p = plain.apply(event)
            let q = keyed.apply(event, keys: &map)
            #expect(p == q, "event \(k)")
            switch k {
            case 120:
                let user = try #require(plain.userID("u4"))
                plain.forgetUser(user)
                keyed.forgetUser(user)
            case 200:
                let item = try #require(plain.itemID("i7"))
                plain.removeItem(item)
                keyed.removeItem(item)
            case 260:
                // A catalogue change: the next row repeating set A must be applied again.
                let change = ItemAttributes(categories: ["Garden"], brand: "Acme", price: 99)
                for item in ["i1", "i2", "i3"] {
                    plain.setAttributes(change, forItem: item)
                    keyed.setAttributes(change, forItem: item)
                }
            default: break
            }
        }
        Self.expectSameGraph(plain, keyed)
        // The forgotten user came back as a new id on both paths.
        #expect(plain.users.names.filter { $0 == "u4" }.count == 1)

        // A graph rebuilt from nothing (the engine's restart) under the old map.
        var rebuilt = HeteroGraph()
        var again = HeteroGraph()
        for event in events.reversed() {
            rebuilt.apply(event, keys: &map)
            again.apply(event)
        }
        Self.expectSameGraph(again, rebuilt)
    }

    /// A key the map holds for a name the graph no longer has (or never had at that id)
    /// resolves by name; an event without keys takes the plain path.
    @Test func staleAndMissingKeysFallBackToNames() {
        var graph = HeteroGraph()
        var map = SourceKeyMap()
        var first = Event(user: "alice", item: "book", action: .view, timestamp: 1)
        first.keys = EventKeys(space: 7, user: 0, item: 0, attributes: 0)
        let a = graph.apply(first, keys: &map)
        #expect(a.isNewUser && a.isNewItem)
        // Same keys, other names (a wrong hint): new nodes, not alice's ids.
        var other = Event(user: "bob", item: "pen", action: .view, timestamp: 2)
        other.keys = first.keys
        let b = graph.apply(other, keys: &map)
        #expect(b.isNewUser && b.isNewItem && b.user != a.user && b.item != a.item)
        #expect(graph.ids(of: first, keys: map)! == (a.user, a.item))
        // No keys: the plain path, same ids.
        let c = graph.apply(Event(user: "alice", item: "pen", action: .view, timestamp: 3), keys: &map)
        #expect(c.user == a.user && c.item == b.item && !c.isNewUser)
        graph.forgetUser(a.user)
        #expect(graph.ids(of: first, keys: map) == nil)
    }

    /// An engine that ingested `events` (scoring as a replay does) with a background batch
    /// after every `trainEvery` of them.
    static func ingested(_ events: [Event], configuration: EngineConfiguration, catalogue: ItemCatalogue, trainEvery: Int) -> EngineCore {
        var core = EngineCore(configuration: configuration, source: AnyEventSource(ArrayEventSource(name: "t", events: [], catalogue: catalogue)))
        for (k, event) in events.enumerated() {
            core.ingest(event, score: true)
            if k % trainEvery == trainEvery - 1 { core.model.trainBatch(graph: core.graph) }
        }
        return core
    }

    /// The engine's ingest, fed the compact replay's keyed events and the same events without
    /// keys, with background batches at the same points: identical graph and model rows.
    @Test func engineIngestWithKeysMatchesIngestByName() throws {
        let (events, catalogue) = EngineRecordingTests.stream()
        var configuration = EngineTests.configuration()
        configuration.hyperparameters.onlineSteps = 3
        let plain = Self.ingested(CompactReplaySourceTests.drain(ArrayEventSource(name: "t", events: events)), configuration: configuration, catalogue: catalogue, trainEvery: 100)
        let keyed = Self.ingested(Self.keyed(events), configuration: configuration, catalogue: catalogue, trainEvery: 100)
        Self.expectSameGraph(plain.graph, keyed.graph)
        let p = try #require(plain.model.hybrid?.embedding)
        let q = try #require(keyed.model.hybrid?.embedding)
        #expect(p.finalUsers == q.finalUsers && p.finalItems == q.finalItems)
        #expect(p.egoUsers == q.egoUsers && p.egoItems == q.egoItems && p.sessions == q.sessions)
        #expect(p.flushedItemBlocks == q.flushedItemBlocks)
        #expect(p.rng == q.rng)
    }

    /// The simulator's events carry its world's user and item numbers as keys (one space per
    /// source, kept across a restart), and an engine fed them keeps exactly the state the
    /// same events without keys leave.
    @Test func simulatedEventsAreKeyedAndIngestAsTheirNamesDo() throws {
        var source = SimulationSource(world: ShopWorld(scenario: try Scenario.load("small")))
        var events: [Event] = []
        while events.count < 3_000, let event = source.next() { events.append(event) }
        let space = try #require(events.first?.keys?.space)
        #expect(events.allSatisfy { $0.keys?.space == space && $0.keys?.attributes == 0 })
        #expect(events.allSatisfy { source.world.userID(Int($0.keys!.user)) == $0.user && source.world.itemID(Int($0.keys!.item)) == $0.item })
        source.restart()
        #expect(source.next()?.keys == events[0].keys)

        var configuration = EngineTests.configuration()
        configuration.hyperparameters.onlineSteps = 2
        let keyed = Self.ingested(events, configuration: configuration, catalogue: source.catalogue, trainEvery: 500)
        let plain = Self.ingested(events.map { var e = $0; e.keys = nil; return e }, configuration: configuration, catalogue: source.catalogue, trainEvery: 500)
        Self.expectSameGraph(plain.graph, keyed.graph)
        let p = try #require(plain.model.hybrid?.embedding)
        let q = try #require(keyed.model.hybrid?.embedding)
        #expect(p.finalUsers == q.finalUsers && p.egoUsers == q.egoUsers && p.sessions == q.sessions)
        #expect(p.finalItems == q.finalItems && p.rng == q.rng)
    }

    /// An engine's embedding model after the first 300 events of the recording test stream,
    /// its graph, and the whole stream (the online-step tests step the last events by hand).
    static func warmedModel(onlineSteps: Int) throws -> (events: [Event], graph: HeteroGraph, model: EmbeddingModel) {
        let (events, catalogue) = EngineRecordingTests.stream()
        var configuration = EngineTests.configuration()
        configuration.hyperparameters.onlineSteps = onlineSteps
        var core = EngineCore(configuration: configuration, source: AnyEventSource(ArrayEventSource(name: "t", events: [], catalogue: catalogue)))
        for event in events.prefix(300) { core.ingest(event, score: false) }
        return (events, core.graph, try #require(core.model.hybrid?.embedding))
    }

    /// The online steps draw every negative first (to prefetch their rows); the rows and the
    /// generator must end as drawing one negative per step did (the reference below is the
    /// step-by-step loop as it was).
    @Test(arguments: [false, true])
    func onlineStepsMatchStepByStepDrawing(egoRows: Bool) throws {
        let (events, graph, warmed) = try Self.warmedModel(onlineSteps: 3)
        var model = warmed
        for event in events.suffix(50) {
            let user = try #require(graph.userID(event.user)), item = try #require(graph.itemID(event.item))
            var reference = model
            Self.referenceOnlineSteps(&reference, user: user, item: item, graph: graph, egoRows: egoRows)
            model.onlineSteps(user: user, item: item, graph: graph, egoRows: egoRows)
            #expect(model.finalUsers == reference.finalUsers && model.finalItems == reference.finalItems)
            #expect(model.egoUsers == reference.egoUsers && model.egoItems == reference.egoItems)
            #expect(model.flushedItemBlocks == reference.flushedItemBlocks)
            #expect(model.rng == reference.rng)
        }
    }

    /// The online steps drawn one negative per step, as written before negatives were drawn
    /// ahead (rejection aside), with the negatives' item rows read only (issue 10, item 2).
    static func referenceOnlineSteps(_ m: inout EmbeddingModel, user: Int32, item: Int32, graph: HeteroGraph, egoRows: Bool) {
        let stride = m.stride
        let rate = m.hyperparameters.onlineLearningRate
        let limit = min(m.finalItems.rows, m.egoItems.rows)
        let known = m.knownItems, replayItems = m.replay.items
        let u = Int(user) * stride, i = Int(item) * stride
        for _ in 0..<m.hyperparameters.onlineSteps {
            guard let negative = EmbeddingModel.sampleNegative(user: user, positive: item, known: known, replayItems: replayItems, sampling: m.hyperparameters.negativeSampling, limit: limit, graph: graph, rng: &m.rng) else { break }
            let j = Int(negative) * stride
            var fu = m.finalUsers.storage.array, fi = m.finalItems.storage.array
            var eu = m.egoUsers.storage.array, ei = m.egoItems.storage.array
            fu.withUnsafeMutableBufferPointer { fu in
                fi.withUnsafeMutableBufferPointer { fi in
                    eu.withUnsafeMutableBufferPointer { eu in
                        ei.withUnsafeMutableBufferPointer { ei in
                            let fub = fu.baseAddress!, fib = fi.baseAddress!, eub = eu.baseAddress!, eib = ei.baseAddress!
                            let x = VectorKernels.dot(fub + u, fib + i, stride) - VectorKernels.dot(fub + u, fib + j, stride)
                            let step = rate / (1 + exp(x))
                            VectorKernels.axpy(step, fub + u, fib + i, stride)
                            if egoRows { VectorKernels.axpy(step, fub + u, eib + i, stride) }
                            VectorKernels.axpy(step, fib + i, fub + u, stride)
                            VectorKernels.axpy(-step, fib + j, fub + u, stride)
                            if egoRows {
                                VectorKernels.axpy(step, fib + i, eub + u, stride)
                                VectorKernels.axpy(-step, fib + j, eub + u, stride)
                            }
                        }
                    }
                }
            }
            m.finalUsers.storage = AlignedFloats(fu)
            m.finalItems.storage = AlignedFloats(fi)
            m.egoUsers.storage = AlignedFloats(eu)
            m.egoItems.storage = AlignedFloats(ei)
        }
    }

    /// An online step moves the user's rows and the event's item row and no other item row:
    /// the negatives' final and ego rows and their scoring blocks stay as they were, with
    /// several steps (so several negatives) per event, on both the exact and the sampled path.
    @Test(arguments: [false, true])
    func onlineStepsLeaveTheNegativesItemRowsUnchanged(egoRows: Bool) throws {
        let (events, graph, warmed) = try Self.warmedModel(onlineSteps: 6)
        var model = warmed
        let stride = model.stride
        var negativesSeen = Set<Int32>()
        for event in events.suffix(50) {
            let user = try #require(graph.userID(event.user)), item = try #require(graph.itemID(event.item))
            // The negatives these steps will draw: the same generator, drawn ahead.
            var probe = model.rng
            let limit = min(model.finalItems.rows, model.egoItems.rows)
            var negatives = Set<Int32>()
            for _ in 0..<6 {
                guard let j = EmbeddingModel.sampleNegative(user: user, positive: item, known: model.knownItems, replayItems: model.replay.items, sampling: model.hyperparameters.negativeSampling, limit: limit, graph: graph, rng: &probe) else { break }
                negatives.insert(j)
            }
            negatives.remove(item)
            negativesSeen.formUnion(negatives)
            let before = model
            model.onlineSteps(user: user, item: item, graph: graph, egoRows: egoRows)
            #expect(model.rejectedOnlineUpdates == before.rejectedOnlineUpdates)
            for r in 0..<model.finalItems.rows where r != Int(item) {
                let rows = (r * stride)..<((r + 1) * stride)
                #expect(Array(model.finalItems.storage.array[rows]) == Array(before.finalItems.storage.array[rows]))
                #expect(Array(model.egoItems.storage.array[rows]) == Array(before.egoItems.storage.array[rows]))
            }
            // In the scoring blocks too, only the item's own lanes may differ.
            var blocks = model.flushedItemBlocks, reference = before.flushedItemBlocks
            for d in 0..<stride {
                let lane = (Int(item) / 16) * 16 * stride + Int(item) % 16 + d * 16
                blocks[lane] = 0
                reference[lane] = 0
            }
            #expect(blocks == reference)
            let u = (Int(user) * stride)..<((Int(user) + 1) * stride), i = (Int(item) * stride)..<((Int(item) + 1) * stride)
            #expect(Array(model.finalUsers.storage.array[u]) != Array(before.finalUsers.storage.array[u]))
            #expect(Array(model.finalItems.storage.array[i]) != Array(before.finalItems.storage.array[i]))
            #expect((Array(model.egoUsers.storage.array[u]) != Array(before.egoUsers.storage.array[u])) == egoRows)
        }
        #expect(negativesSeen.count > 5)
    }

    /// The Events panel's buffer drops its oldest lines in bulk now; what it shows is the same.
    @Test func boundedBufferKeepsTheLastLines() {
        var buffer = BoundedBuffer<Int>(capacity: 64)
        for k in 0..<1_000 {
            buffer.append(k)
            #expect(buffer.elements == Array(max(0, k - 63)...k))
            #expect(buffer.last == k)
        }
        buffer.removeAll { $0 % 2 == 0 }
        #expect(buffer.elements == Array(stride(from: 937, through: 999, by: 2)))
        var thinned = BoundedBuffer<Int>(capacity: 4)
        for k in 0..<6 { thinned.append(k, thinning: true) }
        #expect(thinned.elements == [0, 2, 4, 5])
    }

    /// Keys are a hint: two sources reading the same row hand out equal events.
    @Test func keysAreNotPartOfAnEvent() {
        let plain = Event(user: "u", item: "i", action: .view, timestamp: 1)
        var keyed = plain
        keyed.keys = EventKeys(space: 3, user: 9, item: 4, attributes: 0)
        #expect(plain == keyed)
        #expect(plain.hashValue == keyed.hashValue)
    }
}
