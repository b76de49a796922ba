/// A line chart drawn with braille dots (2x4 per cell), or with `_ - '` in ASCII mode, with
/// y-axis labels, an x axis with step labels, vertical markers, an optional overlay
/// series on its own right-hand axis, and extra series on either axis (another run's curves,
/// drawn under the main ones).
///
/// ```
///  0.69 ┤⠑⢄
///       │  ⠈⠢⣀⡀      ┊
///  0.21 ┤      ⠉⠒⠤⣀⣀⣀┊⣀⣀
///       └────────────◆──
///        1,200    1,800
/// ```
struct LineChart {
    struct Series {
        var points: [(x: Double, y: Double)]
        var style: CellStyle
        /// Fixed y range (e.g. 0...1 for a hit rate); nil fits the data.
        var range: ClosedRange<Double>?
        /// Extra series only: drawn against the overlay's right-hand axis.
        var onRightAxis = false
    }

    struct Marker {
        var x: Double
        var glyph: Character
        var style: CellStyle
    }

    var primary: Series
    var overlay: Series?
    /// Drawn under primary and overlay, sharing their axes (ranges fit all series of an axis).
    var extras: [Series] = []
    var markers: [Marker] = []
    /// Fixed x range; nil spans every series.
    var xRange: ClosedRange<Double>?
    var xLabel: (Double) -> String = { Format.grouped(Int($0)) }
    var yLabel: (Double) -> String = { Format.short($0) }

    /// The y range a series is drawn with: its fixed range, or its finite data padded by 5%.
    static func range(of series: Series) -> ClosedRange<Double> {
        range(of: [series])
    }

    /// The first series' fixed range, or the finite data of all of them padded by 5%.
    static func range(of series: [Series]) -> ClosedRange<Double> {
        if let r = series.first?.range { return r }
        var lo = Double.infinity, hi = -Double.infinity
        for one in series {
            for p in one.points where p.y.isFinite {
                lo = min(lo, p.y)
                hi = max(hi, p.y)
            }
        }
        guard lo.isFinite else { return 0...1 }
        let padded: (Double, Double)
        if hi - lo < 1e-12 {
            padded = (lo - max(abs(lo) * 0.1, 0.01), hi + max(abs(hi) * 0.1, 0.01))
        } else {
            let pad = (hi - lo) * 0.05
            padded = (lo - pad, hi + pad)
        }
        // Padding never crosses zero: data that are all >= 0 (a loss, a rate) keep a lower
        // label of 0, not "-0.02", and data all <= 0 an upper one of 0.
        // (All zeros: 0...1, not an empty span.)
        if lo == 0, hi == 0 { return 0...1 }
        return (lo >= 0 ? max(0, padded.0) : padded.0)...(hi <= 0 ? min(0, padded.1) : padded.1)
    }

