/// One recommended item.
public struct Recommendation: Sendable, Hashable {
    public var item: Int32
    public var score: Float
    public var explanation: Explanation
}

/// A user in an item's audience.
public struct AudienceMember: Sendable, Hashable {
    public var user: Int32
    public var score: Float
}

/// Serving queries over a graph and a model: top-K with explanations, audiences, similar
/// users and items.
///
/// ```swift
/// let recs = Serving.recommend(user: u, k: 10, graph: graph, model: learner)
/// print(recs[0].explanation.text)   // "you purchased Trail Shoe 3 → same brand Peakline"
/// ```
public enum Serving {
    /// The user's top-`k` items, best first, each with the strongest explanation path.
    ///
    /// - Parameters:
    ///   - excludeSeen: leave out items the user already interacted with.
    ///   - filter: categories, brands, price range, excluded items.
    /// - Complexity: O(n * d) to score n items at dimension d, O(n log k) to select, then
    ///   O(k * h) to explain from the h strongest history items.
    public static func recommend<M: ScoringModel>(
        user: Int32, k: Int, excludeSeen: Bool = true, filter: RecommendationFilter = .init(),
        graph: HeteroGraph, model: M
    ) -> [Recommendation] {
        guard k > 0, graph.isLive(user: user), graph.itemCapacity > 0 else { return [] }
        var scores = [Float](repeating: 0, count: graph.itemCapacity)
        scores.withUnsafeMutableBufferPointer { model.scoreItems(forUser: user, graph: graph, into: $0) }
        for i in 0..<scores.count where !graph.isLive(item: Int32(i)) { scores[i] = -.infinity }
        if excludeSeen { for item in graph.items(ofUser: user) { scores[Int(item)] = -.infinity } }
        let chosen = select(scores, k: k) { filter.isEmpty || filter.admits($0, graph: graph) }
        let finder = ExplanationFinder(user: user, graph: graph)
        return chosen.map { Recommendation(item: $0.item, score: $0.score, explanation: finder.explain($0.item, graph: graph, model: model)) }
    }

    /// The users most likely to want `item` (ad targeting), best first. Users who already
    /// interacted with it are left out unless `includeExisting`.
    public static func audience<M: ScoringModel>(item: Int32, k: Int, includeExisting: Bool = false, graph: HeteroGraph, model: M) -> [AudienceMember] {
        guard k > 0, graph.isLive(item: item), graph.userCapacity > 0 else { return [] }
        var scores = [Float](repeating: 0, count: graph.userCapacity)
        scores.withUnsafeMutableBufferPointer { model.scoreUsers(forItem: item, graph: graph, into: $0) }
        for u in 0..<scores.count where !graph.isLive(user: Int32(u)) { scores[u] = -.infinity }
        if !includeExisting { for u in graph.users(ofItem: item) { scores[Int(u)] = -.infinity } }
        return select(scores, k: k) { _ in true }.map { AudienceMember(user: $0.item, score: $0.score) }
    }

    /// Users whose embeddings are closest to `user`'s (cosine), excluding the user.
    public static func similarUsers<M: ScoringModel>(to user: Int32, k: Int, graph: HeteroGraph, model: M) -> [AudienceMember] {
        guard graph.isLive(user: user) else { return [] }
        var scores = [Float](repeating: -.infinity, count: graph.userCapacity)
        for u in 0..<scores.count where u != Int(user) && graph.isLive(user: Int32(u)) {
            scores[u] = model.userSimilarity(user, Int32(u))
        }
        return select(scores, k: k) { _ in true }.map { AudienceMember(user: $0.item, score: $0.score) }
    }

    /// Items whose embeddings are closest to `item`'s (cosine), excluding the item.
    public static func similarItems<M: ScoringModel>(to item: Int32, k: Int, graph: HeteroGraph, model: M) -> [ScoredItem] {
        guard graph.isLive(item: item) else { return [] }
        var scores = [Float](repeating: -.infinity, count: graph.itemCapacity)
        for i in 0..<scores.count where i != Int(item) && graph.isLive(item: Int32(i)) {
            scores[i] = model.itemSimilarity(item, Int32(i))
        }
        return select(scores, k: k) { _ in true }
    }

    /// The best `k` finite scores that pass `admit`, best first (ties: lower id first).
    static func select(_ scores: [Float], k: Int, admit: (Int32) -> Bool) -> [ScoredItem] {
        var heap = TopKHeap(capacity: k)
        for (i, s) in scores.enumerated() where s > -.infinity && admit(Int32(i)) {
            heap.offer(Int32(i), s)
        }
        return heap.sortedDescending()
    }
}
