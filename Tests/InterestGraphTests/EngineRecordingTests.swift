import Foundation
import Testing
@testable import InterestGraph

/// The engine's side of recording: interned slices that resolve to exactly the events it
/// ingested, through a forget and a backward seek that rebuilds the graph.
@Suite struct EngineRecordingTests {
    /// Keeps every slice it is given.
    final class CapturingRecorder: RunRecorder {
        var slices: [InternedSlice] = []
        var catalogues: [ItemCatalogue] = []
        var finished = false
        func record(slice: InternedSlice) throws { slices.append(slice) }
        func record(catalogue: ItemCatalogue) throws { catalogues.append(catalogue) }
        func record(change: ChangeRecord) throws {}
        func record(metrics: RunMetricsPoint) throws {}
        func save(checkpoint: ModelCheckpoint) throws {}
        func finish(at wallTime: Double) throws { finished = true }
    }

    /// The engine test stream, with attributes on every 7th event and a late newcomer.
    static func stream() -> (events: [Event], catalogue: ItemCatalogue) {
        var (events, catalogue) = EngineTests.stream(events: 600)
        for k in stride(from: 0, to: events.count, by: 7) {
            events[k].attributes = ItemAttributes(categories: ["extra \(k % 3)"], price: Double(k))
        }
        events[450].user = "newcomer"
        events[450].item = "i-new"
        return (events, catalogue)
    }

    @Test func slicesResolveToTheIngestedEventsThroughForgetAndRestart() throws {
        let (events, catalogue) = Self.stream()
        var configuration = EngineTests.configuration()
        configuration.makeRecorder = { CapturingRecorder() }
        var core = EngineCore(configuration: configuration, source: AnyEventSource(ArrayEventSource(name: "test", events: events, catalogue: catalogue)))
        let recorder = try #require(core.recorder as? CapturingRecorder)

        func run(until position: Int) {
            while core.clock.source.position < position, core.runSlice(budget: 0.0005) {}
        }
        run(until: 200)
        let forgotten = try #require(core.graph.userID("u3"))
        core.handle(.forgetUser("u3"))
        run(until: 300)
        let firstPass = core.clock.source.position
        core.handle(.seek(to: events[0].timestamp))
        run(until: events.count)
        core.finish()
        #expect(recorder.finished)

        // Resolve the slices in order, as a recorder's writer does.
        var users: [String] = [], items: [String] = []
        var logged: [RecordedEvent] = []
        var sawForget = false
        for slice in recorder.slices {
            logged += slice.resolved(users: &users, items: &items)
            if slice.forgottenUsers.contains(forgotten) {
                sawForget = true
                #expect(users[Int(forgotten)] == "", "the forgotten user's name is dropped")
            }
        }
        #expect(sawForget)
        #expect(logged.count == firstPass + events.count)
        // Every logged event is the source's event at its position, attributes included.
        #expect(logged.allSatisfy { $0.event == events[Int($0.position)] })
        // Positions run 0..<firstPass, then start again at 0 after the seek.
        let restart = try #require(logged.indices.dropFirst().first { logged[$0].position == 0 })
        #expect(restart == firstPass)
        #expect(logged[..<restart].map(\.position) == (0..<Int64(firstPass)).map { $0 })
        #expect(logged[restart...].map(\.position) == (0..<Int64(events.count)).map { $0 })
        // The rebuilt graph named its ids from 0 again: the final tables are the graph's.
        #expect(users == core.graph.users.names)
        #expect(items == core.graph.items.names)
    }

    /// A resumed run replays its log before anything else; at tens of millions of events that
    /// takes minutes, so the engine hears how far it is every 65,536 events.
    @Test func resumingReportsItsProgress() {
        let logged = (0..<140_000).map { k in
            Event(user: "u\(k % 997)", item: "i\(k % 311)", action: .view, timestamp: 1_700_000_000 + Double(k))
        }
        var configuration = EngineTests.configuration()
        configuration.resume = ResumePlan(sourcePosition: Int64(logged.count), checkpoint: nil, events: logged)
        var reports: [(Int, Int)] = []
        let source = ArrayEventSource(name: "t", events: logged + [Event(user: "u1", item: "i1", action: .view, timestamp: 1_800_000_000)])
        let core = EngineCore(configuration: configuration, source: AnyEventSource(source)) { reports.append(($0, $1)) }
        #expect(reports.map(\.0) == [65_536, 131_072])
        #expect(reports.allSatisfy { $0.1 == 140_000 })
        #expect(core.graph.eventsApplied == 140_000)
        #expect(core.message == "resumed: 140000 logged events replayed")
    }

    /// The recorder gets the source's catalogue once, before any event: the simulator's
    /// events carry no attributes, so without it an export loses category, brand and price.
    @Test func recorderReceivesTheSourceCatalogueFirst() throws {
        var configuration = EngineTests.configuration()
        configuration.makeRecorder = { CapturingRecorder() }
        let source = SimulationSource(scenario: try shippedScenario("small"))
        var core = EngineCore(configuration: configuration, source: AnyEventSource(source))
        let recorder = try #require(core.recorder as? CapturingRecorder)
        #expect(recorder.catalogues.count == 1)
        #expect(recorder.slices.isEmpty)
        let catalogue = try #require(recorder.catalogues.first)
        #expect(catalogue.items.count == source.catalogue.items.count)
        #expect(catalogue.items.values.allSatisfy { !$0.categories.isEmpty && $0.brand != nil && $0.price != nil })
        #expect(catalogue.triples.count == source.catalogue.triples.count)
        while core.clock.source.position < 100, core.runSlice(budget: 0.0005) {}
        core.finish()
        #expect(recorder.catalogues.count == 1)
    }

    @Test func builderResolvesNewIDsMidSlice() {
        var graph = HeteroGraph()
        var builder = InternedSliceBuilder(expectedSliceSize: 4)
        let (events, _) = Self.stream()
        var users: [String] = [], items: [String] = []
        var logged: [RecordedEvent] = []
        for (k, e) in events.enumerated() {
            builder.append(graph.apply(e), of: e, position: Int64(k))
            if k % 13 == 12 { logged += builder.take(graph: graph).resolved(users: &users, items: &items) }
        }
        logged += builder.take(graph: graph).resolved(users: &users, items: &items)
        #expect(logged.map(\.event) == events)
        #expect(logged.map(\.position) == (0..<Int64(events.count)).map { $0 })
        // Nothing new: an empty slice.
        #expect(builder.take(graph: graph).isEmpty)
    }
}
