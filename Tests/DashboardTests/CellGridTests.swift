import Testing
@testable import Dashboard

@Suite("Cell grid")
struct CellGridTests {
    @Test("display width", arguments: [
        ("a", 1), ("漢", 2), ("ソ", 2), ("🎧", 2), ("e\u{301}", 1), ("❤\u{FE0F}", 2), ("\u{200B}", 0), ("\t", 0), ("é", 1), ("─", 1), ("⣿", 1), ("ｱ", 1), ("Ａ", 2),
    ] as [(String, Int)])
    func width(_ text: String, _ expected: Int) {
        #expect(DisplayWidth.of(Character(text)) == expected)
    }

    @Test func stringWidthCountsColumnsNotCharacters() {
        #expect(DisplayWidth.of("ソニー ヘッドホン") == 17)
        #expect("ソニー ヘッドホン".count == 9)
        #expect(DisplayWidth.truncate("漢字漢字", to: 5) == "漢字…")
        #expect(DisplayWidth.truncate("漢字漢字", to: 8) == "漢字漢字")
        #expect(DisplayWidth.truncateLeading("u42 › i311 › Books", to: 10) == "…1 › Books")
        #expect(DisplayWidth.pad("ab", to: 5, alignment: .right) == "   ab")
        #expect(DisplayWidth.pad("漢", to: 5, alignment: .center) == " 漢  ")
    }

    @Test func wideCharactersTakeTwoCells() {
        var grid = CellGrid(width: 6, height: 1)
        let used = grid.write("漢a字", x: 0, y: 0, style: .plain)
        #expect(used == 5)
        #expect(grid[0, 0].width == 2 && grid[1, 0].isContinuation)
        #expect(grid.text() == "漢a字\n")
    }

    @Test func aWideCharacterNeverSplitsAtTheEdge() {
        var grid = CellGrid(width: 3, height: 1)
        grid.write("ab漢", x: 0, y: 0, style: .plain)
        #expect(grid.text() == "ab\n")
        #expect(grid[2, 0].character == " " && grid[2, 0].width == 1)
        var clipped = CellGrid(width: 10, height: 1)
        // Like a terminal, the column a wide character cannot fill becomes a space.
        #expect(clipped.write("a漢字", x: 0, y: 0, maxWidth: 4, style: .plain) == 4)
        #expect(clipped.text() == "a漢\n")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = CellGrid(width: 4, height: 1)
        grid.write("漢字", x: 0, y: 0, style: .plain)
        grid.put("x", x: 1, y: 0, style: .plain)
        #expect(grid.text() == " x字\n")
        grid.put("y", x: 2, y: 0, style: .plain)
        #expect(grid.text() == " xy\n")
        #expect(grid[3, 0].width == 1)
    }

    @Test func controlCharactersBecomeSpaces() {
        var grid = CellGrid(width: 8, height: 1)
        grid.write("a\tb\nc", x: 0, y: 0, style: .plain)
        #expect(grid.text() == "a b c\n")
    }

    @Test func spansCutTheOverflowingOneWithAnEllipsis() {
        var grid = CellGrid(width: 10, height: 1)
        let red = CellStyle(foreground: .indexed(1))
        let used = grid.write([Span("hello ", .plain), Span("world wide", red)], x: 0, y: 0, maxWidth: 10, ellipsis: "…")
        #expect(used == 10)
        #expect(grid.text() == "hello wor…\n")
        #expect(grid[6, 0].style == red)
    }

    @Test func boxesAndASCIIFolding() {
        var grid = CellGrid(width: 5, height: 3)
        grid.drawBox(grid.bounds, box: Glyphs.unicode.box, style: .plain)
        grid.write("▲漢", x: 1, y: 1, style: .plain)
        #expect(grid.text() == "╭───╮\n│▲漢│\n╰───╯\n")
        grid.foldToASCII()
        #expect(grid.text() == "+---+\n|^? |\n+---+\n")
        #expect(grid.text().unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func textTrimsTrailingSpaces() {
        var grid = CellGrid(width: 6, height: 2)
        grid.write("ab", x: 1, y: 1, style: .plain)
        #expect(grid.text() == "\n ab\n")
    }
}

