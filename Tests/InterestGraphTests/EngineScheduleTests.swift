import Foundation
import Testing
@testable import InterestGraph

/// The fixed schedules `serve --prequential-every` and `--train-every` set (issue 14): what a
/// run scores and trains no longer depends on the machine's speed.
@Suite struct EngineScheduleTests {
    static func core(_ adjust: (inout EngineConfiguration) -> Void) -> EngineCore {
        let (events, catalogue) = EngineTests.stream(events: 600)
        var c = EngineTests.configuration()
        adjust(&c)
        return EngineCore(configuration: c, source: AnyEventSource(ArrayEventSource(name: "t", events: events, catalogue: catalogue)))
    }

    /// Runs slices until the 600 events are applied, then a few more (owed batches). Not
    /// until idle: a finished source still trains on the engine's time share.
    static func drain(_ core: inout EngineCore) {
        var slices = 0
        while core.graph.eventsApplied < 600, slices < 100_000 {
            _ = core.runSlice(budget: 0.05)
            slices += 1
        }
        for _ in 0..<10 { _ = core.runSlice(budget: 0.01) }
    }

    /// Eligible events of the stream, counted by the protocol's rule on a plain graph.
    static func eligibleCount() -> Int {
        var graph = HeteroGraph()
        var n = 0
        for e in EngineTests.stream(events: 600).events {
            if let u = graph.userID(e.user), let i = graph.itemID(e.item), graph.eventCount(ofItem: i) > 0, !graph.hasEdge(user: u, item: i) { n += 1 }
            graph.apply(e)
        }
        return n
    }

    @Test func prequentialEveryScoresExactlyEverySthEligibleEvent() {
        let eligible = Self.eligibleCount()
        #expect(eligible > 20)
        for every in [1, 7] {
            var core = Self.core { $0.prequentialSampleEvery = every }
            Self.drain(&core)
            let status = core.makeSnapshot().prequential
            #expect(status.scored == (eligible + every - 1) / every, "S = \(every)")
            #expect(status.windowCount == status.scored, "the window covers the whole run")
        }
    }

    @Test func trainEveryRunsOneBatchPerNEventsAndNoneWhenIdle() {
        var core = Self.core { $0.trainEveryEvents = 100 }
        Self.drain(&core)
        #expect(core.trainingStep == 6)
        // The source is finished: idle slices train no more.
        for _ in 0..<20 { _ = core.runSlice(budget: 0.01) }
        #expect(core.trainingStep == 6)
    }
}
