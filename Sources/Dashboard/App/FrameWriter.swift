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
