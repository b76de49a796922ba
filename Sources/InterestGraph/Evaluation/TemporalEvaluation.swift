/// Protocol A metrics, averaged over test users (coverage is over the union of lists).
public struct TemporalMetrics: Sendable, Codable, Hashable {
    public var users = 0
    public var recall10 = 0.0
    public var recall20 = 0.0
    public var ndcg10 = 0.0
    public var ndcg20 = 0.0
    public var hitRate10 = 0.0
    public var hitRate20 = 0.0
    public var precision10 = 0.0
    public var precision20 = 0.0
    /// Mean reciprocal rank of the first relevant item in the full ranking.
    public var mrr = 0.0
    /// Distinct recommended items over all known items.
    public var coverage10 = 0.0
    public var coverage20 = 0.0
    /// Mean self-information `-log2(share of training interactions)` of recommended items.
    public var novelty20 = 0.0
    /// 1 - mean pairwise category Jaccard similarity within each top-20 list.
    public var diversity20 = 0.0

    public init() {}
}

/// Protocol A: temporal hold-out, exactly as GUIDE.md section 4.
public enum TemporalEvaluation {
    /// The graph of the training events (with the catalogue), as every model sees it.
    public static func trainingGraph(train: [Event], catalogue: ItemCatalogue, actionWeights: ActionWeights = .default) -> HeteroGraph {
        var graph = HeteroGraph(decay: .default, actionWeights: actionWeights)
        graph.load(catalogue)
        for event in train { graph.apply(event) }
        return graph
    }

    /// Ranks all known items except each test user's training items, and scores the lists.
    ///
    /// Known items are those with at least one training interaction. Ties are broken by the
    /// lower dense item id, so results are deterministic.
    /// - Parameter keepLists: also return every user's top-20 (for `--export-topk`).
    ///
    /// Users are ranked on ``evaluationWorkers`` threads (each a contiguous share of the users,
    /// ``WorkerPool``) into one result per user, and the results are summed in user order
    /// afterwards: the metrics are the one-thread metrics bit for bit. Scoring only reads the
    /// model and the graph.
    public static func evaluate(
        model: Recommender, graph: HeteroGraph, truth: TemporalGroundTruth, keepLists: Bool = false
    ) -> (metrics: TemporalMetrics, lists: [[ScoredItem]]) {
        let n = graph.items.count
        var metrics = TemporalMetrics()
        var lists: [[ScoredItem]] = []
        var covered10 = Set<Int32>()
        var covered20 = Set<Int32>()
        let knownItems = (0..<n).reduce(0) { $0 + (graph.itemEventCount[$1] > 0 && graph.itemActive[$1] ? 1 : 0) }
        let counts = graph.itemEventCount.map(Int.init)
        let total = counts.reduce(0, +)
        let count = truth.users.count
        var results = [UserResult](repeating: UserResult(), count: count)
        if count > 0 {
            results.withUnsafeMutableBufferPointer { buffer in
                let out = SendablePointer(buffer.baseAddress!)
                WorkerPool.shared(workers: evaluationWorkers).run { region in
                    var scores = [Float](repeating: 0, count: n)
                    var heap = TopKHeap(capacity: 20)
                    for index in region.share(of: count) {
                        out.base[index] = rank(
                            user: truth.users[index], relevant: truth.relevant[index], model: model, graph: graph,
                            counts: counts, total: total, scores: &scores, heap: &heap)
                    }
                }
            }
        }
        for result in results {
            metrics.recall10 += result.recall10
            metrics.recall20 += result.recall20
            metrics.ndcg10 += result.ndcg10
            metrics.ndcg20 += result.ndcg20
            metrics.hitRate10 += result.hitRate10
            metrics.hitRate20 += result.hitRate20
            metrics.precision10 += result.precision10
            metrics.precision20 += result.precision20
            metrics.mrr += result.mrr
            metrics.novelty20 += result.novelty20
            metrics.diversity20 += result.diversity20
            let ranked = result.top.map(\.item)
            covered10.formUnion(ranked.prefix(10))
            covered20.formUnion(ranked)
            if keepLists { lists.append(result.top) }
        }
        let users = Double(max(truth.users.count, 1))
        metrics.users = truth.users.count
        metrics.recall10 /= users
        metrics.recall20 /= users
        metrics.ndcg10 /= users
        metrics.ndcg20 /= users
        metrics.hitRate10 /= users
        metrics.hitRate20 /= users
        metrics.precision10 /= users
        metrics.precision20 /= users
        metrics.mrr /= users
        metrics.novelty20 /= users
        metrics.diversity20 /= users
        metrics.coverage10 = knownItems > 0 ? Double(covered10.count) / Double(knownItems) : 0
        metrics.coverage20 = knownItems > 0 ? Double(covered20.count) / Double(knownItems) : 0
        return (metrics, lists)
    }

