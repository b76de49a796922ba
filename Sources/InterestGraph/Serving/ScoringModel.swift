/// What serving needs from a trained model. ``Recommender`` conforms (every model kind);
/// serving functions are generic over it, so scoring loops never go through an existential.
///
/// Buffers are indexed by dense id and sized by the graph (`itemCapacity` or `userCapacity`);
/// `-infinity` marks an entry the model cannot score (serving then leaves it out).
public protocol ScoringModel {
    /// Writes a score for every item for `user`; higher is better.
    func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// Writes a score for every user for `item`: how much each would want it.
    func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// Writes the similarity (cosine, in [-1, 1]) of `item` to every item.
    func itemSimilarities(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// The similarity of `item` to each of `others`, in order (for explanations).
    func itemSimilarities(to item: Int32, among others: [Int32], graph: HeteroGraph) -> [Float]
    /// Writes the similarity (cosine, in [-1, 1]) of `user` to every user.
    func userSimilarities(to user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// The user's top-`k` when the model has a faster exact way than scoring every item (see
    /// the default below); `admits` is asked of every item that could enter.
    func screenedTopItems(user: Int32, k: Int, excludeSeen: Bool, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]?
    /// The `k` items most similar to `item` by a faster exact way, or `nil` (see below).
    func screenedSimilarItems(to item: Int32, k: Int, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]?
}

extension ScoringModel {
    /// A model that can rank faster than scoring every item exactly returns its top-`k` here
    /// (the same answer as ``Serving/top(_:k:admits:)`` over ``scoreItems(forUser:graph:into:)``
    /// with the user's items at `-infinity` when `excludeSeen`); `nil` means "score directly".
    public func screenedTopItems(user: Int32, k: Int, excludeSeen: Bool, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]? { nil }

    /// The same contract for ``Serving/similarItems(to:k:graph:model:screening:)``; `nil` means "score directly".
    public func screenedSimilarItems(to item: Int32, k: Int, graph: HeteroGraph, admits: (Int) -> Bool) -> [ScoredItem]? { nil }
}
