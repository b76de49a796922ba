import Foundation
import Synchronization

/// The signal that asked us to stop (SIGINT/SIGTERM/SIGHUP), or 0. A lock-free atomic is the only
/// thing the handler touches, which keeps it async-signal-safe; the app loop polls it and
/// restores the terminal itself.
private let receivedSignal = Atomic<Int32>(0)

/// Turns SIGINT, SIGTERM and SIGHUP into a polite request to quit.
///
/// SIGHUP matters: when the terminal goes away (tmux session killed, ssh dropped) the kernel
/// hangs up the dashboard. A process started with SIGHUP ignored (dispositions survive exec)
/// would otherwise keep replaying at full speed with nobody watching, and never save the run
/// as finished; installing a handler overrides the inherited "ignore".
enum SignalWatch {
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    static func install() {
        receivedSignal.store(0, ordering: .relaxed)
        for number in signals {
            signal(number) { sig in receivedSignal.store(sig, ordering: .relaxed) }
        }
    }

    /// Puts the default handlers back.
    static func uninstall() {
        for number in signals { signal(number, SIG_DFL) }
    }

    static var interrupted: Bool { receivedSignal.load(ordering: .relaxed) != 0 }

    static var signalNumber: Int32 { receivedSignal.load(ordering: .relaxed) }
}