    /// - Complexity: O(points + cells); no allocation per point.
    func draw(into grid: inout CellGrid, _ rect: Rect, theme: Theme) {
        let g = theme.glyphs
        let axisStyle = theme[.chartAxis]
        guard rect.width >= 12, rect.height >= 3 else { return }
        let showXAxis = rect.height >= 5
        let plotHeight = rect.height - (showXAxis ? 2 : 0)
        let leftExtras = extras.filter { !$0.onRightAxis }, rightExtras = extras.filter(\.onRightAxis)
        let yRange = LineChart.range(of: [primary] + leftExtras)
        // Label rows: top, bottom, and evenly between (three, or five on a tall chart).
        let labelRows = LineChart.labelRows(plotHeight: plotHeight)
        func labels(_ r: ClosedRange<Double>) -> [Int: String] {
            var out: [Int: String] = [:]
            for row in labelRows {
                let t = plotHeight > 1 ? Double(row) / Double(plotHeight - 1) : 0
                out[row] = yLabel(r.upperBound - t * (r.upperBound - r.lowerBound))
            }
            return out
        }
        let yLabels = labels(yRange)
        let leftWidth = (yLabels.values.map { DisplayWidth.of($0) }.max() ?? 1) + 1
        var rightWidth = 0
        var overlayRange: ClosedRange<Double>?
        var overlayLabels: [Int: String] = [:]
        let rightSeries = (overlay.map { [$0] } ?? []) + rightExtras
        let rightStyle = rightSeries.first?.style ?? axisStyle
        if rightSeries.contains(where: { !$0.points.isEmpty }) {
            let r = LineChart.range(of: rightSeries)
            overlayRange = r
            overlayLabels = labels(r)
            rightWidth = (overlayLabels.values.map { DisplayWidth.of($0) }.max() ?? 1) + 1
        }
        let plot = Rect(x: rect.x + leftWidth + 1, y: rect.y, width: rect.width - leftWidth - 1 - rightWidth, height: plotHeight)
        guard plot.width >= 4 else { return }

        // X range over every series, so the overlay lines up with the loss steps.
        var x0 = Double.infinity, x1 = -Double.infinity
        if let xRange {
            x0 = xRange.lowerBound
            x1 = xRange.upperBound
        } else {
            for series in [primary] + (overlay.map { [$0] } ?? []) + extras {
                for p in series.points where p.x.isFinite { x0 = min(x0, p.x); x1 = max(x1, p.x) }
            }
        }
        if !x0.isFinite { x0 = 0; x1 = 1 }
        if x1 - x0 < 1e-9 { x1 = x0 + 1 }

        // Axis and labels.
        for row in 0..<plotHeight {
            let label = yLabels[row]
            if let label {
                grid.write(DisplayWidth.pad(label, to: leftWidth - 1, alignment: .right), x: rect.x, y: plot.y + row, style: axisStyle)
            }
            grid.put(label == nil ? g.axisVertical : g.axisTick, x: rect.x + leftWidth, y: plot.y + row, style: axisStyle)
            if overlayRange != nil {
                if let right = overlayLabels[row] { grid.write(" " + right, x: plot.maxX, y: plot.y + row, maxWidth: rightWidth, style: rightStyle) }
            }
        }
        if showXAxis {
            let axisY = plot.maxY
            grid.put(g.axisCorner, x: rect.x + leftWidth, y: axisY, style: axisStyle)
            for x in plot.x..<plot.maxX { grid.put(g.axisHorizontal, x: x, y: axisY, style: axisStyle) }
            let left = xLabel(x0), mid = xLabel((x0 + x1) / 2), right = xLabel(x1)
            let labelRow = Rect(x: plot.x, y: axisY + 1, width: plot.width, height: 1)
            grid.write(left, in: labelRow, alignment: .left, style: axisStyle, ellipsis: g.ellipsis)
            if plot.width > DisplayWidth.of(left) + DisplayWidth.of(right) + DisplayWidth.of(mid) + 4 {
                grid.write(mid, in: labelRow, alignment: .center, style: axisStyle, ellipsis: g.ellipsis)
            }
            grid.write(right, in: labelRow, alignment: .right, style: axisStyle, ellipsis: g.ellipsis)
        }

        // Rasterise.
        let dotsX = g.isASCII ? 1 : 2, dotsY = g.isASCII ? 3 : 4
        let pw = plot.width * dotsX, ph = plot.height * dotsY
        var primaryBits = [UInt8](repeating: 0, count: plot.width * plot.height)
        var overlayBits = [UInt8](repeating: 0, count: plot.width * plot.height)
        LineChart.rasterise(primary.points, x0: x0, x1: x1, y: yRange, pw: pw, ph: ph, dotsX: dotsX, dotsY: dotsY, cellsWide: plot.width, ascii: g.isASCII, into: &primaryBits)
        if let overlay, let overlayRange {
            LineChart.rasterise(overlay.points, x0: x0, x1: x1, y: overlayRange, pw: pw, ph: ph, dotsX: dotsX, dotsY: dotsY, cellsWide: plot.width, ascii: g.isASCII, into: &overlayBits)
        }
        var extraBits = extras.map { _ in [UInt8](repeating: 0, count: plot.width * plot.height) }
        for (k, series) in extras.enumerated() {
            guard let range = series.onRightAxis ? overlayRange : yRange else { continue }
            LineChart.rasterise(series.points, x0: x0, x1: x1, y: range, pw: pw, ph: ph, dotsX: dotsX, dotsY: dotsY, cellsWide: plot.width, ascii: g.isASCII, into: &extraBits[k])
        }

        // Markers first, so the lines draw over them.
        for m in markers where m.x >= x0 && m.x <= x1 {
            let cx = plot.x + Int(((m.x - x0) / (x1 - x0) * Double(plot.width - 1)).rounded())
            for row in 0..<plot.height { grid.put(g.markerLine, x: cx, y: plot.y + row, style: m.style) }
            if showXAxis { grid.put(m.glyph, x: cx, y: plot.maxY, style: m.style) }
        }
        for row in 0..<plot.height {
            for col in 0..<plot.width {
                let i = row * plot.width + col
                let p = primaryBits[i], o = overlayBits[i]
                var e: UInt8 = 0
                var extraStyle: CellStyle?
                for k in extraBits.indices where extraBits[k][i] != 0 {
                    e |= extraBits[k][i]
                    if extraStyle == nil { extraStyle = extras[k].style }
                }
                guard p | o | e != 0 else { continue }
                // The live lines win a shared cell: the comparison runs underneath them.
                let style = p != 0 ? primary.style : o != 0 ? overlay!.style : extraStyle!
                grid.put(LineChart.glyph(p | o | e, ascii: g.isASCII), x: plot.x + col, y: plot.y + row, style: style)
            }
        }
    }

