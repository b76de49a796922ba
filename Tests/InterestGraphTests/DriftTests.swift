import Foundation
import Testing
@testable import InterestGraph

/// A graph with two categories and items in each; `A` items are a0..a4, `B` items b0..b4.
func twoCategoryGraph(halfLifeDays: Double = 1) -> HeteroGraph {
    var graph = HeteroGraph(decay: DecayPolicy(halfLife: halfLifeDays * 86_400))
    for k in 0..<5 {
        graph.setAttributes(ItemAttributes(categories: ["Home/Kitchen"]), forItem: "a\(k)")
        graph.setAttributes(ItemAttributes(categories: ["Sports/Running"]), forItem: "b\(k)")
    }
    return graph
}

@Suite("Drift: divergence, profile history, scores and lag")
struct DriftTests {
    // MARK: Divergence

    @Test func jensenShannonKnownValuesAndBounds() {
        #expect(Divergence.jensenShannon([0.2, 0.8], [0.2, 0.8]) == 0)
        #expect(abs(Divergence.jensenShannon([1, 0], [0, 1]) - 1) < 1e-12)
        // m = (0.75, 0.25): 0.5 * log2(4/3) + 0.5 * (0.5 * log2(2/3) + 0.5 * log2(2)) = 0.3113
        #expect(abs(Divergence.jensenShannon([1, 0], [0.5, 0.5]) - 0.311_278) < 1e-6)
        #expect(abs(Divergence.jensenShannon([0.1, 0.6, 0.3], [0.5, 0.2, 0.3]) - Divergence.jensenShannon([0.5, 0.2, 0.3], [0.1, 0.6, 0.3])) < 1e-15)
        // Unnormalised inputs are normalised.
        #expect(abs(Divergence.jensenShannon([2, 6], [0.25, 0.75])) < 1e-12)
        #expect(Divergence.jensenShannon([0, 0], [0, 0]) == 0)
        #expect(Divergence.jensenShannon([0, 0], [1, 0]) == 1)
    }

    @Test func sparseJensenShannonCountsMissingMassAsOther() {
        let a: [(Int32, Double)] = [(1, 0.5), (2, 0.5)]
        let b: [(Int32, Double)] = [(2, 0.5), (1, 0.5)]
        #expect(Divergence.jensenShannon(a, b) == 0)
        // Both keep only half their mass: the other halves count as one shared outcome.
        let c: [(Int32, Double)] = [(1, 0.5)]
        let d: [(Int32, Double)] = [(2, 0.5)]
        #expect(abs(Divergence.jensenShannon(c, d) - 0.5) < 1e-12)
        #expect(Divergence.jensenShannon([(Int32, Double)](), c) == 1)
    }

    @Test func cosineShift() {
        #expect(abs(Divergence.cosineShift([1, 2, 3], [2, 4, 6])) < 1e-12)
        #expect(abs(Divergence.cosineShift([1, 0], [0, 1]) - 1) < 1e-12)
        #expect(abs(Divergence.cosineShift([1, 0], [-1, 0]) - 2) < 1e-12)
        #expect(Divergence.cosineShift([0, 0], [1, 0]) == 0)
        #expect(Divergence.cosineShift([1], [1, 2]) == 0)
    }

    // MARK: Profile history

    @Test func checkpointsOncePerIntervalMatchingTheGraphProfile() throws {
        var graph = twoCategoryGraph(halfLifeDays: 30)
        var history = ProfileHistory(configuration: .init(interval: 86_400, capacity: 8))
        var recorded = 0
        for hour in 0..<(3 * 24) {
            let item = hour % 4 == 0 ? "b\(hour % 5)" : "a\(hour % 5)"
            let t = Double(hour) * 3_600 + 60
            graph.apply(Event(user: "u", item: item, action: .view, timestamp: t))
            if history.observe(user: graph.userID("u")!, graph: graph, at: t) { recorded += 1 }
        }
        #expect(recorded == 3)
        let user = try #require(graph.userID("u"))
        let line = history.timeline(ofUser: user)
        #expect(line.map(\.time) == [60, 86_460, 172_860])
        // The newest checkpoint equals the profile right after its event.
        var replay = twoCategoryGraph(halfLifeDays: 30)
        for hour in 0...48 {
            replay.apply(Event(user: "u", item: hour % 4 == 0 ? "b\(hour % 5)" : "a\(hour % 5)", action: .view, timestamp: Double(hour) * 3_600 + 60))
        }
        let profile = replay.profile(ofUser: replay.userID("u")!)
        for share in profile.categories {
            let stored = try #require(line[2].shares.first { $0.category == share.id })
            #expect(abs(stored.share - share.share) < 1.0 / 65_535)
        }
        #expect(history.lastCheckpointTime(ofUser: user) == 172_860)
        #expect(history.timeline(ofUser: 99).isEmpty)
    }

