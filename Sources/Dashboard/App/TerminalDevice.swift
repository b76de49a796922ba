/// A run of cells in one style on one row, as the frame writer hands it to a terminal.
/// Continuation cells of wide characters are left out of `text`, so `text` is exactly what
/// the terminal should print from (`row`, `column`).
struct CellRun: Sendable, Hashable {
    var row: Int
    var column: Int
    var style: CellStyle
    var text: [Character]
    /// Columns the run covers on screen (wide characters count two).
    var width: Int
}

/// The small surface the app loop needs from a terminal. `NCursesTerminal` implements it
/// over ncurses; the tests' `MemoryTerminal` implements it in memory, so the loop, the
/// differ and the key handling are testable without a TTY.
protocol TerminalDevice: AnyObject {
    /// Current size in cells.
    var size: GridSize { get }
    /// False without a UTF-8 locale: the app then draws with ASCII only.
    var supportsUnicode: Bool { get }
    /// Number of colours (0 for none), for mapping theme colours.
    var colorCount: Int { get }
    /// The next key, waiting at most `timeoutMilliseconds` (0 = do not wait).
    func readKey(timeoutMilliseconds: Int) -> Key?
    /// Writes one run of cells.
    func draw(_ run: CellRun)
    /// Forgets what is on screen (after a resize), before a full redraw.
    func clearScreen()
    /// Makes everything drawn since the last flush visible.
    func flush()
}
