public import InterestGraph
import Foundation

/// Records a running engine into a ``Workspace``: the ``RunRecorder`` the engine is given.
///
/// Events are batched: each `record(events:)` call (one engine slice) is queued, and the
/// queue is committed in one transaction once ``RecorderPolicy/flushEvents`` events wait
/// or the oldest has waited ``RecorderPolicy/flushDelay`` seconds; a change, a checkpoint,
/// `flush()`, `close()` and `finish(at:)` commit at once. With the default
/// ``RecorderPolicy/Writer/background`` writer the SQLite work runs on a dedicated thread.
///
/// ## Durability
///
/// ``loggedPosition`` is the position after the last *committed* event. After a `kill -9`
/// (or a power cut: commits are synced) the log holds exactly the events below the last
/// `loggedPosition` value this process observed, or more; the events that can be lost are
/// those recorded but not yet committed: at most the last ``RecorderPolicy/flushDelay``
/// seconds or ``RecorderPolicy/flushEvents`` events, plus what was being written, and never
/// more than ``RecorderPolicy/maxQueuedEvents``. An engine that counts an event as ingested
/// only once `loggedPosition` has passed it therefore never reports an event that a crash
/// could take back; on resume the source skips `loggedPosition` events and the rest are
/// read again, so nothing is lost or logged twice.
///
/// Positions must increase; an event at or below a position already recorded is ignored,
/// which is what makes recording a resumed run idempotent.
///
/// Methods are called from one thread (the engine's); ``loggedPosition`` may be read from
/// any thread. A thrown error stops recording: every later call throws it again.
public final class WorkspaceRecorder: RunRecorder {
    public let run: Int64
    public let policy: RecorderPolicy
    let workspace: Workspace
    private let channel: RecorderChannel
    /// Inline mode only: the sink and the jobs waiting for it.
    private var inlineSink: RecorderSink?
    private var inlinePending: [RecorderJob] = []
    private var inlinePendingEvents = 0
    private var inlineOldest: ContinuousClock.Instant?
    /// One past the highest position accepted so far (cheap duplicate filter).
    private var acceptedPosition: Int64
    private var writerThread: Thread?
    private var isClosed = false

    /// Records into `run`, continuing after what its log already holds.
    /// - Throws: ``WorkspaceError`` `.notFound` when there is no such run.
    /// - Parameter ledger: a source whose events have ids of their own (a stream): each
    ///   event's id is logged with it, and the source is told what is durably logged.
    public init(workspace: Workspace, run: Int64, policy: RecorderPolicy = .default, ledger: (any SourcePositionLedger)? = nil) throws {
        self.workspace = workspace
        self.run = run
        self.policy = policy
        let sink = try RecorderSink(database: workspace.database, path: workspace.path, run: run, policy: policy, ledger: ledger)
        acceptedPosition = sink.loggedPosition
        channel = RecorderChannel(loggedPosition: sink.loggedPosition)
        switch policy.writer {
        case .inline:
            inlineSink = sink
        case .background:
            let channel = self.channel
            // The sink (and with it the database connection) goes to the thread through a box
            // the thread empties: a finished `Thread` may keep its closure alive, and a
            // connection that is never closed leaves the -wal and -shm files behind after
            // the process exits, which a reader without write access to the directory needs
            // the owner's permission to read (docs/WORKSPACE.md, "Read-only access").
            let box = SinkBox(sink)
            let thread = Thread { RecorderChannel.writerLoop(channel: channel, sink: box.take()) }
            thread.name = "driftscope.workspace.writer"
            thread.start()
            writerThread = thread
        }
    }

    deinit {
        try? close()
    }

    /// The position after the last committed event: every event below it is in the file.
    /// Safe to read from any thread.
    public var loggedPosition: Int64 {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        return channel.loggedPosition
    }

    // MARK: RunRecorder

    /// Queues one slice of events given as `Event` values (tools and tests; the engine hands
    /// over ``InternedSlice``s).
    /// - Complexity: O(1) per slice when positions follow on from the last slice (the usual
    ///   case), O(slice) otherwise; may block when the writer is ``RecorderPolicy/maxQueuedEvents``
    ///   behind.
    public func record(events: [RecordedEvent]) throws {
        guard let first = events.first, let last = events.last else { return }
        var slice = events
        if first.position < acceptedPosition || last.position - first.position < Int64(events.count - 1) || !Self.isIncreasing(events) {
            slice = Self.increasing(events, from: acceptedPosition)
            guard let kept = slice.last else { return }
            acceptedPosition = kept.position + 1
        } else {
            acceptedPosition = last.position + 1
        }
        try submit(.events(slice), urgent: false)
    }

