import ArgumentParser
import Foundation
import InterestGraph
import Workspace

extension WorkspaceCommand {
    /// `driftscope workspace crash-test`: records a known event stream until killed, so a
    /// test can `kill -9` it and check what the file holds. Hidden: a test fixture.
    struct CrashTest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "crash-test",
            abstract: "Record a deterministic event stream, printing each committed position (for the crash-safety test).",
            discussion: """
                Prints "run ID" first, then "committed N" whenever the recorder's logged position \
                advances: every event below N is committed. Event k is CrashTestEvents.event(k): \
                user u(k mod 1009), item i(k mod 4999), action k mod 6, timestamp 1.7e9 + k. A \
                metrics point is recorded per slice and a checkpoint every 50 slices.
                """,
            shouldDisplay: false)

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "Events to record before finishing.")
        var events = 1_000_000

        @Option(help: "Events per record(events:) call.")
        var slice = 1_000

        func run() throws {
            let workspace = try Workspace(path: self.workspace.resolvedPath)
            let run = try workspace.beginRun(source: .simulation, name: "crash-test", seed: 0, codeVersion: "crash-test", hyperparameters: Array("{}".utf8))
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
            Self.emit("run \(run)")
            var reported: Int64 = -1
            var position: Int64 = 0
            var slices = 0
            while position < Int64(events) {
                let end = min(position + Int64(slice), Int64(events))
                try recorder.record(events: (position..<end).map { RecordedEvent(position: $0, event: CrashTestEvents.event($0)) })
                position = end
                slices += 1
                try recorder.record(metrics: RunMetricsPoint(step: slices, wallTime: Date().timeIntervalSince1970, clock: 1.7e9 + Double(end), loss: 1 / Float(slices), hitRate10: 0, mrr: 0, eventsPerSecond: 0, events: Int(end)))
                if slices % 50 == 0 {
                    try recorder.save(checkpoint: ModelCheckpoint(
                        step: slices, graphClock: 1.7e9 + Double(end), sourcePosition: end, hyperparameters: Array("{}".utf8),
                        tables: ["user": [Float](repeating: Float(slices), count: 1009 * 8)], userIDs: (0..<1009).map { "u\($0)" }, itemIDs: []))
                }
                let logged = recorder.loggedPosition
                if logged != reported {
                    reported = logged
                    Self.emit("committed \(logged)")
                }
            }
            try recorder.finish(at: Date().timeIntervalSince1970)
            Self.emit("committed \(recorder.loggedPosition)")
            Self.emit("done")
        }

        /// One line, written straight to the file descriptor so a kill loses no output.
        static func emit(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}

/// The crash test's event stream; the test recomputes it to check every logged event.
enum CrashTestEvents {
    static func event(_ k: Int64) -> Event {
        let action = Action.allCases[Int(k % 6)]
        return Event(
            user: "u\(k % 1009)", item: "i\(k % 4999)", action: action, timestamp: 1_700_000_000 + Double(k),
            value: action == .rating ? Double(k % 5 + 1) : nil)
    }
}
