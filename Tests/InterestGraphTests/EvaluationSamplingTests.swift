import Testing
@testable import InterestGraph

/// Evaluation at a shop's size: protocol B sampled (`--sample-every`), protocol A over a
/// deterministic sample of test users (`--test-users`), and the fit budget. Small hand-built
/// streams prove the code paths; the big runs are in docs/BENCHMARKS.md.
@Suite struct EvaluationSamplingTests {
    /// Ten warm-up events, then ten streamed ones whose eligibility is known by hand:
    /// eligible (u has an earlier event, i was seen, u never had i) at stream offsets
    /// 2, 4, 5, 7 and 8.
    static func handBuiltStream() -> [Event] {
        let pairs: [(String, String)] = [
            // Warm-up.
            ("u1", "i1"), ("u1", "i2"), ("u2", "i1"), ("u2", "i3"), ("u3", "i2"),
            ("u3", "i3"), ("u1", "i3"), ("u2", "i2"), ("u3", "i1"), ("u4", "i1"),
            // Stream, offsets 0-9.
            ("u1", "i4"),  // 0: i4 never seen
            ("u1", "i4"),  // 1: u1 already has i4
            ("u2", "i4"),  // 2: eligible (j = 0)
            ("u5", "i1"),  // 3: u5 has no earlier event
            ("u5", "i2"),  // 4: eligible (j = 1)
            ("u4", "i2"),  // 5: eligible (j = 2)
            ("u4", "i2"),  // 6: repeat
            ("u3", "i4"),  // 7: eligible (j = 3)
            ("u4", "i3"),  // 8: eligible (j = 4)
            ("u1", "i1"),  // 9: repeat of a warm-up pair
        ]
        return pairs.enumerated().map { k, pair in
            Event(user: pair.0, item: pair.1, action: .purchase, timestamp: 1_700_000_000 + Double(k) * 3_600)
        }
    }

    static let eligibleOffsets = [2, 4, 5, 7, 8]

    /// A random stream over enough users and items that many events are eligible (seed 5).
    static func wideStream(events: Int = 3_000) -> (events: [Event], catalogue: ItemCatalogue) {
        var catalogue = ItemCatalogue()
        for i in 0..<150 {
            catalogue.items["i\(i)"] = ItemAttributes(categories: ["c\(i % 6)"], brand: "b\(i % 9)", price: Double(5 + i))
        }
        var rng = SeededGenerator(seed: 5)
        let out = (0..<events).map { k in
            let user = rng.index(below: 80)
            // Users lean towards a band of items around their own number.
            let item = rng.index(below: 4) == 0 ? rng.index(below: 150) : (user + rng.index(below: 30)) % 150
            return Event(user: "u\(user)", item: "i\(item)", action: .view, timestamp: 1_700_000_000 + Double(k) * 60)
        }
        return (out, catalogue)
    }

    @Test(arguments: [1, 2, 3, 5, 10])
    func theJthEligibleEventIsScoredIffJModSIsZero(sampleEvery: Int) {
        let events = Self.handBuiltStream()
        var model = Recommender(kind: .mostPop, hyperparameters: Hyperparameters())
        let metrics = PrequentialEvaluation.runRecordingScored(
            model: &model, events: events, catalogue: ItemCatalogue(), sampleEvery: sampleEvery)
        let expected = Self.eligibleOffsets.enumerated().filter { $0.offset % sampleEvery == 0 }.map(\.element)
        #expect(metrics.scoredOffsets == expected)
        #expect(metrics.eligible == 5)
        #expect(metrics.scored == (5 + sampleEvery - 1) / sampleEvery)
        #expect(metrics.sampleEvery == sampleEvery)
        // Every streamed event is learned, scored or not.
        #expect(metrics.streamed == 10)
    }

    @Test func theHandCountedSchedulesForOneTwoAndThree() {
        let events = Self.handBuiltStream()
        var scheduled: [Int: [Int]] = [:]
        for s in [1, 2, 3] {
            var model = Recommender(kind: .mostPop, hyperparameters: Hyperparameters())
            scheduled[s] = PrequentialEvaluation.runRecordingScored(model: &model, events: events, catalogue: ItemCatalogue(), sampleEvery: s).scoredOffsets
        }
        #expect(scheduled[1] == [2, 4, 5, 7, 8])
        #expect(scheduled[2] == [2, 5, 8])
        #expect(scheduled[3] == [2, 7])
    }

