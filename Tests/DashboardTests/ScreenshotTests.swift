import Foundation
import Testing
import TestSupport
@testable import Dashboard
@testable import InterestGraph

/// Screenshots (`s`): text, SVG and HTML, and where a real browser puts each glyph.
@Suite("Screenshots")
struct ScreenshotTests {
    static let size = GridSize(width: 120, height: 40)

    /// The 120x40 golden layout (Training focused: heavy borders around a braille chart), with
    /// a CJK name on the status line for two-column cells.
    static func grid() -> CellGrid {
        let state = FixtureSnapshots.state(focus: .training, size: size)
        var grid = Renderer.render(snapshot: FixtureSnapshots.busy(), state: state, theme: GoldenTests.dark, size: size)
        grid.write("抹茶ラテ x", x: 60, y: size.height - 1, style: GoldenTests.dark[.text])
        return grid
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-shot-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func runsCoverEveryGlyphOnce() {
        let grid = ScreenshotTests.grid()
        for y in 0..<grid.height {
            // Laying the runs' text back at their columns gives the row's text.
            var row = Array(repeating: Character(" "), count: grid.width)
            var covered = 0
            for run in Screenshot.textRuns(grid, row: y) {
                var x = run.column
                for c in run.text {
                    #expect(c == " " || grid[x, y].character == c)
                    row[x] = c
                    x += DisplayWidth.of(c)
                }
                #expect(x - run.column == run.columns)
                covered += run.columns
            }
            var expected = Array(repeating: Character(" "), count: grid.width)
            for x in 0..<grid.width where !grid[x, y].isContinuation { expected[x] = grid[x, y].character }
            #expect(row == expected, "row \(y)")
            #expect(covered <= grid.width)
        }
    }

    @Test func wideCellsSpanTwoColumnsAndMixedGlyphsSplit() {
        var grid = CellGrid(width: 20, height: 1)
        grid.write("ab 漢字 ⣿⡇━━┃x", x: 0, y: 0, style: .plain)
        let runs = Screenshot.textRuns(grid, row: 0)
        #expect(runs == [
            .init(column: 0, columns: 2, text: "ab"),
            .init(column: 3, columns: 2, text: "漢"),
            .init(column: 5, columns: 2, text: "字"),
            .init(column: 8, columns: 2, text: "⣿⡇"),
            .init(column: 10, columns: 2, text: "━━"),
            .init(column: 12, columns: 1, text: "┃"),
            .init(column: 13, columns: 1, text: "x"),
        ])
    }

    @Test func svgAndHTMLCarryTheThemeAndEscapeMarkup() throws {
        var grid = CellGrid(width: 12, height: 2)
        grid.write("<a&b>", x: 0, y: 0, style: GoldenTests.dark[.selection])
        grid.write("x\u{FFFF}y", x: 0, y: 1, style: .plain)
        let svg = Screenshot.svg(grid, theme: GoldenTests.dark)
        #expect(svg.contains("&lt;a&amp;b&gt;"))
        #expect(svg.contains(">\u{FFFD}<") && !svg.contains("\u{FFFF}"))
        #expect(svg.contains("#16161e"))  // the dark page
        #expect(svg.contains("fill=\"#2e3c64\""))  // the selection background as a rectangle
        #expect(svg.contains("textLength=\"45\""))  // five cells of 9 units
        let html = Screenshot.html(svg: svg, theme: GoldenTests.dark)
        #expect(html.contains(svg))
    }

    /// What a stakeholder sees: the exported page in headless Chromium, every glyph's box asked
    /// from the browser's own layout (`getExtentOfChar`, which includes `textLength`), compared
    /// with its cell. A plain `<pre>` export fails this: Chromium draws braille from DejaVu Sans
    /// (11 units wide at this size, not 9), so the Training panel's right border moved right
    /// on every chart row.
    @Test func chromiumPutsEveryGlyphInItsCell() throws {
        let dir = try ScreenshotTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = ScreenshotTests.grid()
        let files = try Screenshot.save(grid, theme: GoldenTests.dark, directory: dir, time: 1_709_294_403)
        let svg = try String(contentsOfFile: files.svg, encoding: .utf8)
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        #expect(html.contains(svg))

        let page = html.replacingOccurrences(of: "</body>", with: "<script>\(ScreenshotTests.measure)</script></body>")
        let pagePath = dir + "/measure.html"
        try page.write(toFile: pagePath, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(pagePath, profile: dir + "/profile")
        let glyphs = try ScreenshotTests.glyphs(in: dom)
        #expect(glyphs.count > 2000)

        // Every glyph where its cell is, as wide as its cell.
        var misplaced: [String] = []
        var rightBorder: [Int: Double] = [:]
        let trainingRight = (0..<grid.width).first { grid[$0, 0].character == "┓" }!
        for g in glyphs {
            let column = Int(((g.x - Screenshot.padding) / Screenshot.cellWidth).rounded())
            let row = Int((g.y + g.height / 2 - Screenshot.padding) / Screenshot.cellHeight)
            guard row >= 0, row < grid.height, column >= 0, column < grid.width else {
                misplaced.append("\(g.character) at \(g.x),\(g.y) is off the grid")
                continue
            }
            let cell = grid[column, row]
            let expectedX = Screenshot.padding + Double(column) * Screenshot.cellWidth
            let expectedWidth = Double(cell.width) * Screenshot.cellWidth
            if g.character != " " && (cell.character != g.character || abs(g.x - expectedX) > 0.25 || abs(g.width - expectedWidth) > 0.25) {
                misplaced.append("\(g.character) at x \(g.x) width \(g.width) row \(row): cell \(column) holds \(cell.character) at x \(expectedX)")
            }
            if column == trainingRight, "┓┃┛".contains(g.character) { rightBorder[row] = g.x }
        }
        #expect(misplaced.isEmpty, "\(misplaced.count) glyphs off their cells, first: \(misplaced.prefix(5))")

        // The Training panel's right border: one column, top to bottom, braille rows included.
        let panelHeight = (0..<grid.height).first { grid[trainingRight, $0].character == "┛" }! + 1
        #expect(rightBorder.count == panelHeight)
        #expect(Set(rightBorder.values) == [Screenshot.padding + Double(trainingRight) * Screenshot.cellWidth])
    }

    /// The `.svg` on its own is well-formed XML: Chromium's XML parser reports errors as a
    /// `<parsererror>` element in the document.
    @Test func theSVGFileParsesAsXML() throws {
        let dir = try ScreenshotTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var grid = ScreenshotTests.grid()
        grid.write("<&>\"'", x: 2, y: 1, style: .plain)
        let files = try Screenshot.save(grid, theme: GoldenTests.dark, directory: dir, time: 1_709_294_403)
        let dom = try Chromium.dumpDOM(files.svg, profile: dir + "/profile")
        #expect(dom.contains("<svg"))
        #expect(!dom.contains("parsererror"), "\(dom.prefix(600))")
    }

    // MARK: - Measuring in Chromium

    /// One glyph as the browser laid it out, in SVG units.
    struct Glyph {
        var character: Character
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    /// Runs in the page: the extent of every character of every `<text>`, written into the
    /// document as JSON (`--dump-dom` prints the document after scripts ran).
    static let measure = """
        (function () {
          const out = [];
          for (const t of document.querySelectorAll('svg text')) {
            const s = t.textContent;
            for (let i = 0; i < t.getNumberOfChars(); i++) {
              const e = t.getExtentOfChar(i);
              out.push([s.codePointAt(i), e.x, e.y, e.width, e.height]);
            }
          }
          const pre = document.createElement('pre');
          pre.id = 'driftscope-glyphs';
          pre.textContent = JSON.stringify(out);
          document.body.appendChild(pre);
        })();
        """

    static func glyphs(in dom: String) throws -> [Glyph] {
        guard let start = dom.range(of: "<pre id=\"driftscope-glyphs\">"),
              let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            throw Chromium.Failure(description: "no measurements in the page (did the script run?): \(dom.prefix(300))")
        }
        let json = Data(dom[start.upperBound..<end.lowerBound].utf8)
        let rows = try JSONSerialization.jsonObject(with: json) as? [[Double]] ?? []
        return rows.compactMap { r in
            guard r.count == 5, let scalar = Unicode.Scalar(UInt32(r[0])) else { return nil }
            return Glyph(character: Character(scalar), x: r[1], y: r[2], width: r[3], height: r[4])
        }
    }
}

