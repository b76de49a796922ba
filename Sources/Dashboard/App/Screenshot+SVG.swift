import Foundation

/// The screenshot as SVG: every glyph pinned to its cell, so a browser's font fallback cannot
/// move anything.
///
/// A `<pre>` of text lays glyphs out by their advance widths. Braille, block and box-drawing
/// characters often come from a fallback font (DejaVu Sans Mono has no braille, so Chromium
/// takes DejaVu Sans), whose advances differ from the monospace cell: a row with a braille
/// chart ends up wider than the rows around it and panel borders break. Here each run of cells
/// is a `<text>` placed at `x = column × cellWidth` whose `textLength` (with
/// `lengthAdjust="spacingAndGlyphs"`) squeezes or stretches it to exactly its cells, as
/// Textual's and Rich's SVG exports do. Runs hold only characters that share one font
/// advance: Latin text (present in every monospace font), one repeated character (`━━━━`,
/// `████`) or braille; anything else gets a `<text>` per cell. A wide (CJK) cell spans two
/// columns. Backgrounds are rectangles per run of equal colour.
extension Screenshot {
    /// Cell geometry in SVG user units: 0.6 em is the advance of common monospace fonts
    /// (DejaVu Sans Mono 0.602, Menlo 0.602, Consolas 0.55 stretched a little), and 1.2 em
    /// leaves room for descenders as a terminal does.
    static let fontSize = 15.0
    static let cellWidth = 9.0
    static let cellHeight = 18.0
    /// The baseline inside a cell: centres the font's ascent + descent (about 1.16 em) in the
    /// row, so box-drawing lines, which span that height, meet the rows above and below.
    static let baseline = 14.0
    /// Margin around the grid, in the page background.
    static let padding = 12.0
    /// Monospace fonts in order of preference; Chromium on Debian ends at DejaVu Sans Mono.
    static let fontFamily = "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"

    /// The page colours: the theme's background and text, or the dark/light defaults when the
    /// theme uses the terminal's own (`default`).
    struct PageColors {
        var background: String
        var foreground: String

        init(theme: Theme) {
            background = ColorMapper.hex(theme[.background].background) ?? (theme.name == "light" ? "#fafbfc" : "#16161e")
            foreground = ColorMapper.hex(theme[.text].foreground) ?? (theme.name == "light" ? "#24292f" : "#d0d0d0")
        }
    }

