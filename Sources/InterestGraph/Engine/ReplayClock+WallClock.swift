import Synchronization

/// Where the replay clock reads real time: seconds on a monotonic clock, any origin.
public protocol WallClock: Sendable {
    func now() -> Double
}

/// The machine's monotonic clock.
public struct SystemWallClock: WallClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        let (seconds, attoseconds) = elapsed.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// A wall clock that only moves when told to, for deterministic tests of timing logic
/// (in the spirit of NIO's `EmbeddedEventLoop`).
///
/// ```swift
/// let wall = ManualWallClock()
/// var clock = ReplayClock(source: source, speed: 60, wallClock: wall)
/// wall.advance(by: 1)   // one real second = one simulated minute
/// ```
public final class ManualWallClock: WallClock {
    private let time: Mutex<Double>

    public init(_ start: Double = 0) { time = Mutex(start) }

    public func now() -> Double { time.withLock { $0 } }

    public func advance(by seconds: Double) { time.withLock { $0 += seconds } }

    public func set(_ seconds: Double) { time.withLock { $0 = seconds } }
}
