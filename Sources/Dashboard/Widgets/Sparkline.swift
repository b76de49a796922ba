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
