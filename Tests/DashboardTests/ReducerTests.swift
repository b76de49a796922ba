import Testing
@testable import Dashboard
@testable import InterestGraph

/// Input handling is a pure function: (state, key, snapshot) -> (state, commands).
@Suite("Reducer")
struct ReducerTests {
    let snapshot = FixtureSnapshots.busy()

    func state(_ focus: PanelID = .training) -> DashboardState {
        FixtureSnapshots.state(focus: focus, size: GridSize(width: 120, height: 40))
    }

    /// Applies keys in order, collecting every command.
    func press(_ keys: [Key], _ start: DashboardState, _ snap: EngineSnapshot? = nil) -> (DashboardState, [EngineCommand]) {
        DashboardState.pressing(keys, from: start, snap ?? snapshot)
    }

    static func chars(_ text: String) -> [Key] { Key.characters(text) }

    @Test func focusCyclesThroughAllPanels() {
        var s = state()
        var seen: [PanelID] = []
        for _ in 0..<6 {
            seen.append(s.focus)
            s = press([.tab], s).0
        }
        #expect(seen == PanelID.allCases)
        #expect(s.focus == .training)
        #expect(press([.backTab], s).0.focus == .events)
        #expect(press([.character("4")], s).0.focus == .neighbourhood)
    }

    @Test func listMovesAreClamped() {
        let s = state(.recommendations)
        #expect(press([.up], s).0.selected(.recommendations) == 0)
        #expect(press([.down, .down, .character("j")], s).0.selected(.recommendations) == 3)
        #expect(press([.character("G")], s).0.selected(.recommendations) == 9)
        #expect(press([.character("G"), .down], s).0.selected(.recommendations) == 9)
        #expect(press([.character("G"), .character("g")], s).0.selected(.recommendations) == 0)
    }

