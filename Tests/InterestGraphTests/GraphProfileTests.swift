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

    /// The drift history's checkpoints take their category mass from
    /// `accumulateCategoryMass`, which reads the item ids from `userItems` and asks for every
    /// edge's record ahead; it must give the profile's category shares, also after removed
    /// edges reorder the lists and for users past the 16-edge scan threshold.
    @Test(arguments: [5, 6] as [UInt64])
    func checkpointMassIsTheProfilesMass(seed: UInt64) throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 86_400))
        var rng = SeededGenerator(seed: seed)
        for k in 0..<60 where k % 7 != 0 {  // every seventh item has no categories
            let cats = (0..<Int(1 + rng.next() % 3)).map { _ in "c\(rng.next() % 9)" }
            graph.setAttributes(ItemAttributes(categories: cats), forItem: "i\(k)")
        }
        for n in 0..<1_500 {
            let user = n % 5 == 0 ? "heavy" : "u\(rng.next() % 30)"
            graph.apply(Event(user: user, item: "i\(rng.next() % 60)", action: .click, timestamp: Double(n * 60)))
        }
        for k in stride(from: 0, to: 60, by: 9) {
            _ = graph.removeEdge(user: try Self.user("heavy", in: graph), item: try #require(graph.items.lookup("i\(k)")))
        }
        var scratch = CategoryScratch()
        let time = graph.now + 3_600
        var checked = 0
        for u in 0..<Int32(graph.userCapacity) {
            let profile = graph.profile(ofUser: u, at: time)
            let total = graph.accumulateCategoryMass(ofUser: u, at: time, into: &scratch)
            // The total counts items with categories only (an edge's strength is split over
            // its item's categories), unlike the profile's mass.
            let sum = scratch.touched.reduce(0.0) { $0 + scratch.mass[Int($1)] }
            #expect(abs(total - sum) <= 1e-9 * max(1, total) && total <= profile.mass * (1 + 1e-12))
            #expect(scratch.touched.count == profile.categories.count)
            for share in profile.categories {
                #expect(abs(scratch.mass[Int(share.id)] / sum - share.share) < 1e-9)
            }
            checked += 1
        }
        let heavy = try Self.user("heavy", in: graph)
        #expect(checked == 31 && graph.userEdges[Int(heavy)].count > 16)
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
