import Foundation
@testable import InterestGraph

/// A small synthetic shop where taste is known: every user has a favourite category, a
/// second one and two favourite brands in the first. Items carry categories, a brand, a
/// price, a material entity and a brand entity; brands are made by makers (KG triples).
///
/// 8 categories x 30 items, 5 brands per category, 240 users x 24 events in time order.
struct ServingTestWorld {
    static let categories = 8
    static let itemsPerCategory = 30
    static let brandsPerCategory = 5
    static let materials = 6

    struct Taste {
        var favourite: Int
        var second: Int
        var brands: [Int]  // indices within the favourite category
    }

    var catalogue = ItemCatalogue()
    /// Item id -> category index.
    var itemCategory: [String: Int] = [:]
    var itemsByCategory: [[String]] = Array(repeating: [], count: categories)
    var itemsByBrand: [String: [String]] = [:]
    var tastes: [String: Taste] = [:]
    var events: [Event] = []
    var rng: SeededGenerator
    var clock: Double = 1_700_000_000

    init(seed: UInt64 = 7, users: Int = 240, eventsPerUser: Int = 24) {
        rng = SeededGenerator(seed: seed)
        for c in 0..<Self.categories {
            for j in 0..<Self.itemsPerCategory {
                let brand = "b\(c)-\(j % Self.brandsPerCategory)"
                addItem(id: "i\(c)-\(j)", category: c, brand: brand, price: Double(10 + (j * 7) % 190))
            }
            for b in 0..<Self.brandsPerCategory {
                catalogue.triples.append(KnowledgeTriple(head: "brand:b\(c)-\(b)", relation: "made_by", tail: "maker:k\((c * Self.brandsPerCategory + b) % 7)"))
            }
        }
        let names = (0..<users).map { String(format: "u%03d", $0) }
        var plans: [(String, Taste)] = []
        for name in names {
            let taste = makeTaste()
            tastes[name] = taste
            plans.append((name, taste))
        }
        // Interleave users in time: round r gives every user their r-th event.
        for _ in 0..<eventsPerUser {
            for (name, taste) in plans { events.append(nextEvent(user: name, taste: taste)) }
        }
    }

    mutating func addItem(id: String, category c: Int, brand: String, price: Double) {
        catalogue.items[id] = ItemAttributes(categories: ["c\(c)"], brand: brand, price: price)
        catalogue.titles[id] = "Item \(id)"
        catalogue.itemEntities[id] = ["brand:\(brand)", "material:m\(rng.index(below: Self.materials))"]
        itemCategory[id] = c
        itemsByCategory[c].append(id)
        itemsByBrand[brand, default: []].append(id)
    }

    mutating func makeTaste() -> Taste {
        let favourite = rng.index(below: Self.categories)
        var second = rng.index(below: Self.categories - 1)
        if second >= favourite { second += 1 }
        let first = rng.index(below: Self.brandsPerCategory)
        let other = (first + 1 + rng.index(below: Self.brandsPerCategory - 1)) % Self.brandsPerCategory
        return Taste(favourite: favourite, second: second, brands: [first, other])
    }

    /// 60% favourite brands, 20% rest of the favourite category, 12% second category, 8% anywhere.
    mutating func drawItem(_ taste: Taste) -> String {
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        if u < 0.6 {
            let brand = "b\(taste.favourite)-\(taste.brands[rng.index(below: 2)])"
            let items = itemsByBrand[brand]!.filter { itemCategory[$0] == taste.favourite && !$0.hasPrefix("new") }
            return items[rng.index(below: items.count)]
        }
        let category = u < 0.8 ? taste.favourite : (u < 0.92 ? taste.second : rng.index(below: Self.categories))
        let items = itemsByCategory[category].filter { !$0.hasPrefix("new") }
        return items[rng.index(below: items.count)]
    }

    mutating func nextEvent(user: String, taste: Taste) -> Event {
        clock += 60
        let action: Action = rng.index(below: 4) == 0 ? .purchase : .view
        return Event(user: user, item: drawItem(taste), action: action, timestamp: clock)
    }

    func graph() -> HeteroGraph {
        var graph = HeteroGraph()
        graph.load(catalogue)
        for event in events { graph.apply(event) }
        return graph
    }

    static func hyperparameters(seed: UInt64 = 11) -> Hyperparameters {
        var h = Hyperparameters()
        h.seed = seed
        h.threads = 1
        h.dimension = 32
        h.epochs = 40
        h.batchSize = 512
        h.learningRate = 0.01
        h.entityMinItems = 2
        h.halfLife = .infinity
        h.replayHalfLife = .infinity
        return h
    }

    static func model(_ kind: ModelKind = .lightGCN, graph: HeteroGraph, seed: UInt64 = 11) -> Recommender {
        var model = Recommender(kind: kind, hyperparameters: hyperparameters(seed: seed))
        model.fit(graph: graph)
        return model
    }

    func category(ofItem item: Int32, in graph: HeteroGraph) -> Int? {
        itemCategory[graph.name(of: NodeRef(.item, item))]
    }
}
