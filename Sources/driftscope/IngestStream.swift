import Foundation
import InterestGraph
import RedisStream
import Synchronization
import Workspace

/// `driftscope ingest redis://...`: without a workspace, what the stream holds now (read with
/// XRANGE, leaving consumer groups alone); with `--workspace`, the stream consumed through
/// its consumer group and logged as a run, exactly once across crashes (`--resume`).
enum IngestStream {
    /// Prints the summary of the stream's entries as they are now.
    static func snapshot(_ text: String, dataset: DatasetOptions, json: Bool) throws {
        let url = try StreamSources.url(text)
        let result: StreamSnapshot.Result
        do {
            result = try StreamSnapshot.load(url, strict: dataset.strict, columnMap: try dataset.columnMap())
        } catch let rejection as StreamRejection {
            throw CommandError("\(rejection) (--strict stops at the first malformed entry)")
        } catch {
            throw CommandError("cannot read \(url.streamAddress): \(error)")
        }
        var graph = HeteroGraph()
        graph.load(result.dataset.catalogue)
        for event in result.dataset.events { graph.apply(event) }
        var report = result.dataset.report
        report.notes.append("\(url.streamAddress): \(result.partitions) partition\(result.partitions == 1 ? "" : "s") read with XRANGE (consumer groups untouched)")
        let summary = IngestSummary(name: url.streamAddress, statistics: graph.statistics, report: report, exampleLines: result.examples.map(\.description))
        if json { try Console.printJSON(summary) } else { print(summary.text) }
    }

    /// Consumes the stream through its group into a workspace run, until every partition has
    /// been read to its end (or, with `follow`, until SIGINT/SIGTERM). An entry is
    /// acknowledged only once it is committed to the log; `resume` continues the workspace's
    /// last stream run, skipping entries Redis delivers again that the log already holds.
    static func record(_ text: String, workspace path: String, resume: Bool, follow: Bool, dataset: DatasetOptions, json: Bool) throws {
        let workspace = try Workspace(path: path)
        let run: Int64
        var source = text
        if resume {
            guard let last = try workspace.lastRun(), last.sourceKind == .stream else {
                throw CommandError("\(path): no stream run to resume; start one with driftscope ingest redis://... --workspace \(path)")
            }
            guard last.source == text else {
                throw CommandError("\(path): the last run reads \(last.source), not \(text)")
            }
            run = last.id
            source = last.source
            try workspace.resume(run: run)
        } else {
            let settings = [UInt8](try JSONEncoder().encode(Hyperparameters()))
            run = try workspace.beginRun(source: .stream, name: text, seed: nil, codeVersion: Driftscope.configuration.version, hyperparameters: settings)
        }
        let url = try StreamSources.url(source)
        let logged = try workspace.loggedPosition(run: run)
        var options = StreamReaderOptions()
        options.acknowledge = .whenLogged
        options.drain = !follow
        options.strict = dataset.strict
        options.columnMap = try dataset.columnMap()
        if resume { options.alreadyLogged = try workspace.sourceIDs(run: run, from: max(0, logged - Int64(StreamReaderOptions.resumeWindow))) }
        let feed: StreamFeed
        do { feed = try StreamFeed.open(url: url, options: options) } catch { throw CommandError("cannot read \(url.streamAddress): \(error)") }
        defer { feed.stop() }
        let recorder = try WorkspaceRecorder(workspace: Workspace(path: path, create: false), run: run, ledger: feed)
        var stream = RedisEventSource(feed: feed)
        stream.skipLogged(logged)

        // The graph covers the whole run: what the log holds, then what arrives.
        var graph = HeteroGraph()
        var reader = try workspace.events(run: run, from: 0)
        var keys = SourceKeyMap()
        try reader.forEachPage(before: .max) { page, names in
            for k in 0..<page.count { graph.apply(logged: page, at: k, names: names, keys: &keys) }
        }

        StopRequest.install()
        var pending: [RecordedEvent] = []
        pending.reserveCapacity(1_024)
        var added = 0
        while true {
            if let event = stream.next() {
                pending.append(RecordedEvent(position: Int64(stream.position - 1), event: event))
                graph.apply(event)
                added += 1
                if pending.count >= 1_024 {
                    try recorder.record(events: pending)
                    pending.removeAll(keepingCapacity: true)
                }
                continue
            }
            if !pending.isEmpty {
                try recorder.record(events: pending)
                pending.removeAll(keepingCapacity: true)
            }
            if let failure = feed.failure {
                try recorder.close()
                throw CommandError("\(failure) (--strict stops at the first malformed entry; it stays pending in the group)")
            }
            if feed.isExhausted || StopRequest.requested { break }
            Thread.sleep(forTimeInterval: 0.002)
        }
        try recorder.finish(at: Date().timeIntervalSince1970)
        feed.waitForAcknowledgements(timeout: 5)
        let streamReport = feed.report
        var report = ReadReport()
        report.accepted = try workspace.eventCount(run: run)
        report.rejectedByReason = streamReport.rejectedByReason
        report.notes.append("run \(run) in \(path): \(Format.count(added)) events logged now, \(Format.count(report.accepted)) in all; entries acknowledged once logged")
        let summary = IngestSummary(name: url.streamAddress, statistics: graph.statistics, report: report, exampleLines: streamReport.examples.map(\.description))
        if json { try Console.printJSON(summary) } else { print(summary.text) }
    }
}

/// SIGINT/SIGTERM as a request to stop following a stream (after logging what was read).
private enum StopRequest {
    private static let flag = Atomic<Bool>(false)

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in StopRequest.flag.store(true, ordering: .relaxed) }
        }
    }

    static var requested: Bool { flag.load(ordering: .relaxed) }
}