    /// Sampling changes which events are scored, never what the model learns nor how a
    /// scored event ranks: the graph applies every event and the same background batches run, and each scored rank equals the unsampled run's at that event.
    @Test(arguments: [2, 3, 7])
    func everyEventIsLearnedAndScoredRanksAreExact(sampleEvery: Int) {
        let (events, catalogue) = Self.wideStream()
        func run(_ s: Int) -> PrequentialMetrics {
            var h = Hyperparameters()
            h.dimension = 16
            h.batchSize = 128
            h.threads = 1
            h.epochs = 2
            var model = Recommender(kind: .lightGCN, hyperparameters: h)
            return PrequentialEvaluation.runRecordingScored(
                model: &model, events: events, catalogue: catalogue, backgroundEvery: 50, sampleEvery: s)
        }
        let all = run(1)
        let sampled = run(sampleEvery)
        #expect(all.scored == all.eligible && all.eligible > 50)
        #expect(sampled.eligible == all.eligible)
        #expect(sampled.streamed == all.streamed && sampled.streamed == 1_500)
        #expect(sampled.backgroundBatches == all.backgroundBatches)
        #expect(sampled.scored == (all.eligible + sampleEvery - 1) / sampleEvery)
        let allOffsets = all.scoredOffsets ?? []
        let rankAt = Dictionary(uniqueKeysWithValues: zip(allOffsets, all.scoredRanks ?? []))
        let sampledOffsets = sampled.scoredOffsets ?? []
        #expect(sampledOffsets == allOffsets.enumerated().filter { $0.offset % sampleEvery == 0 }.map(\.element))
        for (offset, rank) in zip(sampledOffsets, sampled.scoredRanks ?? []) { #expect(rankAt[offset] == rank) }
        // The timeline's graph saw every event (warm-up and stream) in both runs.
        var h = Hyperparameters()
        h.dimension = 16
        var model = Recommender(kind: .mostPop, hyperparameters: h)
        let timeline = PrequentialEvaluation.run(model: &model, events: events, catalogue: catalogue, timelineEvery: 1_500, sampleEvery: sampleEvery).timeline
        #expect(timeline.last?.events == 3_000)
    }

    /// S = 1 is the unsampled protocol, bit for bit, for every model kind.
    @Test(arguments: ModelKind.allCases)
    func sampleEveryOneIsTheProtocolItself(kind: ModelKind) {
        let (events, catalogue) = Self.wideStream(events: 2_000)
        var h = TunedHyperparameters.hyperparameters(for: kind, protocol: .prequential)
        h.dimension = 16
        h.batchSize = 128
        h.epochs = 2
        var a = Recommender(kind: kind, hyperparameters: h)
        var b = Recommender(kind: kind, hyperparameters: h)
        let plain = PrequentialEvaluation.run(model: &a, events: events, catalogue: catalogue, backgroundEvery: 100)
        let one = PrequentialEvaluation.run(model: &b, events: events, catalogue: catalogue, backgroundEvery: 100, sampleEvery: 1)
        #expect(plain.hitRate10.bitPattern == one.hitRate10.bitPattern)
        #expect(plain.mrr.bitPattern == one.mrr.bitPattern)
        #expect(plain.scored == one.scored && one.scored == one.eligible)
        #expect(one.sampleEvery == 1)
    }

    /// Time-ordering a log that is already in order returns it as it is; otherwise the stable
    /// sort is unchanged.
    @Test func timeOrderingKeepsAnOrderedLogAndSortsStably() {
        let ordered = Self.handBuiltStream()
        #expect(TemporalSplit.timeOrdered(ordered) == ordered)
        var shuffled = ordered
        shuffled.swapAt(0, 5)
        shuffled[3].timestamp = shuffled[4].timestamp  // a tie keeps input order
        let sorted = TemporalSplit.timeOrdered(shuffled)
        #expect(TemporalSplit.isTimeOrdered(sorted))
        let reference = shuffled.indices.sorted {
            shuffled[$0].timestamp < shuffled[$1].timestamp || (shuffled[$0].timestamp == shuffled[$1].timestamp && $0 < $1)
        }.map { shuffled[$0] }
        #expect(sorted == reference)
    }

    // MARK: Protocol A user sample

    @Test func theUserHashIsFNV1a64() {
        #expect(TemporalGroundTruth.userHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(TemporalGroundTruth.userHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(TemporalGroundTruth.userHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func theTestUserSampleIsTheSmallestHashesAndDeterministic() throws {
        let (events, catalogue) = Self.wideStream()
        let split = TemporalSplit(events: events, trainFraction: 0.8)
        let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: catalogue)
        let full = TemporalGroundTruth(graph: graph, test: split.test)
        try #require(full.users.count >= 8)
        let five = full.sampled(users: 5, graph: graph)
        #expect(five.users.count == 5 && five.isSample && five.eligibleUsers == full.users.count)
        // The same users whenever asked, in ascending dense id, with their own ground truth.
        #expect(full.sampled(users: 5, graph: graph).users == five.users)
        #expect(five.users == five.users.sorted())
        for (k, user) in five.users.enumerated() {
            #expect(five.relevant[k] == full.relevant[full.users.firstIndex(of: user)!])
        }
        // Exactly the five smallest hashes of the original ids.
        let byHash = full.users.sorted {
            (TemporalGroundTruth.userHash(graph.users.name($0)), $0) < (TemporalGroundTruth.userHash(graph.users.name($1)), $1)
        }
        #expect(Set(five.users) == Set(byHash.prefix(5)))
        // A larger sample contains a smaller one; asking for at least all is no sample.
        #expect(Set(five.users).isSubset(of: Set(full.sampled(users: 7, graph: graph).users)))
        let everyone = full.sampled(users: full.users.count, graph: graph)
        #expect(everyone.users == full.users && !everyone.isSample)
    }

