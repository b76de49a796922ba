import Foundation
import Testing
@testable import InterestGraph

@Suite struct GraphRemovalTests {
    static func shop() -> HeteroGraph {
        var graph = HeteroGraph(decay: .none)
        graph.setAttributes(ItemAttributes(categories: ["shoes"], brand: "Acme"), forItem: "i1")
        graph.setAttributes(ItemAttributes(categories: ["shoes", "sale"], brand: "Bolt"), forItem: "i2")
        graph.link(item: "i1", entity: "material:mesh")
        graph.apply(Event(user: "ann", item: "i1", action: .purchase, timestamp: 10))
        graph.apply(Event(user: "ann", item: "i2", action: .view, timestamp: 20))
        graph.apply(Event(user: "bob", item: "i1", action: .click, timestamp: 30))
        return graph
    }

    @Test func removeEdgeDropsItEverywhereAndItsPopularity() throws {
        var graph = Self.shop()
        let ann = try #require(graph.userID("ann")), i1 = try #require(graph.itemID("i1"))
        #expect(graph.popularity(ofItem: i1) == 10)
        let removed = graph.removeEdge(user: ann, item: i1)
        let removedAgain = graph.removeEdge(user: ann, item: i1)
        #expect(removed)
        #expect(!removedAgain)
        #expect(!graph.hasEdge(user: ann, item: i1))
        #expect(graph.strength(user: ann, item: i1) == 0)
        #expect(!graph.items(ofUser: ann).contains(i1))
        #expect(graph.users(ofItem: i1).map { graph.name(of: NodeRef(.user, $0)) } == ["bob"])
        #expect(graph.popularity(ofItem: i1) == 2)
        #expect(graph.statistics.userItemEdges == 2)
        // The freed slot is reused by the next new edge.
        graph.apply(Event(user: "cat", item: "i2", action: .view, timestamp: 40))
        #expect(graph.statistics.userItemEdges == 3)
        #expect(graph.neighbours(of: NodeRef(.item, try #require(graph.itemID("i2"))), kind: .user).count == 2)
    }

    @Test func removeItemDelistsItFromEveryQuery() throws {
        var graph = Self.shop()
        let i1 = try #require(graph.itemID("i1"))
        let shoes = try #require(graph.categoryID("shoes")), acme = try #require(graph.brandID("Acme"))
        let mesh = try #require(graph.entityID("material:mesh"))
        graph.removeItem(i1)
        #expect(graph.itemID("i1") == nil)
        #expect(!graph.isLive(item: i1))
        #expect(graph.statistics.items == 1)
        #expect(graph.statistics.userItemEdges == 1)
        #expect(graph.items(inCategory: shoes) == [try #require(graph.itemID("i2"))])
        #expect(graph.items(ofBrand: acme).isEmpty)
        #expect(graph.items(linkedTo: mesh).isEmpty)
        for user in ["ann", "bob"] {
            let u = try #require(graph.userID(user))
            #expect(!graph.neighbours(of: NodeRef(.user, u)).contains { $0.node == NodeRef(.item, i1) })
        }
        #expect(graph.neighbours(of: NodeRef(.category, shoes)).allSatisfy { $0.node.index != i1 })
        #expect(graph.popularity(ofItem: i1) == 0)
        // The same external id later is a fresh item.
        graph.apply(Event(user: "ann", item: "i1", action: .view, timestamp: 50))
        #expect(try #require(graph.itemID("i1")) != i1)
    }
}

/// Forgetting a user: afterwards no query can return them.
@Suite struct GraphForgetUserTests {
    @Test func forgottenUserIsUnreachableFromEveryQuery() throws {
        var graph = GraphRemovalTests.shop()
        let ann = try #require(graph.userID("ann"))
        let i1 = try #require(graph.itemID("i1")), i2 = try #require(graph.itemID("i2"))
        let before = graph.statistics
        #expect(before.users == 2)

        graph.forgetUser(ann)

        // Lookups and names.
        #expect(graph.userID("ann") == nil)
        #expect(graph.name(of: NodeRef(.user, ann)) == "")
        #expect(!graph.isLive(user: ann))
        // Edges and neighbours, from the user and from every item.
        #expect(graph.neighbours(of: NodeRef(.user, ann)).isEmpty)
        #expect(graph.items(ofUser: ann).isEmpty)
        for item in [i1, i2] {
            #expect(!graph.users(ofItem: item).contains(ann))
            #expect(!graph.neighbours(of: NodeRef(.item, item)).contains { $0.node == NodeRef(.user, ann) })
            #expect(!graph.hasEdge(user: ann, item: item))
            #expect(graph.strength(user: ann, item: item) == 0)
        }
        // Derived traces: profile, dormancy, counters, popularity, statistics.
        let profile = graph.profile(ofUser: ann)
        #expect(profile.categories.isEmpty && profile.brands.isEmpty && profile.mass == 0)
        #expect(graph.dormancy(ofUser: ann) == nil)
        #expect(graph.lastSeen(user: ann) == nil)
        #expect(graph.firstSeen(user: ann) == nil)
        #expect(graph.eventCount(ofUser: ann) == 0)
        #expect(graph.popularity(ofItem: i1) == 2)
        #expect(graph.popularity(ofItem: i2) == 0)
        #expect(graph.eventCount(ofItem: i1) == 1)
        let after = graph.statistics
        #expect(after.users == 1)
        #expect(after.userItemEdges == 1)
        #expect(after.events == 1)
        #expect(after.firstTimestamp == 30)
        #expect(after.lastTimestamp == 30)
        // Category and brand neighbourhoods rank items by popularity, which no longer holds ann.
        let shoes = try #require(graph.categoryID("shoes"))
        let ranked = graph.neighbours(of: NodeRef(.category, shoes))
        #expect(ranked.first?.node == NodeRef(.item, i1))
        #expect(ranked.first?.weight == 2)

        // Forgetting twice is harmless; the same id later is a new user.
        graph.forgetUser(ann)
        graph.apply(Event(user: "ann", item: "i2", action: .view, timestamp: 60))
        let again = try #require(graph.userID("ann"))
        #expect(again != ann)
        #expect(graph.neighbours(of: NodeRef(.user, again)).count == 1)
        #expect(graph.statistics.users == 2)
    }

    @Test func forgettingEveryUserLeavesAnEmptyInteractionGraph() throws {
        var graph = HeteroGraph()
        for event in GraphOutOfOrderTests.randomEvents(seed: 5, count: 300) { graph.apply(event) }
        for u in 0..<Int32(graph.userCapacity) { graph.forgetUser(u) }
        let stats = graph.statistics
        #expect(stats.users == 0)
        #expect(stats.userItemEdges == 0)
        #expect(stats.events == 0)
        #expect(stats.firstTimestamp == nil)
        for i in 0..<Int32(graph.itemCapacity) {
            #expect(graph.users(ofItem: i).isEmpty)
            #expect(graph.popularity(ofItem: i) < 1e-3)
        }
    }
}
