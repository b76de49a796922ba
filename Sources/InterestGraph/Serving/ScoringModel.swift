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
}
