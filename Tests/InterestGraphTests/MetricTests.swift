import Foundation
import Testing
@testable import InterestGraph

@Suite("Ranking metrics on hand-computed examples")
struct MetricTests {
    let ranked: [Int32] = [1, 2, 3, 4, 5]

    @Test func ndcgUsesIdealOverMinOfRelevantAndK() {
        // Relevant items at ranks 2 and 5.
        let relevant: Set<Int32> = [2, 5]
        let dcg3 = 1 / log2(3.0)
        let ideal = 1 + 1 / log2(3.0)  // min(|G| = 2, K = 3) = 2 ideal positions
        #expect(abs(RankingMetrics.ndcg(ranked, relevant: relevant, k: 3) - dcg3 / ideal) < 1e-12)
        let dcg5 = 1 / log2(3.0) + 1 / log2(6.0)
        #expect(abs(RankingMetrics.ndcg(ranked, relevant: relevant, k: 5) - dcg5 / ideal) < 1e-12)
    }

    @Test func ndcgIsOneWhenTopKIsAllRelevantEvenWithMoreRelevantThanK() {
        let many = Set<Int32>(0..<30)
        let list: [Int32] = Array(0..<10)
        #expect(abs(RankingMetrics.ndcg(list, relevant: many, k: 10) - 1) < 1e-12)
        // Recall is still 10/30.
        #expect(abs(RankingMetrics.recall(list, relevant: many, k: 10) - 10.0 / 30) < 1e-12)
    }

    @Test(arguments: [(1, 0.0, 0.0, 0.0), (2, 0.5, 0.5, 1.0), (5, 1.0, 0.4, 1.0)])
    func recallPrecisionHitRate(k: Int, recall: Double, precision: Double, hit: Double) {
        let relevant: Set<Int32> = [2, 5]
        #expect(abs(RankingMetrics.recall(ranked, relevant: relevant, k: k) - recall) < 1e-12)
        #expect(abs(RankingMetrics.precision(ranked, relevant: relevant, k: k) - precision) < 1e-12)
        #expect(RankingMetrics.hitRate(ranked, relevant: relevant, k: k) == hit)
    }

    @Test func precisionDividesByKEvenWhenTheListIsShort() {
        #expect(abs(RankingMetrics.precision([7], relevant: [7], k: 10) - 0.1) < 1e-12)
    }

    @Test func emptyGroundTruthScoresZero() {
        #expect(RankingMetrics.recall(ranked, relevant: [], k: 5) == 0)
        #expect(RankingMetrics.ndcg(ranked, relevant: [], k: 5) == 0)
    }

    @Test func reciprocalRankOfFirstRelevantInFullRanking() {
        // Scores: item 3 best, then 1, then 0 and 2 tied (lower id first); -inf excluded.
        let scores: [Float] = [0.5, 0.7, 0.5, 0.9, -.infinity]
        #expect(TemporalEvaluation.firstRelevantRank(scores: scores, relevant: [2]) == 4)
        #expect(TemporalEvaluation.firstRelevantRank(scores: scores, relevant: [0, 2]) == 3)
        #expect(TemporalEvaluation.firstRelevantRank(scores: scores, relevant: [4]) == nil)
        #expect(abs(RankingMetrics.reciprocalRank(4) - 0.25) < 1e-12)
        #expect(RankingMetrics.reciprocalRank(nil) == 0)
    }

    @Test func noveltyIsMeanSelfInformation() {
        let counts = [2, 6, 0]
        let value = RankingMetrics.novelty([0, 1], interactionCounts: counts, total: 8)
        #expect(abs(value - (2 + -log2(0.75)) / 2) < 1e-12)
    }

    @Test func intraListDiversityIsOneMinusMeanCategoryJaccard() {
        let categories: [Int32: [Int32]] = [0: [10, 11], 1: [11], 2: [12]]
        let value = RankingMetrics.intraListDiversity([0, 1, 2]) { categories[$0] ?? [] }
        // Pairs: J(0,1) = 1/2, J(0,2) = 0, J(1,2) = 0 -> mean 1/6.
        #expect(abs(value - 5.0 / 6) < 1e-12)
    }

    @Test func topKHeapKeepsBestWithDeterministicTies() {
        var heap = TopKHeap(capacity: 3)
        let scores: [Float] = [0.1, 0.9, 0.5, 0.9, -.infinity, .nan, 0.5, 0.2]
        scores.withUnsafeBufferPointer { heap.offer(all: $0) }
        let top = heap.sortedDescending()
        #expect(top.map(\.item) == [1, 3, 2])
        #expect(top.map(\.score) == [0.9, 0.9, 0.5])
    }

    @Test func topKHeapMatchesFullSortOnRandomScores() {
        var rng = SeededGenerator(seed: 7)
        let scores = (0..<500).map { _ in Float(Int(rng.unitFloat() * 50)) }  // many ties
        var heap = TopKHeap(capacity: 20)
        scores.withUnsafeBufferPointer { heap.offer(all: $0) }
        let expected = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(20)
        #expect(heap.sortedDescending().map { Int($0.item) } == Array(expected))
    }
}
