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
}
