import Foundation
import Synchronization

/// The signal that asked us to stop (SIGINT/SIGTERM), or 0. A lock-free atomic is the only
/// thing the handler touches, which keeps it async-signal-safe; the app loop polls it and
/// restores the terminal itself.
private let receivedSignal = Atomic<Int32>(0)

/// Turns SIGINT and SIGTERM into a polite request to quit.
enum SignalWatch {
    static func install() {
        receivedSignal.store(0, ordering: .relaxed)
        signal(SIGINT) { sig in receivedSignal.store(sig, ordering: .relaxed) }
        signal(SIGTERM) { sig in receivedSignal.store(sig, ordering: .relaxed) }
    }

    /// Puts the default handlers back.
    static func uninstall() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    static var interrupted: Bool { receivedSignal.load(ordering: .relaxed) != 0 }

    static var signalNumber: Int32 { receivedSignal.load(ordering: .relaxed) }
}