    @Test func ringKeepsOnlyTheNewestCheckpoints() throws {
        var graph = twoCategoryGraph()
        var history = ProfileHistory(configuration: .init(interval: 3_600, capacity: 3))
        for day in 0..<10 {
            let t = Double(day) * 3_600
            graph.apply(Event(user: "u", item: "a0", action: .click, timestamp: t))
            history.observe(user: 0, graph: graph, at: t)
        }
        let line = history.timeline(ofUser: 0)
        #expect(line.map(\.time) == [25_200.0, 28_800, 32_400])
        #expect(history.checkpoint(ofUser: 0, atOrBefore: 30_000)?.time == 28_800)
        #expect(history.checkpoint(ofUser: 0, atOrBefore: 100) == nil)
        #expect(history.userCapacity == 1)
        history.forget(user: 0)
        #expect(history.timeline(ofUser: 0).isEmpty)
        #expect(history.lastCheckpointTime(ofUser: 0) == nil)
        history.forget(user: 42)  // unknown users are ignored
    }

    @Test func topCategoriesAreTruncatedToTheConfiguredCount() throws {
        var graph = HeteroGraph()
        for c in 0..<10 { graph.setAttributes(ItemAttributes(categories: ["C\(c)"]), forItem: "i\(c)") }
        for c in 0..<10 {
            for _ in 0...c { graph.apply(Event(user: "u", item: "i\(c)", action: .view, timestamp: 100)) }
        }
        var history = ProfileHistory(configuration: .init(topCategories: 3))
        history.checkpoint(user: 0, graph: graph, at: 100)
        let shares = try #require(history.timeline(ofUser: 0).first).shares
        #expect(shares.map { graph.name(of: NodeRef(.category, $0.category)) } == ["C9", "C8", "C7"])
        #expect(abs(shares[0].share - 10.0 / 55) < 1e-4)
    }

    @Test func embeddingsAreQuantisedBoundedAndResetOnANewDimension() throws {
        var history = ProfileHistory(configuration: .init(interval: 3_600, embeddingSlots: 2, embeddingInterval: 3_600))
        let row: [Float] = (0..<16).map { Float($0) - 7.5 }
        let stored = [
            history.recordEmbedding(user: 3, row: row, at: 0),
            history.recordEmbedding(user: 3, row: row, at: 1_800),  // same interval
            history.recordEmbedding(user: 3, row: row.map { -$0 }, at: 3_600),
            history.recordEmbedding(user: 3, row: row, at: 7_200),
        ]
        #expect(stored == [true, false, true, true])
        let rows = history.embeddings(ofUser: 3)
        #expect(rows.map(\.time) == [3_600, 7_200])
        #expect(Divergence.cosineShift(rows[1].row, row) < 1e-4)
        #expect(abs(Divergence.cosineShift(rows[0].row, rows[1].row) - 2) < 1e-4)
        #expect(history.dimension == 16)
        let resized = history.recordEmbedding(user: 3, row: [1, 2, 3], at: 10_800)
        #expect(resized)
        #expect(history.embeddings(ofUser: 3).count == 1)
        #expect(history.embeddings(ofUser: 0).isEmpty)
        let empty = history.recordEmbedding(user: 3, row: [], at: 20_000)
        #expect(!empty)
    }

    @Test func bytesPerUserFollowTheConfiguration() {
        #expect(ProfileHistory().bytesPerUser(dimension: 64) == 844)
        #expect(ProfileHistory(configuration: .init(capacity: 4, topCategories: 2, embeddingSlots: 1)).bytesPerUser(dimension: 8) == 10 + 4 * 20 + 2 + 20)
    }

