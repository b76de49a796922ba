import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

/// The who-changed view (changes and dormant tabs), its keys, and the drift panel's marks for
/// detected changes.
@Suite("Who-changed view")
struct ChangesViewTests {
    static let clock = FixtureSnapshots.clock

    /// The busy fixture plus detected changes, a dormant list and the drift tunables.
    static func snapshot() -> EngineSnapshot {
        var s = FixtureSnapshots.busy()
        let moves: [(String, String, String)] = [
            ("u42", "Books", "Electronics"), ("u7", "Fashion/Shoes", "Baby/Nursery"), ("u1337", "Home/Kitchen", "Baby/Toys"),
            ("u88", "Garden", "Sports/Running"), ("u301", "Fashion/Bags", "Home/Decor"), ("u12", "Books", "Baby/Nursery"),
        ]
        s.interestChanges = moves.enumerated().map { k, m in
            NamedInterestChange(user: m.0, time: clock - Double(k) * 5_400 - 600, from: m.1, to: m.2, confidence: 0.999 - Double(k) * 0.004)
        }
        s.changesDetected = 1_204
        s.tunables.append(Tunable(key: "change.threshold", label: "change: threshold (nats)", value: 5.5, minimum: 1, maximum: 20, step: 0.5, isMultiplicative: false, format: "%.1f"))
        s.dormant = DormantListView(factor: 3, time: clock, total: 3, users: [
            DormantUser(user: "u903", lastSeen: clock - 9 * 86_400, idleSeconds: 9 * 86_400, typicalGapSeconds: 86_400, ratio: 9, events: 41),
            DormantUser(user: "u17", lastSeen: clock - 5 * 86_400, idleSeconds: 5 * 86_400, typicalGapSeconds: 1.2 * 86_400, ratio: 4.2, events: 88),
            DormantUser(user: "u250", lastSeen: clock - 2 * 86_400, idleSeconds: 2 * 86_400, typicalGapSeconds: 0.6 * 86_400, ratio: 3.3, events: 19),
        ])
        if var user = s.selectedUser {
            user.drift.detectedChanges = [NamedInterestChange(user: "u42", time: clock - 9 * 86_400 - 3_600, from: "Books", to: "Electronics", confidence: 0.998)]
            user.drift.changeStatistic = 0.7
            user.drift.changeThreshold = 5.5
            s.selectedUser = user
        }
        return s
    }

    static func open(size: GridSize) -> DashboardState {
        let (state, _) = DashboardState.pressing([.character("w")], from: FixtureSnapshots.state(focus: .drift, size: size), snapshot())
        return state
    }

    @Test("the view at 80x24 and 120x40", arguments: GoldenTests.sizes)
    func golden(size: GridSize) {
        var state = ChangesViewTests.open(size: size)
        state.changesView?.selection = 1
        let text = GoldenTests.render(ChangesViewTests.snapshot(), state, size: size)
        #expect(text.contains("Who changed"))
        #expect(text.contains("u1337"))
        #expect(text.contains("Baby/Nursery"))
        #expect(text.contains("6 of 6 latest"))
        assertGolden(text, named: "changes-\(size.width)x\(size.height)")
    }

    @Test("filtering by the category moved into, and the dormant tab", arguments: GoldenTests.sizes)
    func filterAndDormant(size: GridSize) {
        let snapshot = ChangesViewTests.snapshot()
        let (filtered, _) = DashboardState.pressing([.character("/")] + Key.characters("baby") + [.enter], from: ChangesViewTests.open(size: size), snapshot)
        #expect(filtered.changesView?.filter == "baby")
        #expect(filtered.changesView?.changes(snapshot).map(\.user) == ["u7", "u1337", "u12"])
        let text = GoldenTests.render(snapshot, filtered, size: size)
        #expect(text.contains("3 of 6 latest"))
        #expect(!text.contains("u88"))
        assertGolden(text, named: "changes-filtered-\(size.width)x\(size.height)")

        let (dormant, commands) = DashboardState.pressing([.tab], from: filtered, snapshot)
        #expect(dormant.changesView?.tab == .dormant)
        #expect(commands == [.listDormant(factor: 3)])
        let page = GoldenTests.render(snapshot, dormant, size: size)
        #expect(page.contains("u903"))
        #expect(page.contains("9.0×"))
        assertGolden(page, named: "changes-dormant-\(size.width)x\(size.height)")
    }

    @Test func enterOpensTheUser() {
        let snapshot = ChangesViewTests.snapshot()
        let (state, commands) = DashboardState.pressing([.down, .down, .enter], from: ChangesViewTests.open(size: GridSize(width: 120, height: 40)), snapshot)
        #expect(commands == [.selectUser("u1337")])
        #expect(state.changesView == nil)
        #expect(state.focus == .drift)
    }

    @Test func savingTheListAsAnAudience() {
        let snapshot = ChangesViewTests.snapshot()
        let start = ChangesViewTests.open(size: GridSize(width: 120, height: 40))
        let (state, _) = DashboardState.pressing([.character("/")] + Key.characters("Baby") + [.enter, .character("a")], from: start, snapshot)
        #expect(state.audienceExport == AudienceExport(name: "changes-into-Baby", users: ["u7", "u1337", "u12"]))
        // Escape closes the view; the panels have the keys again.
        let (closed, _) = DashboardState.pressing([.escape], from: state, snapshot)
        #expect(closed.changesView == nil)
        let (zoomed, _) = DashboardState.pressing([.character("f")], from: closed, snapshot)
        #expect(zoomed.zoomed)
        // Space still pauses while the view is open.
        let (_, pause) = DashboardState.pressing([.character(" ")], from: start, snapshot)
        #expect(pause == [.togglePause])
    }

    @Test func anAudienceFileHoldsOneIdALine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-audience-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try AudienceFile.save(AudienceExport(name: "changes-into-Baby/Nursery", users: ["u7", "u12"]), directory: directory, time: ChangesViewTests.clock)
        #expect(path.hasSuffix("audience-changes-into-baby-nursery-20240301-120003.txt"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "u7\nu12\n")
    }

    @Test("the drift panel marks detected changes", arguments: GoldenTests.sizes)
    func driftMarks(size: GridSize) {
        var state = FixtureSnapshots.state(focus: .drift, size: size)
        state.zoomed = true
        let text = GoldenTests.render(ChangesViewTests.snapshot(), state, size: size)
        #expect(text.contains("◆ changed 2024-02-21 11:00:03 Books ▸ Electronics 0.998"))
        #expect(text.contains("evidence 0.7/5.5"))
        assertGolden(text, named: "panel-drift-changes-\(size.width)x\(size.height)")
    }
}
