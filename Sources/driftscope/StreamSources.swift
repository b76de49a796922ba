import Foundation
import InterestGraph
import RedisStream
import Synchronization
import Workspace

/// `--source redis://...` for every command that runs the engine: the stream as an engine
/// source, acknowledged on delivery without a workspace (at-least-once) or once logged with
/// one (exactly-once effect), and resumed from a workspace run.
enum StreamSources {
    /// True when a `--source` value (or a dataset argument) names a stream.
    static func isStream(_ text: String) -> Bool { StreamURL.isStreamURL(text) }

    /// What a `--source` value names, for every command that runs the engine (dashboard,
    /// serve): `sim` (the simulator on `scenario`), a stream URL (acknowledged on delivery;
    /// ``WorkspaceRecording`` switches a recorded run to acknowledging once logged), or a
    /// dataset path or name.
    static func engineSource(_ source: String, scenario: String?, seed: UInt64?) throws -> SourceSpecification {
        if source == "sim" { return .scenario(path: scenario, seed: seed) }
        if isStream(source) { return try specification(source, acknowledge: .onDelivery) }
        return .dataset(source)
    }

    /// The URL, or a ``CommandError`` that shows the expected form.
    static func url(_ text: String) throws -> StreamURL {
        do { return try StreamURL(parsing: text) } catch { throw CommandError("\(error)") }
    }

    /// The engine source for a stream URL. The feed (connection and reader thread) is opened
    /// by `Engine.init`, which fails with the server's reason when it cannot connect; `slot`
    /// then holds it, for the recorder (as its ledger) and for `stop()`.
    static func specification(_ text: String, acknowledge: StreamReaderOptions.Acknowledge, alreadyLogged: Set<String> = [], slot: FeedSlot = FeedSlot()) throws -> SourceSpecification {
        let url = try url(text)
        var options = StreamReaderOptions()
        options.acknowledge = acknowledge
        options.alreadyLogged = alreadyLogged
        let settings = options
        return .custom(name: text) {
            let feed: StreamFeed
            do { feed = try StreamFeed.open(url: url, options: settings) } catch { throw CommandError("cannot read \(url.streamAddress): \(error)") }
            slot.set(feed)
            return AnyEventSource(RedisEventSource(feed: feed))
        }
    }

    /// A recorded stream run's source, for `--resume`: positions continue after the log, and
    /// the entries Redis delivers again that the log already holds (logged, not yet
    /// acknowledged when the process died) are skipped. They are among the last
    /// ``StreamReaderOptions/resumeWindow`` logged, since no more are ever unacknowledged.
    static func resumed(_ text: String, workspace: Workspace, run: Int64, slot: FeedSlot) throws -> SourceSpecification {
        let logged = try workspace.loggedPosition(run: run)
        let ids = try workspace.sourceIDs(run: run, from: max(0, logged - Int64(StreamReaderOptions.resumeWindow)))
        return try specification(text, acknowledge: .whenLogged, alreadyLogged: ids, slot: slot)
    }
}

/// Holds a stream feed once the engine has opened it: the recorder's ledger (forwarding to
/// the feed) and the handle that stops the reader.
final class FeedSlot: SourcePositionLedger {
    private let feed = Mutex<StreamFeed?>(nil)

    func set(_ feed: StreamFeed) { self.feed.withLock { $0 = feed } }

    var current: StreamFeed? { feed.withLock { $0 } }

    func sourceIDs(in range: Range<Int64>) -> [(position: Int64, id: String)] {
        current?.sourceIDs(in: range) ?? []
    }

    func logged(below position: Int64) { current?.logged(below: position) }
}
