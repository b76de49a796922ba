/// A run of text in one style: the unit panels compose lines from.
struct Span: Sendable, Hashable {
    var text: String
    var style: CellStyle
    init(_ text: String, _ style: CellStyle) {
        self.text = text
        self.style = style
    }

    var width: Int { DisplayWidth.of(text) }
}

extension Array where Element == Span {
    var width: Int { reduce(0) { $0 + $1.width } }
}

extension CellGrid {
    /// Writes spans from (x, y) within `maxWidth` columns; the span that overflows is cut
    /// with an ellipsis. Returns the columns used.
    @discardableResult
    mutating func write(_ spans: [Span], x: Int, y: Int, maxWidth: Int, ellipsis: Character) -> Int {
        var cx = x
        let limit = x + maxWidth
        for (i, span) in spans.enumerated() {
            let remaining = limit - cx
            guard remaining > 0 else { break }
            let w = span.width
            let isLast = i == spans.count - 1
            let restWidth = isLast ? 0 : spans[(i + 1)...].reduce(0) { $0 + $1.width }
            if w <= remaining && (w + restWidth <= remaining || w < remaining) {
                cx += write(span.text, x: cx, y: y, maxWidth: remaining, style: span.style)
            } else {
                cx += write(DisplayWidth.truncate(span.text, to: remaining, ellipsis: ellipsis), x: cx, y: y, maxWidth: remaining, style: span.style)
                break
            }
        }
        return cx - x
    }

    /// Writes text aligned in `rect`'s first row, clipped with an ellipsis.
    mutating func write(_ text: String, in rect: Rect, alignment: Alignment = .left, style: CellStyle, ellipsis: Character) {
        guard !rect.isEmpty else { return }
        let clipped = DisplayWidth.truncate(text, to: rect.width, ellipsis: ellipsis)
        let w = DisplayWidth.of(clipped)
        let x: Int
        switch alignment {
        case .left: x = rect.x
        case .right: x = rect.maxX - w
        case .center: x = rect.x + (rect.width - w) / 2
        }
        write(clipped, x: x, y: rect.y, maxWidth: rect.maxX - x, style: style)
    }

    /// Draws a box around `rect` with the given line set.
    mutating func drawBox(_ rect: Rect, box: Glyphs.Box, style: CellStyle) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.maxX - 1, bottom = rect.maxY - 1
        for x in (rect.x + 1)..<right {
            put(box.horizontal, x: x, y: rect.y, style: style)
            put(box.horizontal, x: x, y: bottom, style: style)
        }
        for y in (rect.y + 1)..<bottom {
            put(box.vertical, x: rect.x, y: y, style: style)
            put(box.vertical, x: right, y: y, style: style)
        }
        put(box.topLeft, x: rect.x, y: rect.y, style: style)
        put(box.topRight, x: right, y: rect.y, style: style)
        put(box.bottomLeft, x: rect.x, y: bottom, style: style)
        put(box.bottomRight, x: right, y: bottom, style: style)
    }
}