/// Headless Chromium, which `make deps` installs (Debian's `chromium`).
enum Chromium {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The document of `path` after its scripts ran. `--no-sandbox` because CI runs as root,
    /// where Chromium's sandbox refuses to start; the pages are our own files.
    static func dumpDOM(_ path: String, profile: String) throws -> String {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let browser = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "chromium not found: `make deps` installs it (apt-get install chromium)")
        }
        // `timeout` so a browser that hangs fails the test instead of the run.
        // `--disable-dev-shm-usage`: shared memory in the profile's directory, not /dev/shm,
        // whatever Debian's launcher decides (its /dev/shm check breaks when the mount is
        // listed twice, and a crash there is Chromium's, not the page's).
        func dump() throws -> ChildProcess.Result {
            try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/timeout"), [
                "-k", "5", "60", browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--dump-dom", URL(fileURLWithPath: path).absoluteString,
            ])
        }
        var result = try dump()
        // A browser killed by a signal (status over 128; a clean clone's run saw a SIGTRAP
        // once, under the whole suite's load) gets one more start; a page it renders wrong
        // still fails, since the checks are on the document.
        if result.status > 128 { result = try dump() }
        guard result.status == 0 else {
            throw Failure(description: "chromium exited with \(result.status): \(result.stderr.suffix(800))")
        }
        return result.stdout
    }
}
