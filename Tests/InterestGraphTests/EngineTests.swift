import Foundation
import Testing
@testable import InterestGraph

/// The threaded engine: commands in, snapshots out, on a small deterministic stream.
@Suite struct EngineTests {
    /// Three shoppers over two departments; each item has a category and a brand.
    static func stream(events: Int = 600) -> (events: [Event], catalogue: ItemCatalogue) {
        var catalogue = ItemCatalogue()
        for i in 0..<40 {
            let department = i < 20 ? "Home" : "Sports"
            catalogue.items["i\(i)"] = ItemAttributes(categories: ["\(department)/c\(i % 4)"], brand: "b\(i % 5)", price: Double(10 + i))
        }
        var rng = SeededGenerator(seed: 3)
        var out: [Event] = []
        for k in 0..<events {
            let user = "u\(k % 12)"
            // Users 0-5 like Home items, 6-11 Sports items.
            let base = (k % 12) < 6 ? 0 : 20
            let item = "i\(base + rng.index(below: 20))"
            let action: Action = rng.index(below: 10) == 0 ? .purchase : .view
            out.append(Event(user: user, item: item, action: action, timestamp: 1_700_000_000 + Double(k) * 60))
        }
        return (out, catalogue)
    }

    static func configuration() -> EngineConfiguration {
        var c = EngineConfiguration()
        c.speed = 0
        c.hyperparameters.dimension = 16
        c.hyperparameters.batchSize = 256
        c.hyperparameters.threads = 1
        c.publishInterval = 0.01
        return c
    }

    static func startedEngine(paused: Bool = false) throws -> Engine {
        let (events, catalogue) = stream()
        var c = configuration()
        c.startPaused = paused
        let engine = try Engine(configuration: c, source: .events(name: "test", events: events, catalogue: catalogue))
        engine.start()
        return engine
    }

    @Test func ingestsEverythingAndPublishesLiveData() throws {
        let engine = try Self.startedEngine()
        defer { engine.stop() }
        let s = try #require(engine.waitForSnapshot(timeout: 30) { $0.statistics.events == 600 && $0.trainingStep > 0 && $0.selectedUser?.recommendations.isEmpty == false })
        #expect(s.statistics.users == 12)
        #expect(s.statistics.items == 40)
        #expect(s.source.isFinished)
        #expect(!s.loss.isEmpty)
        #expect(s.tunables.contains { $0.key == "learning_rate" })
        #expect(!s.recentEvents.isEmpty)
        #expect(s.prequential.scored > 0)
        let user = try #require(s.selectedUser)
        #expect(!user.interests.isEmpty)
        #expect(abs(user.interests.reduce(0) { $0 + $1.share } - 1) < 1e-6 || user.interests.count == 8)
        #expect(user.recommendations.allSatisfy { !$0.explanation.isEmpty })
        #expect(s.neighbourhood != nil)
    }

    @Test func pauseStepAndHyperparametersAreAppliedAndLogged() throws {
        let engine = try Self.startedEngine(paused: true)
        defer { engine.stop() }
        #expect(engine.waitForSnapshot(timeout: 10) { $0.isPaused && !$0.tunables.isEmpty } != nil)
        let before = engine.snapshot().statistics.events
        engine.send(.step(events: 5))
        let stepped = try #require(engine.waitForSnapshot(timeout: 10) { $0.statistics.events >= before + 5 })
        #expect(stepped.statistics.events == before + 5, "a step releases exactly the events asked for")
        #expect(stepped.isPaused)

        let lr = try #require(stepped.tunables.first { $0.key == "learning_rate" }).value
        engine.send(.setHyperparameter(key: "learning_rate", value: lr * 2))
        let changed = try #require(engine.waitForSnapshot(timeout: 10) { s in s.changes.contains { $0.key == "learning_rate" } })
        let record = try #require(changed.changes.last)
        #expect(abs(record.oldValue - lr) < 1e-9)
        #expect(abs(record.newValue - lr * 2) < 1e-6)
        #expect(record.origin == .user)
        #expect(abs((changed.tunables.first { $0.key == "learning_rate" }?.value ?? 0) - lr * 2) < 1e-6)

        // Out-of-range values are clamped, unknown keys reported.
        engine.send(.setHyperparameter(key: "layers", value: 99))
        #expect(engine.waitForSnapshot(timeout: 10) { s in s.tunables.first { $0.key == "layers" }?.value == 4 } != nil)
        engine.send(.setHyperparameter(key: "warp_factor", value: 9))
        #expect(engine.waitForSnapshot(timeout: 10) { $0.message?.contains("unknown hyperparameter") == true } != nil)
        engine.send(.resume)
        #expect(engine.waitForSnapshot(timeout: 10) { !$0.isPaused } != nil)
    }

