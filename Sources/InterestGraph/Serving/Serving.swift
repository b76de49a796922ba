/// One recommended item.
public struct Recommendation: Sendable, Hashable {
    public var item: Int32
    public var score: Float
    public var explanation: Explanation
}

/// A user and a score: a member of an item's audience, or a similar user.
public struct ScoredUser: Sendable, Hashable {
    public var user: Int32
    public var score: Float
}

/// Serving queries over a graph and a trained model: top-K with explanations, audiences,
/// similar users and items. Every query is read-only and works with any ``ScoringModel``.
///
/// Cold start is covered at both ends: a user with one or two events is scored from the
/// embeddings of those items (the model's online update sets a new user there), and a
/// catalogue item nobody has touched yet is scored from its categories, brand and
/// knowledge-graph neighbours (see ``ColdItemVectors``), so it can be recommended and has an
/// audience from the moment it is in the catalogue.
///
/// ```swift
/// var model = Recommender(kind: .lightGCN, hyperparameters: Hyperparameters())
/// model.fit(graph: graph)
/// let recs = Serving.recommend(user: u, k: 10, graph: graph, model: model)
/// print(recs[0].explanation.text)   // "you purchased Trail Shoe 3 → same brand Peakline"
/// let buyers = Serving.audience(item: i, k: 100, graph: graph, model: model)
/// ```
public enum Serving {
    /// The user's top-`k` items, best first, each with the strongest explanation path.
    ///
    /// - Parameters:
    ///   - excludeSeen: leave out items the user already interacted with.
    ///   - filter: categories, brands, price range, excluded items.
    /// - Returns: at most `k` items (fewer when the filter admits fewer); empty for a user
    ///   who is not in the graph.
    /// - Complexity: O(n * d) SIMD to score n items at dimension d (cold items included, from
    ///   the model's cached ``ColdItemTable``), O(n / 16 + candidates log k) to select, then
    ///   O(k * h) to explain from the h strongest history items.
    public static func recommend<M: ScoringModel>(
        user: Int32, k: Int, excludeSeen: Bool = true, filter: RecommendationFilter = .init(),
        graph: HeteroGraph, model: M
    ) -> [Recommendation] {
        let chosen = topItems(user: user, k: k, excludeSeen: excludeSeen, filter: filter, graph: graph, model: model)
        guard !chosen.isEmpty else { return [] }
        var finder = ExplanationFinder(user: user, graph: graph)
        return chosen.map { Recommendation(item: $0.item, score: $0.score, explanation: finder.explain($0.item, graph: graph, model: model)) }
    }

