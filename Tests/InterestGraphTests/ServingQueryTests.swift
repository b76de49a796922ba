import Foundation
import Testing
@testable import InterestGraph

/// Filters, seen items, audiences and similarity queries on the synthetic shop.
@Suite struct ServingQueryTests {
    /// One trained world shared by the read-only tests of this suite.
    static let fixture: (world: ServingTestWorld, graph: HeteroGraph, model: Recommender) = {
        let world = ServingTestWorld(users: 120)
        let graph = world.graph()
        return (world, graph, ServingTestWorld.model(graph: graph))
    }()

    static var graph: HeteroGraph { fixture.graph }
    static var model: Recommender { fixture.model }

    static func names(_ recs: [Recommendation]) -> [String] {
        recs.map { graph.name(of: NodeRef(.item, $0.item)) }
    }

    @Test func recommendationsAreSortedUniqueAndUnseen() {
        for u in stride(from: 0, to: 120, by: 7) {
            let user = Int32(u)
            let recs = Serving.recommend(user: user, k: 15, graph: Self.graph, model: Self.model)
            #expect(recs.count == 15)
            #expect(Set(recs.map(\.item)).count == recs.count)
            #expect(zip(recs, recs.dropFirst()).allSatisfy { $0.score >= $1.score })
            let seen = Set(Self.graph.items(ofUser: user))
            #expect(recs.allSatisfy { !seen.contains($0.item) })
        }
    }

    @Test func includingSeenItemsBringsBackWhatTheUserLikes() {
        var seenInTop = 0
        for u in 0..<40 {
            let user = Int32(u)
            let seen = Set(Self.graph.items(ofUser: user))
            let recs = Serving.recommend(user: user, k: 10, excludeSeen: false, graph: Self.graph, model: Self.model)
            seenInTop += recs.filter { seen.contains($0.item) }.count
        }
        // Users revisit their favourite brands: their own items rank high when allowed.
        #expect(seenInTop >= 100, "seen items in 40 top-10s: \(seenInTop)")
    }

    @Test(arguments: ["c0", "c5"])
    func categoryFilterKeepsOnlyThatCategory(category: String) throws {
        let c = try #require(Self.graph.categoryID(category))
        for u in 0..<20 {
            let recs = Serving.recommend(user: Int32(u), k: 10, filter: RecommendationFilter(categories: [category]), graph: Self.graph, model: Self.model)
            let unseen = Self.graph.items(inCategory: c).filter { !Self.graph.hasEdge(user: Int32(u), item: $0) }.count
            #expect(recs.count == min(10, unseen))
            #expect(recs.allSatisfy { Self.graph.categories(ofItem: $0.item).contains(c) })
        }
    }

    @Test func severalCategoriesOrBrandsMatchAnyOfThem() throws {
        let filter = RecommendationFilter(categories: ["c1", "c2"])
        let recs = Serving.recommend(user: 3, k: 50, filter: filter, graph: Self.graph, model: Self.model)
        #expect(recs.count == 50)
        let allowed = Set(["c1", "c2"].compactMap(Self.graph.categoryID))
        #expect(recs.allSatisfy { Self.graph.categories(ofItem: $0.item).contains(where: allowed.contains) })
        let brands = RecommendationFilter(brands: ["b3-1", "b6-4"])
        let byBrand = Serving.recommend(user: 3, k: 50, filter: brands, graph: Self.graph, model: Self.model)
        let names = Set(byBrand.compactMap { Self.graph.brand(ofItem: $0.item) }.map { Self.graph.name(of: NodeRef(.brand, $0)) })
        #expect(!byBrand.isEmpty)
        #expect(names.isSubset(of: ["b3-1", "b6-4"]))
        #expect(byBrand.count == byBrand.compactMap { Self.graph.brand(ofItem: $0.item) }.count)
    }

