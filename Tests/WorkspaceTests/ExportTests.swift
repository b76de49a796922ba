import Foundation
import InterestGraph
import Testing
@testable import Workspace

@Suite("Export: the log back as generic CSV")
struct ExportTests {
    @Test func exportReadsBackIdentically() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        var events = SampleEvents.recorded(0..<5_000)
        // Fields that need RFC 4180 quoting, and awkward numbers.
        events.append(RecordedEvent(position: 5_000, event: Event(
            user: "user, \"quoted\"", item: "line\nbreak", action: .cart, timestamp: 1_700_000_000.123456,
            value: 0.1 + 0.2, attributes: ItemAttributes(categories: ["a,b", "c \"d\""], brand: "ACME, Inc.", price: 1e-7))))
        events.append(RecordedEvent(position: 5_001, event: Event(user: "ü", item: "🙂", action: .review, timestamp: 0.5, value: -3)))
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.record(events: events)
        try recorder.finish(at: 1)

        let out = directory.file("export.csv")
        #expect(try workspace.exportEvents(run: run, to: out) == events.count)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("user,item,timestamp,action,value,category,brand,price\n"))
        let loaded = try DatasetLoader.load(out, options: ReadOptions(strict: true))
        #expect(loaded.report.rejected == 0)
        #expect(loaded.events.count == events.count)
        for (read, logged) in zip(loaded.events, events) {
            #expect(read == logged.event, "position \(logged.position)")
        }
        var info = stat()
        stat(out, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func unwritableOutputIsAnIOError() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let error = #expect(throws: WorkspaceError.self) { try workspace.exportEvents(run: run, to: directory.file("missing/dir/out.csv")) }
        #expect(error?.kind == .io)
    }
}