    /// The user's top-`k` items and scores, best first, without explanations: what
    /// ``recommend(user:k:excludeSeen:filter:graph:model:)`` ranks.
    /// - Complexity: O(n * d) SIMD to score n items, O(n / 16 + candidates log k) to select.
    ///
    /// `screening: false` scores every item directly instead of screening first (the same
    /// answer; for benchmarks and tests that compare the two).
    public static func topItems<M: ScoringModel>(
        user: Int32, k: Int, excludeSeen: Bool = true, filter: RecommendationFilter = .init(),
        graph: HeteroGraph, model: M, screening: Bool = true
    ) -> [ScoredItem] {
        let n = graph.itemCapacity
        guard k > 0, user >= 0, graph.isLive(user: user), n > 0 else { return [] }
        let admit = filter.resolved(in: graph)
        let admits = { (j: Int) in graph.isLive(item: Int32(j)) && admit.admits(Int32(j), graph: graph) }
        if screening, let screened = model.screenedTopItems(user: user, k: k, excludeSeen: excludeSeen, graph: graph, admits: admits) { return screened }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.scoreItems(forUser: user, graph: graph, into: scores)
            if excludeSeen { for item in graph.items(ofUser: user) where Int(item) < n { scores[Int(item)] = -.infinity } }
            return top(scores, k: k, admits: admits)
        }
    }

    /// Why `item` would suit `user`: the strongest path from their history (see
    /// ``recommend(user:k:excludeSeen:filter:graph:model:)``), for any item; `nil` when the
    /// item is not in the graph.
    public static func explain<M: ScoringModel>(item: Int32, forUser user: Int32, graph: HeteroGraph, model: M) -> Explanation? {
        guard item >= 0, graph.isLive(item: item) else { return nil }
        var finder = ExplanationFinder(user: user, graph: graph)
        return finder.explain(item, graph: graph, model: model)
    }

    /// The users most likely to want `item` (ad targeting), best first. Users who already
    /// interacted with it are left out unless `includeExisting`.
    /// - Complexity: O(users * d) SIMD to score (over the model's cached user query blocks),
    ///   O(users / 16 + candidates log k) to select.
    public static func audience<M: ScoringModel>(item: Int32, k: Int, includeExisting: Bool = false, graph: HeteroGraph, model: M) -> [ScoredUser] {
        let n = graph.userCapacity
        guard k > 0, item >= 0, graph.isLive(item: item), n > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.scoreUsers(forItem: item, graph: graph, into: scores)
            if !includeExisting { for u in graph.users(ofItem: item) where Int(u) < n { scores[Int(u)] = -.infinity } }
            return top(scores, k: k) { graph.isLive(user: Int32($0)) }.map { ScoredUser(user: $0.item, score: $0.score) }
        }
    }

    /// The `k` users most similar to `user` (cosine of embeddings, or of item sets for the
    /// baselines), best first, never the user themself.
    public static func similarUsers<M: ScoringModel>(to user: Int32, k: Int, graph: HeteroGraph, model: M) -> [ScoredUser] {
        let n = graph.userCapacity
        guard k > 0, user >= 0, graph.isLive(user: user) else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.userSimilarities(to: user, graph: graph, into: scores)
            return top(scores, k: k) { $0 != Int(user) && graph.isLive(user: Int32($0)) }.map { ScoredUser(user: $0.item, score: $0.score) }
        }
    }

    /// The `k` items most similar to `item` (cosine of embeddings, or of user sets for the
    /// baselines), best first, never the item itself.
    ///
    /// `screening: false` scores every item directly (the same answer), as in
    /// ``topItems(user:k:excludeSeen:filter:graph:model:screening:)``.
    public static func similarItems<M: ScoringModel>(to item: Int32, k: Int, graph: HeteroGraph, model: M, screening: Bool = true) -> [ScoredItem] {
        let n = graph.itemCapacity
        guard k > 0, item >= 0, graph.isLive(item: item) else { return [] }
        let admits = { (j: Int) in j != Int(item) && graph.isLive(item: Int32(j)) }
        if screening, let screened = model.screenedSimilarItems(to: item, k: k, graph: graph, admits: admits) { return screened }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            scores.initialize(repeating: 0)
            model.itemSimilarities(to: item, graph: graph, into: scores)
            return top(scores, k: k, admits: admits)
        }
    }

    /// The best `k` finite scores whose index `admits`, best first (ties: lower id first):
    /// the same as offering every admitted index to a ``TopKHeap``.
    ///
    /// Once the heap is full almost every block of 16 scores is below its threshold and is
    /// skipped with one vector compare, so `admits` (liveness, filters) runs only for the
    /// few candidates that could enter: a block is skipped only when the heap would reject
    /// all of its entries anyway.
    /// - Complexity: O(n / 16 + candidates * (admits + log k)).
    static func top(_ scores: UnsafeMutableBufferPointer<Float>, k: Int, admits: (Int) -> Bool = { _ in true }) -> [ScoredItem] {
        var heap = TopKHeap(capacity: k)
        let n = scores.count
        guard n > 0 else { return [] }
        let base = UnsafePointer(scores.baseAddress!)
        @inline(__always) func consider(_ j: Int) {
            let s = base[j]
            guard s > -.infinity, s >= heap.threshold, admits(j) else { return }
            heap.offer(Int32(truncatingIfNeeded: j), s)
        }
        var i = 0
        while i + 16 <= n {
            // NaN compares false, as the heap rejects it.
            if any(VectorKernels.load(base, i) .>= SIMD16<Float>(repeating: heap.threshold)) {
                for j in i..<(i + 16) { consider(j) }
            }
            i += 16
        }
        while i < n {
            consider(i)
            i += 1
        }
        return heap.sortedDescending()
    }
}
