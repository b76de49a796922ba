import Foundation
import Testing
@testable import InterestGraph

/// Items listed before they go on sale (``ItemCatalogue/launches``) stay out of every query and
/// recommendation until the graph's clock reaches their launch.
@Suite struct GraphLaunchTests {
    static func catalogue() -> ItemCatalogue {
        var catalogue = ItemCatalogue()
        for (item, category) in [("i1", "shoes"), ("i2", "shoes"), ("i3", "bags"), ("i4", "bags")] {
            catalogue.items[item] = ItemAttributes(categories: [category])
        }
        catalogue.launches = ["i2": 100, "i3": 200, "i4": 300]
        return catalogue
    }

    func live(_ graph: HeteroGraph, _ item: String) -> Bool {
        graph.itemID(item).map { graph.isLive(item: $0) } ?? false
    }

    @Test func heldBackUntilTheClockReachesTheLaunch() throws {
        var graph = HeteroGraph(decay: .none)
        graph.load(Self.catalogue())
        #expect(live(graph, "i1"))
        #expect(!live(graph, "i2") && !live(graph, "i3") && !live(graph, "i4"))
        graph.apply(Event(user: "ann", item: "i1", action: .view, timestamp: 50))
        #expect(!live(graph, "i2"))
        graph.apply(Event(user: "ann", item: "i1", action: .view, timestamp: 150))
        #expect(live(graph, "i2"))
        #expect(!live(graph, "i3"))
        // Side nodes list only items on sale.
        let bags = try #require(graph.categoryID("bags"))
        #expect(graph.neighbours(of: NodeRef(.category, bags), kind: .item).isEmpty)
        // An event names i3 before its launch: it is on sale from then on.
        graph.apply(Event(user: "bob", item: "i3", action: .click, timestamp: 160))
        #expect(live(graph, "i3"))
        #expect(graph.pendingLaunches.map(\.item) == [try #require(graph.itemID("i4"))])
        // A held-back item can be delisted, and stays delisted after its launch time.
        let i4 = try #require(graph.itemID("i4"))
        graph.removeItem(i4)
        #expect(graph.pendingLaunches.isEmpty)
        graph.apply(Event(user: "ann", item: "i1", action: .view, timestamp: 400))
        #expect(!graph.isLive(item: i4))
        #expect(graph.itemID("i4") == nil)
    }

    @Test func itemsWithEventsOrPastLaunchesAreNotHeldBack() {
        var graph = HeteroGraph(decay: .none)
        graph.apply(Event(user: "ann", item: "i2", action: .view, timestamp: 500))
        graph.load(Self.catalogue())
        // i2 already has an event; i3 and i4 launched before the clock (500).
        #expect(live(graph, "i2") && live(graph, "i3") && live(graph, "i4"))
        #expect(graph.pendingLaunches.isEmpty)
    }

    /// The simulator's later launches: at every point of a replay, no item launched after the
    /// clock is live or recommended, and every launched item is.
    @Test func aSimulatedReplayNeverRecommendsAnItemBeforeItsLaunch() throws {
        var scenario = try shippedScenario("small")
        scenario.days = min(scenario.days, scenario.warmupDays + 10)
        var source = SimulationSource(scenario: scenario)
        let launches = source.catalogue.launches
        #expect(!launches.isEmpty, "the small scenario launches items during the run")
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 7 * 86_400))
        graph.load(source.catalogue)
        var model = Recommender(kind: .mostPop, hyperparameters: Hyperparameters())
        model.reinitialise(graph: graph)
        var checked = 0
        var k = 0
        while let event = source.next() {
            model.observe(graph.apply(event), at: event.timestamp, graph: graph)
            k += 1
            guard k % 5_000 == 0 else { continue }
            for (name, launch) in launches {
                guard let id = graph.itemID(name) else { continue }
                #expect(graph.isLive(item: id) == (launch <= graph.now || graph.itemEventCount[Int(id)] > 0), "item \(name)")
            }
            let user = try #require(graph.userID(event.user))
            let all = model.recommend(user: user, k: graph.items.count, graph: graph, includeColdItems: true)
            let early = all.filter { (launches[graph.name(of: NodeRef(.item, $0.item))] ?? 0) > graph.now }
            #expect(early.isEmpty)
            checked += 1
        }
        #expect(checked > 3)
        #expect(launches.values.contains { $0 <= graph.now }, "some launches happened during the replay")
    }
}
