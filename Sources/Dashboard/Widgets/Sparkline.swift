/// Sparklines of block characters (`▁▂▃▄▅▆▇█`, or `_.-~=+*#` in ASCII).
enum Sparkline {
    /// One glyph per value, scaled to `range` (or to 0...max of the values).
    static func glyphs(_ values: ArraySlice<Float>, range: ClosedRange<Float>? = nil, glyphs g: Glyphs) -> [Character] {
        let levels = g.spark
        let lo = range?.lowerBound ?? 0
        let hi = range?.upperBound ?? max(values.filter(\.isFinite).max() ?? 1, 1e-9)
        let span = max(hi - lo, 1e-9)
        return values.map { v in
            guard v.isFinite else { return g.ellipsis }
            let t = (min(max(v, lo), hi) - lo) / span
            return levels[min(levels.count - 1, Int((t * Float(levels.count - 1)).rounded()))]
        }
    }

    /// Draws the last `width` values right-aligned at (x, y), newest at the right.
    static func draw(_ values: [Float], into grid: inout CellGrid, x: Int, y: Int, width: Int, range: ClosedRange<Float>? = nil, style: CellStyle, glyphs g: Glyphs) {
        guard width > 0, !values.isEmpty else { return }
        let slice = values.suffix(width)
        let chars = glyphs(slice, range: range, glyphs: g)
        let start = x + width - chars.count
        for (i, c) in chars.enumerated() { grid.put(c, x: start + i, y: y, style: style) }
    }
}

/// A horizontal bar filled to a fraction, with eighth-cell resolution in Unicode.
enum Bar {
    static func draw(_ fraction: Double, into grid: inout CellGrid, x: Int, y: Int, width: Int, style: CellStyle, empty: CellStyle, glyphs g: Glyphs) {
        guard width > 0 else { return }
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((f * Double(width * 8)).rounded())
        let full = eighths / 8
        let part = eighths % 8
        for i in 0..<width {
            if i < full {
                grid.put(g.barFull, x: x + i, y: y, style: style)
            } else if i == full && part > 0 && !g.isASCII {
                grid.put(g.eighths[part - 1], x: x + i, y: y, style: style)
            } else {
                grid.put(g.barEmpty, x: x + i, y: y, style: empty)
            }
        }
    }
}
