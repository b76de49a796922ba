/// Releases a source's events against real time: at a multiple of real time, as fast as
/// possible, paused, one step at a time, or fast-forwarding to a seek target.
///
/// Sim time advances as `anchorSim + (wall - anchorWall) * speed`; every change of speed,
/// pause or resume re-anchors at the current position, capped at the next pending event, so
/// a slow consumer never gets a burst of backlog after a pause. The first event is due at
/// once. A seek forward fast-forwards (events are still handed out, so the graph sees them,
/// unless ``SeekMode/skip`` is asked for); a seek backward restarts the source and then
/// fast-forwards, and ``tick()`` reports ``Tick/restarted`` once so the consumer can reset.
///
/// ```swift
/// var clock = ReplayClock(source: SimulationSource(scenario: scenario))
/// loop: while true {
///     switch clock.tick() {
///     case .event(let e): graph.apply(e)
///     case .wait(let seconds): sleep(min(seconds, 0.05))
///     case .paused: sleep(0.05)
///     case .restarted: graph = HeteroGraph()
///     case .finished: break loop
///     }
/// }
/// ```
public struct ReplayClock<Source: EventSource>: Sendable {
    public enum Tick: Sendable, Hashable {
        /// The next event is due: apply it.
        case event(Event)
        /// Nothing is due for this many wall seconds (at the current speed).
        case wait(Double)
        /// Paused with no step pending.
        case paused
        /// A backward seek restarted the source: reset everything built from it.
        case restarted
        /// The source is exhausted.
        case finished
    }

    public enum SeekMode: Sendable, Hashable {
        /// Hand out every event up to the target as fast as possible.
        case fastForward
        /// Drop the events up to the target.
        case skip
    }

    /// Real time x1 ... x100000; 0 means as fast as possible.
    public static var speedRange: ClosedRange<Double> { 1...100_000 }
    /// One simulated hour per second: a day of shop life in 24 s, so the default scenario's
    /// drifts (hours to days after its warm-up) appear within the first minutes of a demo.
    public static var defaultDemoSpeed: Double { 3_600 }

    public private(set) var source: Source
    public private(set) var speed: Double
    public private(set) var isPaused = false
    /// Events handed out since the start or the last restart.
    public private(set) var released = 0
    public private(set) var isFinished = false

    private let wall: any WallClock
    private var anchorWall = 0.0
    private var anchorSim = 0.0
    private var started = false
    private var stepsLeft = 0
    private var seekTarget: Double?
    private var seekMode = SeekMode.fastForward
    private var pendingRestart = false
    /// How long to wait for a source that has more events on their way (``SourceGap/waiting``).
    static var sourceWait: Double { 0.005 }
    /// The last ``tick()`` waited for the source's reader (events due, not read yet), not for
    /// the replay's pace.
    public private(set) var isWaitingForSource = false
    /// Why the source asked the last ``Tick/restarted`` (`nil` for a backward seek's).
    public internal(set) var restartReason: String?
    /// Sim time up to which events are known to be due (saves a wall-clock read per event).
    private var dueUntil = -Double.infinity
    private var lastReleased = -Double.infinity

    /// - Parameters:
    ///   - speed: a multiple of real time (clamped to ``speedRange``) or 0 for as fast as possible.
    ///   - skipWarmup: fast-forward to the source's ``EventSource/warmupEnd`` first.
    public init(source: Source, speed: Double = Self.defaultDemoSpeed, wallClock: any WallClock = SystemWallClock(), skipWarmup: Bool = true) {
        self.source = source
        self.speed = Self.clamp(speed)
        self.wall = wallClock
        if skipWarmup, let warm = source.warmupEnd { seekTarget = warm }
    }

    private static func clamp(_ speed: Double) -> Double {
        guard speed.isFinite, speed > 0 else { return 0 }
        return min(max(speed, speedRange.lowerBound), speedRange.upperBound)
    }

    // MARK: Time

    /// The simulated time now: the moving clock, frozen while paused or seeking, the last
    /// event's time at full speed.
    public var simTime: Double {
        if !started { return lastReleased.isFinite ? lastReleased : 0 }
        if isPaused || speed == 0 || seekTarget != nil { return max(anchorSim, lastReleased) }
        return anchorSim + (wall.now() - anchorWall) * speed
    }

