import Testing
@testable import Dashboard
@testable import InterestGraph

/// Golden-text snapshots of every panel and the main screens, from fixed engine snapshots.
/// Re-record after an intended change with `DRIFTSCOPE_RECORD=1 swift test --filter Golden`.
@Suite("Golden screens")
struct GoldenTests {
    static let dark = try! ThemeLibrary(directories: []).theme(named: "dark")
    static let sizes = [GridSize(width: 80, height: 24), GridSize(width: 120, height: 40)]

    static func render(_ snapshot: EngineSnapshot, _ state: DashboardState, size: GridSize, theme: Theme = dark) -> String {
        Renderer.render(snapshot: snapshot, state: state, theme: theme, size: size).text()
    }

    static func render(_ state: DashboardState, size: GridSize) -> String {
        render(FixtureSnapshots.busy(), state, size: size)
    }

    @Test("every panel zoomed, at 80x24 and 120x40", arguments: PanelID.allCases, sizes)
    func panel(_ panel: PanelID, size: GridSize) {
        var state = FixtureSnapshots.state(focus: panel, size: size)
        state.zoomed = true
        let text = GoldenTests.render(state, size: size)
        #expect(text.contains(panel.title))
        assertGolden(text, named: "panel-\(panel)-\(size.width)x\(size.height)")
    }

    @Test("every panel in the layout, at 80x24 (compact pages) and 120x40", arguments: PanelID.allCases, sizes)
    func panelInLayout(_ panel: PanelID, size: GridSize) {
        let state = FixtureSnapshots.state(focus: panel, size: size)
        let text = GoldenTests.render(state, size: size)
        #expect(text.contains(panel.title))
        // 120x40 shows all six; 80x24 one page of two, in focus order.
        let shown = PanelID.allCases.filter { text.contains("─ \($0.title) ") || text.contains("━ \($0.title) ") }
        #expect(shown.count == (size.width >= 100 ? 6 : 2))
        if size.width >= 100 && panel != .training { return }
        assertGolden(text, named: "layout-\(panel)-\(size.width)x\(size.height)")
    }

    @Test func largeLayout() {
        let size = GridSize(width: 200, height: 60)
        assertGolden(GoldenTests.render(FixtureSnapshots.state(focus: .recommendations, size: size), size: size), named: "layout-200x60")
    }

    @Test func audience() {
        var snapshot = FixtureSnapshots.busy()
        snapshot.audience = FixtureSnapshots.audience()
        let size = GridSize(width: 120, height: 40)
        var state = FixtureSnapshots.state(focus: .recommendations, size: size)
        state.showAudience = true
        state.audienceSelection = 2
        let text = GoldenTests.render(snapshot, state, size: size)
        #expect(text.contains("audience of Mechanical keyboard"))
        assertGolden(text, named: "audience-120x40")
    }

    @Test func helpOverlay() {
        for size in GoldenTests.sizes {
            var state = FixtureSnapshots.state(size: size)
            state.showHelp = true
            let text = GoldenTests.render(state, size: size)
            #expect(text.contains("Keys"))
            assertGolden(text, named: "help-\(size.width)x\(size.height)")
        }
    }

    @Test func prompts() {
        let size = GridSize(width: 80, height: 24)
        var state = FixtureSnapshots.state(focus: .recommendations, size: size)
        state.prompt = .init(kind: .searchUser, text: "u13")
        let search = GoldenTests.render(state, size: size)
        #expect(search.split(separator: "\n").last!.contains("Find user id: u13"))
        assertGolden(search, named: "prompt-search-80x24")
        // With the engine's suggestions: the rest of the first match dimmed, and the counter.
        var suggested = FixtureSnapshots.busy()
        suggested.completion = IdCompletion(prefix: "u13", kind: .user, matches: ["u1307", "u1310", "u1311"], total: 1_204)
        let completing = GoldenTests.render(suggested, state, size: size)
        #expect(completing.split(separator: "\n").last!.contains("Find user id: u13█07   1/3 of 1,204 ↑↓"))
        assertGolden(completing, named: "prompt-search-suggestions-80x24")
        state.prompt = .init(kind: .inject(action: .cart), text: "i0877")
        let inject = GoldenTests.render(state, size: size)
        #expect(inject.contains("Inject for u42: cart of item i0877"))
        assertGolden(inject, named: "prompt-inject-80x24")
    }

    @Test func resetConfirmation() {
        let size = GridSize(width: 80, height: 24)
        var state = FixtureSnapshots.state(focus: .hyperparameters, size: size)
        state.confirmReset = true
        let text = GoldenTests.render(state, size: size)
        #expect(text.contains("Reset the model?"))
        assertGolden(text, named: "confirm-reset-80x24")
    }

    @Test func emptyEngine() {
        let size = GridSize(width: 120, height: 40)
        let text = GoldenTests.render(FixtureSnapshots.empty(), DashboardState(), size: size)
        #expect(text.contains("waiting for the first training batch"))
        #expect(text.contains("PAUSED"))
        assertGolden(text, named: "empty-120x40")
    }

    @Test func monochromeASCII() throws {
        let size = GridSize(width: 120, height: 40)
        let mono = try ThemeLibrary(directories: []).theme(named: "mono")
        let text = GoldenTests.render(FixtureSnapshots.busy(), FixtureSnapshots.state(size: size), size: size, theme: mono)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        assertGolden(text, named: "mono-120x40")
    }

    @Test func demoCaption() {
        let size = GridSize(width: 120, height: 40)
        var state = FixtureSnapshots.state(size: size)
        var tour = DemoTour()
        var commands: [EngineCommand] = []
        tour.advance(&state, FixtureSnapshots.busy(), now: 0, &commands)
        state.demo = tour
        let text = GoldenTests.render(state, size: size)
        #expect(text.contains("Demo 1/8"))
        assertGolden(text, named: "demo-120x40")
    }

    @Test("too small a window shows the resize screen", arguments: [GridSize(width: 79, height: 24), GridSize(width: 80, height: 23), GridSize(width: 40, height: 10), GridSize(width: 8, height: 2)])
    func resizeScreen(_ size: GridSize) {
        let text = GoldenTests.render(FixtureSnapshots.state(size: size), size: size)
        #expect(!text.contains("Training"))
        if size.height >= 4 && size.width >= 40 {
            #expect(text.contains("at least 80x24; this one is \(size.width)x\(size.height)"))
        }
        if size == GridSize(width: 40, height: 10) { assertGolden(text, named: "resize-40x10") }
    }
}