    /// Rows that carry a y label: top, bottom and 1 or 3 evenly spaced between.
    static func labelRows(plotHeight: Int) -> [Int] {
        guard plotHeight > 1 else { return [0] }
        let parts = plotHeight >= 12 ? 4 : 2
        var rows = Set<Int>()
        for i in 0...parts { rows.insert(((plotHeight - 1) * i + parts / 2) / parts) }
        return rows.sorted()
    }

    /// Braille dot bit for (column 0-1, row 0-3) inside a cell.
    private static let brailleBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    static func glyph(_ bits: UInt8, ascii: Bool) -> Character {
        if !ascii { return Character(Unicode.Scalar(0x2800 + UInt32(bits))!) }
        switch bits {
        case 1: return "'"
        case 2: return "-"
        case 4: return "_"
        default: return "|"
        }
    }

    private static func rasterise(_ points: [(x: Double, y: Double)], x0: Double, x1: Double, y: ClosedRange<Double>, pw: Int, ph: Int, dotsX: Int, dotsY: Int, cellsWide: Int, ascii: Bool, into bits: inout [UInt8]) {
        let yspan = max(1e-12, y.upperBound - y.lowerBound)
        var previous: (Int, Int)?
        bits.withUnsafeMutableBufferPointer { out in
            func plot(_ px: Int, _ py: Int) {
                guard px >= 0, px < pw, py >= 0, py < ph else { return }
                let cell = (py / dotsY) * cellsWide + px / dotsX
                if ascii {
                    out[cell] |= UInt8(1 << (py % dotsY))
                } else {
                    out[cell] |= brailleBits[px % dotsX][py % dotsY]
                }
            }
            for p in points {
                guard p.y.isFinite, p.x.isFinite else {
                    previous = nil
                    continue
                }
                let px = Int(((p.x - x0) / (x1 - x0) * Double(pw - 1)).rounded())
                let clampedY = min(max(p.y, y.lowerBound), y.upperBound)
                // Row 0 is the top of the plot.
                let py = ph - 1 - Int(((clampedY - y.lowerBound) / yspan * Double(ph - 1)).rounded())
                if let (qx, qy) = previous {
                    // Bresenham from the previous point.
                    var x = qx, yy = qy
                    let dx = abs(px - qx), dy = -abs(py - qy)
                    let sx = qx < px ? 1 : -1, sy = qy < py ? 1 : -1
                    var err = dx + dy
                    while true {
                        plot(x, yy)
                        if x == px && yy == py { break }
                        let e2 = 2 * err
                        if e2 >= dy { err += dy; x += sx }
                        if e2 <= dx { err += dx; yy += sy }
                    }
                } else {
                    plot(px, py)
                }
                previous = (px, py)
            }
        }
    }
}