    /// Threads that rank test users (the machine's two cores; results do not depend on it).
    static let evaluationWorkers = 2

    /// One test user's ranked top-20 and metric terms.
    struct UserResult: Sendable {
        var top: [ScoredItem] = []
        var recall10 = 0.0
        var recall20 = 0.0
        var ndcg10 = 0.0
        var ndcg20 = 0.0
        var hitRate10 = 0.0
        var hitRate20 = 0.0
        var precision10 = 0.0
        var precision20 = 0.0
        var mrr = 0.0
        var novelty20 = 0.0
        var diversity20 = 0.0
    }

    /// Ranks every known item except `user`'s training items and scores the top-20 against
    /// `relevant`. `scores` (the item count) and `heap` are the calling thread's scratch.
    /// - Complexity: O(scoring + items).
    static func rank(
        user: Int32, relevant: Set<Int32>, model: Recommender, graph: HeteroGraph, counts: [Int], total: Int,
        scores: inout [Float], heap: inout TopKHeap
    ) -> UserResult {
        let n = graph.items.count
        scores.withUnsafeMutableBufferPointer { buffer in
            model.score(user: user, graph: graph, into: buffer)
            for i in 0..<n where graph.itemEventCount[i] == 0 || !graph.itemActive[i] { buffer[i] = -.infinity }
            for edge in graph.userEdges[Int(user)] { buffer[Int(graph.edgeItem[Int(edge)])] = -.infinity }
            heap.removeAll()
            heap.offer(all: UnsafeBufferPointer(buffer))
        }
        var result = UserResult()
        result.top = heap.sortedDescending()
        let ranked = result.top.map(\.item)
        result.recall10 = RankingMetrics.recall(ranked, relevant: relevant, k: 10)
        result.recall20 = RankingMetrics.recall(ranked, relevant: relevant, k: 20)
        result.ndcg10 = RankingMetrics.ndcg(ranked, relevant: relevant, k: 10)
        result.ndcg20 = RankingMetrics.ndcg(ranked, relevant: relevant, k: 20)
        result.hitRate10 = RankingMetrics.hitRate(ranked, relevant: relevant, k: 10)
        result.hitRate20 = RankingMetrics.hitRate(ranked, relevant: relevant, k: 20)
        result.precision10 = RankingMetrics.precision(ranked, relevant: relevant, k: 10)
        result.precision20 = RankingMetrics.precision(ranked, relevant: relevant, k: 20)
        result.mrr = RankingMetrics.reciprocalRank(firstRelevantRank(scores: scores, relevant: relevant))
        result.novelty20 = RankingMetrics.novelty(ranked, interactionCounts: counts, total: total)
        result.diversity20 = RankingMetrics.intraListDiversity(ranked) { graph.itemCategories[Int($0)] }
        return result
    }

    /// The 1-based rank of the best-placed relevant item among candidates (scores of
    /// excluded items are `-infinity`); nil when no relevant item is a candidate.
    static func firstRelevantRank(scores: [Float], relevant: Set<Int32>) -> Int? {
        var best: Int32 = -1
        var bestScore = -Float.infinity
        for item in relevant {
            let s = scores[Int(item)]
            guard s > -.infinity else { continue }
            if best < 0 || s > bestScore || (s == bestScore && item < best) {
                best = item
                bestScore = s
            }
        }
        guard best >= 0 else { return nil }
        var rank = 1
        for (i, s) in scores.enumerated() where s > bestScore || (s == bestScore && Int32(i) < best) {
            rank += 1
        }
        return rank
    }
}