    @Test func injectedEventReachesGraphAndRecommendations() throws {
        let engine = try Self.startedEngine()
        defer { engine.stop() }
        try #require(engine.waitForSnapshot(timeout: 30) { $0.source.isFinished && $0.statistics.events == 600 } != nil)
        engine.send(.selectUser("u0"))
        let before = try #require(engine.waitForSnapshot(timeout: 10) { $0.selectedUser?.id == "u0" && $0.selectedUser?.recommendations.isEmpty == false })
        let target = try #require(before.selectedUser?.recommendations.first?.item)
        engine.send(.inject(user: "u0", item: target, action: .purchase))
        let after = try #require(engine.waitForSnapshot(timeout: 10) { $0.statistics.events == 601 })
        #expect(after.message?.contains("injected") == true)
        // The purchased item is now seen, so it leaves the list.
        let refreshed = try #require(engine.waitForSnapshot(timeout: 10) { s in s.selectedUser?.recommendations.contains { $0.item == target } == false })
        #expect(refreshed.selectedUser?.events == (before.selectedUser?.events ?? 0) + 1)
        engine.send(.inject(user: "u0", item: "no-such-item", action: .view))
        #expect(engine.waitForSnapshot(timeout: 10) { $0.message == "no item 'no-such-item'" } != nil)
    }

    /// The Events panel's lines are the newest events in order, named from the graph's ids
    /// (the engine keeps ids, ``RecentEvent``): user, item, action and the item's first category.
    @Test func recentEventsNameTheNewestEventsInOrder() throws {
        let (events, catalogue) = Self.stream()
        let engine = try Self.startedEngine()
        defer { engine.stop() }
        let s = try #require(engine.waitForSnapshot(timeout: 30) { $0.source.isFinished && $0.statistics.events == 600 })
        let lines = s.recentEvents
        #expect(lines.count >= Self.configuration().recentEventCount)
        #expect(lines.count <= events.count)
        let expected = events.suffix(lines.count).map { e in
            EventLine(timestamp: e.timestamp, user: e.user, item: e.item, action: e.action, category: catalogue.items[e.item]?.categories.first)
        }
        #expect(lines == Array(expected))
    }

    @Test func forgottenUserDisappearsFromEverySnapshotField() throws {
        let engine = try Self.startedEngine()
        defer { engine.stop() }
        try #require(engine.waitForSnapshot(timeout: 30) { $0.source.isFinished && $0.statistics.events == 600 } != nil)
        engine.send(.selectUser("u3"))
        try #require(engine.waitForSnapshot(timeout: 10) { $0.selectedUser?.id == "u3" } != nil)
        engine.send(.forgetUser("u3"))
        let s = try #require(engine.waitForSnapshot(timeout: 10) { $0.message == "forgot user 'u3'" })
        #expect(s.statistics.users == 11)
        #expect(s.selectedUser?.id != "u3")
        #expect(!s.recentEvents.contains { $0.user == "u3" })
        #expect(s.neighbourhood?.center.name != "u3")
        engine.send(.selectUser("u3"))
        #expect(engine.waitForSnapshot(timeout: 10) { $0.message == "no user 'u3'" } != nil)
        // Audience of an item the user bought no longer lists them.
        engine.send(.selectItem("i1"))
        let audience = try #require(engine.waitForSnapshot(timeout: 10) { $0.audience?.item == "i1" })
        #expect(!(audience.audience?.users.contains { $0.user == "u3" } ?? true))
    }
}

/// `/` suggestions: ids that start with what was typed, first in byte order, with the count.
@Suite("Id completion")
struct IdCompletionTests {
    @Test func usersAndItemsCompleteByPrefixInByteOrder() throws {
        var graph = HeteroGraph()
        for u in [5, 130, 13, 1, 139, 1301, 2, 13_000, 131] {
            graph.apply(Event(user: "u\(u)", item: "i\(u % 3)", action: .view, timestamp: Double(u)))
        }
        let c = graph.completeIDs(prefix: "u13", kind: .user, limit: 3)
        #expect(c.matches == ["u13", "u130", "u13000"])  // byte order: "u13000" < "u1301"
        #expect(c.total == 6)
        #expect(graph.completeIDs(prefix: "i", kind: .item, limit: 8).matches == ["i1", "i2"])
        #expect(graph.completeIDs(prefix: "x", kind: .user, limit: 8).total == 0)
        #expect(graph.completeIDs(prefix: "", kind: .user, limit: 2).total == 9)
        // A forgotten user is never suggested.
        graph.forgetUser(try #require(graph.userID("u13")))
        #expect(graph.completeIDs(prefix: "u13", kind: .user, limit: 3).matches == ["u130", "u13000", "u1301"])
    }

    @Test func theEngineAnswersACompleteCommandInItsSnapshot() throws {
        var core = EngineCore(configuration: EngineTests.configuration(), source: AnyEventSource(ArrayEventSource(name: "t", events: (0..<50).map {
            Event(user: "user\($0)", item: "item\($0 % 4)", action: .view, timestamp: Double($0))
        })))
        for _ in 0..<20 { _ = core.runSlice(budget: 0.05) }
        core.handle(.complete(prefix: "user4", kind: .user))
        let snapshot = core.makeSnapshot()
        #expect(snapshot.completion?.matches == ["user4", "user40", "user41", "user42", "user43", "user44", "user45", "user46"])
        #expect(snapshot.completion?.total == 11)
    }
}