@Suite("Frame writer")
struct FrameWriterTests {
    static func grid(_ lines: [String], width: Int = 8) -> CellGrid {
        var g = CellGrid(width: width, height: lines.count)
        for (y, line) in lines.enumerated() { g.write(line, x: 0, y: y, style: .plain) }
        return g
    }

    @Test func firstFrameIsWrittenInFull() {
        let terminal = MemoryTerminal(width: 8, height: 2)
        var writer = FrameWriter()
        let frame = FrameWriterTests.grid(["hello", "world"])
        writer.write(frame, to: terminal)
        #expect(terminal.clears == 1)
        #expect(terminal.cellsWritten == 16)
        #expect(terminal.text == frame.text())
    }

    @Test func onlyChangedCellsAreWritten() {
        let terminal = MemoryTerminal(width: 8, height: 2)
        var writer = FrameWriter()
        writer.write(FrameWriterTests.grid(["hello", "world"]), to: terminal)
        terminal.resetCounters()
        writer.write(FrameWriterTests.grid(["hello", "world"]), to: terminal)
        #expect(terminal.runs.isEmpty)
        let next = FrameWriterTests.grid(["hallo", "world!"])
        writer.write(next, to: terminal)
        #expect(terminal.runs.count == 2)
        #expect(terminal.cellsWritten == 2)
        #expect(terminal.runs.map(\.column) == [1, 5])
        #expect(terminal.text == next.text())
        #expect(terminal.clears == 1)
    }

    @Test func aStyleChangeAloneIsWritten() {
        let terminal = MemoryTerminal(width: 8, height: 1)
        var writer = FrameWriter()
        var frame = FrameWriterTests.grid(["abc"])
        writer.write(frame, to: terminal)
        terminal.resetCounters()
        frame.restyle(Rect(x: 1, y: 0, width: 1, height: 1)) { _ in CellStyle(attributes: .reverse) }
        writer.write(frame, to: terminal)
        #expect(terminal.runs.count == 1)
        #expect(terminal.runs.first?.style.attributes == .reverse)
        #expect(terminal.runs.first?.text == ["b"])
    }

    @Test func wideCharactersAreRewrittenWhole() {
        let terminal = MemoryTerminal(width: 8, height: 1)
        var writer = FrameWriter()
        writer.write(FrameWriterTests.grid(["a漢b"]), to: terminal)
        terminal.resetCounters()
        let next = FrameWriterTests.grid(["a字b"])
        writer.write(next, to: terminal)
        #expect(terminal.runs.count == 1)
        #expect(terminal.runs.first?.column == 1 && terminal.runs.first?.width == 2)
        #expect(terminal.text == next.text())
        let narrow = FrameWriterTests.grid(["axyb"])
        writer.write(narrow, to: terminal)
        #expect(terminal.text == narrow.text())
    }

    @Test func aNewSizeRedrawsEverything() {
        let terminal = MemoryTerminal(width: 8, height: 2)
        var writer = FrameWriter()
        writer.write(FrameWriterTests.grid(["hello", "world"]), to: terminal)
        terminal.size = GridSize(width: 6, height: 2)
        terminal.resetCounters()
        writer.write(FrameWriterTests.grid(["hello", "world"], width: 6), to: terminal)
        #expect(terminal.clears == 2)
        #expect(terminal.cellsWritten == 12)
    }

    @Test func aBusyDashboardFrameWritesOnlyWhatMoved() {
        let size = GridSize(width: 120, height: 40)
        let terminal = MemoryTerminal(width: 120, height: 40)
        var writer = FrameWriter()
        var state = FixtureSnapshots.state(size: size)
        var snapshot = FixtureSnapshots.busy()
        writer.write(Renderer.render(snapshot: snapshot, state: state, theme: GoldenTests.dark, size: size), to: terminal)
        terminal.resetCounters()
        snapshot.eventsPerSecond = 512
        state.selection[.events] = 1
        let frame = Renderer.render(snapshot: snapshot, state: state, theme: GoldenTests.dark, size: size)
        writer.write(frame, to: terminal)
        #expect(terminal.cellsWritten > 0)
        #expect(terminal.cellsWritten < 400)
        #expect(terminal.text == frame.text())
    }
}