    @Test func followAndGoBackKeepABreadcrumbTrail() {
        var s = state(.neighbourhood)
        var (next, commands) = press([.down, .enter], s)
        #expect(commands == [.browse(NodeRef(.item, 2210))])
        #expect(next.breadcrumbs.map(\.name) == ["u42"])
        #expect(next.selected(.neighbourhood) == 0)
        #expect(next.pendingBrowse?.node == NodeRef(.item, 2210))
        s = next
        // The engine answers with the item's neighbourhood; follow once more.
        var itemView = snapshot
        itemView.neighbourhood = NeighbourhoodView(center: NodeLine(node: NodeRef(.item, 2210), name: "i2210", detail: nil), rows: [
            NeighbourLine(target: NodeLine(node: NodeRef(.category, 3), name: "Electronics", detail: nil), relation: "category", strength: 1, age: nil, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.user, 7), name: "u7", detail: nil), relation: "view", strength: 0.5, age: 60, count: 1),
        ])
        (next, commands) = press([.character("l")], s, itemView)
        #expect(commands == [.browse(NodeRef(.category, 3))])
        #expect(next.breadcrumbs.map(\.name) == ["u42", "i2210"])
        (next, commands) = press([.backspace], next, itemView)
        #expect(commands == [.browse(NodeRef(.item, 2210))])
        #expect(next.breadcrumbs.map(\.name) == ["u42"])
        (next, commands) = press([.character("h")], next, itemView)
        #expect(commands == [.browse(NodeRef(.user, 42))])
        #expect(next.breadcrumbs.isEmpty)
        (next, commands) = press([.backspace], next, itemView)
        #expect(commands.isEmpty)
        #expect(next.message?.text.contains("start of the trail") == true)
        // A user reached by browsing can become the selected user.
        (next, commands) = press([.down, .character("u")], next, itemView)
        #expect(commands == [.selectUser("u7")])
    }

    @Test func selectUserNeedsAUserRow() {
        let (s, commands) = press([.down, .character("u")], state(.neighbourhood))
        // Row 1 is an item, but the centre is a user: that one is selected.
        #expect(commands == [.selectUser("u42")])
        #expect(s.message != nil)
        let (_, none) = press([.character("u")], state(.training))
        #expect(none.isEmpty)
    }

    @Test func audienceToggle() {
        var withAudience = snapshot
        withAudience.audience = FixtureSnapshots.audience()
        var (s, commands) = press([.down, .down, .character("a")], state(.recommendations), withAudience)
        #expect(commands == [.selectItem("i0877")])
        #expect(s.showAudience)
        (s, commands) = press([.down, .enter], s, withAudience)
        #expect(commands == [.selectUser(FixtureSnapshots.audience().users[1].user)])
        #expect(!s.showAudience)
        (s, _) = press([.character("a"), .backspace], s, withAudience)
        #expect(!s.showAudience)
        #expect(s.selected(.recommendations) == 0)
    }

    @Test func hyperparameterAdjustSendsClampedValues() {
        var s = state(.hyperparameters)
        var (next, commands) = press([.right], s)
        #expect(commands == [.setHyperparameter(key: "lr", value: 0.02)])
        #expect(next.displayedValue(snapshot.tunables[0]) == 0.02)
        // The next press builds on the sent value, not the stale snapshot.
        (next, commands) = press([.character("+")], next)
        #expect(commands == [.setHyperparameter(key: "lr", value: 0.04)])
        (next, commands) = press([.left, .left, .left], next)
        #expect(commands.last == .setHyperparameter(key: "lr", value: 0.005))

        var high = snapshot
        high.tunables[0].value = 0.4
        (next, commands) = press([.right], s, high)
        #expect(commands == [.setHyperparameter(key: "lr", value: 0.5)])
        (next, commands) = press([.right], next, high)
        #expect(commands.isEmpty)
        #expect(next.message?.text.contains("maximum") == true)

        // Additive: negative samples 8 -> 9, and "-" from the minimum does nothing.
        s = press([.down, .down], s).0
        (next, commands) = press([.character("=")], s)
        #expect(commands == [.setHyperparameter(key: "negatives", value: 9)])
        var low = snapshot
        low.tunables[2].value = 1
        (_, commands) = press([.character("-")], s, low)
        #expect(commands.isEmpty)
    }

    @Test func hyperparameterChangeIsClearedWhenTheSnapshotCatchesUp() {
        var (s, _) = press([.right], state(.hyperparameters))
        var applied = snapshot
        applied.tunables[0].value = 0.02
        applied.sequence += 1
        s = DashboardState.tick(s, applied, now: 1).0
        #expect(s.pendingTunables.isEmpty)
        // A change the engine never applies expires after a few seconds.
        (s, _) = press([.right], s, applied)
        #expect(DashboardState.tick(s, applied, now: 2).0.pendingTunables["lr"] != nil)
        #expect(DashboardState.tick(s, applied, now: 10).0.pendingTunables.isEmpty)
    }

    @Test func searchPrompt() {
        var (s, commands) = press([.character("/")] + ReducerTests.chars("u13q"), state())
        #expect(s.prompt == .init(kind: .searchUser, text: "u13q"))
        #expect(!s.shouldQuit)
        // Each keystroke asks the engine for suggestions, nothing else.
        #expect(commands == ["u", "u1", "u13", "u13q"].map { .complete(prefix: $0, kind: .user) })
        (s, commands) = press([.backspace, .enter], s)
        #expect(commands == [.complete(prefix: "u13", kind: .user), .selectUser("u13")])
        #expect(s.prompt == nil)
        (s, commands) = press([.character("/"), .tab] + ReducerTests.chars("i42") + [.enter], s)
        #expect(commands.last == .selectItem("i42"))
        #expect(commands.dropLast() == ["i", "i4", "i42"].map { .complete(prefix: $0, kind: .item) })
        #expect(s.focus == .recommendations && s.showAudience)
        (s, commands) = press([.character("/")] + ReducerTests.chars("u1") + [.escape], s)
        #expect(commands.allSatisfy { if case .complete = $0 { true } else { false } } && s.prompt == nil)
    }

    /// The engine's suggestions for the typed prefix: → accepts the highlighted one, ↓/↑
    /// walk them (wrapping) and Enter then takes the highlighted id; suggestions for another
    /// prefix (an answer still on its way) are ignored.
    @Test func searchSuggestions() {
        var suggested = snapshot
        suggested.completion = IdCompletion(prefix: "u13", kind: .user, matches: ["u13", "u130", "u1301"], total: 112)
        var (s, commands) = press([.character("/")] + ReducerTests.chars("u13") + [.down, .down, .enter], state(), suggested)
        #expect(commands.last == .selectUser("u130"))
        (s, commands) = press([.character("/")] + ReducerTests.chars("u13") + [.up, .enter], s, suggested)
        #expect(commands.last == .selectUser("u1301"))
        (s, _) = press([.character("/")] + ReducerTests.chars("u13") + [.down, .down, .right], s, suggested)
        #expect(s.prompt?.text == "u130")
        (s, _) = press([.escape], s, suggested)
        // The typed text moved on: the old answer no longer applies, Enter sends the text.
        (s, commands) = press([.character("/")] + ReducerTests.chars("u139") + [.down, .right, .enter], s, suggested)
        #expect(commands.last == .selectUser("u139"))
        // Items complete too, after Tab.
        (s, commands) = press([.character("/"), .tab, .character("i")], s, suggested)
        #expect(commands == [.complete(prefix: "i", kind: .item)])
    }

    @Test func injectAnEventForTheSelectedUser() {
        var (s, commands) = press([.down, .character("i")], state(.recommendations))
        #expect(s.prompt == .init(kind: .inject(action: .purchase), text: "i2210"))
        (s, commands) = press([.tab, .enter], s)
        #expect(commands == [.inject(user: "u42", item: "i2210", action: .review)])
        #expect(s.message?.text.contains("Injected") == true)
        // A typed id replaces the suggestion.
        (s, commands) = press([.character("i"), .control("u")] + ReducerTests.chars("i9") + [.enter], s)
        #expect(commands == [.inject(user: "u42", item: "i9", action: .purchase)])
        var nobody = snapshot
        nobody.selectedUser = nil
        (s, commands) = press([.character("i")], state(), nobody)
        #expect(s.prompt == nil && commands.isEmpty)
    }

    @Test func zoomAndCancel() {
        var s = press([.character("f")], state(.drift)).0
        #expect(s.zoomed)
        s = press([.escape], s).0
        #expect(!s.zoomed)
    }

    @Test func resetNeedsConfirmation() {
        var (s, commands) = press([.character("R")], state())
        #expect(s.confirmReset && commands.isEmpty)
        (s, commands) = press([.character("n")], s)
        #expect(!s.confirmReset && commands.isEmpty)
        (s, commands) = press([.character("R"), .character("y")], s)
        #expect(commands == [.resetModel])
    }

    @Test func pauseStepAndSpeed() {
        var (s, commands) = press([.character(" ")], state())
        #expect(commands == [.togglePause])
        (s, commands) = press([.character(".")], s)
        #expect(commands.isEmpty)
        var paused = snapshot
        paused.isPaused = true
        (_, commands) = press([.character(".")], s, paused)
        #expect(commands == [.step(events: 1)])
        (s, commands) = press([.character("+"), .character("+")], state())
        #expect(commands == [.setSpeed(2), .setSpeed(5)])
        (_, commands) = press([.character("-")], state())
        #expect(commands == [.setSpeed(0.5)])
        var max = snapshot
        max.source.speed = 0
        (s, commands) = press([.character("+")], state(), max)
        #expect(commands.isEmpty && s.message != nil)
    }

    @Test func themeCyclesAndHelpScrolls() {
        var s = press([.character("t"), .character("t")], state()).0
        #expect(s.themeName == "colourblind")
        s = press([.character("t"), .character("t")], s).0
        #expect(s.themeName == "dark")
        s = press([.character("?"), .character("j"), .down], s).0
        #expect(s.showHelp && s.helpScroll == 2)
        s = press([.character("q")], s).0
        #expect(!s.showHelp && !s.shouldQuit)
        #expect(press([.character("q")], s).0.shouldQuit)
    }

    @Test func anyKeyEndsTheDemo() {
        var s = state()
        s.demo = DemoTour()
        let (next, commands) = press([.character("j")], s)
        #expect(next.demo == nil && commands.isEmpty)
        #expect(next.selected(.training) == 0)
    }

    @Test func mouseClickFocusesAPanelAndSelectsARow() {
        let size = GridSize(width: 120, height: 40)
        var s = state()
        let (_, regions) = Renderer.renderFrame(snapshot: snapshot, state: s, theme: GoldenTests.dark, size: size)
        s.regions = regions
        let events = regions.first { $0.panel == .events }!
        let (next, _) = press([.mouse(MouseEvent(x: events.rows.x + 3, y: events.rows.y + 2, kind: .click))], s)
        #expect(next.focus == .events)
        #expect(next.selected(.events) == 2)
        let scrolled = press([.mouse(MouseEvent(x: events.rows.x + 3, y: events.rows.y, kind: .scrollDown))], next).0
        #expect(scrolled.selected(.events) == 3)
    }

    @Test func tickFollowsANewSelectedUser() {
        var s = state()
        s.breadcrumbs = [NodeLine(node: NodeRef(.item, 1), name: "i1", detail: nil)]
        var other = snapshot
        other.selectedUser?.id = "u7"
        other.selectedUser?.node = NodeRef(.user, 7)
        let (next, commands) = DashboardState.tick(s, other, now: 1)
        #expect(next.trackedUser == "u7")
        #expect(next.breadcrumbs.isEmpty)
        #expect(commands == [.browse(NodeRef(.user, 7))])
    }

    /// Snapshots come every ~50 ms, rates once per ~1 s window: the sparklines take one
    /// sample per measurement, so each column is a second, not one value drawn 20 times.
    @Test func rateHistoriesTakeOneSamplePerMeasurement() {
        var s = DashboardState()
        var snap = FixtureSnapshots.empty()
        for k in 0..<6 {
            snap.sequence = UInt64(k)
            snap.rateSamples = k / 3
            snap.eventsPerSecond = Double(100 * (k / 3 + 1))
            s = DashboardState.tick(s, snap, now: Double(k) * 0.05).0
        }
        #expect(s.eventRateHistory == [100, 200])
        #expect(s.updateRateHistory.count == 2)
    }

    @Test func tickMakesTheFirstSelection() {
        var fresh = DashboardState()
        fresh.initialUser = "u99"
        var (s, commands) = DashboardState.tick(fresh, FixtureSnapshots.empty(), now: 0)
        #expect(commands == [.selectUser("u99")])
        (s, commands) = DashboardState.tick(s, FixtureSnapshots.empty(), now: 1)
        #expect(commands.isEmpty)
        var candidates = FixtureSnapshots.empty()
        candidates.demoCandidates = ["u5", "u6"]
        (_, commands) = DashboardState.tick(DashboardState(), candidates, now: 0)
        #expect(commands == [.selectUser("u5")])
    }

    @Test func tickShowsEngineMessagesAndExpiresThem() {
        var answered = snapshot
        answered.message = "no user 'u404'"
        answered.messageCount = 1
        var s = DashboardState.tick(state(), answered, now: 10).0
        #expect(s.message?.text == "no user 'u404'")
        s = DashboardState.tick(s, answered, now: 11).0
        #expect(s.message != nil)
        s = DashboardState.tick(s, answered, now: 30).0
        #expect(s.message == nil)
        // The same answer to a second command is shown again.
        answered.messageCount = 2
        s = DashboardState.tick(s, answered, now: 31).0
        #expect(s.message?.text == "no user 'u404'")
    }

    @Test func followWaitsForTheEngineToAnswer() {
        let (waiting, first) = press([.enter], state(.neighbourhood))
        #expect(first.count == 1)
        // The engine has not moved yet: a second Enter must not put u42 on the trail twice.
        let (next, commands) = press([.down, .enter], waiting)
        #expect(commands.isEmpty)
        #expect(next.breadcrumbs.map(\.name) == ["u42"])
        #expect(next.message?.text.hasPrefix("Still loading") == true)
    }

    @Test func rankMovesStayVisibleForAFewSeconds() throws {
        var moved = snapshot
        var user = try #require(moved.selectedUser)
        let item = user.recommendations[0].item
        user.recommendations[0].rankChange = 3
        moved.selectedUser = user
        moved.sequence = 100
        var s = DashboardState.tick(state(.recommendations), moved, now: 10).0
        // The engine's next ranking reports no movement since the previous one.
        var settled = moved
        settled.selectedUser?.recommendations[0].rankChange = 0
        settled.sequence = 101
        s = DashboardState.tick(s, settled, now: 12).0
        let line = try #require(settled.selectedUser?.recommendations.first { $0.item == item })
        #expect(s.displayedMove(line) == 3)
        settled.sequence = 102
        s = DashboardState.tick(s, settled, now: 10 + DashboardState.moveLifetime + 1).0
        #expect(s.displayedMove(line) == 0)
    }
}
