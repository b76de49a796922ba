import Foundation
import Testing
@testable import InterestGraph

/// Edge strength against the closed form `sum_k w_k * 2^(-(T - t_k) / h)`.
@Suite struct GraphDecayTests {
    static let day = 86_400.0

    /// The closed form for events (weight, time) read at `now`.
    static func closedForm(_ events: [(Double, Double)], now: Double, halfLife: Double) -> Double {
        events.reduce(0) { $0 + $1.0 * pow(2, -(now - $1.1) / halfLife) }
    }

    @Test func singleEventHalvesEveryHalfLife() throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 10 * Self.day))
        graph.apply(Event(user: "u", item: "i", action: .purchase, timestamp: 0))
        let u = try #require(graph.userID("u")), i = try #require(graph.itemID("i"))
        #expect(abs(graph.strength(user: u, item: i, at: 0) - 8) < 1e-6)
        #expect(abs(graph.strength(user: u, item: i, at: 10 * Self.day) - 4) < 1e-6)
        #expect(abs(graph.strength(user: u, item: i, at: 30 * Self.day) - 1) < 1e-6)
        #expect(abs(graph.strength(user: u, item: i, at: 5 * Self.day) - 8 / 2.0.squareRoot()) < 1e-5)
    }

    @Test(arguments: [1.0, 7.0, 30.0])
    func reweightedEdgeMatchesTheClosedForm(halfLifeDays: Double) throws {
        let h = halfLifeDays * Self.day
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: h))
        var rng = SeededGenerator(seed: 11)
        var events: [(Double, Double)] = []
        var t = 0.0
        for _ in 0..<200 {
            t += Double(rng.next() % 20_000)
            let action = Action.allCases[Int(rng.next() % 5)]
            graph.apply(Event(user: "u", item: "i", action: action, timestamp: t))
            events.append((Double(graph.actionWeights.weight(for: action, value: nil)), t))
        }
        let u = try #require(graph.userID("u")), i = try #require(graph.itemID("i"))
        for later in [t, t + h / 3, t + 4 * h] {
            let expected = Self.closedForm(events, now: later, halfLife: h)
            let got = graph.strength(user: u, item: i, at: later)
            #expect(abs(got - expected) <= 1e-4 * max(1, expected), "at \(later): \(got) vs \(expected)")
        }
        // Counts and first/last seen are kept on the edge.
        let edge = try #require(graph.neighbours(of: NodeRef(.user, u)).first)
        #expect(edge.count == 200)
        #expect(edge.firstSeen == events.first!.1)
        #expect(edge.lastSeen == t)
    }

    @Test func ratingWeightScalesWithStars() throws {
        var graph = HeteroGraph(decay: .none)
        graph.apply(Event(user: "u", item: "a", action: .rating, timestamp: 1, value: 5))
        graph.apply(Event(user: "u", item: "b", action: .rating, timestamp: 1, value: 2))
        graph.apply(Event(user: "u", item: "c", action: .rating, timestamp: 1))
        let u = try #require(graph.userID("u"))
        let s = { (name: String) in graph.strength(user: u, item: graph.itemID(name)!) }
        #expect(s("a") == 5)
        #expect(s("b") == 2)
        #expect(s("c") == 3)
    }

    @Test func configurableActionWeights() throws {
        var weights = ActionWeights.default
        weights[.view] = 0.5
        var graph = HeteroGraph(decay: .none, actionWeights: weights)
        graph.apply(Event(user: "u", item: "i", action: .view, timestamp: 1))
        graph.apply(Event(user: "u", item: "i", action: .view, timestamp: 2))
        #expect(graph.strength(user: 0, item: 0) == 1)
    }

    @Test func neighboursAreRankedByDecayedStrength() throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: Self.day))
        graph.apply(Event(user: "u", item: "old-purchase", action: .purchase, timestamp: 0))  // 8 -> 8/2^5 = 0.25
        graph.apply(Event(user: "u", item: "fresh-view", action: .view, timestamp: 5 * Self.day))  // 1
        graph.apply(Event(user: "u", item: "fresh-click", action: .click, timestamp: 5 * Self.day))  // 2
        let ranked = graph.neighbours(of: NodeRef(.user, 0), kind: .item)
        #expect(ranked.map { graph.name(of: $0.node) } == ["fresh-click", "fresh-view", "old-purchase"])
        #expect(abs(ranked[2].weight - 0.25) < 1e-6)
        #expect(graph.neighbours(of: NodeRef(.user, 0), kind: .item, limit: 1).count == 1)
        #expect(graph.neighbours(of: NodeRef(.user, 0), kind: .category).isEmpty)
    }

    @Test func popularityDecaysLikeEdges() throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: Self.day))
        graph.apply(Event(user: "a", item: "i", action: .view, timestamp: 0))
        graph.apply(Event(user: "b", item: "i", action: .click, timestamp: Self.day))
        #expect(abs(graph.popularity(ofItem: 0) - (0.5 + 2)) < 1e-6)
    }
}
