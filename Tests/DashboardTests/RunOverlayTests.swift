import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

/// Another run's curves in the Training panel: alignment on events ingested, the compare
/// key, loading, and a golden screen.
@Suite("Training: overlay of another run")
struct RunOverlayTests {
    /// The busy fixture with events on its points: 100 events per training step.
    static func snapshot() -> EngineSnapshot {
        var s = FixtureSnapshots.busy()
        s.loss = s.loss.map { p in var p = p; p.events = p.step * 100; return p }
        s.prequentialHistory = s.prequentialHistory.map { p in var p = p; p.events = p.step * 100; return p }
        return s
    }

    /// A recorded run that trained at 80 events per step, ran further (to 1.6M events) and
    /// ended with a lower loss.
    static func overlay() -> RunOverlay {
        let points = (0..<400).map { i -> RunOverlay.Point in
            let x = Double(i)
            let loss = 0.5 * exp(-x / 120) + 0.18 + 0.01 * sin(x * 0.9)
            let hr = 0.06 + 0.16 * (1 - exp(-x / 90))
            return RunOverlay.Point(events: i * 4_000, step: i * 50, loss: i % 7 == 3 ? nil : Float(loss), hitRate10: hr, mrr: hr / 2.5)
        }
        return RunOverlay(run: 3, label: "run 3: ml-100k", points: points)
    }

    static let choices = [RunOverlaySource.Choice(run: 3, label: "run 3: ml-100k"), .init(run: 5, label: "run 5: ml-100k")]

    // MARK: Alignment

    @Test func clipKeepsTheRangeAndInterpolatesItsEdges() {
        let points: TrainingOverlay.Points = [(0, 0), (10, 10), (20, 20), (30, 30), (40, 40)]
        let clipped = TrainingOverlay.clip(points, to: 15...25)
        #expect(clipped.count == 4)
        #expect(clipped[0] == (15, 15))
        #expect(clipped[1] == (20, 20))
        #expect(clipped[2] == (25, 25))
        #expect(clipped[3].x.isNaN, "the line breaks where it leaves the range")
        // A segment jumping over the whole range keeps its part inside.
        let jump = TrainingOverlay.clip([(0, 0), (100, 100)], to: 40...60)
        #expect(jump.count == 3)
        #expect(jump[0] == (40, 40) && jump[1] == (60, 60) && jump[2].x.isNaN)
        // Entirely outside: nothing.
        #expect(TrainingOverlay.clip([(0, 1), (5, 2)], to: 10...20).isEmpty)
        // Non-finite points are skipped, not drawn to.
        #expect(TrainingOverlay.clip([(12, 1), (.nan, 3), (14, 2)], to: 10...20).map(\.x) == [12, 14])
    }

    @Test func stepsMapToEventsByInterpolation() {
        let steps: [(step: Int, events: Double)] = [(10, 1_000), (20, 3_000), (30, 3_500)]
        #expect(TrainingOverlay.events(atStep: 10, steps) == 1_000)
        #expect(TrainingOverlay.events(atStep: 15, steps) == 2_000)
        #expect(TrainingOverlay.events(atStep: 28, steps) == 3_400)
        #expect(TrainingOverlay.events(atStep: 30, steps) == 3_500)
        #expect(TrainingOverlay.events(atStep: 9, steps) == nil)
        #expect(TrainingOverlay.events(atStep: 31, steps) == nil)
    }