    @Test func priceRangeIsInclusiveAndDropsUnpricedItems() throws {
        let filter = RecommendationFilter(minimumPrice: 45, maximumPrice: 80)
        let recs = Serving.recommend(user: 5, k: 200, filter: filter, graph: Self.graph, model: Self.model)
        #expect(!recs.isEmpty)
        for rec in recs {
            let price = try #require(Self.graph.price(ofItem: rec.item))
            #expect(price >= 45 && price <= 80)
        }
        // Exactly on a bound counts; an item without a price never passes a price condition.
        var graph = Self.graph
        var catalogue = ItemCatalogue()
        catalogue.items["edge"] = ItemAttributes(categories: ["c0"], price: 19.99)
        catalogue.items["unpriced"] = ItemAttributes(categories: ["c0"])
        graph.load(catalogue)
        let edge = try #require(graph.itemID("edge")), unpriced = try #require(graph.itemID("unpriced"))
        let exact = RecommendationFilter(minimumPrice: 19.99, maximumPrice: 19.99).resolved(in: graph)
        #expect(exact.admits(edge, graph: graph))
        #expect(!exact.admits(unpriced, graph: graph))
        #expect(RecommendationFilter(categories: ["c0"]).resolved(in: graph).admits(unpriced, graph: graph))
    }

    @Test func filtersCombineAndUnknownNamesMatchNothing() throws {
        let both = RecommendationFilter(categories: ["c2"], brands: ["b2-3"], maximumPrice: 150, excludedItems: ["i2-3"])
        let recs = Serving.recommend(user: 9, k: 30, excludeSeen: false, filter: both, graph: Self.graph, model: Self.model)
        // b2-3 holds i2-3, i2-8, ..., i2-28; i2-23 costs 171.
        #expect(Set(Self.names(recs)) == ["i2-8", "i2-13", "i2-18", "i2-28"])
        for rec in recs {
            #expect(Self.graph.brand(ofItem: rec.item).map { Self.graph.name(of: NodeRef(.brand, $0)) } == "b2-3")
            #expect(try #require(Self.graph.price(ofItem: rec.item)) <= 150)
        }
        #expect(!Self.names(recs).contains("i2-3"))
        #expect(Serving.recommend(user: 9, k: 10, filter: RecommendationFilter(categories: ["no such"]), graph: Self.graph, model: Self.model).isEmpty)
        #expect(Serving.recommend(user: 9, k: 10, filter: RecommendationFilter(brands: ["nope"]), graph: Self.graph, model: Self.model).isEmpty)
    }

    @Test func excludedItemsAreNeverRecommended() {
        let first = Self.names(Serving.recommend(user: 11, k: 5, graph: Self.graph, model: Self.model))
        let again = Self.names(Serving.recommend(user: 11, k: 5, filter: RecommendationFilter(excludedItems: Set(first.prefix(2))), graph: Self.graph, model: Self.model))
        #expect(again.count == 5)
        #expect(Set(again).isDisjoint(with: first.prefix(2)))
        #expect(Array(again.prefix(3)) == Array(first.dropFirst(2)))
    }

    @Test func unknownUsersAndNonPositiveKGiveNothing() {
        #expect(Serving.recommend(user: 100_000, k: 10, graph: Self.graph, model: Self.model).isEmpty)
        #expect(Serving.recommend(user: 0, k: 0, graph: Self.graph, model: Self.model).isEmpty)
        #expect(Serving.audience(item: 100_000, k: 10, graph: Self.graph, model: Self.model).isEmpty)
        #expect(Serving.similarUsers(to: -1, k: 10, graph: Self.graph, model: Self.model).isEmpty)
        #expect(Serving.similarItems(to: 100_000, k: 10, graph: Self.graph, model: Self.model).isEmpty)
    }

    @Test func audienceLeavesOutExistingUsersUnlessAsked() throws {
        let item = try #require(Self.graph.itemID("i4-0"))
        let existing = Set(Self.graph.users(ofItem: item))
        #expect(!existing.isEmpty)
        let fresh = Serving.audience(item: item, k: 30, graph: Self.graph, model: Self.model)
        #expect(fresh.count == 30)
        #expect(fresh.allSatisfy { !existing.contains($0.user) })
        #expect(zip(fresh, fresh.dropFirst()).allSatisfy { $0.score >= $1.score })
        let all = Serving.audience(item: item, k: 30, includeExisting: true, graph: Self.graph, model: Self.model)
        #expect(all.count == 30)
        #expect(all.contains { existing.contains($0.user) })
        // Asking for more than there are returns every other live user once.
        let everyone = Serving.audience(item: item, k: 10_000, graph: Self.graph, model: Self.model)
        #expect(everyone.count == Self.graph.statistics.users - existing.count)
    }

