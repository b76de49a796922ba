import Foundation
import InterestGraph

/// Measures the dashboard's drawing cost without a terminal, for `driftscope bench render`.
///
/// ```swift
/// let r = RenderBench.run(width: 200, height: 60, frames: 600)
/// print(r)   // "render 200x60: 600 frames in 1.23 s = 488 frames/s, 2,140 cells written per frame"
/// let cpu = RenderBench.pausedCPU(seconds: 5)   // fraction of one core while paused
/// ```
public enum RenderBench {
    public struct Result: Sendable, CustomStringConvertible {
        public var width: Int
        public var height: Int
        public var frames: Int
        public var seconds: Double
        /// Average cells the differ wrote per frame (a full frame is width x height).
        public var cellsWrittenPerFrame: Double
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }

        public var description: String {
            "render \(width)x\(height): \(frames) frames in \(Format.fixed(seconds, 2)) s = \(Format.grouped(Int(framesPerSecond))) frames/s (render + diff), \(Format.grouped(Int(cellsWrittenPerFrame))) of \(Format.grouped(width * height)) cells written per frame"
        }
    }

    /// Renders `frames` frames of a busy, changing snapshot at `width` x `height` and diffs
    /// each against the previous one, as the app loop does, into a terminal that discards
    /// output. Release builds only give meaningful numbers.
    public static func run(width: Int = 200, height: Int = 60, frames: Int = 600, themeName: String = "dark") -> Result {
        let library = ThemeLibrary(directories: [])
        let (theme, _) = library.themeOrFallback(named: themeName)
        let size = GridSize(width: width, height: height)
        let snapshots = (0..<32).map(BenchSnapshots.make(frame:))
        var state = DashboardState()
        state.size = size
        state.focus = .recommendations
        state.trackedUser = "u4242"
        state.didInitialSelection = true
        let terminal = NullTerminal(size: size)
        var writer = FrameWriter()
        let clock = ContinuousClock()
        let start = clock.now
        for f in 0..<frames {
            let snapshot = snapshots[f % snapshots.count]
            state = DashboardState.tick(state, snapshot, now: Double(f) / 20).0
            let (grid, regions) = Renderer.renderFrame(snapshot: snapshot, state: state, theme: theme, size: size)
            state.regions = regions
            writer.write(grid, to: terminal)
        }
        let elapsed = DashboardApp.seconds(clock.now - start)
        return Result(width: width, height: height, frames: frames, seconds: elapsed, cellsWrittenPerFrame: Double(writer.cellsWritten) / Double(max(1, frames)))
    }

    /// Runs the real app loop against a paused engine for `seconds` and returns the process
    /// CPU time used per wall-clock second (0.01 = 1% of one core). The terminal waits for
    /// input like `getch` does (by sleeping for the loop's timeout).
    public static func pausedCPU(seconds: Double = 5, width: Int = 200, height: Int = 60) -> Double {
        var snapshot = BenchSnapshots.make(frame: 0)
        snapshot.isPaused = true
        let connection = StaticConnection(snapshot)
        let terminal = NullTerminal(size: GridSize(width: width, height: height), sleeps: true)
        let start = ContinuousClock.now
        var loop = DashboardLoop(
            terminal: terminal, connection: connection, library: ThemeLibrary(directories: []),
            screenshotDirectory: NSTemporaryDirectory(), framesPerSecond: 20,
            now: { DashboardApp.seconds(ContinuousClock.now - start) },
            wallClock: { Date().timeIntervalSince1970 },
            shouldStop: { DashboardApp.seconds(ContinuousClock.now - start) >= seconds }
        )
        var state = DashboardState()
        let cpuBefore = processCPUSeconds()
        loop.run(&state)
        let cpu = processCPUSeconds() - cpuBefore
        let wall = DashboardApp.seconds(ContinuousClock.now - start)
        return wall > 0 ? cpu / wall : 0
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
