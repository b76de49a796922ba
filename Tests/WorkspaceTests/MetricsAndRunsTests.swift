import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

@Suite("Runs, hyperparameter changes and the metrics timeline")
struct MetricsAndRunsTests {
    static func point(_ step: Int, loss: Float? = 1, hr: Double = 0.1, mrr: Double = 0.05, events: Int = 0) -> RunMetricsPoint {
        RunMetricsPoint(step: step, wallTime: 1_000 + Double(step), clock: 5_000 + Double(step), loss: loss, hitRate10: hr, mrr: mrr, eventsPerSecond: 1_000, events: events)
    }

    @Test(arguments: [RecorderPolicy.Writer.background, .inline])
    func metricsAreThinnedToTheBound(_ writer: RecorderPolicy.Writer) throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: writer, flushEvents: 7, metricsKept: 100))
        for step in 0..<5_000 {
            try recorder.record(metrics: Self.point(step))
            if step % 37 == 0 { try recorder.flush() }
        }
        try recorder.flush()
        let points = try workspace.metrics(run: run)
        #expect(points.count <= 100)
        #expect(points.count >= 50)
        #expect(points.first?.step == 0)
        #expect(points.last?.step == 4_999)
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.step < $1.step })
        // Older points are sparser than recent ones.
        let gaps = zip(points, points.dropFirst()).map { $1.step - $0.step }
        let firstGap = try #require(gaps.first)
        let lastGap = try #require(gaps.last)
        #expect(firstGap >= lastGap)
    }

    @Test func runLifecycle() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        #expect(try workspace.lastRun() == nil)
        let first = try workspace.beginRun(source: .simulation, name: "scenarios/default.toml", seed: UInt64.max, codeVersion: "0.1.0", hyperparameters: Array("{}".utf8), at: 10)
        let second = try TestFiles.beginRun(workspace)
        #expect(try workspace.lastRun()?.id == second)
        let record = try #require(try workspace.run(first))
        #expect(record.sourceKind == .simulation)
        #expect(record.source == "scenarios/default.toml")
        #expect(record.seed == UInt64.max)
        #expect(record.startedAt == 10)
        #expect(record.status == .running)

        let recorder = try WorkspaceRecorder(workspace: workspace, run: first)
        try recorder.finish(at: 20)
        #expect(try workspace.run(first)?.status == .finished)
        try workspace.resume(run: first, at: 30)
        let resumed = try #require(try workspace.run(first))
        #expect(resumed.status == .running)
        #expect(resumed.endedAt == nil)
        #expect(resumed.updatedAt == 30)
        #expect(throws: WorkspaceError.self) { try workspace.resume(run: 999) }

        try workspace.deleteRun(second)
        #expect(try workspace.run(second) == nil)
    }

    @Test func compareShowsSettingsChangesAndFinalMetrics() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let a = try TestFiles.beginRun(workspace, hyperparameters: #"{"learning_rate":0.01,"dim":64,"model":{"layers":2,"kind":"lightgcn"},"l2":0.0001}"#)
        let b = try TestFiles.beginRun(workspace, hyperparameters: #"{"learning_rate":0.02,"dim":64,"model":{"layers":3,"kind":"lightgcn"},"negatives":4}"#)
        let ra = try WorkspaceRecorder(workspace: workspace, run: a)
        let rb = try WorkspaceRecorder(workspace: workspace, run: b)
        try ra.record(events: SampleEvents.recorded(0..<1_000))
        try rb.record(events: SampleEvents.recorded(0..<600))
        try ra.record(change: ChangeRecord(step: 100, time: 1_100, key: "learning_rate", oldValue: 0.01, newValue: 0.005, origin: .user, note: ""))
        try rb.record(change: ChangeRecord(step: 50, time: 1_050, key: "learning_rate", oldValue: 0.02, newValue: 0.01, origin: .divergenceGuard, note: "loss was NaN: rolled back to step 40, learning rate halved"))
        try ra.record(metrics: Self.point(10, loss: 0.9, hr: 0.10, mrr: 0.04, events: 500))
        try ra.record(metrics: Self.point(20, loss: 0.5, hr: 0.20, mrr: 0.08, events: 1_000))
        // The source ran out: the last point has no rate, the summary keeps the last measured one.
        var idle = Self.point(20, loss: 0.5, hr: 0.20, mrr: 0.08, events: 1_000)
        idle.eventsPerSecond = 0
        try ra.record(metrics: idle)
        try rb.record(metrics: Self.point(20, loss: 0.7, hr: 0.15, mrr: 0.06, events: 600))
        try ra.finish(at: 2_000)
        try rb.finish(at: 2_000)

        let comparison = try workspace.compare(a, b)
        let differences = Dictionary(uniqueKeysWithValues: comparison.differences.map { ($0.key, $0) })
        #expect(Set(differences.keys) == ["learning_rate", "model.layers", "l2", "negatives"])
        #expect(differences["learning_rate"]?.left == "0.01")
        #expect(differences["learning_rate"]?.right == "0.02")
        #expect(differences["model.layers"]?.left == "2")
        #expect(differences["model.layers"]?.right == "3")
        #expect(differences["l2"]?.right == nil)
        #expect(differences["negatives"]?.left == nil)
        #expect(comparison.settings.contains { $0.key == "model.kind" && !$0.differs })
        #expect(comparison.left.changes.map(\.newValue) == [0.005])
        #expect(comparison.right.changes.first?.origin == .divergenceGuard)
        #expect(comparison.right.changes.first?.note.contains("NaN") == true)
        #expect(comparison.left.summary.final?.hitRate10 == 0.20)
        #expect(comparison.right.summary.final?.hitRate10 == 0.15)
        #expect(comparison.left.summary.loggedEvents == 1_000)
        #expect(comparison.right.summary.loggedEvents == 600)
        let metrics = try #require(comparison.left.metrics)
        #expect(metrics.points == 3)
        #expect(metrics.firstLoss == 0.9)
        #expect(metrics.lastLoss == 0.5)
        #expect(metrics.minimumLoss == 0.5)
        #expect(metrics.bestMRR == 0.08)

        let list = try workspace.runs()
        #expect(list.map(\.run.id) == [a, b])
        #expect(list.map(\.final?.step) == [20, 20])
        #expect(list.map(\.final?.eventsPerSecond) == [1_000, 1_000])
        #expect(list.map(\.loggedPosition) == [1_000, 600])
        #expect(throws: WorkspaceError.self) { try workspace.compare(a, 77) }
    }

    @Test func flattenHandlesNonObjectsAndGarbage() {
        #expect(HyperparameterJSON.flatten(Array("[1,2]".utf8)) == ["": "[1,2]"])
        #expect(HyperparameterJSON.flatten(Array("not json".utf8)) == ["(raw)": "not json"])
        #expect(HyperparameterJSON.flatten(Array(#"{"a":true,"b":null,"c":"x","d":1.5}"#.utf8)) == ["a": "true", "b": "null", "c": "\"x\"", "d": "1.5"])
    }

    @Test func bookmarks() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let id = try workspace.addBookmark(user: "u42", note: "drifts from comedy to horror", run: run, at: 5)
        try workspace.addBookmark(user: "u7", note: "cold start")
        #expect(try workspace.bookmarks().map(\.user) == ["u42", "u7"])
        #expect(try workspace.bookmarks().first?.run == run)
        try workspace.removeBookmark(id)
        #expect(try workspace.bookmarks().map(\.user) == ["u7"])
        #expect(throws: WorkspaceError.self) { try workspace.removeBookmark(id) }
    }
}
