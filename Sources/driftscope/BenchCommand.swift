import ArgumentParser
import InterestGraph

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `driftscope bench`: throughput and memory figures, one subcommand per subsystem.
///
/// To add a benchmark, write `BenchXxxCommand.swift` with a `ParsableCommand` and list it in
/// `subcommands` below. Shared timing helpers are in ``Stopwatch``.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput and memory (build with -c release for real figures).",
        subcommands: [
            BenchIngest.self,
            BenchSimulate.self,
            BenchTrain.self,
            BenchBatch.self,
            BenchOnline.self,
            BenchTopK.self,
            BenchServe.self,
            BenchScale.self,
            BenchReplay.self,
            BenchWorkspace.self,
            BenchRender.self,
            BenchAttach.self,
            BenchFederation.self,
            BenchAll.self,
        ])
}

/// Wall-clock timing on the monotonic clock.
enum Stopwatch {
    /// A duration in seconds.
    static func seconds(of duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Seconds `body` took.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// CPU seconds this thread spent in `body` (user + system). On a machine shared with
    /// other work this is the fair "one core" measure; wall time would count waiting too.
    static func cpuSeconds(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let start = now()
        try body()
        return now() - start
    }

    /// `"release"` or `"debug"`, so figures from a debug build are never mistaken for real ones.
    static var buildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// A warning line for debug builds, else `nil`.
    static var debugWarning: String? {
        buildConfiguration == "debug" ? "warning: debug build; run `swift build -c release` and .build/release/driftscope for real figures" : nil
    }
}
