/// A width x height grid of styled cells: what one frame of the dashboard looks like.
///
/// Rendering writes into a grid; the terminal layer diffs two grids and writes only the cells
/// that changed. Wide characters take two cells (see ``Cell``); writing over half of one
/// blanks the other half, so a grid never holds a torn wide character.
///
/// ```swift
/// var grid = CellGrid(width: 20, height: 2)
/// grid.write("漢字 ok", x: 0, y: 0, style: .plain)
/// grid.text()   // "漢字 ok\n"
/// ```
struct CellGrid: Sendable, Equatable {
    let width: Int
    let height: Int
    var cells: [Cell]

    init(width: Int, height: Int, style: CellStyle = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(" ", width: 1, style: style), count: self.width * self.height)
    }

    var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Puts one character at (x, y), returning the columns it took (0 when clipped or zero-width).
    ///
    /// A wide character that does not fit before `limit` (default: the grid's right edge) is
    /// replaced by a space, as terminals do, rather than being split.
    @discardableResult
    mutating func put(_ character: Character, x: Int, y: Int, style: CellStyle, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        let right = min(limit ?? width, width)
        guard x < right else { return 0 }
        var c = character
        var w = DisplayWidth.of(c)
        if w == 0 {
            // Control characters (tabs, newlines in titles from files) would move the cursor.
            guard c.unicodeScalars.first!.value < 0x20 || c.unicodeScalars.first!.value == 0x7F else { return 0 }
            c = " "
            w = 1
        }
        if w == 2 && x + 1 >= right {
            c = " "
            w = 1
        }
        let i = y * width + x
        clearWideNeighbours(at: i, x: x)
        cells[i] = Cell(c, width: UInt8(w), style: style)
        if w == 2 {
            clearWideNeighbours(at: i + 1, x: x + 1)
            cells[i + 1] = Cell(" ", width: 0, style: style)
        }
        return w
    }

    /// Before overwriting cell `i`, blanks the other half of a wide character it belongs to.
    private mutating func clearWideNeighbours(at i: Int, x: Int) {
        let old = cells[i]
        if old.width == 0 && x > 0 {
            cells[i - 1] = Cell(" ", width: 1, style: cells[i - 1].style)
        } else if old.width == 2 && x + 1 < width {
            cells[i + 1] = Cell(" ", width: 1, style: cells[i + 1].style)
        }
    }

    /// Writes `text` from (x, y), clipped at `maxWidth` columns (no ellipsis); returns columns used.
    @discardableResult
    mutating func write(_ text: some StringProtocol, x: Int, y: Int, maxWidth: Int? = nil, style: CellStyle) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = maxWidth.map { min(width, x + max(0, $0)) } ?? width
        var cx = x
        for c in text {
            guard cx < limit else { break }
            if cx < 0 { cx += DisplayWidth.of(c); continue }
            let w = put(c, x: cx, y: y, style: style, limit: limit)
            if w == 0 && DisplayWidth.of(c) > 0 { break }
            cx += w
        }
        return cx - x
    }

    /// Fills a rectangle with one character and style.
    mutating func fill(_ rect: Rect, with character: Character = " ", style: CellStyle) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        let w = DisplayWidth.of(character)
        if w == 1 {
            let cell = Cell(character, width: 1, style: style)
            for y in y0..<y1 {
                if x0 > 0, cells[y * width + x0].width == 0 { cells[y * width + x0 - 1] = Cell(" ", width: 1, style: cells[y * width + x0 - 1].style) }
                if x1 < width, cells[y * width + x1].width == 0 { cells[y * width + x1] = Cell(" ", width: 1, style: cells[y * width + x1].style) }
                for x in x0..<x1 { cells[y * width + x] = cell }
            }
        } else {
            for y in y0..<y1 {
                var x = x0
                while x < x1 { x += max(1, put(character, x: x, y: y, style: style, limit: x1)) }
            }
        }
    }

    /// Changes the style of every cell in `rect`, keeping the characters (selection bars).
    mutating func restyle(_ rect: Rect, _ transform: (CellStyle) -> CellStyle) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { cells[y * width + x].style = transform(cells[y * width + x].style) }
        }
    }

    /// The characters of one row, continuation cells skipped, trailing spaces kept.
    func rowText(_ y: Int) -> String {
        var s = ""
        s.reserveCapacity(width)
        for x in 0..<width {
            let cell = cells[y * width + x]
            if cell.width != 0 { s.append(cell.character) }
        }
        return s
    }

    /// The grid as plain text: one line per row, trailing spaces trimmed, each line ending in
    /// a newline. This is what golden snapshot tests compare and what `s` saves.
    func text() -> String {
        var out = ""
        out.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            var line = rowText(y)
            while line.last == " " { line.removeLast() }
            out += line
            out += "\n"
        }
        return out
    }
}