    @Test func audiencePrefersUsersOfTheItemsCategory() throws {
        for c in [0, 3, 6] {
            let item = try #require(Self.graph.itemID("i\(c)-2"))
            let audience = Serving.audience(item: item, k: 10, graph: Self.graph, model: Self.model)
            let fans = audience.filter { Self.fixture.world.tastes[Self.graph.name(of: NodeRef(.user, $0.user))]?.favourite == c }.count
            // One user in eight favours a given category.
            #expect(fans >= 4, "c\(c): \(fans) of 10 favour the category")
        }
    }

    @Test func similarUsersExcludeSelfAreSortedAndShareTaste() {
        var sameFavourite = 0, total = 0
        for u in stride(from: 0, to: 120, by: 6) {
            let user = Int32(u)
            let similar = Serving.similarUsers(to: user, k: 10, graph: Self.graph, model: Self.model)
            #expect(similar.count == 10)
            #expect(!similar.contains { $0.user == user })
            #expect(zip(similar, similar.dropFirst()).allSatisfy { $0.score >= $1.score })
            #expect(similar.allSatisfy { $0.score <= 1.0001 && $0.score >= -1.0001 })
            let mine = Self.fixture.world.tastes[Self.graph.name(of: NodeRef(.user, user))]?.favourite
            for s in similar {
                total += 1
                if Self.fixture.world.tastes[Self.graph.name(of: NodeRef(.user, s.user))]?.favourite == mine { sameFavourite += 1 }
            }
        }
        // One user in eight shares a favourite category by chance.
        #expect(Double(sameFavourite) / Double(total) >= 0.5, "\(sameFavourite) of \(total)")
    }

    @Test(arguments: [ModelKind.lightGCN, .mostPop, .itemKNN])
    func similarItemsExcludeSelfAreSortedAndShareTheCategory(kind: ModelKind) throws {
        let model = kind == .lightGCN ? Self.model : ServingTestWorld.model(kind, graph: Self.graph)
        var sameCategory = 0, total = 0
        for c in 0..<ServingTestWorld.categories {
            let item = try #require(Self.graph.itemID("i\(c)-1"))
            let similar = Serving.similarItems(to: item, k: 10, graph: Self.graph, model: model)
            #expect(similar.count == 10)
            #expect(!similar.contains { $0.item == item })
            #expect(zip(similar, similar.dropFirst()).allSatisfy { $0.score >= $1.score })
            #expect(similar.allSatisfy { $0.score <= 1.0001 && $0.score >= -1.0001 })
            total += similar.count
            sameCategory += similar.filter { Self.graph.categories(ofItem: $0.item) == Self.graph.categories(ofItem: item) }.count
        }
        // A random neighbour shares the category one time in eight.
        #expect(Double(sameCategory) / Double(total) >= 0.6, "\(kind): \(sameCategory) of \(total)")
    }

    @Test func baselinesServeWithGraphFallbacks() throws {
        let popular = ServingTestWorld.model(.mostPop, graph: Self.graph)
        let recs = Serving.recommend(user: 2, k: 10, graph: Self.graph, model: popular)
        #expect(recs.count == 10)
        #expect(zip(recs, recs.dropFirst()).allSatisfy { $0.score >= $1.score })
        let similar = Serving.similarUsers(to: 2, k: 5, graph: Self.graph, model: popular)
        #expect(similar.count == 5)
        #expect(!similar.contains { $0.user == 2 })
        let item = try #require(Self.graph.itemID("i1-1"))
        let audience = Serving.audience(item: item, k: 10, graph: Self.graph, model: popular)
        #expect(audience.count == 10)
        #expect(audience.allSatisfy { !Self.graph.hasEdge(user: $0.user, item: item) })
    }
}
