import Foundation
import Testing
@testable import InterestGraph

/// Cold start on the synthetic shop, where each user's favourite category and brands are
/// known: new users with one or two events, and new items with side information but no
/// interactions. Every comparison is against the exact random baseline.
@Suite struct ServingColdStartTests {
    static let k = 10

    /// (a) A user who arrives after training with one or two events (applied to the graph
    /// and observed online) gets a top-10 that holds their later items far more often than
    /// a random top-10 of the items they have not seen.
    @Test(arguments: [1, 2])
    func newUsersWithOneOrTwoEventsBeatRandom(events: Int) throws {
        var world = ServingTestWorld()
        var graph = world.graph()
        var model = ServingTestWorld.model(graph: graph)
        var recall = 0.0, random = 0.0
        let users = 60
        for n in 0..<users {
            let taste = world.makeTaste()
            let name = "fresh-\(n)"
            var seen = Set<String>()
            for _ in 0..<events {
                let event = world.nextEvent(user: name, taste: taste)
                let application = graph.apply(event)
                model.observe(application, at: event.timestamp, graph: graph)
                seen.insert(event.item)
            }
            // Held out: the next 10 distinct items they will want (not applied to the graph).
            var heldOut = Set<String>()
            while heldOut.count < 10 {
                let item = world.drawItem(taste)
                if !seen.contains(item) { heldOut.insert(item) }
            }
            let u = try #require(graph.userID(name))
            let recs = Serving.recommend(user: u, k: Self.k, graph: graph, model: model)
            #expect(recs.count == Self.k)
            let top = Set(recs.map { graph.name(of: NodeRef(.item, $0.item)) })
            #expect(top.isDisjoint(with: seen))
            recall += Double(heldOut.intersection(top).count) / Double(heldOut.count)
            // A random top-k of the unseen items holds each held-out item with probability k / candidates.
            let candidates = graph.statistics.items - seen.count
            random += Double(Self.k) / Double(candidates)
        }
        recall /= Double(users)
        random /= Double(users)
        // Random is about 0.042 here; the model reaches several times that.
        #expect(recall >= 4 * random, "recall@\(Self.k) \(recall) vs random \(random)")
    }

    /// New items: one per category, with a category, a brand and entities but no events.
    /// `afterFit`: added to the graph after training (the model has no row for them);
    /// otherwise in the catalogue from the start (the model has an untrained row).
    static func worldWithNewItems(afterFit: Bool, kind: ModelKind) -> (ServingTestWorld, HeteroGraph, Recommender, [String: Int]) {
        var world = ServingTestWorld()
        var extra = ItemCatalogue()
        var newItems: [String: Int] = [:]
        for c in 0..<ServingTestWorld.categories {
            let id = "new-\(c)"
            let brand = "b\(c)-0"
            extra.items[id] = ItemAttributes(categories: ["c\(c)"], brand: brand, price: 99)
            extra.titles[id] = "New item \(c)"
            extra.itemEntities[id] = ["brand:\(brand)", "material:m\(c % ServingTestWorld.materials)"]
            newItems[id] = c
        }
        if !afterFit {
            for (id, attributes) in extra.items { world.catalogue.items[id] = attributes }
            for (id, links) in extra.itemEntities { world.catalogue.itemEntities[id] = links }
        }
        var graph = world.graph()
        let model = ServingTestWorld.model(kind, graph: graph)
        if afterFit { graph.load(extra) }
        return (world, graph, model, newItems)
    }

    /// (b) A new item is recommended to the users who like its category much more often than
    /// a random top-10 would include it, and rarely to the others.
    @Test(arguments: [(ModelKind.lightGCN, false), (.lightGCN, true), (.mfBPR, true), (.hybrid, true)])
    func newItemsReachUsersWhoLikeTheirCategory(kind: ModelKind, afterFit: Bool) throws {
        let (world, graph, model, newItems) = Self.worldWithNewItems(afterFit: afterFit, kind: kind)
        var fans = 0, fanHits = 0, others = 0, otherHits = 0
        var random = 0.0
        for u in 0..<graph.userCapacity {
            let user = Int32(u)
            let taste = try #require(world.tastes[graph.name(of: NodeRef(.user, user))])
            let top = Set(Serving.recommend(user: user, k: Self.k, graph: graph, model: model).map { graph.name(of: NodeRef(.item, $0.item)) })
            for (id, c) in newItems {
                if taste.favourite == c {
                    fans += 1
                    if top.contains(id) { fanHits += 1 }
                    random += Double(Self.k) / Double(graph.statistics.items - graph.items(ofUser: user).count)
                } else {
                    others += 1
                    if top.contains(id) { otherHits += 1 }
                }
            }
        }
        let fanRate = Double(fanHits) / Double(fans)
        let otherRate = Double(otherHits) / Double(max(others, 1))
        random /= Double(fans)
        #expect(fanRate >= 3 * random, "\(kind) afterFit \(afterFit): new items in fans' top-\(Self.k) \(fanRate) vs random \(random)")
        #expect(otherRate < fanRate / 4, "\(kind): shown to non-fans \(otherRate) vs fans \(fanRate)")
    }

