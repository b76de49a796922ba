#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock seconds from a monotonic source (never jumps with NTP or the user's clock).
enum MonotonicClock {
    @inline(__always)
    static func seconds() -> Double { seconds(of: CLOCK_MONOTONIC) }

    /// The seconds `clock_gettime` reads from `clock`.
    @inline(__always)
    static func seconds(of clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// CPU seconds the calling thread has run (user + system), from its own clock.
///
/// Why: on two cores shared by the engines, the file reader and the batch-drawing threads,
/// a thread's wall time counts the time it waited for a core; its CPU time is the work it
/// did. The engine's training share is kept in these (``EngineConfiguration/trainingShare``).
enum ThreadCPUClock {
    @inline(__always)
    static func seconds() -> Double { MonotonicClock.seconds(of: CLOCK_THREAD_CPUTIME_ID) }
}
