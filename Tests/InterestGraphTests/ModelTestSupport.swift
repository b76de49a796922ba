@testable import InterestGraph

/// A small synthetic shop for model tests: `categories` categories of `itemsPerCategory`
/// items; each user likes one category (user index modulo the category count) and
/// interacts with `perUser` of its items, plus one random item.
struct ToyWorld {
    var events: [Event] = []
    var catalogue = ItemCatalogue()
    let categories: Int
    let itemsPerCategory: Int

    init(users: Int = 60, categories: Int = 4, itemsPerCategory: Int = 10, perUser: Int = 6, seed: UInt64 = 1) {
        self.categories = categories
        self.itemsPerCategory = itemsPerCategory
        var rng = SeededGenerator(seed: seed)
        for c in 0..<categories {
            for k in 0..<itemsPerCategory {
                catalogue.merge(item: Self.item(c, k), attributes: ItemAttributes(categories: ["c\(c)"], brand: "b\(c)"))
            }
        }
        var time = 1_000_000.0
        for u in 0..<users {
            let c = u % categories
            var chosen = Set<Int>()
            while chosen.count < perUser { chosen.insert(rng.index(below: itemsPerCategory)) }
            for k in chosen.sorted() {
                time += 60
                events.append(Event(user: "u\(u)", item: Self.item(c, k), action: .purchase, timestamp: time))
            }
            time += 60
            events.append(Event(user: "u\(u)", item: Self.item(rng.index(below: categories), rng.index(below: itemsPerCategory)), action: .view, timestamp: time))
        }
    }

    static func item(_ category: Int, _ k: Int) -> String { "i\(category)_\(k)" }

    func graph(decay: DecayPolicy = .default) -> HeteroGraph {
        var graph = HeteroGraph(decay: decay)
        graph.load(catalogue)
        for event in events { graph.apply(event) }
        return graph
    }

    static func hyperparameters(seed: UInt64 = 3, threads: Int = 1) -> Hyperparameters {
        var h = Hyperparameters()
        h.dimension = 16
        h.layers = 2
        h.batchSize = 64
        h.learningRate = 0.01
        h.l2 = 1e-4
        h.epochs = 20
        h.seed = seed
        h.threads = threads
        h.replayHalfLife = .infinity
        h.sideWeight = 0.5
        return h
    }
}