    /// Each ring slot is a table of its own that grows when a user first writes it: a
    /// thousand users with one checkpoint hold one slot's worth, not the ring's twelve; a
    /// third checkpoint each brings the third slot, and the rings read back in order.
    @Test func ringSlotsCostMemoryOnlyOnceUsersReachThem() throws {
        var graph = twoCategoryGraph(halfLifeDays: 30)
        var history = ProfileHistory()
        let users = 1_000
        let perSlot = 8 + 6 * (4 + 2)  // a time and six (category, share) pairs
        func day(_ d: Int) {
            for u in 0..<users {
                let t = Double(d) * 86_400 + Double(u)
                graph.apply(Event(user: "u\(u)", item: u % 3 == 0 ? "b\(u % 5)" : "a\(u % 5)", action: .view, timestamp: t))
                history.observe(user: graph.userID("u\(u)")!, graph: graph, at: t)
            }
        }
        day(0)
        #expect(history.storedBytes == users * (12 + perSlot))
        #expect(history.storedBytes < users * ProfileHistory().bytesPerUser(dimension: 64) / 10)
        day(1)
        day(2)
        #expect(history.storedBytes == users * (12 + 3 * perSlot))
        let line = history.timeline(ofUser: try #require(graph.userID("u7")))
        #expect(line.map(\.time) == [7, 86_407, 172_807])
        #expect(line.allSatisfy { !$0.shares.isEmpty && $0.shares.allSatisfy { $0.share > 0 } })
        // An embedding slot likewise: one user's row is one row of one slot.
        history.recordEmbedding(user: 5, row: [Float](repeating: 0.5, count: 64), at: 0)
        #expect(history.storedBytes == users * (12 + 3 * perSlot) + 6 * (8 + 4 + 64))
    }

    // MARK: Scores and the dashboard's view

    /// A user who only buys Home/Kitchen for a week, then only Sports/Running for a week.
    func movedUser(halfLifeDays: Double = 1) -> (HeteroGraph, ProfileHistory) {
        var graph = twoCategoryGraph(halfLifeDays: halfLifeDays)
        var history = ProfileHistory(configuration: .init(interval: 86_400, capacity: 16))
        for hour in stride(from: 0, to: 14 * 24, by: 6) {
            let t = Double(hour) * 3_600
            let item = hour < 7 * 24 ? "a\(hour % 5)" : "b\(hour % 5)"
            graph.apply(Event(user: "u", item: item, action: .purchase, timestamp: t))
            history.observe(user: 0, graph: graph, at: t)
            if history.lastCheckpointTime(ofUser: 0) == t {
                let row: [Float] = hour < 7 * 24 ? [1, 0.1, 0] : [0, 0.1, 1]
                history.recordEmbedding(user: 0, row: row, at: t)
            }
        }
        return (graph, history)
    }

    @Test func scoresSeeTheMove() {
        let (graph, history) = movedUser()
        let scores = history.scores(ofUser: 0)
        #expect(scores.divergence > 0.8)
        #expect(scores.isChangePoint)
        #expect(scores.gained == [graph.categoryID("Sports/Running")!])
        #expect(scores.lost == [graph.categoryID("Home/Kitchen")!])
        #expect(scores.embeddingShift > 0.9)
        #expect(scores.referenceTime! <= scores.recentTime! - 7 * 86_400)
        // No history, no drift.
        #expect(ProfileHistory().scores(ofUser: 0).divergence == 0)
    }

    @Test func driftViewLaysOutHeatmapScoresAndTruth() throws {
        let (graph, history) = movedUser()
        let view = history.driftView(ofUser: 0, graph: graph, rows: 8) { t in
            t < 7 * 86_400 ? ["Home/Kitchen": 0.9, "Sports/Running": 0.1] : ["Sports/Running": 0.9, "Home/Kitchen": 0.1]
        }
        #expect(Set(view.categories) == ["Home/Kitchen", "Sports/Running"])
        #expect(view.bucketTimes.count == 14)
        #expect(view.shares.count == 2 && view.shares.allSatisfy { $0.count == 14 })
        #expect(view.trueShares.count == 2 && view.trueShares.allSatisfy { $0.count == 14 })
        #expect(view.scores.count == 14)
        let sports = try #require(view.categories.firstIndex(of: "Sports/Running"))
        #expect(view.shares[sports][0] == 0 && view.shares[sports][13] > 0.95)
        #expect(abs(view.trueShares[sports][13] - 0.9) < 1e-6)
        // The move is flagged once, in the first buckets after it.
        #expect(view.changePoints.count == 1)
        let flagged = view.bucketTimes[try #require(view.changePoints.first)]
        #expect(flagged >= 7 * 86_400 && flagged < 9 * 86_400)
        #expect(view.gained == ["Sports/Running"] && view.lost == ["Home/Kitchen"])
        #expect(view.embeddingShift > 0.9)
        let plain = history.driftView(ofUser: 0, graph: graph)
        #expect(plain.trueShares.isEmpty)
        #expect(history.driftView(ofUser: 5, graph: graph) == DriftView())
    }

    // MARK: Against the simulator's ground truth

    @Test func departmentMoveShowsInTheProfileHistory() throws {
        let world = ShopWorld(scenario: try shippedScenario("small"))
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 3 * 86_400))
        graph.load(world.itemCatalogue)
        var history = ProfileHistory(configuration: .init(interval: 86_400, capacity: 32))
        var simulator = ShopSimulator(world: world)
        var eventsAfter = [Int](repeating: 0, count: world.userCount)
        let drifts = world.truth.userDrifts
        while let e = simulator.next() {
            let id = graph.addUser(world.userID(Int(e.user))).id
            graph.apply(user: id, item: graph.itemID(world.itemID(Int(e.item)))!, action: e.action, weight: graph.actionWeights[e.action], at: Double(e.time))
            history.observe(user: id, graph: graph, at: Double(e.time))
            let d = world.truth.userDrift[Int(e.user)]
            if d >= 0 && Double(e.time) >= drifts[Int(d)].end { eventsAfter[Int(e.user)] += 1 }
        }
        func department(_ name: String) -> Substring { name.split(separator: "/")[0] }
        var moved = 0
        var checked = 0
        for drift in drifts where eventsAfter[Int(drift.user)] >= 30 {
            let id = try #require(graph.userID(world.userID(Int(drift.user))))
            let line = history.timeline(ofUser: id)
            guard let before = line.last(where: { $0.time < drift.start }), let after = line.last else { continue }
            checked += 1
            let topBefore = graph.name(of: NodeRef(.category, before.shares[0].category))
            let topAfter = graph.name(of: NodeRef(.category, after.shares[0].category))
            let from = world.categoryNames[Int(drift.from[0])]
            let target = world.categoryNames[Int(drift.target)]
            if department(topBefore) == department(from) && topAfter == target { moved += 1 }
        }
        #expect(checked >= 20)
        #expect(Double(moved) >= 0.7 * Double(checked), "\(moved) of \(checked)")
    }

