import Foundation
import Testing
@testable import InterestGraph

/// Protocol A ranks test users on two threads (``TemporalEvaluation/evaluate(model:graph:truth:keepLists:)``)
/// and must give what ranking them one after another gives, bit for bit.
@Suite("Protocol A ranking on two threads")
struct EvaluationParallelRankingTests {
    @Test func metricsAndListsAreTheOneThreadOnes() throws {
        let world = ToyWorld(users: 120, categories: 5, itemsPerCategory: 16, perUser: 7)
        // Every user's events spread over the whole period, so most users have some in both parts.
        var rng = SeededGenerator(seed: 11)
        let events = world.events.map { event -> Event in
            var e = event
            e.timestamp = 1_000_000 + Double(rng.index(below: 1_000_000))
            return e
        }
        let split = TemporalSplit(events: events, trainFraction: 0.8)
        let graph = TemporalEvaluation.trainingGraph(train: split.train, catalogue: world.catalogue)
        let truth = TemporalGroundTruth(graph: graph, test: split.test)
        try #require(truth.users.count >= 10, "only \(truth.users.count) test users")
        var model = Recommender(kind: .hybrid, hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph)
        let (metrics, lists) = TemporalEvaluation.evaluate(model: model, graph: graph, truth: truth, keepLists: true)

        // The reference: every user in order on this thread, summed as the one-thread loop did.
        var ndcg20 = 0.0
        var recall20 = 0.0
        var mrr = 0.0
        var novelty = 0.0
        var expected: [[ScoredItem]] = []
        var scores = [Float](repeating: 0, count: graph.items.count)
        var heap = TopKHeap(capacity: 20)
        let counts = graph.itemEventCount.map(Int.init)
        for (index, user) in truth.users.enumerated() {
            let r = TemporalEvaluation.rank(
                user: user, relevant: truth.relevant[index], model: model, graph: graph, counts: counts,
                total: counts.reduce(0, +), scores: &scores, heap: &heap)
            ndcg20 += r.ndcg20
            recall20 += r.recall20
            mrr += r.mrr
            novelty += r.novelty20
            expected.append(r.top)
        }
        let users = Double(truth.users.count)
        #expect(metrics.users == truth.users.count)
        #expect(lists == expected, "a user's list is missing, repeated or out of order")
        #expect(metrics.ndcg20.bitPattern == (ndcg20 / users).bitPattern)
        #expect(metrics.recall20.bitPattern == (recall20 / users).bitPattern)
        #expect(metrics.mrr.bitPattern == (mrr / users).bitPattern)
        #expect(metrics.novelty20.bitPattern == (novelty / users).bitPattern)
        // Each list excludes the user's training items and holds 20 distinct items.
        for (index, user) in truth.users.enumerated() {
            let own = Set(graph.userEdges[Int(user)].map { graph.edgeItem[Int($0)] })
            #expect(lists[index].allSatisfy { !own.contains($0.item) })
            #expect(Set(lists[index].map(\.item)).count == lists[index].count)
        }
        #expect(metrics.ndcg20 > 0)
    }
}