    /// (b) A new item's audience is made of users who favour its category: precision far
    /// above the category's share of users.
    @Test(arguments: [(ModelKind.lightGCN, false), (.lightGCN, true), (.mfBPR, true)])
    func newItemsHaveAnAudienceThatPrefersTheirCategory(kind: ModelKind, afterFit: Bool) throws {
        let (world, graph, model, newItems) = Self.worldWithNewItems(afterFit: afterFit, kind: kind)
        let size = 20
        for (id, c) in newItems.sorted(by: { $0.key < $1.key }) {
            let item = try #require(graph.itemID(id))
            #expect(graph.eventCount(ofItem: item) == 0)
            let audience = Serving.audience(item: item, k: size, graph: graph, model: model)
            #expect(audience.count == size)
            let fans = audience.filter { world.tastes[graph.name(of: NodeRef(.user, $0.user))]?.favourite == c }.count
            let precision = Double(fans) / Double(size)
            let baseRate = Double(world.tastes.values.filter { $0.favourite == c }.count) / Double(world.tastes.count)
            #expect(precision >= max(3 * baseRate, 0.5), "\(kind) \(id): audience precision \(precision) vs base rate \(baseRate)")
            #expect(zip(audience, audience.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
    }

    /// An item with neither interactions nor side information has nothing to be placed by:
    /// it is never recommended and has no audience, rather than a random one.
    @Test func anItemWithNothingKnownIsNeitherRecommendedNorTargeted() throws {
        let world = ServingTestWorld(users: 60)
        var graph = world.graph()
        let model = ServingTestWorld.model(graph: graph)
        var bare = ItemCatalogue()
        bare.titles["mystery"] = "Mystery box"
        graph.load(bare)
        let item = try #require(graph.itemID("mystery"))
        #expect(Serving.audience(item: item, k: 10, graph: graph, model: model).isEmpty)
        for u in 0..<graph.userCapacity {
            let recs = Serving.recommend(user: Int32(u), k: graph.itemCapacity, graph: graph, model: model)
            #expect(!recs.contains { $0.item == item })
        }
    }

    /// The cold vector is the peers' direction at the peers' typical length: close (cosine)
    /// to its brand's items and not shorter than a typical item.
    @Test func coldVectorsPointAtTheirPeersAtATypicalLength() throws {
        let (_, graph, model, newItems) = Self.worldWithNewItems(afterFit: true, kind: .lightGCN)
        let embedding = try #require(model.embedding)
        var cold = ColdItemVectors(model: embedding, graph: graph)
        for (id, c) in newItems {
            let item = try #require(graph.itemID(id))
            #expect(!cold.isKnown(item))
            let estimate = cold.vector(for: item)
            let v = try #require(estimate)
            let brandItems = graph.items(ofBrand: try #require(graph.brand(ofItem: item))).filter { cold.isKnown($0) }
            let others = (0..<Int32(graph.itemCapacity)).filter { cold.isKnown($0) && graph.categories(ofItem: $0) != graph.categories(ofItem: item) }
            var own: Float = 0, rest: Float = 0, typical: Float = 0
            for peer in brandItems {
                let row = cold.vector(for: peer)
                let w = try #require(row)
                own += Recommender.cosine(v, w) / Float(brandItems.count)
                typical += w.reduce(0) { $0 + $1 * $1 }.squareRoot() / Float(brandItems.count)
            }
            for other in others {
                let row = cold.vector(for: other)
                rest += Recommender.cosine(v, try #require(row)) / Float(others.count)
            }
            #expect(own > rest + 0.2, "new-\(c): cosine to own brand \(own), to other categories \(rest)")
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(norm > 0.5 * typical && norm < 1.5 * typical, "norm \(norm) vs typical \(typical)")
        }
    }
}
