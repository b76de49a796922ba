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

/// Writes a frame to a terminal by diffing it against the previous one: only runs of cells
/// that changed are written, so an idle dashboard costs almost nothing and a busy one far
/// less than a full repaint.
struct FrameWriter {
    private(set) var previous: CellGrid?
    /// Counters for tests and the render benchmark.
    private(set) var runsWritten = 0
    private(set) var cellsWritten = 0

    /// Forces the next frame to be written in full (after a resize or a terminal clear).
    mutating func invalidate() {
        previous = nil
    }

    /// Writes the cells of `grid` that differ from the previous frame.
    ///
    /// - Complexity: O(width x height) comparisons; writes proportional to the change.
    mutating func write(_ grid: CellGrid, to terminal: some TerminalDevice) {
        let full = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full { terminal.clearScreen() }
        let old = full ? nil : previous
        let w = grid.width
        grid.cells.withUnsafeBufferPointer { cells in
            for y in 0..<grid.height {
                let base = y * w
                var x = 0
                while x < w {
                    if let old, old.cells[base + x] == cells[base + x] {
                        x += 1
                        continue
                    }
                    // Never start a run on the right half of a wide character.
                    var start = x
                    if cells[base + start].width == 0 && start > 0 { start -= 1 }
                    let style = cells[base + start].style
                    var text: [Character] = []
                    var cx = start
                    while cx < w {
                        let cell = cells[base + cx]
                        if cell.width != 0 {
                            if cell.style != style { break }
                            if cx > start, let old, old.cells[base + cx] == cell { break }
                            text.append(cell.character)
                        }
                        cx += 1
                    }
                    terminal.draw(CellRun(row: y, column: start, style: style, text: text, width: cx - start))
                    runsWritten += 1
                    cellsWritten += cx - start
                    x = cx
                }
            }
        }
        terminal.flush()
        previous = grid
    }
}
