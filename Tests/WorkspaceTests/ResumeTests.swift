import Foundation
import InterestGraph
import Testing
@testable import Workspace

/// Resume on the real ml-100k (`driftscope dataset fetch ml-100k`, which `make test` runs).
@Suite("Resume: an interrupted ml-100k replay ends where an uninterrupted one does")
struct ResumeTests {
    static func requireML100K() throws -> LoadedDataset {
        guard DatasetCache().isCached("ml-100k") else {
            throw DatasetError("ml-100k is not in the dataset cache; run `driftscope dataset fetch ml-100k` (make test does) first")
        }
        return try DatasetLoader.load("ml-100k")
    }

    @Test func interruptedReplayResumesToTheSameGraph() throws {
        let data = try Self.requireML100K()
        var uninterrupted = HeteroGraph()
        uninterrupted.load(data.catalogue)
        for event in data.events { uninterrupted.apply(event) }

        let directory = try TemporaryDirectory()
        let path = directory.file("resume.sqlite")
        // First session: ingests 40,000 events but only 37,123 reach the log before it dies
        // (the rest were still queued).
        do {
            let workspace = try Workspace(path: path)
            let run = try workspace.beginRun(source: .replay, name: "ml-100k", seed: nil, codeVersion: "test", hyperparameters: Array("{}".utf8))
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
            var graph = HeteroGraph()
            graph.load(data.catalogue)
            for start in stride(from: 0, to: 40_000, by: 1_000) {
                for k in start..<start + 1_000 { graph.apply(data.events[k]) }
                let logged = min(start + 1_000, 37_123)
                if start < logged {
                    try recorder.record(events: (start..<logged).map { RecordedEvent(position: Int64($0), event: data.events[$0]) })
                }
            }
            try recorder.close()
        }

        // Second session: rebuild the graph from the log, continue the source after it.
        let workspace = try Workspace(path: path)
        let run = try #require(try workspace.lastRun())
        try workspace.resume(run: run.id)
        var graph = HeteroGraph()
        graph.load(data.catalogue)
        var reader = try workspace.events(run: run.id)
        while let recorded = try reader.next() { graph.apply(recorded.event) }
        let next = try workspace.loggedPosition(run: run.id)
        #expect(next == 37_123)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run.id)
        var position = Int(next)
        while position < data.events.count {
            let end = min(position + 2_500, data.events.count)
            for k in position..<end { graph.apply(data.events[k]) }
            try recorder.record(events: (position..<end).map { RecordedEvent(position: Int64($0), event: data.events[$0]) })
            position = end
        }
        try recorder.finish(at: 1)

        #expect(graph.statistics == uninterrupted.statistics)
        #expect(graph.statistics.events == 100_000)
        #expect(try workspace.eventCount(run: run.id) == 100_000)
        // The log is the dataset, in order.
        var check = try workspace.events(run: run.id)
        var k = 0
        var different = 0
        while let recorded = try check.next() {
            if recorded.position != Int64(k) || recorded.event != data.events[k] { different += 1 }
            k += 1
        }
        #expect(k == 100_000)
        #expect(different == 0)
    }
}
