import Synchronization
@testable import Dashboard
@testable import InterestGraph

/// A terminal in memory: keeps what is on screen as a grid of characters, counts writes,
/// and replays scripted keys. Implements the same protocol as the ncurses terminal.
final class MemoryTerminal: TerminalDevice {
    var size: GridSize {
        didSet { screen = Array(repeating: Array(repeating: " ", count: size.width), count: size.height) }
    }
    var supportsUnicode = true
    var colorCount = 256
    var keys: [Key]
    private(set) var screen: [[Character]]
    private(set) var runs: [CellRun] = []
    private(set) var cellsWritten = 0
    private(set) var clears = 0
    private(set) var flushes = 0
    /// Timeouts the loop asked for, to check it sleeps longer while paused.
    private(set) var timeouts: [Int] = []

    init(width: Int, height: Int, keys: [Key] = []) {
        size = GridSize(width: width, height: height)
        screen = Array(repeating: Array(repeating: " ", count: width), count: height)
        self.keys = keys
    }

    func readKey(timeoutMilliseconds: Int) -> Key? {
        timeouts.append(timeoutMilliseconds)
        return keys.isEmpty ? nil : keys.removeFirst()
    }

    func draw(_ run: CellRun) {
        runs.append(run)
        cellsWritten += run.width
        var x = run.column
        for c in run.text where run.row < screen.count && x < size.width {
            screen[run.row][x] = c
            let w = DisplayWidth.of(c)
            if w == 2, x + 1 < size.width { screen[run.row][x + 1] = "\u{0}" }
            x += max(1, w)
        }
    }

    func clearScreen() {
        clears += 1
        screen = Array(repeating: Array(repeating: " ", count: size.width), count: size.height)
    }

    func flush() { flushes += 1 }

    func resetCounters() {
        runs = []
        cellsWritten = 0
    }

    /// The screen as text, in the same form as ``CellGrid/text()``.
    var text: String {
        screen.map { row in
            var line = String(row.filter { $0 != "\u{0}" })
            while line.last == " " { line.removeLast() }
            return line + "\n"
        }.joined()
    }
}

/// An engine connection for app-loop tests: serves a snapshot (which the test may change)
/// and records every command sent.
final class FixtureEngineConnection: EngineConnection {
    private let state: Mutex<(snapshot: EngineSnapshot, commands: [EngineCommand])>

    init(_ snapshot: EngineSnapshot) {
        state = Mutex((snapshot, []))
    }

    func snapshot() -> EngineSnapshot { state.withLock { $0.snapshot } }
    func send(_ command: EngineCommand) { state.withLock { $0.commands.append(command) } }

    var commands: [EngineCommand] { state.withLock { $0.commands } }

    func update(_ change: (inout EngineSnapshot) -> Void) {
        state.withLock { s in
            change(&s.snapshot)
            s.snapshot.sequence += 1
        }
    }
}
