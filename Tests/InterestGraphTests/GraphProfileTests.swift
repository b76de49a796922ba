import Foundation
import Testing
@testable import InterestGraph

@Suite struct GraphProfileTests {
    static func user(_ name: String, in graph: HeteroGraph) throws -> Int32 {
        try #require(graph.userID(name))
    }

    @Test func sharesSumToOneAndFollowDecayedStrength() throws {
        var graph = HeteroGraph(decay: .none)
        graph.setAttributes(ItemAttributes(categories: ["shoes", "running"], brand: "Acme"), forItem: "a")
        graph.setAttributes(ItemAttributes(categories: ["socks"], brand: "Sox"), forItem: "b")
        graph.apply(Event(user: "u", item: "a", action: .purchase, timestamp: 1))  // 8 split 4/4
        graph.apply(Event(user: "u", item: "b", action: .click, timestamp: 2))  // 2
        let p = graph.profile(ofUser: try #require(graph.userID("u")))
        #expect(abs(p.categories.reduce(0) { $0 + $1.share } - 1) < 1e-9)
        #expect(abs(p.brands.reduce(0) { $0 + $1.share } - 1) < 1e-9)
        let share = Dictionary(uniqueKeysWithValues: p.categories.map { ($0.name, $0.share) })
        #expect(abs(share["shoes"]! - 0.4) < 1e-9)
        #expect(abs(share["running"]! - 0.4) < 1e-9)
        #expect(abs(share["socks"]! - 0.2) < 1e-9)
        #expect(p.brands.first?.name == "Acme")
        #expect(abs(p.brands.first!.share - 0.8) < 1e-9)
        #expect(p.mass == 10)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomProfilesAreDistributions(seed: UInt64) throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 86_400))
        var rng = SeededGenerator(seed: seed)
        for k in 0..<40 {
            let cats = (0..<Int(1 + rng.next() % 3)).map { _ in "c\(rng.next() % 9)" }
            graph.setAttributes(ItemAttributes(categories: cats, brand: "b\(k % 4)"), forItem: "i\(k)")
        }
        for event in GraphOutOfOrderTests.randomEvents(seed: seed, count: 400) {
            var e = event
            e.item = "i\(Int(e.item.dropFirst())! * 3 % 40)"
            graph.apply(e)
        }
        for u in 0..<Int32(graph.userCapacity) {
            let p = graph.profile(ofUser: u)
            guard !p.categories.isEmpty else { continue }
            #expect(abs(p.categories.reduce(0) { $0 + $1.share } - 1) < 1e-9)
            #expect(abs(p.brands.reduce(0) { $0 + $1.share } - 1) < 1e-9)
            #expect(p.categories.allSatisfy { $0.share > 0 })
            #expect(zip(p.categories, p.categories.dropFirst()).allSatisfy { $0.share >= $1.share })
            let vector = p.categoryVector(count: graph.categoryCount)
            #expect(abs(vector.reduce(0, +) - 1) < 1e-9)
        }
    }

    @Test func dormancyIsIdleTimeOverTheUsersOwnGap() throws {
        var graph = HeteroGraph()
        let day = 86_400.0
        for k in 0..<5 { graph.apply(Event(user: "steady", item: "i", action: .view, timestamp: Double(k) * 2 * day)) }
        graph.apply(Event(user: "once", item: "i", action: .view, timestamp: 0))
        graph.apply(Event(user: "other", item: "j", action: .view, timestamp: 20 * day))
        let steady = try #require(graph.dormancy(ofUser: try Self.user("steady", in: graph)))
        #expect(abs(steady.typicalGapSeconds - 2 * day) < 1e-6)
        #expect(abs(steady.idleSeconds - 12 * day) < 1e-6)
        #expect(abs(steady.ratio! - 6) < 1e-9)
        let once = try #require(graph.dormancy(ofUser: try Self.user("once", in: graph)))
        #expect(once.ratio == nil)
        #expect(abs(once.idleSeconds - 20 * day) < 1e-6)
        // Events within one session do not count as gaps.
        graph.apply(Event(user: "steady", item: "k", action: .view, timestamp: 20 * day + 60))
        graph.apply(Event(user: "steady", item: "k", action: .click, timestamp: 20 * day + 120))
        let back = try #require(graph.dormancy(ofUser: try Self.user("steady", in: graph)))
        #expect(back.idleSeconds == 0)
        #expect(abs(back.typicalGapSeconds - (4 * 2 * day + 12 * day + 60) / 5) < 1e-6)
    }
}
