import Foundation
import Testing
@testable import InterestGraph

/// `recommend` skips items below a bound taken from block maxima; whatever the scores, ties,
/// seen, inactive or never-seen items, it must return exactly what sorting would.
@Suite("Top-K selection with a block-maximum bound")
struct RecommenderSelectionTests {
    static func graph(items: Int, seed: UInt64) -> HeteroGraph {
        var rng = SeededGenerator(seed: seed)
        var graph = HeteroGraph()
        var catalogue = ItemCatalogue()
        for i in 0..<items { catalogue.items["i\(i)"] = ItemAttributes(categories: ["c\(i % 5)"]) }
        graph.load(catalogue)  // every item interned; some never get an event
        for t in 0..<(items * 4) {
            let item = min(items - 1, Int(Double(items) * pow(Double(rng.index(below: 1_000)) / 1_000, 2)))
            if item % 13 == 7 { continue }
            graph.apply(Event(user: "u\(rng.index(below: 40))", item: "i\(item)", action: .purchase, timestamp: Double(t)))
        }
        for i in stride(from: 3, to: items, by: 29) { graph.removeItem(graph.items.lookup("i\(i)")!) }
        return graph
    }

    /// Sorting every eligible item.
    static func expected(_ model: Recommender, user: Int32, k: Int, graph: HeteroGraph, cold: Bool, excluded: Set<Int32>) -> [ScoredItem] {
        var scores = [Float](repeating: 0, count: graph.items.count)
        scores.withUnsafeMutableBufferPointer { model.score(user: user, graph: graph, into: $0) }
        let seen = Set(graph.userEdges[Int(user)].map { graph.edgeItem[Int($0)] })
        var eligible: [ScoredItem] = []
        for i in scores.indices {
            let item = Int32(i)
            guard graph.itemActive[i], cold || graph.itemEventCount[i] > 0 else { continue }
            guard !seen.contains(item), !excluded.contains(item), scores[i] > -.infinity, !scores[i].isNaN else { continue }
            eligible.append(ScoredItem(item: item, score: scores[i]))
        }
        return eligible
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
            .prefix(k).map { $0 }
    }

    @Test(arguments: [ModelKind.mostPop, .lightGCN], [1, 5, 20, 32, 50])
    func recommendEqualsSortingEveryEligibleItem(kind: ModelKind, k: Int) {
        let graph = Self.graph(items: 700, seed: 11)
        var h = Hyperparameters()
        h.epochs = 2
        h.dimension = 16
        var model = Recommender(kind: kind, hyperparameters: h)
        model.fit(graph: graph)
        for user in Int32(0)..<Int32(graph.users.count) {
            for cold in [false, true] {
                let got = model.recommend(user: user, k: k, graph: graph, includeColdItems: cold)
                #expect(got == Self.expected(model, user: user, k: k, graph: graph, cold: cold, excluded: []), "user \(user) cold \(cold)")
            }
            let excluded = Set((0..<Int32(60)).map { $0 * 7 % 700 })
            let filtered = model.recommend(user: user, k: k, graph: graph, exclude: { excluded.contains($0) })
            #expect(filtered == Self.expected(model, user: user, k: k, graph: graph, cold: false, excluded: excluded))
        }
    }

    @Test func theBoundNeverExceedsTheKthBestScore() {
        var rng = SeededGenerator(seed: 5)
        for round in 0..<200 {
            let count = 64 + rng.index(below: 2_000)
            let scores = (0..<count).map { _ in Float(rng.index(below: round % 2 == 0 ? 30 : 1_000_000)) }
            for k in [1, 10, 20, 32] {
                let bound = scores.withUnsafeBufferPointer { Recommender.lowerBoundOfKthBest(scores: $0.baseAddress!, count: count, k: k) }
                let kth = scores.sorted(by: >)[k - 1]
                #expect(bound <= kth, "round \(round) k \(k)")
            }
        }
    }
}
