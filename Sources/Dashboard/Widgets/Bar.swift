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
