import Foundation
import InterestGraph

/// The queue between a ``WorkspaceRecorder`` and its background writer thread.
final class RecorderChannel: @unchecked Sendable {
    // @unchecked: every stored var below is read and written only with `condition` locked.
    let condition = NSCondition()
    private var jobs: [RecorderJob] = []
    /// Events queued or being written (the backpressure measure).
    private var queuedEvents = 0
    private var oldestWaiting: ContinuousClock.Instant?
    /// Jobs submitted / jobs whose transaction has committed (or failed).
    private var submitted: UInt64 = 0
    private var written: UInt64 = 0
    /// Commit everything up to this job without waiting for a threshold.
    private var urgentUpTo: UInt64 = 0
    private var closing = false
    private var exited = false
    /// The writer is asleep on `condition`: only then does a submit need to wake it.
    private var writerWaiting = false
    private var failed: WorkspaceError?
    /// Jobs already written, handed back so the producer thread frees them: memory freed
    /// on the thread that allocated it is reused warm by its next slice, instead of fresh
    /// pages that fault in (measured: a quarter of the recorder's cost to the engine thread).
    private var written_: [RecorderJob] = []
    var loggedPosition: Int64

    init(loggedPosition: Int64) {
        self.loggedPosition = loggedPosition
    }

    func failure() -> WorkspaceError? {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }

    func fail(_ error: WorkspaceError) {
        condition.lock()
        if failed == nil { failed = error }
        condition.unlock()
    }

    func setLogged(_ position: Int64) {
        condition.lock()
        loggedPosition = position
        condition.unlock()
    }

    // MARK: Producer side

    func submit(_ job: RecorderJob, urgent: Bool, policy: RecorderPolicy) throws {
        let n = job.eventCount
        var done: [RecorderJob] = []
        condition.lock()
        defer {
            condition.unlock()
            // `done` is released here, on the producer thread, outside the lock.
            done.removeAll()
        }
        swap(&done, &written_)
        while failed == nil, queuedEvents > 0, queuedEvents + n > policy.maxQueuedEvents {
            condition.wait()
        }
        if let failed { throw failed }
        jobs.append(job)
        queuedEvents += n
        submitted += 1
        if oldestWaiting == nil { oldestWaiting = .now }
        if urgent { urgentUpTo = submitted }
        // Wake the writer only when it must commit now. It never sleeps longer than
        // `flushDelay`, so the deadline of a first job needs no wake-up: at full speed that
        // saves a futex wake and two context switches per slice on the engine thread.
        if writerWaiting, urgent || queuedEvents >= policy.flushEvents { condition.broadcast() }
    }

    /// Asks for everything submitted so far to be committed and waits for it.
    func flush() throws -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        let target = submitted
        urgentUpTo = max(urgentUpTo, target)
        condition.broadcast()
        while failed == nil, written < target, !exited {
            condition.wait()
        }
        if let failed { throw failed }
        return loggedPosition
    }

    /// Commits what is queued and waits for the writer thread to end.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
    }

    // MARK: Writer side

    static func writerLoop(channel: RecorderChannel, sink initial: consuming RecorderSink) {
        // Optional so that this thread's reference to the connection is dropped before the
        // loop says it has exited: the recorder's owner then holds the last one, and a
        // process that exits right after `finish` has closed the database (SQLite folds
        // the -wal file back into the workspace and removes -wal and -shm).
        var held: RecorderSink? = consume initial
        let policy = held!.policy
        let c = channel.condition
        c.lock()
        outer: while true {
            // Wait until there is something to commit and a reason to commit it now.
            while true {
                if channel.failed != nil { break outer }
                if channel.jobs.isEmpty {
                    if channel.closing { break outer }
                    // Idle: sleep at most one flush delay, so a job arriving meanwhile is
                    // committed within its deadline without waking this thread.
                    channel.writerWaiting = true
                    _ = c.wait(until: Date(timeIntervalSinceNow: max(policy.flushDelay, 0.001)))
                    channel.writerWaiting = false
                    continue
                }
                if channel.closing || channel.urgentUpTo > channel.written || channel.queuedEvents >= policy.flushEvents { break }
                let waited = ContinuousClock.now - (channel.oldestWaiting ?? .now)
                let remaining = policy.flushDelay - Self.seconds(waited)
                if remaining <= 0 { break }
                channel.writerWaiting = true
                _ = c.wait(until: Date(timeIntervalSinceNow: remaining))
                channel.writerWaiting = false
            }
            let jobs = channel.jobs
            let upTo = channel.submitted
            let events = jobs.reduce(0) { $0 + $1.eventCount }
            channel.jobs = []
            channel.oldestWaiting = nil
            c.unlock()

            var failure: WorkspaceError?
            var sink = held!
            held = nil
            do {
                try sink.write(jobs)
            } catch {
                failure = (error as? WorkspaceError) ?? WorkspaceError(.io, "\(sink.path): \(error)")
            }
            let logged = sink.loggedPosition
            held = sink

            c.lock()
            channel.written_.append(contentsOf: jobs)
            if let failure, channel.failed == nil { channel.failed = failure }
            channel.loggedPosition = logged
            channel.written = upTo
            channel.queuedEvents -= events
            c.broadcast()
        }
        held = nil
        channel.exited = true
        c.broadcast()
        c.unlock()
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
