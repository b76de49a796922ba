import Testing
@testable import Dashboard
@testable import InterestGraph

/// One dashboard over several engines (`attach A,B`): the status line says which engine
/// answers the user screens, and which partitions are down while an engine is.
@Suite("Federated attach screens")
struct FederationScreenTests {
    static func state(_ federation: FederationStatus, role: EngineAttachment.Role = .controller) -> DashboardState {
        var state = FixtureSnapshots.state(focus: .drift, size: GridSize(width: 120, height: 40))
        state.attachment = EngineAttachment(role: role, dashboard: 1, controller: 1, dashboards: 1, endpoint: "A=unix:/tmp/a.sock B=unix:/tmp/b.sock", federation: federation)
        return state
    }

    static func federation(bUp: Bool) -> FederationStatus {
        FederationStatus(members: [
            .init(name: "A", endpoint: "unix:/tmp/a.sock", partitions: [0, 1], isConnected: true),
            .init(name: "B", endpoint: "unix:/tmp/b.sock", partitions: [2, 3], isConnected: bUp),
        ], partitionCount: 4, answering: 1)
    }

    static func statusLine(_ text: String) -> String { String(text.split(separator: "\n").last ?? "") }

    @Test func theStatusLineSaysWhichEngineAnswers() {
        let text = GoldenTests.render(Self.state(Self.federation(bUp: true)), size: GridSize(width: 120, height: 40))
        #expect(Self.statusLine(text).contains("user ← engine B (partitions 2,3)"))
        #expect(!text.contains("down"))
        assertGolden(text, named: "federation-answering-120x40")
    }

    @Test func theStatusLineSaysWhichPartitionsAreDown() {
        let text = GoldenTests.render(Self.state(Self.federation(bUp: false)), size: GridSize(width: 120, height: 40))
        #expect(Self.statusLine(text).contains("partitions 2,3 down (B)"))
        assertGolden(text, named: "federation-down-120x40")
        // At 80 columns the down notice outlives the lesser segments.
        let narrow = GoldenTests.render(Self.state(Self.federation(bUp: false)), size: GridSize(width: 80, height: 24))
        #expect(Self.statusLine(narrow).contains("partitions 2,3 down (B)"))
    }

    @Test func partitionsNoAttachedEngineReads() {
        var f = Self.federation(bUp: true)
        f.partitionCount = 8
        let line = Self.statusLine(GoldenTests.render(Self.state(f), size: GridSize(width: 120, height: 40)))
        #expect(line.contains("partitions 4,5,6,7 not attached"))
        #expect(Self.statusLine(GoldenTests.render(Self.state(Self.federation(bUp: true)), size: GridSize(width: 120, height: 40))).contains("not attached") == false)
    }

    @Test func everyEngineDown() {
        var f = Self.federation(bUp: false)
        f.members[0].isConnected = false
        let line = Self.statusLine(GoldenTests.render(Self.state(f, role: .disconnected), size: GridSize(width: 120, height: 40)))
        #expect(line.contains("DISCONNECTED"))
        #expect(line.contains("partitions 0,1 down (A); partitions 2,3 down (B)"))
    }
}
