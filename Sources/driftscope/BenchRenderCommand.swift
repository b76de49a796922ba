import ArgumentParser
import Dashboard
import InterestGraph

/// `driftscope bench render`: dashboard frames per second at 200x60 and CPU use while paused.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Dashboard frames/s at 200x60 (render + diff) and CPU use while paused.",
        discussion: """
            Renders --frames frames of a busy, changing engine snapshot at 200x60 and diffs each \
            against the previous one into a terminal that discards output, as the live loop does; \
            then runs the real app loop against a paused engine for --paused-seconds and reports \
            the process CPU time per wall-clock second (percent of one core).

            Example: swift build -c release --product driftscope && .build/release/driftscope bench render --json
            """)

    @Option(help: "Frames to render.")
    var frames = 600

    @Option(help: "Seconds to run the paused loop.")
    var pausedSeconds = 5.0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        guard pausedSeconds > 0 else { throw ValidationError("--paused-seconds must be positive") }
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let render = RenderBench.run(width: 200, height: 60, frames: frames)
        let paused = RenderBench.pausedCPU(seconds: pausedSeconds)
        let result = BenchRenderResult(
            build: Stopwatch.buildConfiguration, width: render.width, height: render.height,
            frames: render.frames, seconds: render.seconds,
            framesPerSecond: render.framesPerSecond,
            cellsWrittenPerFrame: render.cellsWrittenPerFrame,
            pausedCPUPercent: paused * 100)
        if json {
            try Console.printJSON(result)
        } else {
            print(render)
            print("paused: \(Format.fixed(result.pausedCPUPercent, 2))% of one core over \(Format.fixed(pausedSeconds, 1)) s")
        }
    }
}

struct BenchRenderResult: Encodable {
    var build: String
    var width: Int
    var height: Int
    var frames: Int
    var seconds: Double
    var framesPerSecond: Double
    var cellsWrittenPerFrame: Double
    var pausedCPUPercent: Double

    enum CodingKeys: String, CodingKey {
        case build, width, height, frames, seconds
        case framesPerSecond = "frames_per_second"
        case cellsWrittenPerFrame = "cells_written_per_frame"
        case pausedCPUPercent = "paused_cpu_percent"
    }
}