    /// The grid as a standalone SVG document.
    static func svg(_ grid: CellGrid, theme: Theme) -> String {
        let page = PageColors(theme: theme)
        let width = Double(grid.width) * cellWidth + 2 * padding
        let height = Double(grid.height) * cellHeight + 2 * padding
        var classes = StyleClasses(page: page)
        var backgrounds = ""
        var texts = ""
        for y in 0..<grid.height {
            backgrounds += backgroundRects(grid, row: y, page: page)
            for run in textRuns(grid, row: y) {
                let name = classes.name(for: grid[run.column, y].style)
                let x = number(padding + Double(run.column) * cellWidth)
                let baselineY = number(padding + Double(y) * cellHeight + baseline)
                let length = number(Double(run.columns) * cellWidth)
                texts += "<text class=\"\(name)\" x=\"\(x)\" y=\"\(baselineY)\" textLength=\"\(length)\" "
                    + "lengthAdjust=\"spacingAndGlyphs\">\(escaped(run.text))</text>\n"
            }
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" \
        viewBox="0 0 \(number(width)) \(number(height))" xml:space="preserve">
        <style>
        text { font-family: \(fontFamily); font-size: \(number(fontSize))px; white-space: pre; fill: \(page.foreground); }
        rect { shape-rendering: crispEdges; }
        \(classes.css)</style>
        <rect width="100%" height="100%" rx="6" fill="\(page.background)"/>
        <g>
        \(backgrounds)</g>
        <g>
        \(texts)</g>
        </svg>

        """
    }

    /// One `<text>`: `columns` cells from `column`, drawn with the first cell's style.
    struct TextRun: Equatable {
        var column: Int
        var columns: Int
        var text: String
    }

    /// Which cells may share a `<text>`: those whose glyphs have one advance width in any font
    /// the browser picks for them.
    private enum GlyphClass: Equatable {
        /// Latin letters, digits and punctuation: in every monospace font.
        case latin
        /// Braille patterns: one font supplies them all, with one advance.
        case braille
        /// Anything else shares a run only with itself (`━━━━`, `▒▒▒▒`).
        case single(Character)

        init(_ c: Character) {
            let v = c.unicodeScalars.first!.value
            if c.unicodeScalars.count == 1, v >= 0x21, v < 0x250 {
                self = .latin
            } else if c.unicodeScalars.count == 1, v >= 0x2800, v <= 0x28FF {
                self = .braille
            } else {
                self = .single(c)
            }
        }
    }

    /// The row's text runs: same style and glyph class, spaces inside Latin runs, blank cells
    /// left out (their background is a rectangle).
    static func textRuns(_ grid: CellGrid, row y: Int) -> [TextRun] {
        var runs: [TextRun] = []
        var x = 0
        while x < grid.width {
            let cell = grid[x, y]
            if cell.isContinuation || cell.character == " " {
                x += 1
                continue
            }
            let style = cell.style
            let kind = GlyphClass(cell.character)
            var run = TextRun(column: x, columns: Int(cell.width), text: String(cell.character))
            x += Int(cell.width)
            while x < grid.width {
                // Spaces join a Latin run only when more of it follows on the row.
                var spaces = 0
                if kind == .latin {
                    while x + spaces < grid.width, grid[x + spaces, y].character == " ", grid[x + spaces, y].width == 1,
                          grid[x + spaces, y].style == style { spaces += 1 }
                }
                let next = x + spaces
                guard next < grid.width else { break }
                let c = grid[next, y]
                guard !c.isContinuation, c.character != " ", c.style == style, GlyphClass(c.character) == kind else { break }
                run.text += String(repeating: " ", count: spaces) + String(c.character)
                run.columns += spaces + Int(c.width)
                x = next + Int(c.width)
            }
            runs.append(run)
        }
        return runs
    }

    /// Rectangles for the row's cells whose background differs from the page's.
    private static func backgroundRects(_ grid: CellGrid, row y: Int, page: PageColors) -> String {
        var out = ""
        var x = 0
        while x < grid.width {
            guard let fill = resolved(grid[x, y].style, page: page).background, fill != page.background else {
                x += 1
                continue
            }
            let start = x
            while x < grid.width, resolved(grid[x, y].style, page: page).background == fill { x += 1 }
            let left = number(padding + Double(start) * cellWidth), top = number(padding + Double(y) * cellHeight)
            let width = number(Double(x - start) * cellWidth)
            out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(number(cellHeight))\" fill=\"\(fill)\"/>\n"
        }
        return out
    }

    /// Foreground and background after `reverse`; nil means the page's own.
    private static func resolved(_ style: CellStyle, page: PageColors) -> (foreground: String?, background: String?) {
        let fg = ColorMapper.hex(style.foreground)
        let bg = ColorMapper.hex(style.background)
        guard style.attributes.contains(.reverse) else { return (fg, bg) }
        return (bg ?? page.background, fg ?? page.foreground)
    }

    /// One CSS class per distinct cell style, so a frame's thousands of runs stay short.
    private struct StyleClasses {
        let page: PageColors
        private var names: [CellStyle: String] = [:]
        private(set) var css = ""

        init(page: PageColors) { self.page = page }

        mutating func name(for style: CellStyle) -> String {
            if let name = names[style] { return name }
            let name = "s\(names.count)"
            names[style] = name
            var rules: [String] = []
            if let fg = Screenshot.resolved(style, page: page).foreground { rules.append("fill: \(fg)") }
            if style.attributes.contains(.bold) { rules.append("font-weight: bold") }
            if style.attributes.contains(.dim) { rules.append("fill-opacity: 0.6") }
            if style.attributes.contains(.italic) { rules.append("font-style: italic") }
            if style.attributes.contains(.underline) { rules.append("text-decoration: underline") }
            css += ".\(name) { \(rules.joined(separator: "; ")) }\n"
            return name
        }
    }

    /// A coordinate without trailing zeros (`12`, `22.5`).
    private static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v)
    }

    /// Text safe inside an XML element: markup characters escaped, and characters XML 1.0
    /// forbids (which a cell can hold from a data file) replaced.
    static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default:
                let allowed = c.unicodeScalars.allSatisfy { s in
                    let v = s.value
                    return v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                }
                out += allowed ? String(c) : "\u{FFFD}"
            }
        }
        return out
    }
}