    @Test func theRunnerReportsTheSample() throws {
        let (events, catalogue) = Self.wideStream()
        let dataset = LoadedDataset(name: "stream", events: events, catalogue: catalogue, report: ReadReport())
        var options = EvaluationRunner.Options()
        options.prequential = false
        options.models = [.mostPop]
        options.calibrateScoring = false
        let full = try EvaluationRunner.run(dataset: dataset, options: options)
        options.testUsers = 4
        let sample = try EvaluationRunner.run(dataset: dataset, options: options)
        #expect(!full.testUsersSampled && full.eligibleTestUsers == full.temporal[0].metrics.users)
        #expect(sample.testUsersSampled && sample.eligibleTestUsers == full.eligibleTestUsers)
        #expect(sample.temporal[0].metrics.users == 4)
        #expect(sample.peakResidentBytes > 0)
    }

    @Test func attributesThatRepeatTheCatalogueAreDroppedAndResultsDoNotMove() throws {
        let (plain, catalogue) = Self.wideStream(events: 1_000)
        var events = plain
        for k in events.indices { events[k].attributes = catalogue.items[events[k].item] }
        events[7].attributes?.price = 999  // a row that says something new keeps it
        var merged = catalogue
        for event in events { if let a = event.attributes { merged.merge(item: event.item, attributes: a) } }
        var dataset = LoadedDataset(name: "rows", events: events, catalogue: merged, report: ReadReport())
        let before = dataset
        let dropped = EvaluationRunner.dropRedundantAttributes(&dataset)
        // The catalogue keeps the last row's price, so row 7 alone says something else.
        #expect(dropped == 999)
        #expect(dataset.events[7].attributes?.price == 999)
        var options = EvaluationRunner.Options()
        options.models = [.mostPop, .itemKNN]
        options.calibrateScoring = false
        let a = try EvaluationRunner.run(dataset: before, options: options)
        let b = try EvaluationRunner.run(dataset: dataset, options: options)
        #expect(a.temporal.map(\.metrics.ndcg20) == b.temporal.map(\.metrics.ndcg20))
        #expect(a.prequential.map(\.metrics.hitRate10) == b.prequential.map(\.metrics.hitRate10))
    }

    // MARK: Fit budget

    @Test func aFitWithinItsBudgetIsUnchangedAndALargerOneIsCut() {
        let (events, catalogue) = Self.wideStream()
        let graph = TemporalEvaluation.trainingGraph(train: events, catalogue: catalogue)
        var h = Hyperparameters()
        h.dimension = 16
        h.batchSize = 64
        h.threads = 1
        h.epochs = 3
        var plain = EmbeddingModel(hyperparameters: h)
        let plainLoss = plain.fit(graph: graph, epochs: 3)
        let epochBatches = (plain.replay.count + 63) / 64
        #expect(plain.batches == 3 * epochBatches)
        // A budget that covers the epochs changes nothing, bit for bit.
        var roomy = EmbeddingModel(hyperparameters: h)
        let roomyLoss = roomy.fit(graph: graph, epochs: 3, budget: 3 * epochBatches * 64)
        #expect(roomy.batches == plain.batches)
        #expect(roomyLoss.bitPattern == plainLoss.bitPattern)
        #expect(roomy.finalItems.storage.elementsEqual(plain.finalItems.storage))
        // A smaller one runs ceil(budget / batch) batches.
        var cut = EmbeddingModel(hyperparameters: h)
        let cutLoss = cut.fit(graph: graph, epochs: 3, budget: 100)
        #expect(cut.batches == 2)
        #expect(cutLoss.isFinite)
    }
}