    /// Queues one engine slice of interned events: the engine's path, a locked append on
    /// the calling thread. Names and attributes are resolved, positions filtered and the
    /// blobs encoded on the writer thread, in the same format as ``record(events:)``.
    /// - Complexity: O(1) (may block when the writer is ``RecorderPolicy/maxQueuedEvents``
    ///   behind).
    public func record(slice: InternedSlice) throws {
        let hasNames = !slice.newUsers.isEmpty || !slice.newItems.isEmpty || !slice.forgottenUsers.isEmpty
        if let last = slice.events.last, last.position >= acceptedPosition {
            acceptedPosition = last.position + 1
        } else if !hasNames {
            return
        }
        try submit(.interned(slice), urgent: false)
    }

    /// Queues a change and commits it with everything before it at once.
    public func record(change: ChangeRecord) throws {
        try submit(.change(change), urgent: true)
    }

    /// Queues a metrics point; it is committed with the next batch.
    public func record(metrics: RunMetricsPoint) throws {
        try submit(.metrics(metrics), urgent: false)
    }

    /// Queues a checkpoint, committed in its own transaction after every event recorded
    /// before it (so a stored checkpoint never covers events missing from the log). Returns
    /// without waiting; call ``flush()`` to wait.
    public func save(checkpoint: ModelCheckpoint) throws {
        try submit(.checkpoint(checkpoint, time: Date().timeIntervalSince1970), urgent: true)
    }

    /// Queues the source's item catalogue, committed at once in its own transaction (it
    /// replaces one stored before: a resumed run delivers its catalogue again).
    public func record(catalogue: ItemCatalogue) throws {
        try submit(.catalogue(catalogue), urgent: true)
    }

    /// Commits everything, marks the run finished and stops the writer.
    public func finish(at wallTime: Double) throws {
        try submit(.finish(wallTime), urgent: true)
        try close()
    }

    // MARK: Control

    /// Commits everything recorded so far and waits for it; returns ``loggedPosition``.
    @discardableResult
    public func flush() throws -> Int64 {
        if let failure = channel.failure() { throw failure }
        if inlineSink != nil {
            try drainInline()
            return loggedPosition
        }
        return try channel.flush()
    }

    /// Commits everything and stops the writer without marking the run finished (the run
    /// stays resumable). Later calls throw.
    public func close() throws {
        guard !isClosed else { return }
        defer { isClosed = true }
        if inlineSink != nil {
            try drainInline()
            return
        }
        channel.close()
        if let failure = channel.failure() { throw failure }
    }

    /// Commits what is queued, then removes `user` from the workspace file
    /// (``Workspace/forget(user:)``).
    @discardableResult
    public func forget(user: String) throws -> ForgetReport {
        try flush()
        return try workspace.forget(user: user)
    }

    // MARK: Queueing

    private func submit(_ job: RecorderJob, urgent: Bool) throws {
        guard !isClosed else { throw WorkspaceError(.invalid, "\(workspace.path): the recorder of run \(run) is closed") }
        if inlineSink != nil {
            if let failure = channel.failure() { throw failure }
            inlinePending.append(job)
            inlinePendingEvents += job.eventCount
            if inlineOldest == nil { inlineOldest = .now }
            if urgent || inlinePendingEvents >= policy.flushEvents || ContinuousClock.now - inlineOldest! >= .seconds(policy.flushDelay) {
                try drainInline()
            }
            return
        }
        try channel.submit(job, urgent: urgent, policy: policy)
    }

    private func drainInline() throws {
        guard var sink = inlineSink, !inlinePending.isEmpty else { return }
        let jobs = inlinePending
        inlinePending.removeAll(keepingCapacity: true)
        inlinePendingEvents = 0
        inlineOldest = nil
        do {
            try sink.write(jobs)
        } catch {
            let failure = (error as? WorkspaceError) ?? WorkspaceError(.io, "\(workspace.path): \(error)")
            channel.fail(failure)
            throw failure
        }
        inlineSink = sink
        channel.setLogged(sink.loggedPosition)
    }

    // MARK: Position filtering

    static func isIncreasing(_ events: [RecordedEvent]) -> Bool {
        var previous = Int64.min
        for e in events {
            if e.position <= previous { return false }
            previous = e.position
        }
        return true
    }

    /// The events whose position exceeds every earlier one, starting at `from`.
    static func increasing(_ events: [RecordedEvent], from: Int64) -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        out.reserveCapacity(events.count)
        var next = from
        for e in events where e.position >= next {
            out.append(e)
            next = e.position + 1
        }
        return out
    }
}

/// Hands a ``RecorderSink`` to the writer thread exactly once.
private final class SinkBox: @unchecked Sendable {
    // @unchecked: `sink` is written by `init` and taken once by the writer thread, which
    // starts after `init` returns (Thread.start is a happens-before edge).
    private var sink: RecorderSink?

    init(_ sink: RecorderSink) { self.sink = sink }

    func take() -> RecorderSink {
        defer { sink = nil }
        return sink!
    }
}
