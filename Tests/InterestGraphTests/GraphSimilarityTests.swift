import Testing
@testable import InterestGraph

/// Models without embeddings (MostPop, ItemKNN) explain and find similar items by the cosine of
/// user sets. The counting walks edges instead of building sets; it must give the cosine a
/// plain set intersection gives, for every pair.
@Suite struct GraphSimilarityTests {
    static let graph = ToyWorld(users: 120, categories: 4, itemsPerCategory: 12, perUser: 9).graph()

    /// `|U(a) ∩ U(b)| / sqrt(|U(a)| |U(b)|)` from sets: the definition.
    static func cosine(_ a: [Int32], _ b: [Int32]) -> Float {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let shared = Set(a).intersection(Set(b)).count
        return Float(shared) / (Float(a.count) * Float(b.count)).squareRoot()
    }

    @Test func itemPairsAreTheCosineOfTheirUserSets() throws {
        let graph = Self.graph
        let n = Int32(graph.itemCapacity)
        var nonzero = 0
        for a in 0..<n {
            for b in 0..<n {
                let got = GraphSimilarity.items(a, b, graph: graph)
                let expected = Self.cosine(graph.users(ofItem: a), graph.users(ofItem: b))
                #expect(abs(got - expected) <= 1e-6, "items \(a), \(b): \(got) vs \(expected)")
                if expected > 0, a != b { nonzero += 1 }
            }
        }
        try #require(nonzero > 100, "the toy shop's items share users")
    }

    /// `fill(node, scores)` scores every node of a kind at once; each score must be the
    /// cosine of the two nodes' neighbour sets.
    static func expectEveryScoreIsThePairCosine(
        count: Int, of nodes: [Int32], neighbours: (Int32) -> [Int32],
        fill: (Int32, UnsafeMutableBufferPointer<Float>) -> Void
    ) {
        for node in nodes {
            var scores = [Float](repeating: -1, count: count)
            scores.withUnsafeMutableBufferPointer { fill(node, $0) }
            for other in 0..<count {
                let expected = cosine(neighbours(node), neighbours(Int32(other)))
                #expect(abs(scores[other] - expected) <= 1e-6, "\(node) vs \(other): \(scores[other]) vs \(expected)")
            }
        }
    }

    @Test func everyItemAndEveryUserAtOnceMatchThePairs() {
        let graph = Self.graph
        Self.expectEveryScoreIsThePairCosine(count: graph.itemCapacity, of: [0, 7, 30], neighbours: { graph.users(ofItem: $0) }) {
            GraphSimilarity.items(to: $0, graph: graph, into: $1)
        }
        Self.expectEveryScoreIsThePairCosine(count: graph.userCapacity, of: [0, 11, 99], neighbours: { graph.items(ofUser: $0) }) {
            GraphSimilarity.users(to: $0, graph: graph, into: $1)
        }
    }
}
