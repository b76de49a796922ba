import Foundation
@testable import InterestGraph
@testable import Remote
import Synchronization
import Testing

/// One dashboard over several engines (`attach A,B`): the merge rules on hand-made snapshots,
/// the routing by user hash, and the federation's own bookkeeping over stub engines.
@Suite struct FederationTests {
    /// An engine whose snapshot and connection state the test sets, recording what it is sent.
    final class StubEngine: EngineConnection {
        private let state: Mutex<(snapshot: EngineSnapshot, role: EngineAttachment.Role, commands: [EngineCommand], requests: Int)>

        init(_ snapshot: EngineSnapshot) { state = Mutex((snapshot, .controller, [], 0)) }

        func snapshot() -> EngineSnapshot { state.withLock { $0.snapshot } }
        func send(_ command: EngineCommand) { state.withLock { $0.commands.append(command) } }
        func requestControl() { state.withLock { $0.requests += 1 } }
        var attachment: EngineAttachment? {
            state.withLock { EngineAttachment(role: $0.role, dashboard: 1, controller: $0.role == .controller ? 1 : 2, dashboards: 2, endpoint: "unix:/tmp/x") }
        }

        var commands: [EngineCommand] { state.withLock { $0.commands } }
        var requests: Int { state.withLock { $0.requests } }
        func clear() { state.withLock { $0.commands = [] } }
        func set(_ role: EngineAttachment.Role) { state.withLock { $0.role = role } }
        func update(_ change: (inout EngineSnapshot) -> Void) {
            state.withLock {
                change(&$0.snapshot)
                $0.snapshot.sequence += 1
            }
        }
    }

    /// An engine reading `partitions` of a 4-partition stream.
    static func engine(partitions: [Int], users: Int = 100, events: Int = 1_000) -> EngineSnapshot {
        var s = EngineSnapshot()
        s.sequence = 1
        s.source.kind = .stream
        s.source.name = "redis://127.0.0.1:6379/shop"
        var stream = StreamStatus()
        stream.connection = .connected
        stream.partitionCount = 4
        stream.partitions = partitions.map { StreamStatus.Partition(key: "shop:\($0)", index: $0, lag: $0, read: 10 * $0) }
        s.source.stream = stream
        s.statistics = GraphStatistics(users: users, items: 50, categories: 5, brands: 3, entities: 0, edges: 200 + events, userItemEdges: events,
                                       events: events, firstTimestamp: 100, lastTimestamp: 200)
        return s
    }

    /// The first of `u0, u1, ...` whose partition (of 4) is `partition`.
    static func user(inPartition partition: Int) -> String {
        (0...).lazy.map { "u\($0)" }.first { FederationRouting.partition(ofUser: $0, partitions: 4) == partition }!
    }

    static func prequential(hitRate10: Double, mrr: Double, window: Int, scored: Int) -> PrequentialStatus {
        var p = PrequentialStatus()
        p.hitRate10 = hitRate10
        p.mrr = mrr
        p.windowCount = window
        p.scored = scored
        return p
    }

    static func merge(_ snapshots: [EngineSnapshot], _ context: FederationMerge.Context = .init()) -> EngineSnapshot {
        FederationMerge.merge(snapshots.map { .init(snapshot: $0, isConnected: true) }, context)
    }

    // MARK: Merge rules

    @Test func countsAndRatesAreSummedAndTheCatalogueCountedOnce() {
        var a = Self.engine(partitions: [0, 1], users: 120, events: 3_000)
        var b = Self.engine(partitions: [2, 3], users: 80, events: 1_000)
        a.eventsPerSecond = 300
        b.eventsPerSecond = 150
        a.trainingStep = 40
        b.trainingStep = 10
        a.statistics.items = 50
        b.statistics.items = 48
        let m = Self.merge([a, b])
        #expect(m.statistics.users == 200)
        #expect(m.statistics.events == 4_000)
        #expect(m.statistics.userItemEdges == 4_000)
        #expect(m.statistics.items == 50, "the shared catalogue is not counted twice")
        #expect(m.statistics.edges == 200 + 4_000)
        #expect(m.eventsPerSecond == 450)
        #expect(m.trainingStep == 50)
        #expect(m.source.stream?.partitions.map(\.index) == [0, 1, 2, 3])
        #expect(m.source.stream?.totalLag == 0 + 1 + 2 + 3)
        #expect(m.source.stream?.partitionCount == 4)
    }