    @Test func shorterHalfLifeTracksFasterButNoisier() throws {
        let world = ShopWorld(scenario: try shippedScenario("small"))
        let fast = DriftLag.measure(world: world, halfLife: 2 * 86_400)
        let slow = DriftLag.measure(world: world, halfLife: 30 * 86_400)
        #expect(fast.usersMeasured == slow.usersMeasured)
        #expect(fast.usersMeasured == world.truth.userDrifts.filter { $0.crossover < world.scenario.end }.count)
        #expect(fast.usersMeasured >= 40)
        let fastLag = try #require(fast.medianLagHours)
        let slowLag = try #require(slow.medianLagHours)
        #expect(fastLag < slowLag)
        #expect(try #require(fast.medianLagEvents) < (try #require(slow.medianLagEvents)))
        #expect(fast.detected >= slow.detected)
        #expect(fast.noise > slow.noise)
        #expect(fast.meanDivergence > 0 && fast.meanDivergence < 1)
        #expect(fast.events == slow.events && fast.events > 50_000)
        #expect(fast.halfLifeDays == 2)
    }

    @Test func reportJSONKeepsEveryKeyWithNullForUnreachedPercentiles() throws {
        let report = DriftLagReport(
            scenario: "s", seed: 1, halfLifeDays: 3, events: 10, usersMeasured: 2, detected: 1,
            medianLagHours: 5, p90LagHours: nil, medianLagEvents: 2, p90LagEvents: nil, meanDivergence: 0.1, noise: 0.01)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"p90_lag_hours\":null"))
        #expect(json.contains("\"median_lag_hours\":5"))
        #expect(json.contains("\"users_measured\":2"))
        let back = try JSONDecoder().decode(DriftLagReport.self, from: Data(json.utf8))
        #expect(back == report)
    }

    @Test func percentilesCountUndetectedDriftsAsInfinite() {
        #expect(DriftLag.percentile([3, 1, 2], of: 4, 0.5) == 2)
        #expect(DriftLag.percentile([3, 1, 2], of: 4, 0.9) == nil)
        #expect(DriftLag.percentile([5], of: 1, 0.9) == 5)
        #expect(DriftLag.percentile([], of: 0, 0.5) == nil)
    }
}
