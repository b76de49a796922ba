import Testing
@testable import Dashboard

@Suite("Widgets")
struct WidgetTests {
    let theme = GoldenTests.dark

    @Test func lineChartHasAxesLabelsAndMarkers() {
        var grid = CellGrid(width: 40, height: 10)
        var chart = LineChart(primary: LineChart.Series(points: (0..<50).map { (Double($0 * 10), Double(50 - $0)) }, style: .plain, range: nil))
        chart.markers = [LineChart.Marker(x: 250, glyph: "◆", style: .plain)]
        chart.draw(into: &grid, grid.bounds, theme: theme)
        let lines = grid.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("52.5 ┤"))
        // All values are positive: the padding stops at 0 (it used to label "-1.45").
        #expect(lines[7].hasPrefix("   0 ┤"))
        #expect(lines[8].contains("└") && lines[8].contains("◆"))
        #expect(lines[9].contains("0") && lines[9].contains("490"))
        // A falling line: the first column's dots are high, the last column's low.
        #expect(grid[6, 0].character != " ")
        #expect(grid[39, 7].character != " ")
    }

    @Test func lineChartSkipsNonFiniteValues() {
        var grid = CellGrid(width: 30, height: 6)
        let points: [(x: Double, y: Double)] = [(0, 1), (1, .nan), (2, 2), (3, .infinity), (4, 1.5)]
        LineChart(primary: LineChart.Series(points: points, style: .plain, range: nil)).draw(into: &grid, grid.bounds, theme: theme)
        #expect(grid.text().contains("┤"))
        #expect(LineChart.range(of: LineChart.Series(points: points, style: .plain, range: nil)).upperBound < 3)
    }

    /// Padding never pushes a non-negative series (a loss) below zero or a non-positive one
    /// above it; a series crossing zero is padded both ways, and all zeros still has a span.
    @Test(arguments: [
        ([0.02, 0.7, 0.3], 0.0, 0.7 + 0.034),
        ([-0.7, -0.02], -0.7 - 0.034, 0.0),
        ([-0.5, 0.5], -0.55, 0.55),
        ([0.0, 0.0], 0.0, 1.0),
    ] as [([Double], Double, Double)])
    func chartPaddingKeepsTheSignOfTheData(values: [Double], lower: Double, upper: Double) {
        let series = LineChart.Series(points: values.enumerated().map { (Double($0.offset), $0.element) }, style: .plain, range: nil)
        let range = LineChart.range(of: series)
        #expect(abs(range.lowerBound - lower) < 1e-9)
        #expect(abs(range.upperBound - upper) < 1e-9)
    }

    @Test func asciiChartUsesOnlyASCII() {
        var ascii = theme
        ascii.ascii = true
        var grid = CellGrid(width: 30, height: 8)
        LineChart(primary: LineChart.Series(points: (0..<20).map { (Double($0), Double($0 % 5)) }, style: .plain, range: nil)).draw(into: &grid, grid.bounds, theme: ascii)
        #expect(grid.text().unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func labelRows() {
        #expect(LineChart.labelRows(plotHeight: 7) == [0, 3, 6])
        #expect(LineChart.labelRows(plotHeight: 13) == [0, 3, 6, 9, 12])
        #expect(LineChart.labelRows(plotHeight: 1) == [0])
    }

    @Test func sparklineScalesToItsRange() {
        let g = Glyphs.unicode
        #expect(String(Sparkline.glyphs([0, 0.5, 1], range: 0...1, glyphs: g)) == "▁▅█")
        #expect(String(Sparkline.glyphs([2, 4], glyphs: g)) == "▅█")
        var grid = CellGrid(width: 5, height: 1)
        Sparkline.draw([1, 2, 3, 4, 5, 6, 7], into: &grid, x: 0, y: 0, width: 5, style: .plain, glyphs: g)
        // The newest five of seven values, scaled to 0...max.
        #expect(grid.text() == "▄▅▆▇█\n")
    }

    @Test func heatmapShadesReadWithoutColour() {
        let g = Glyphs.unicode
        #expect(Heatmap.shade(0, glyphs: g) == " ")
        #expect(Heatmap.shade(0.1, glyphs: g) == "░")
        #expect(Heatmap.shade(0.3, glyphs: g) == "▒")
        #expect(Heatmap.shade(0.6, glyphs: g) == "▓")
        #expect(Heatmap.shade(1, glyphs: g) == "█")
        #expect(Heatmap.shade(.nan, glyphs: g) == " ")
    }

    @Test func bucketColumnsStretchOrKeepTheNewest() {
        let stretched = BucketColumns(buckets: 24, width: 50)
        #expect(stretched.bucket(at: 0) == 0)
        #expect(stretched.bucket(at: 49) == 23)
        #expect(stretched.bucket(at: 50) == nil)
        #expect(stretched.column(of: 23).map { stretched.bucket(at: $0) } == 23)
        let newest = BucketColumns(buckets: 100, width: 40)
        #expect(newest.firstBucket == 60)
        #expect(newest.bucket(at: 0) == 60 && newest.bucket(at: 39) == 99)
        #expect(newest.column(of: 10) == nil)
    }

    @Test func shortHistoriesGiveShortMaps() {
        let one = BucketColumns(buckets: 1, width: 40, maxStretch: 4)
        #expect(one.width == 4)
        #expect(one.bucket(at: 3) == 0 && one.bucket(at: 4) == nil)
        let many = BucketColumns(buckets: 30, width: 40, maxStretch: 4)
        #expect(many.width == 40)
    }

    @Test(arguments: [
        ("Electronics/Phones", 18, "Electronics/Phones"),
        ("Electronics/Phones", 12, "Elec…/Phones"),
        ("Electronics/Phones", 9, "…/Phones"),
        ("Electronics/Phones", 5, "Phon…"),
        ("Drama", 3, "Dr…"),
    ])
    func categoryPathsKeepTheirLeaf(text: String, width: Int, expected: String) {
        #expect(DisplayWidth.truncatePath(text, to: width) == expected)
    }

    @Test func numberColumnsShareTheirDecimals() {
        #expect(Format.column([10.93, 9.447, 0.852]) == ["10.9", "9.4", "0.9"])
        #expect(Format.column([0.852, 0.5]) == ["0.852", "0.500"])
        #expect(Format.column([4.2, 0.6]) == ["4.20", "0.60"])
        #expect(Format.column([142.4, -3]) == ["142", "-3"])
        #expect(Format.column([12_345, 10]) == ["12.3k", "10"])
        #expect(Format.dropTrailingZeros("1.00000") == "1")
        #expect(Format.dropTrailingZeros("0.0500") == "0.05")
        #expect(Format.dropTrailingZeros("0.0e+00") == "0")
        #expect(Format.dropTrailingZeros("1.0e-04") == "1.0e-04")
    }

    @Test func tableDropsLowPriorityColumnsAndSharesSpareWidth() {
        let columns = [
            TableColumn(title: "a", width: 10, priority: 5),
            TableColumn(title: "b", width: 10, flexible: true, priority: 5),
            TableColumn(title: "c", width: 10, priority: 0),
        ]
        #expect(Table.layout(columns, width: 40) == [10, 18, 10])
        #expect(Table.layout(columns, width: 25) == [10, 14, nil])
        #expect(Table.firstVisible(selected: 12, count: 20, visible: 5) == 8)
        #expect(Table.firstVisible(selected: 2, count: 20, visible: 5) == 0)
    }

    @Test func tableMarksTheSelectedRow() {
        var grid = CellGrid(width: 12, height: 4)
        let table = Table(columns: [TableColumn(title: "name", width: 6)], rows: [[[Span("one", .plain)]], [[Span("two", .plain)]], [[Span("three", .plain)]]], selected: 1, focused: true)
        let (rows, first) = table.draw(into: &grid, grid.bounds, theme: theme)
        #expect(grid.text() == " name\n one\n▸two\n three\n")
        #expect(rows.y == 1 && rows.height == 3 && first == 0)
        #expect(grid[3, 2].style.background == theme[.selection].background)
    }

    @Test func barsUseEighths() {
        var grid = CellGrid(width: 4, height: 1)
        Bar.draw(0.5625, into: &grid, x: 0, y: 0, width: 4, style: .plain, empty: .plain, glyphs: .unicode)
        #expect(grid.text() == "██▎·\n")
    }

    @Test func wrapKeepsWordsAndCutsTheRest() {
        let lines = RecommendationsPanel.wrap("one two three four five six", width: 9, lines: 2, ellipsis: "…")
        #expect(lines == ["one two", "three fo…"])
        #expect(RecommendationsPanel.wrap("short", width: 9, lines: 2, ellipsis: "…") == ["short"])
    }
}