    @Test func prequentialMetricsAreWeightedByTheEventsEachEngineScored() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        a.prequential = Self.prequential(hitRate10: 0.5, mrr: 0.2, window: 100, scored: 1_000)
        b.prequential = Self.prequential(hitRate10: 0.2, mrr: 0.1, window: 300, scored: 3_000)
        let p = Self.merge([a, b]).prequential
        #expect(abs(p.hitRate10 - (0.5 * 100 + 0.2 * 300) / 400) < 1e-12)
        #expect(abs(p.mrr - (0.2 * 100 + 0.1 * 300) / 400) < 1e-12)
        #expect(p.windowCount == 400)
        #expect(p.scored == 4_000)
        // An engine that scored nothing yet does not pull the mean to zero.
        var c = Self.engine(partitions: [2, 3])
        c.prequential = PrequentialStatus()
        #expect(abs(Self.merge([a, c]).prequential.hitRate10 - 0.5) < 1e-12)
    }

    @Test func lossSeriesAreAlignedFromTheNewestPointAndWeightedByEvents() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        a.loss = [MetricPoint(step: 1, value: 9, events: 100), MetricPoint(step: 2, value: 1.0, events: 300), MetricPoint(step: 3, value: 0.5, events: 300)]
        b.loss = [MetricPoint(step: 1, value: 2.0, events: 100), MetricPoint(step: 2, value: 1.5, events: 100)]
        let loss = Self.merge([a, b]).loss
        #expect(loss.count == 3)
        // Newest: a's 0.5 (300 events) with b's 1.5 (100 events).
        #expect(abs(Double(loss[2].value) - (0.5 * 300 + 1.5 * 100) / 400) < 1e-6)
        #expect(loss[2].step == 5)
        #expect(loss[2].events == 400)
        #expect(abs(Double(loss[1].value) - (1.0 * 300 + 2.0 * 100) / 400) < 1e-6)
        #expect(loss[0].value == 9, "only a reaches that far back")
    }

    @Test func anAudienceIsTheTopKOfAllEnginesByScore() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        a.audience = AudienceView(item: "i7", title: "Kettle", users: [
            AudienceLine(user: "a1", score: 0.9, topInterest: nil), AudienceLine(user: "a2", score: 0.5, topInterest: nil), AudienceLine(user: "a3", score: 0.1, topInterest: nil)])
        b.audience = AudienceView(item: "i7", title: nil, users: [
            AudienceLine(user: "b1", score: 0.8, topInterest: nil), AudienceLine(user: "b2", score: 0.7, topInterest: nil), AudienceLine(user: "b3", score: 0.05, topInterest: nil)])
        let merged = Self.merge([a, b], .init(audienceItem: "i7")).audience
        #expect(merged?.users.map(\.user) == ["a1", "b1", "b2"])
        #expect(merged?.title == "Kettle")
        // An engine still showing another item's audience takes no part.
        b.audience?.item = "i8"
        #expect(Self.merge([a, b], .init(audienceItem: "i7")).audience?.users.map(\.user) == ["a1", "a2", "a3"])
    }

    @Test func recentEventsAreInterleavedByTime() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        a.recentEvents = [1, 4, 5].map { EventLine(timestamp: $0, user: "a", item: "i", action: .view, category: nil) }
        b.recentEvents = [2, 3, 6].map { EventLine(timestamp: $0, user: "b", item: "i", action: .view, category: nil) }
        let events = Self.merge([a, b]).recentEvents
        #expect(events.map(\.timestamp) == [4, 5, 6], "the newest, as many as one engine's list, oldest first")
    }

    @Test func idCompletionIsTheUnionInIdOrder() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        a.completion = IdCompletion(prefix: "u1", kind: .user, matches: ["u1", "u12", "u13"], total: 3)
        b.completion = IdCompletion(prefix: "u1", kind: .user, matches: ["u10", "u11"], total: 2)
        let c = Self.merge([a, b], .init(completion: ("u1", .user))).completion
        #expect(c?.matches == ["u1", "u10", "u11", "u12", "u13"])
        #expect(c?.total == 5)
        // A stale answer to an older prefix is left out.
        b.completion = IdCompletion(prefix: "u", kind: .user, matches: ["u0"], total: 9)
        #expect(Self.merge([a, b], .init(completion: ("u1", .user))).completion?.matches == ["u1", "u12", "u13"])
    }

    @Test func aDisconnectedEngineIsLeftOutAndTheUserScreenComesFromTheAnsweringEngine() {
        var a = Self.engine(partitions: [0, 1], users: 10), b = Self.engine(partitions: [2, 3], users: 20)
        b.selectedUser = UserView(id: "ub", events: 3, lastSeen: nil, dormancy: nil, interests: [], interestsBefore: [], trueInterests: nil, drift: DriftView(), recommendations: [])
        a.selectedUser = UserView(id: "ua", events: 3, lastSeen: nil, dormancy: nil, interests: [], interestsBefore: [], trueInterests: nil, drift: DriftView(), recommendations: [])
        let both = FederationMerge.merge([.init(snapshot: a, isConnected: true), .init(snapshot: b, isConnected: true)], .init(answering: 1))
        #expect(both.selectedUser?.id == "ub")
        let onlyA = FederationMerge.merge([.init(snapshot: a, isConnected: true), .init(snapshot: b, isConnected: false)], .init(answering: 1))
        #expect(onlyA.statistics.users == 10)
        #expect(onlyA.selectedUser == nil, "the answering engine is down")
        #expect(onlyA.source.stream?.partitions.map(\.index) == [0, 1])
    }

    @Test func changesLoggedByEveryEngineShowOnce() {
        var a = Self.engine(partitions: [0, 1]), b = Self.engine(partitions: [2, 3])
        let set = ChangeRecord(step: 5, time: 10, key: "learningRate", oldValue: 0.01, newValue: 0.02, origin: .user, note: "")
        a.changes = [set]
        b.changes = [ChangeRecord(step: 9, time: 10.2, key: "learningRate", oldValue: 0.01, newValue: 0.02, origin: .user, note: ""),
                     ChangeRecord(step: 12, time: 11, key: "learningRate", oldValue: 0.02, newValue: 0.01, origin: .divergenceGuard, note: "loss was NaN")]
        let changes = Self.merge([a, b]).changes
        #expect(changes.count == 2)
        #expect(changes.last?.note == "engine B: loss was NaN")
    }

    // MARK: Routing

    @Test func aUserGoesToTheEngineThatReadsTheirPartition() {
        let partitions = [[0, 1], [2, 3]]
        for p in 0..<4 {
            let user = Self.user(inPartition: p)
            #expect(FederationRouting.route(user: user, partitions: partitions, connected: [true, true], count: 4) == .engine(p / 2, partition: p))
        }
        let inB = Self.user(inPartition: 3)
        #expect(FederationRouting.route(user: inB, partitions: partitions, connected: [true, false], count: 4) == .down(1, partition: 3))
        #expect(FederationRouting.route(user: inB, partitions: [[0, 1], []], connected: [true, true], count: 4) == .unowned(partition: 3))
        #expect(FederationRouting.route(user: inB, partitions: [[], []], connected: [true, true], count: 0) == .everyone)
        // The documented hash: FNV-1a 64 of the id's bytes, mod the count.
        #expect(FederationRouting.partition(ofUser: "", partitions: 1_000) == Int(UInt64(0xcbf2_9ce4_8422_2325) % 1_000))
    }

    @Test func theFederationRoutesCommandsAndSaysWhichEngineAnswers() throws {
        let a = StubEngine(Self.engine(partitions: [0, 1])), b = StubEngine(Self.engine(partitions: [2, 3]))
        let f = FederatedEngine([(endpoint: "unix:/a", connection: a), (endpoint: "unix:/b", connection: b)])
        let before = f.snapshot()
        let inB = Self.user(inPartition: 2), inA = Self.user(inPartition: 1)
        f.send(.selectUser(inB))
        #expect(f.snapshot().sequence > before.sequence, "a new answering engine is news even when no engine published")
        f.send(.inject(user: inA, item: "i1", action: .purchase))
        f.send(.setSpeed(5))
        #expect(a.commands == [.inject(user: inA, item: "i1", action: .purchase), .setSpeed(5)])
        #expect(b.commands == [.selectUser(inB), .setSpeed(5)])
        let federation = try #require(f.attachment?.federation)
        #expect(federation.answering == 1)
        #expect(federation.members[1].label == "engine B (partitions 2,3)")
        #expect(federation.downText == nil)
        #expect(federation.unattachedText == nil)
        #expect(f.attachment?.role == .controller)

        // Browsing stays in the answering engine's graph (node numbers are per engine).
        f.send(.browse(NodeRef(.item, 3)))
        #expect(b.commands.last == .browse(NodeRef(.item, 3)))
        // Toggling pause makes all engines agree.
        a.update { $0.isPaused = true }
        f.send(.togglePause)
        #expect(a.commands.last == .pause && b.commands.last == .pause)
        f.requestControl()
        #expect(a.requests == 1 && b.requests == 1)
    }

    @Test func anEngineThatGoesDownIsNamedWithItsPartitionsAndComesBack() throws {
        let a = StubEngine(Self.engine(partitions: [0, 1], users: 10)), b = StubEngine(Self.engine(partitions: [2, 3], users: 20))
        let f = FederatedEngine([(endpoint: "unix:/a", connection: a), (endpoint: "unix:/b", connection: b)])
        let inB = Self.user(inPartition: 3)
        _ = f.snapshot()
        f.send(.selectUser(inB))
        let first = f.snapshot()
        #expect(first.statistics.users == 30)

        b.set(.disconnected)
        let down = f.snapshot()
        #expect(down.sequence > first.sequence)
        #expect(down.statistics.users == 10, "the dashboard runs on the rest")
        #expect(f.attachment?.federation?.downText == "partitions 2,3 down (B)")
        #expect(f.attachment?.role == .controller, "still in control of the engines that are up")
        b.clear()
        f.send(.selectUser(inB))
        #expect(b.commands.isEmpty)
        let said = f.snapshot()
        #expect(said.messageCount > down.messageCount)
        #expect(said.message == "user \(inB) is in partition 3, read by engine B, which is down")

        // Back (a restarted engine): counted again, and the selected user asked for again.
        b.update { $0.statistics.users = 21 }
        b.set(.controller)
        let back = f.snapshot()
        #expect(back.statistics.users == 31)
        #expect(f.attachment?.federation?.downText == nil)
        #expect(b.commands == [.selectUser(inB)])

        a.set(.disconnected)
        b.set(.disconnected)
        _ = f.snapshot()
        #expect(f.attachment?.role == .disconnected)
        #expect(f.attachment?.federation?.downText == "partitions 0,1 down (A); partitions 2,3 down (B)")
    }

    @Test func attachingSomeEnginesOnlySaysWhichPartitionsAreMissing() {
        let a = StubEngine(Self.engine(partitions: [0, 1]))
        let f = FederatedEngine([(endpoint: "unix:/a", connection: a)])
        let start = f.snapshot()
        #expect(f.attachment?.federation?.unattachedText == "partitions 2,3 not attached")
        let inD = Self.user(inPartition: 3)
        f.send(.selectUser(inD))
        #expect(a.commands.isEmpty)
        let said = f.snapshot()
        #expect(said.messageCount == start.messageCount + 1)
        #expect(said.message == "user \(inD) is in partition 3, which no attached engine reads")
    }

    @Test func aNotFoundAnswerShowsOnlyWhenNoEngineKnowsTheItem() {
        let a = StubEngine(Self.engine(partitions: [0, 1])), b = StubEngine(Self.engine(partitions: [2, 3]))
        let f = FederatedEngine([(endpoint: "unix:/a", connection: a), (endpoint: "unix:/b", connection: b)])
        let start = f.snapshot()
        f.send(.selectItem("i9"))
        a.update { $0.message = "no item 'i9'"; $0.messageCount += 1 }
        #expect(f.snapshot().messageCount == start.messageCount, "B may know i9")
        b.update { $0.message = "no item 'i9'"; $0.messageCount += 1 }
        let both = f.snapshot()
        #expect(both.messageCount == start.messageCount + 1)
        #expect(both.message == "no item 'i9'")
        // Any other answer passes at once.
        a.update { $0.message = "model re-initialised"; $0.messageCount += 1 }
        #expect(f.snapshot().message == "model re-initialised")
    }

    @Test func aWatchingDashboardFollowsTheEngineWhoseSelectionChanged() {
        let a = StubEngine(Self.engine(partitions: [0, 1])), b = StubEngine(Self.engine(partitions: [2, 3]))
        a.set(.watcher)
        b.set(.watcher)
        let f = FederatedEngine([(endpoint: "unix:/a", connection: a), (endpoint: "unix:/b", connection: b)])
        func view(_ id: String) -> UserView {
            UserView(id: id, events: 1, lastSeen: nil, dormancy: nil, interests: [], interestsBefore: [], trueInterests: nil, drift: DriftView(), recommendations: [])
        }
        a.update { $0.selectedUser = view("ua") }
        #expect(f.snapshot().selectedUser?.id == "ua")
        #expect(f.attachment?.role == .watcher)
        b.update { $0.selectedUser = view("ub") }
        #expect(f.snapshot().selectedUser?.id == "ub")
        #expect(f.attachment?.federation?.answering == 1)
    }
}
