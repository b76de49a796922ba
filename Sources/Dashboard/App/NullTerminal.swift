import Foundation
import InterestGraph

/// A terminal that discards output (and optionally sleeps for input timeouts, like getch).
final class NullTerminal: TerminalDevice {
    let size: GridSize
    let supportsUnicode = true
    let colorCount = 256
    let sleeps: Bool

    init(size: GridSize, sleeps: Bool = false) {
        self.size = size
        self.sleeps = sleeps
    }

    func readKey(timeoutMilliseconds: Int) -> Key? {
        if sleeps, timeoutMilliseconds > 0 { usleep(UInt32(timeoutMilliseconds) * 1000) }
        return nil
    }

    func draw(_ run: CellRun) {}
    func clearScreen() {}
    func flush() {}
}

/// An engine connection that always answers with the same snapshot.
final class StaticConnection: EngineConnection {
    private let value: EngineSnapshot
    init(_ snapshot: EngineSnapshot) { value = snapshot }
    func snapshot() -> EngineSnapshot { value }
    func send(_ command: EngineCommand) {}
}
