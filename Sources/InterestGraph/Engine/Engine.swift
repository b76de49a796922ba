import Foundation
import Synchronization

/// The running system: owns the graph, the model and the event source on a dedicated
/// thread; takes ``EngineCommand``s and publishes immutable ``EngineSnapshot``s.
///
/// The engine thread is a plain `Thread`, not a task in Swift concurrency's cooperative pool:
/// it is CPU-bound (ingest and training) and must never starve other work. Snapshots are
/// published under a `Mutex` at most every ``EngineConfiguration/publishInterval`` (and at once
/// after a command), so a 20 fps reader only ever copies a finished value and never waits
/// for a training batch.
///
/// ```swift
/// let engine = try Engine(configuration: .init(), source: .scenario(path: nil, seed: nil))
/// engine.start()
/// engine.send(.selectUser("u42"))
/// let snapshot = engine.snapshot()
/// engine.stop()
/// ```
public final class Engine: EngineConnection {
    private let published = Mutex(EngineSnapshot())
    /// Called after every publish (`driftscope serve` wakes its network thread with it).
    private let observers = Mutex<[@Sendable () -> Void]>([])
    private let inbox = Mutex<[EngineCommand]>([])
    private let wake = NSCondition()
    private let done = DispatchSemaphore(value: 0)
    private let state = Mutex(RunState.idle)
    let configuration: EngineConfiguration
    private let source: AnyEventSource

    private enum RunState { case idle, running, stopped }

    /// Creates an engine; nothing runs until ``start()``. Throws when the source cannot be
    /// opened (a bad scenario file, an unreadable dataset), before any thread exists.
    public init(configuration: EngineConfiguration, source: SourceSpecification) throws {
        self.configuration = configuration
        self.source = try source.open()
        published.withLock { $0.source = self.source.status(speed: configuration.speed, isFinished: false) }
    }

    /// Starts the engine thread. Calling it twice does nothing.
    public func start() {
        let shouldStart = state.withLock { s -> Bool in
            guard s == .idle else { return false }
            s = .running
            return true
        }
        guard shouldStart else { return }
        let configuration = self.configuration
        let source = self.source
        let thread = Thread { [self] in
            self.run(configuration: configuration, source: source)
            self.done.signal()
        }
        thread.name = "driftscope.engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Stops the engine thread and waits for it to finish its current slice.
    public func stop() {
        let wasRunning = state.withLock { s -> Bool in
            defer { s = .stopped }
            return s == .running
        }
        guard wasRunning else { return }
        send(.shutdown)
        done.wait()
    }

    deinit {
        if state.withLock({ $0 }) == .running {
            inbox.withLock { $0.append(.shutdown) }
            wake.lock(); wake.signal(); wake.unlock()
        }
    }

    // MARK: EngineConnection

    public func snapshot() -> EngineSnapshot {
        published.withLock { $0 }
    }

    public func whenPublished(_ observer: @escaping @Sendable () -> Void) -> Bool {
        observers.withLock { $0.append(observer) }
        return true
    }

    public func send(_ command: EngineCommand) {
        inbox.withLock { $0.append(command) }
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    /// Waits (polling the published snapshots) until `condition` holds or `timeout` passes;
    /// returns the last snapshot seen. For scripts and tests.
    @discardableResult
    public func waitForSnapshot(timeout: Double, _ condition: (EngineSnapshot) -> Bool) -> EngineSnapshot? {
        let deadline = MonotonicClock.seconds() + timeout
        while MonotonicClock.seconds() < deadline {
            let s = snapshot()
            if condition(s) { return s }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let s = snapshot()
        return condition(s) ? s : nil
    }

    // MARK: The engine thread

    private func run(configuration: EngineConfiguration, source: AnyEventSource) {
        var lastPublish = 0.0
        var sequence: UInt64 = 0
        func publish(_ snapshot: EngineSnapshot) {
            var snapshot = snapshot
            sequence &+= 1
            snapshot.sequence = sequence
            published.withLock { $0 = snapshot }
            for observer in observers.withLock({ $0 }) { observer() }
        }
        // A resumed run replays its log before anything else: say how far it is.
        var core = EngineCore(configuration: configuration, source: source) { replayed, logged in
            let now = MonotonicClock.seconds()
            guard now - lastPublish >= configuration.publishInterval * 4 else { return }
            lastPublish = now
            var snapshot = self.snapshot()
            snapshot.message = "resuming: \(replayed) of \(logged) logged events replayed (\(logged > 0 ? 100 * replayed / logged : 0)%)"
            snapshot.messageCount += 1
            publish(snapshot)
        }
        // A resumed replay's file may still be reading on the other core: say how far, and
        // wait for it (or for a quit) before the first event.
        if source.loadingProgress != nil {
            let resumed = core.message
            while let progress = source.loadingProgress, !inbox.withLock({ $0.contains(.shutdown) }) {
                let now = MonotonicClock.seconds()
                if now - lastPublish >= configuration.publishInterval * 4 {
                    lastPublish = now
                    let percent = progress.total > 0 ? 100 * progress.done / progress.total : 0
                    var snapshot = core.makeSnapshot()
                    snapshot.message = (resumed.map { $0 + "; " } ?? "") + "reading \(source.name) again for the events after the log (\(percent)%)"
                    snapshot.messageCount += 1
                    publish(snapshot)
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            if let error = source.loadError { core.message = error } else { core.message = resumed }
        }
        while true {
            let commands = inbox.withLock { q -> [EngineCommand] in
                let taken = q
                q.removeAll(keepingCapacity: true)
                return taken
            }
            var publishNow = false
            for command in commands {
                if command == .shutdown {
                    core.finish()
                    publish(core.makeSnapshot())
                    // After the final commit: a stream source acknowledges what it logged.
                    source.close()
                    return
                }
                core.handle(command)
                publishNow = true
            }
            if publishNow {
                // A command's effect is on screen before the next slice, not after it: a key's
                // round trip must not wait for up to a slice of ingest and training.
                publish(core.makeSnapshot())
                lastPublish = MonotonicClock.seconds()
            }
            let didWork = core.runSlice(budget: configuration.sliceSeconds) { !self.inbox.withLock { $0.isEmpty } }
            let now = MonotonicClock.seconds()
            // After a command, the slice's own effect (a step's events) is published at once too.
            if (publishNow && didWork) || now - lastPublish >= configuration.publishInterval {
                publish(core.makeSnapshot())
                lastPublish = now
            }
            if !didWork {
                // Idle (paused, or waiting for the replay clock): sleep until a command arrives
                // or the next event is due, so a paused engine costs next to no CPU.
                let pause = min(core.secondsUntilNextWork(), configuration.publishInterval * 4)
                wake.lock()
                if inbox.withLock({ $0.isEmpty }) {
                    _ = wake.wait(until: Date(timeIntervalSinceNow: max(0.001, pause)))
                }
                wake.unlock()
            }
        }
    }
}