@Suite("Formatting")
struct FormatTests {
    @Test func numbers() {
        #expect(Format.grouped(1_234_567) == "1,234,567")
        #expect(Format.grouped(-12) == "-12")
        #expect(Format.compact(950) == "950")
        #expect(Format.compact(12_345) == "12.3k")
        #expect(Format.compact(4_560_000) == "4.56M")
        #expect(Format.short(0.01234) == "0.012")
        #expect(Format.short(142.7) == "143")
        #expect(Format.fixed(Double.nan, 3) == "NaN")
        #expect(Format.printf("%.4f", 0.01) == "0.0100")
        #expect(Format.printf("%d %d", 3) == "3.00")
        #expect(Format.printf("%d sec", 3) == "3.00")
        #expect(Format.printf("%g%%", 40) == "40%")
        #expect(Format.printf("%9.2e", 0.5) == " 5.00e-01")
        #expect(!Format.isSingleFloatFormat("%s"))
        #expect(!Format.isSingleFloatFormat("%f and %f"))
        #expect(!Format.isSingleFloatFormat("100%"))
        #expect(Format.percent(0.414) == "41%")
        #expect(Format.trimmed(2) == "2")
    }

    @Test func times() {
        #expect(Format.dateTime(0) == "1970-01-01 00:00:00")
        #expect(Format.dateTime(1_709_294_403) == "2024-03-01 12:00:03")
        #expect(Format.dateTime(951_825_600) == "2000-02-29 12:00:00")
        #expect(Format.timeOfDay(1_709_294_403) == "12:00:03")
        #expect(Format.duration(42) == "42s")
        #expect(Format.duration(7200) == "2h")
        #expect(Format.duration(86_400 * 40) == "40d")
        #expect(Format.speed(0) == "max")
        #expect(Format.speed(2) == "×2")
        #expect(Format.speed(0.25) == "×0.250")
    }
}
