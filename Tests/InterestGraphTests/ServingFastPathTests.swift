import Foundation
import Testing
@testable import InterestGraph

/// The fast serving paths (cached ``ColdItemTable``, ``UserQueryBlocks``, ``ItemNorms`` and
/// the block-skipping top-k) against the straightforward reference (per-request cold vectors,
/// row-major scans, a heap offered every item) on the synthetic shop with cold items.
@Suite struct ServingFastPathTests {
    /// (kind, whether the cold items arrive after the fit: no row, or an untrained row).
    static let worlds: [(ModelKind, Bool)] = [(.lightGCN, false), (.lightGCN, true), (.mfBPR, true), (.hybrid, true)]

    static func close(_ a: Float, _ b: Float) -> Bool {
        if a == b { return true }  // both -infinity too
        return abs(a - b) <= 1e-4 * max(1, abs(b))
    }

    static func world(_ kind: ModelKind, afterFit: Bool) -> (HeteroGraph, Recommender, [Int32]) {
        let (_, graph, model, newItems) = ServingColdStartTests.worldWithNewItems(afterFit: afterFit, kind: kind)
        let cold = newItems.keys.sorted().compactMap { graph.itemID($0) }
        return (graph, model, cold)
    }

    /// Every item's score, cold ones included, equals the reference.
    @Test(arguments: worlds)
    func itemScoresMatchReference(kind: ModelKind, afterFit: Bool) {
        let (graph, model, cold) = Self.world(kind, afterFit: afterFit)
        #expect(!cold.isEmpty)
        let n = graph.itemCapacity
        for user in stride(from: Int32(0), to: Int32(graph.userCapacity), by: 7) {
            var fast = [Float](repeating: 0, count: n)
            var reference = [Float](repeating: 0, count: n)
            fast.withUnsafeMutableBufferPointer { model.scoreItems(forUser: user, graph: graph, into: $0) }
            reference.withUnsafeMutableBufferPointer { model.referenceScoreItems(forUser: user, graph: graph, into: $0) }
            let bad = (0..<n).filter { !Self.close(fast[$0], reference[$0]) }
            #expect(bad.isEmpty, "user \(user): items \(bad.prefix(5)) fast \(bad.prefix(5).map { fast[$0] }) reference \(bad.prefix(5).map { reference[$0] })")
            for item in cold { #expect(fast[Int(item)].isFinite) }
        }
    }

    /// The same top-k (ids and scores) as the reference, with and without seen items, with
    /// and without a filter that excludes a category, a brand range and named items.
    @Test(arguments: worlds)
    func topItemsMatchReference(kind: ModelKind, afterFit: Bool) {
        let (graph, model, cold) = Self.world(kind, afterFit: afterFit)
        var filter = RecommendationFilter()
        filter.categories = ["c1", "c2", "c3"]
        filter.excludedItems = [graph.name(of: NodeRef(.item, cold[1]))]
        for (excludeSeen, f) in [(true, RecommendationFilter()), (false, RecommendationFilter()), (true, filter)] {
            var coldShown = 0
            for user in stride(from: Int32(0), to: Int32(graph.userCapacity), by: 5) {
                for k in [1, 10, 40] {
                    let fast = Serving.topItems(user: user, k: k, excludeSeen: excludeSeen, filter: f, graph: graph, model: model)
                    let reference = Serving.referenceRecommend(user: user, k: k, excludeSeen: excludeSeen, filter: f, graph: graph, model: model)
                    #expect(fast.count == reference.count)
                    for (a, b) in zip(fast, reference) {
                        #expect(Self.close(a.score, b.score), "user \(user) k \(k): \(a) vs \(b)")
                        #expect(a.item == b.item || Self.close(a.score, b.score))
                    }
                    if excludeSeen { #expect(Set(fast.map(\.item)).isDisjoint(with: graph.items(ofUser: user))) }
                    if f == filter { #expect(!fast.contains { $0.item == cold[1] }) }
                    coldShown += fast.filter { cold.contains($0.item) }.count
                }
                // Explanations are still attached to the same ranking.
                let explained = Serving.recommend(user: user, k: 10, excludeSeen: excludeSeen, filter: f, graph: graph, model: model)
                #expect(explained.map(\.item) == Serving.topItems(user: user, k: 10, excludeSeen: excludeSeen, filter: f, graph: graph, model: model).map(\.item))
                #expect(explained.allSatisfy { !$0.explanation.text.isEmpty })
            }
            #expect(coldShown > 0, "cold items never reached a top-k")
        }
    }

    /// Audiences of known and cold items, with and without existing buyers.
    @Test(arguments: worlds)
    func audiencesMatchReference(kind: ModelKind, afterFit: Bool) {
        let (graph, model, cold) = Self.world(kind, afterFit: afterFit)
        let known: [Int32] = [0, 17, 101]
        for item in known + cold.prefix(3) {
            for includeExisting in [false, true] {
                let fast = Serving.audience(item: item, k: 25, includeExisting: includeExisting, graph: graph, model: model)
                let reference = Serving.referenceAudience(item: item, k: 25, includeExisting: includeExisting, graph: graph, model: model)
                #expect(fast.count == reference.count)
                for (a, b) in zip(fast, reference) {
                    #expect(Self.close(a.score, b.score), "item \(item): \(a) vs \(b)")
                }
                if !includeExisting { #expect(Set(fast.map(\.user)).isDisjoint(with: graph.users(ofItem: item))) }
            }
        }
    }

    /// Similar items (every item's cosine, and the among-others form explanations use).
    @Test(arguments: worlds)
    func similarItemsMatchReference(kind: ModelKind, afterFit: Bool) {
        let (graph, model, cold) = Self.world(kind, afterFit: afterFit)
        let n = graph.itemCapacity
        for item in [Int32(0), 42, 200] + cold.prefix(3) {
            var fast = [Float](repeating: 0, count: n)
            var reference = [Float](repeating: 0, count: n)
            fast.withUnsafeMutableBufferPointer { model.itemSimilarities(to: item, graph: graph, into: $0) }
            reference.withUnsafeMutableBufferPointer { model.referenceItemSimilarities(to: item, graph: graph, into: $0) }
            #expect((0..<n).allSatisfy { Self.close(fast[$0], reference[$0]) }, "item \(item)")
            let others = Array(cold) + [1, 2, 3]
            let among = model.itemSimilarities(to: item, among: others, graph: graph)
            let amongReference = model.referenceItemSimilarities(to: item, among: others, graph: graph)
            #expect(zip(among, amongReference).allSatisfy { Self.close($0, $1) })
            let top = Serving.similarItems(to: item, k: 15, graph: graph, model: model)
            let topReference = Serving.referenceSimilarItems(to: item, k: 15, graph: graph, model: model)
            #expect(zip(top, topReference).allSatisfy { Self.close($0.score, $1.score) } && top.count == topReference.count)
            #expect(!top.contains { $0.item == item })
        }
    }

    /// The caches follow the model and the catalogue: after online events (centroids move,
    /// a cold item gets its first interaction) and after new catalogue items, the fast path
    /// still equals the reference.
    @Test(arguments: [ModelKind.lightGCN, .hybrid])
    func cachesFollowEventsAndCatalogue(kind: ModelKind) throws {
        var (graph, model, cold) = Self.world(kind, afterFit: false)
        let user: Int32 = 3
        func check(_ label: String) {
            let fast = Serving.topItems(user: user, k: 30, graph: graph, model: model)
            let reference = Serving.referenceRecommend(user: user, k: 30, graph: graph, model: model)
            #expect(fast.count == reference.count && zip(fast, reference).allSatisfy { Self.close($0.score, $1.score) }, "\(label)")
            let item = cold[2]
            let audience = Serving.audience(item: item, k: 20, graph: graph, model: model)
            let audienceReference = Serving.referenceAudience(item: item, k: 20, graph: graph, model: model)
            #expect(zip(audience, audienceReference).allSatisfy { Self.close($0.score, $1.score) }, "\(label)")
        }
        check("fitted")  // builds the caches
        for (n, item) in cold.prefix(2).enumerated() {
            let event = Event(
                user: graph.name(of: NodeRef(.user, Int32(n * 11))), item: graph.name(of: NodeRef(.item, item)),
                action: .purchase, timestamp: graph.now + Double(n + 1))
            let application = graph.apply(event)
            model.observe(application, at: event.timestamp, graph: graph)
            check("after event \(n)")
        }
        var extra = ItemCatalogue()
        extra.items["late-arrival"] = ItemAttributes(categories: ["c0"], brand: "b0-0", price: 10)
        graph.load(extra)
        check("after a catalogue update")
        let late = try #require(graph.itemID("late-arrival"))
        var scores = [Float](repeating: 0, count: graph.itemCapacity)
        scores.withUnsafeMutableBufferPointer { model.scoreItems(forUser: user, graph: graph, into: $0) }
        #expect(scores[Int(late)].isFinite)
    }
}
