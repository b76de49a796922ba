import Testing
@testable import InterestGraph

@Suite struct GraphBasicsTests {
    @Test func applyInternsAndCountsEvents() {
        var graph = HeteroGraph()
        graph.apply(Event(user: "u1", item: "i1", action: .view, timestamp: 100))
        graph.apply(Event(user: "u1", item: "i1", action: .purchase, timestamp: 200))
        graph.apply(Event(user: "u2", item: "i1", action: .click, timestamp: 150))
        let stats = graph.statistics
        #expect(stats.users == 2)
        #expect(stats.items == 1)
        #expect(stats.userItemEdges == 2)
        #expect(stats.events == 3)
        #expect(graph.now == 200)
    }

    /// A popular item's neighbourhood keeps only the strongest rows, without building every
    /// row first, and they are exactly the first rows of the full list.
    @Test(arguments: [1, 10, 57])
    func strongestNeighboursOfABusyItemMatchTheFullList(limit: Int) throws {
        var graph = HeteroGraph()
        for u in 0..<1_000 {
            // Several actions and times, so strengths vary and some tie.
            let action: Action = u % 7 == 0 ? .purchase : (u % 3 == 0 ? .cart : .view)
            graph.apply(Event(user: "u\(u)", item: "hit", action: action, timestamp: Double(1_000 + (u % 50) * 3_600)))
        }
        let item = NodeRef(.item, try #require(graph.itemID("hit")))
        let full = graph.neighbours(of: item, kind: .user)
        let top = graph.neighbours(of: item, kind: .user, limit: limit)
        #expect(full.count == 1_000)
        #expect(top.count == limit)
        #expect(top.map(\.node) == Array(full.prefix(limit)).map(\.node))
        #expect(zip(top, full).allSatisfy { abs($0.weight - $1.weight) <= 1e-12 })
    }
}