    @Test func bothRunsAlignOnEventsIngested() throws {
        let s = Self.snapshot()
        let aligned = try #require(TrainingOverlay.align(loss: s.loss, prequential: s.prequentialHistory, changes: s.changes, overlay: Self.overlay()))
        // The live run spans steps 9,955...12,345 at 100 events per step.
        #expect(aligned.range == 995_500...1_234_500)
        #expect(aligned.loss.first! == (995_500, Double(s.loss.first!.value)))
        // The other run is cut to that range: its point at 1,000,000 events (index 250) is
        // inside, with its own loss; the edges are interpolated.
        let inside = aligned.otherLoss.filter { $0.x.isFinite }
        #expect(inside.first!.x == 995_500)
        #expect(inside.last!.x == 1_234_500)
        #expect(inside.allSatisfy { aligned.range.contains($0.x) })
        let at250 = try #require(inside.first { $0.x == 1_000_000 })
        #expect(abs(at250.y - Double(Self.overlay().points[250].loss!)) < 1e-6)
        // Points without a loss are skipped, not drawn as zero.
        #expect(Self.overlay().points[255].loss == nil)
        #expect(!inside.contains { $0.x == 1_020_000 })
        // HR@10 keeps every point in range.
        #expect(aligned.otherHitRate10.filter { $0.x.isFinite }.count == 60 + 2)
        // Changes land on the events axis: step 10,500 -> 1,050,000 events.
        #expect(aligned.markers.map(\.x) == [1_050_000, 1_120_000, 1_190_000])
        // No live loss yet: nothing to align.
        #expect(TrainingOverlay.align(loss: [], prequential: [], changes: [], overlay: Self.overlay()) == nil)
    }

    // MARK: The compare key and loading

    @Test func compareKeyCyclesThroughRunsThenOff() {
        var state = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        let snapshot = Self.snapshot()
        var (s, commands) = DashboardState.reduce(state, .character("c"), snapshot)
        #expect(commands.isEmpty)
        #expect(s.message?.text.contains("No other run") == true)
        state.overlayChoices = Self.choices
        var seen: [Int64?] = []
        s = state
        for _ in 0..<3 {
            (s, commands) = DashboardState.reduce(s, .character("c"), snapshot)
            seen.append(s.wantedOverlayRun)
        }
        #expect(seen == [3, 5, nil])
        #expect(s.message?.text == "Training: comparison off")
    }

    @Test func syncLoadsTheWantedRunOnceAndReportsFailures() {
        var state = DashboardState()
        state.overlayChoices = Self.choices
        state.overlayChoice = 0
        var loads: [Int64] = []
        let load: (Int64) throws -> RunOverlay = { run in
            loads.append(run)
            if run == 5 { throw WorkspaceLike(message: "no run 5") }
            var o = Self.overlay()
            o.run = run
            return o
        }
        state.syncOverlay(load)
        state.syncOverlay(load)
        #expect(loads == [3])
        #expect(state.overlay?.run == 3)
        state.overlayChoice = 1
        state.syncOverlay(load)
        #expect(state.overlay == nil)
        #expect(state.overlayChoice == nil)
        #expect(state.message?.isError == true)
        #expect(state.message?.text.contains("no run 5") == true)
        state.syncOverlay(load)
        #expect(loads == [3, 5])
    }

    struct WorkspaceLike: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    @Test func startsWithTheRunGivenByCompare() throws {
        let source = RunOverlaySource(choices: Self.choices, initial: 5) { _ in Self.overlay() }
        let state = DashboardApp.initialState(options: DashboardOptions(overlays: source), config: DashboardConfig(), library: ThemeLibrary(directories: []))
        #expect(state.wantedOverlayRun == 5)
    }

    // MARK: Golden screens

    @Test("the Training panel with run 3 overlaid", arguments: GoldenTests.sizes)
    func golden(size: GridSize) {
        var state = FixtureSnapshots.state(focus: .training, size: size)
        state.zoomed = true
        state.overlayChoices = Self.choices
        state.overlayChoice = 0
        state.overlay = Self.overlay()
        let text = GoldenTests.render(Self.snapshot(), state, size: size)
        #expect(text.contains("run 3: ml-100k"))
        #expect(text.contains("ev"))
        assertGolden(text, named: "panel-training-overlay-\(size.width)x\(size.height)")
    }

    @Test func monoThemeDrawsTheOverlayInASCII() throws {
        let mono = try ThemeLibrary(directories: []).theme(named: "mono")
        let size = GridSize(width: 120, height: 40)
        var state = FixtureSnapshots.state(focus: .training, size: size)
        state.zoomed = true
        state.overlay = Self.overlay()
        let grid = Renderer.render(snapshot: Self.snapshot(), state: state, theme: mono, size: size)
        #expect(grid.text().unicodeScalars.allSatisfy { $0.isASCII })
        #expect(grid.text().contains("run 3: ml-100k"))
    }
}