    /// The time the next re-anchor starts from: the moving clock, but never past the next
    /// event, so that what piled up while the consumer was slow is not released in a burst.
    private mutating func settledSimTime() -> Double {
        let t = simTime
        if let next = source.peekTime() { return min(t, max(next, lastReleased)) }
        return t
    }

    private mutating func anchor(at sim: Double) {
        anchorSim = sim
        anchorWall = wall.now()
        dueUntil = sim
    }

    // MARK: Controls

    public mutating func setSpeed(_ newSpeed: Double) {
        if started { anchor(at: settledSimTime()) }
        speed = Self.clamp(newSpeed)
    }

    public mutating func pause() {
        guard !isPaused else { return }
        if started { anchor(at: settledSimTime()) }
        isPaused = true
    }

    public mutating func resume() {
        guard isPaused else { return }
        isPaused = false
        if started { anchor(at: anchorSim) }
    }

    public mutating func togglePause() {
        if isPaused { resume() } else { pause() }
    }

    /// Releases the next `events` events regardless of time (while paused, too).
    public mutating func step(events: Int = 1) {
        stepsLeft += max(0, events)
    }

    /// Moves to sim time `target`. Forward: fast-forwards (or skips) the events before it.
    /// Backward: restarts the source, reports ``Tick/restarted``, then fast-forwards.
    /// - Returns: `true` when the source was restarted.
    @discardableResult
    public mutating func seek(to target: Double, mode: SeekMode = .fastForward) -> Bool {
        let here = max(lastReleased, started ? settledSimTime() : -.infinity)
        var restarted = false
        if target < here {
            source.restart()
            released = 0
            lastReleased = -.infinity
            started = false
            isFinished = false
            pendingRestart = true
            restarted = true
        }
        seekTarget = target
        seekMode = mode
        return restarted
    }

    // MARK: Releasing events

    /// The source keys of the event `ahead` places after the last one handed out (0: the
    /// next), whether due or not: a prefetch hint (``EventSource/upcomingKeys(ahead:)``).
    @inline(__always)
    func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? { source.upcomingKeys(ahead: ahead) }

    /// ``upcomingKeys(ahead:)`` after asking for the lines that event's building reads
    /// (``EventSource/prefetchUpcoming(ahead:)``).
    @inline(__always)
    func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? { source.prefetchUpcoming(ahead: ahead) }

    /// What to do next: apply an event, wait, or stop.
    /// - Complexity: O(1) plus the source's `next()`; reads the wall clock only when the
    ///   next event is beyond the time already known to be due.
    public mutating func tick() -> Tick {
        isWaitingForSource = false
        if pendingRestart {
            pendingRestart = false
            return .restarted
        }
        guard let t = source.peekTime() else {
            switch source.takeGap() {
            case .ended:
                break
            case .waiting:
                // A file still being read: not finished, just not here yet.
                isWaitingForSource = true
                return .wait(Self.sourceWait)
            case .restart(let reason):
                // The source went back to its first event: start over as a backward seek does.
                restartReason = reason
                released = 0
                lastReleased = -.infinity
                started = false
                isFinished = false
                return .restarted
            }
            if let target = seekTarget {
                seekTarget = nil
                anchor(at: max(target, lastReleased))
            }
            isFinished = true
            return .finished
        }
        if !started {
            started = true
            anchor(at: t)
        }
        if let target = seekTarget {
            if t < target {
                if seekMode == .skip {
                    while let n = source.peekTime(), n < target { _ = source.next() }
                    return tick()
                }
                return release(t)
            }
            seekTarget = nil
            anchor(at: target)
        }
        if stepsLeft > 0 {
            stepsLeft -= 1
            anchor(at: t)
            return release(t)
        }
        if isPaused { return .paused }
        if speed == 0 || t <= dueUntil { return release(t) }
        let now = simTime
        dueUntil = now
        if t <= now { return release(t) }
        return .wait((t - now) / speed)
    }

    private mutating func release(_ t: Double) -> Tick {
        guard let event = source.next() else {
            isFinished = true
            return .finished
        }
        released += 1
        // A live stream that had run dry ("finished") delivers again.
        isFinished = false
        if t > lastReleased { lastReleased = t }
        return .event(event)
    }

    /// The source's status for the snapshot.
    public var status: SourceStatus {
        source.status(speed: speed, isFinished: isFinished)
    }
}
