import Testing
@testable import InterestGraph

@Suite("Protocol A and B splits on tiny hand-made streams")
struct EvaluationProtocolTests {
    static func event(_ user: String, _ item: String, _ time: Double) -> Event {
        Event(user: user, item: item, action: .rating, timestamp: time, value: 4)
    }

    @Test func splitSortsByTimeAndTiesKeepFileOrder() {
        // Given out of order; "b" and "c" share t = 2 and must keep file order (b first).
        let events = [
            Self.event("u1", "a", 3), Self.event("u1", "b", 2), Self.event("u2", "c", 2),
            Self.event("u2", "d", 1), Self.event("u3", "e", 5),
        ]
        let split = TemporalSplit(events: events, trainFraction: 0.6)  // floor(3.0) = 3 train
        #expect(split.train.map(\.item) == ["d", "b", "c"])
        #expect(split.test.map(\.item) == ["a", "e"])
        // Swapping the file order of the tie swaps them in the split.
        let swapped = [events[0], events[2], events[1], events[3], events[4]]
        #expect(TemporalSplit(events: swapped, trainFraction: 0.6).train.map(\.item) == ["d", "c", "b"])
    }

    @Test func splitCutIsFloorOfFraction() {
        let events = (0..<10).map { Self.event("u", "i\($0)", Double($0)) }
        #expect(TemporalSplit(events: events, trainFraction: 0.8).train.count == 8)
        #expect(TemporalSplit(events: Array(events.prefix(7)), trainFraction: 0.8).train.count == 5)
    }

    @Test func groundTruthExcludesUnknownItemsUnknownUsersAndRepeats() {
        let train = [
            Self.event("u1", "i1", 1), Self.event("u2", "i1", 2), Self.event("u1", "i2", 3),
            Self.event("u2", "i3", 4), Self.event("u3", "i2", 5),
        ]
        let test = [
            Self.event("u1", "i3", 6),   // valid: known user, known item, new to u1
            Self.event("u1", "i9", 7),   // unknown item (not in train): excluded
            Self.event("u2", "i1", 8),   // repeat of a train interaction: excluded
            Self.event("u4", "i1", 9),   // user without train interactions: excluded
            Self.event("u3", "i1", 10),  // valid
            Self.event("u3", "i3", 11),  // valid, same user
            Self.event("u2", "i1", 12),  // repeat again: u2 gets no ground truth at all
        ]
        var catalogue = ItemCatalogue()
        // A catalogue item never interacted with in train is still unknown.
        catalogue.merge(item: "i9", attributes: ItemAttributes(categories: ["x"]))
        let graph = TemporalEvaluation.trainingGraph(train: train, catalogue: catalogue)
        let truth = TemporalGroundTruth(graph: graph, test: test)
        let names = truth.users.map { graph.users.name($0) }
        #expect(names == ["u1", "u3"])
        let relevant = truth.relevant.map { Set($0.map { graph.items.name($0) }) }
        #expect(relevant == [["i3"], ["i1", "i3"]])
    }

    @Test func temporalEvaluationRanksOnlyKnownUnseenItems() {
        let train = [
            Self.event("u1", "i1", 1), Self.event("u2", "i1", 2), Self.event("u3", "i1", 3),
            Self.event("u2", "i2", 4), Self.event("u3", "i2", 5), Self.event("u3", "i3", 6),
        ]
        let test = [Self.event("u1", "i2", 7), Self.event("u1", "i3", 8)]
        var catalogue = ItemCatalogue()
        catalogue.merge(item: "i0", attributes: ItemAttributes(categories: ["x"]))  // no interactions
        let graph = TemporalEvaluation.trainingGraph(train: train, catalogue: catalogue)
        var model = Recommender(kind: .mostPop, hyperparameters: {
            var h = Hyperparameters()
            h.halfLife = .infinity
            return h
        }())
        model.fit(graph: graph)
        let truth = TemporalGroundTruth(graph: graph, test: test)
        let (metrics, lists) = TemporalEvaluation.evaluate(model: model, graph: graph, truth: truth, keepLists: true)
        // u1's candidates are i2 (2 events) and i3 (1 event); i1 is theirs, i0 unknown.
        #expect(lists.count == 1)
        #expect(lists[0].map { graph.items.name($0.item) } == ["i2", "i3"])
        #expect(metrics.users == 1)
        #expect(abs(metrics.recall10 - 1) < 1e-12)
        #expect(abs(metrics.ndcg10 - 1) < 1e-12)
        #expect(abs(metrics.precision10 - 0.2) < 1e-12)
        #expect(abs(metrics.mrr - 1) < 1e-12)
        // Coverage: 2 of the 3 known items appear in some list.
        #expect(abs(metrics.coverage20 - 2.0 / 3) < 1e-12)
    }

