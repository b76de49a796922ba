import Foundation
import Testing
@testable import InterestGraph

/// Events may arrive late: the clock is the max timestamp, and the result must not depend on
/// the order of arrival.
@Suite struct GraphOutOfOrderTests {
    static func randomEvents(seed: UInt64, count: Int) -> [Event] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { k in
            Event(
                user: "u\(rng.next() % 7)", item: "i\(rng.next() % 11)", action: Action.allCases[Int(rng.next() % 6)],
                timestamp: 1_700_000_000 + Double(k) * 3_600 + Double(rng.next() % 600), value: Double(rng.next() % 5 + 1))
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func shuffledArrivalGivesTheInOrderStrengths(seed: UInt64) throws {
        let events = Self.randomEvents(seed: seed, count: 500)
        var shuffled = events
        var rng = SeededGenerator(seed: seed &* 31)
        shuffled.shuffle(using: &rng)

        var ordered = HeteroGraph(decay: DecayPolicy(halfLife: 2 * 86_400))
        for e in events.sorted(by: { $0.timestamp < $1.timestamp }) { ordered.apply(e) }
        var late = HeteroGraph(decay: DecayPolicy(halfLife: 2 * 86_400))
        for e in shuffled { late.apply(e) }

        #expect(late.now == events.map(\.timestamp).max())
        #expect(late.now == ordered.now)
        #expect(late.statistics.userItemEdges == ordered.statistics.userItemEdges)
        for user in 0..<7 {
            for item in 0..<11 {
                guard let lu = late.userID("u\(user)"), let li = late.itemID("i\(item)"),
                      let ou = ordered.userID("u\(user)"), let oi = ordered.itemID("i\(item)") else { continue }
                let a = late.strength(user: lu, item: li)
                let b = ordered.strength(user: ou, item: oi)
                #expect(abs(a - b) <= 1e-4 * max(1, b), "u\(user) i\(item): \(a) vs \(b)")
                #expect(a >= 0)
            }
            if let lu = late.userID("u\(user)"), let ou = ordered.userID("u\(user)") {
                #expect(late.lastSeen(user: lu) == ordered.lastSeen(user: ou))
                #expect(late.firstSeen(user: lu) == ordered.firstSeen(user: ou))
            }
        }
    }

    @Test func clockNeverMovesBackAndDecayNeverInflates() throws {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: 3_600))
        graph.apply(Event(user: "u", item: "i", action: .view, timestamp: 10_000))
        graph.apply(Event(user: "u", item: "j", action: .view, timestamp: 2_000))
        #expect(graph.now == 10_000)
        let j = try #require(graph.itemID("j"))
        // Read at the clock: the late edge is already 8000 s old.
        #expect(abs(graph.strength(user: 0, item: j) - pow(2, -8_000 / 3_600)) < 1e-6)
        // Reading before an edge's time never gives more than its stored value.
        #expect(graph.strength(user: 0, item: j, at: 0) <= 1 + 1e-9)
        #expect(graph.strength(user: 0, item: 0, at: 0) <= 1 + 1e-9)
        #expect(DecayPolicy(halfLife: 3_600).factor(elapsed: -50_000) == 1)
        // A late event on an existing edge adds its weight decayed to the edge's time.
        graph.apply(Event(user: "u", item: "i", action: .click, timestamp: 10_000 - 3_600))
        #expect(abs(graph.strength(user: 0, item: 0) - (1 + 1)) < 1e-6)
        #expect(graph.now == 10_000)
    }

    @Test func dormancyIgnoresLateEventsForTheRhythm() throws {
        var graph = HeteroGraph()
        let hour = 3_600.0
        for k in 0..<4 { graph.apply(Event(user: "u", item: "i\(k)", action: .view, timestamp: Double(k) * 10 * hour)) }
        graph.apply(Event(user: "u", item: "late", action: .view, timestamp: 5 * hour))
        let d = try #require(graph.dormancy(ofUser: 0))
        #expect(abs(d.typicalGapSeconds - 10 * hour) < 1e-6)
        #expect(d.idleSeconds == 0)
    }
}
