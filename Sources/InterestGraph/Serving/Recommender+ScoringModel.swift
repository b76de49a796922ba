/// Every model kind can serve: embedding models answer from their final tables; the
/// baselines fall back to what they have (popularity or co-occurrence scores, no vectors).
extension Recommender: ScoringModel {
    public func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        score(user: user, graph: graph, into: scores)
    }

    /// Embedding models score users by their final vectors. Baselines have no user vectors:
    /// a user's score is then how strongly they engage with the item's categories.
    public func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        if let embedding {
            embedding.scoreUsers(item: item, into: scores)
            return
        }
        let categories = Set(graph.categories(ofItem: item).map { graph.name(of: NodeRef(.category, $0)) })
        for u in scores.indices {
            guard graph.isLive(user: Int32(u)) else { scores[u] = 0; continue }
            let profile = graph.profile(ofUser: Int32(u))
            scores[u] = Float(profile.categories.filter { categories.contains($0.name) }.reduce(0) { $0 + $1.share })
        }
    }

    public func itemSimilarity(_ a: Int32, _ b: Int32) -> Float { embedding?.itemSimilarity(a, b) ?? 0 }
    public func userSimilarity(_ a: Int32, _ b: Int32) -> Float { embedding?.userSimilarity(a, b) ?? 0 }
}