    @Test func prequentialScoresOnlyEligibleEventsAndRanksByHand() {
        // First 5 events (50% of 10) only train.
        let events = [
            Self.event("a", "x", 1), Self.event("b", "x", 2), Self.event("a", "y", 3),
            Self.event("c", "z", 4), Self.event("a", "z", 5),
            Self.event("b", "y", 6),   // scored: b owns x; candidates z (2 events) above y (1): rank 2
            Self.event("d", "x", 7),   // new user: not scored
            Self.event("a", "x", 8),   // repeat: not scored
            Self.event("c", "w", 9),   // unseen item: not scored
            Self.event("c", "x", 10),  // scored: x has 4 events, c has z, w -> candidates x, y: rank 1
        ]
        var model = Recommender(kind: .mostPop, hyperparameters: {
            var h = Hyperparameters()
            h.halfLife = .infinity
            return h
        }())
        let metrics = PrequentialEvaluation.run(model: &model, events: events, catalogue: ItemCatalogue())
        #expect(metrics.scored == 2)
        #expect(metrics.streamed == 5)
        #expect(metrics.hitRate10 == 1)
        #expect(abs(metrics.mrr - (0.5 + 1) / 2) < 1e-12)
    }

    @Test func prequentialRankCountsTiesByLowerIdAndSkipsOwnItems() {
        var graph = HeteroGraph()
        for (u, i) in [("a", "p"), ("a", "q"), ("b", "r"), ("b", "s"), ("c", "t")] {
            graph.apply(Self.event(u, i, 1))
        }
        let user = graph.users.lookup("a")!
        // Items p q r s t = ids 0...4; a owns p (0) and q (1).
        let scores: [Float] = [9, 9, 1, 5, 5]
        let rankOfT = scores.withUnsafeBufferPointer { PrequentialEvaluation.rank(of: 4, user: user, scores: $0, graph: graph) }
        #expect(rankOfT == 2)  // s ties with t and has the lower id; p, q are a's own
        let rankOfR = scores.withUnsafeBufferPointer { PrequentialEvaluation.rank(of: 2, user: user, scores: $0, graph: graph) }
        #expect(rankOfR == 3)
    }

    /// The SIMD rank against a direct count, on 1,000+ items with ties, never-seen and removed
    /// items, the user's own items, and a NaN target.
    @Test(arguments: [1_003, 64, 17])
    func prequentialRankMatchesADirectCount(items: Int) {
        var rng = SeededGenerator(seed: UInt64(items))
        var graph = HeteroGraph()
        // Every item is interned; a tenth never gets an event (interned through a catalogue).
        var catalogue = ItemCatalogue()
        for i in 0..<items { catalogue.items["i\(i)"] = ItemAttributes(categories: ["c"]) }
        graph.load(catalogue)
        for i in 0..<items where i % 10 != 3 { graph.apply(Self.event("u\(i % 7)", "i\(i)", Double(i))) }
        for i in stride(from: 5, to: items, by: 37) { graph.removeItem(graph.items.lookup("i\(i)")!) }
        let user = graph.users.lookup("u2")!
        let own = Set(graph.userEdges[Int(user)].map { Int(graph.edgeItem[Int($0)]) })
        for round in 0..<30 {
            var scores = (0..<graph.items.count).map { _ in Float(rng.index(below: 12)) }
            let target = rng.index(below: graph.items.count)
            if round == 7 { scores[target] = .nan }
            func direct() -> Int {
                let t = scores[target]
                var above = 0
                for c in scores.indices where graph.itemEventCount[c] > 0 && graph.itemActive[c] && (c == target || !own.contains(c)) {
                    if scores[c] > t || (scores[c] == t && c < target) { above += 1 }
                }
                // A NaN target ranks last among every candidate, own items included.
                return t.isNaN ? scores.indices.filter { graph.itemEventCount[$0] > 0 && graph.itemActive[$0] }.count : above + 1
            }
            let rank = scores.withUnsafeBufferPointer { PrequentialEvaluation.rank(of: Int32(target), user: user, scores: $0, graph: graph) }
            #expect(rank == direct(), "round \(round)")
        }
    }
}
