/// Maps time buckets onto columns. With fewer buckets than columns each bucket is stretched
/// (widths differ by at most one cell, so the map fills its space); with more, the newest
/// buckets are shown one per column.
struct BucketColumns: Sendable, Hashable {
    var width: Int
    var firstBucket: Int
    var visibleBuckets: Int

    /// `maxStretch` caps the columns one bucket may take, so a history of one or two
    /// checkpoints shows as a short map rather than a solid wall across the panel.
    init(buckets: Int, width: Int, maxStretch: Int = .max) {
        guard buckets > 0, width > 0 else {
            self.width = 0
            self.firstBucket = 0
            self.visibleBuckets = 0
            return
        }
        self.width = min(width, buckets > width / max(1, maxStretch) ? width : buckets * max(1, maxStretch))
        visibleBuckets = min(buckets, self.width)
        firstBucket = buckets - visibleBuckets
    }

    /// The bucket shown in column `column` (relative), or nil past the end.
    func bucket(at column: Int) -> Int? {
        guard column >= 0, column < width, visibleBuckets > 0 else { return nil }
        return firstBucket + column * visibleBuckets / width
    }

    /// The first column of a bucket, or nil when it is not visible.
    func column(of bucket: Int) -> Int? {
        let b = bucket - firstBucket
        guard b >= 0, b < visibleBuckets else { return nil }
        return (b * width + visibleBuckets - 1) / visibleBuckets
    }
}

/// A categories x time heatmap. Each cell is a shading glyph (` ░▒▓█` / ` .:+#`) coloured
/// from the theme's gradient, so it reads on colour terminals and in monochrome alike.
enum Heatmap {
    /// The shading glyph for a value in 0...1 (0 stays blank so sparse rows read as sparse).
    static func shade(_ v: Float, glyphs g: Glyphs) -> Character {
        guard v.isFinite, v > 0.005 else { return g.shades[0] }
        let levels = g.shades.count - 1
        return g.shades[1 + min(levels - 1, Int(v * Float(levels)))]
    }

    /// Draws `values[row][bucket]` for `rows`, each value divided by `scale` (the map's
    /// maximum, so the strongest cell is full; the legend says what full means).
    static func draw(_ values: [[Float]], rows: Range<Int>, columns: BucketColumns, scale: Float, into grid: inout CellGrid, x: Int, y: Int, theme: Theme, base: CellStyle) {
        let g = theme.glyphs
        for (line, r) in rows.enumerated() where r < values.count {
            let row = values[r]
            for c in 0..<columns.width {
                guard let b = columns.bucket(at: c) else { break }
                let v = b < row.count ? row[b] / max(scale, 1e-6) : 0
                grid.put(shade(v, glyphs: g), x: x + c, y: y + line, style: base.with(foreground: theme.heat(v)))
            }
        }
    }
}
