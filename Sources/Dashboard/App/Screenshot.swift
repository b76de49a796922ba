import Foundation

/// Saves the current screen as plain text and as HTML with the theme's colours, for sharing
/// a view of the dashboard (`s`).
enum Screenshot {
    /// Writes `driftscope-YYYYMMDD-HHMMSS.txt` and `.html` into `directory`, creating it.
    /// Returns the text file's path.
    static func save(_ grid: CellGrid, theme: Theme, directory: String, time: Double) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = Format.dateTime(time).filter { $0.isNumber || $0 == " " }.replacingOccurrences(of: " ", with: "-")
        var base = (directory as NSString).appendingPathComponent("driftscope-\(stamp)")
        var n = 2
        while FileManager.default.fileExists(atPath: base + ".txt") {
            base = (directory as NSString).appendingPathComponent("driftscope-\(stamp)-\(n)")
            n += 1
        }
        try grid.text().write(toFile: base + ".txt", atomically: true, encoding: .utf8)
        try html(grid, theme: theme).write(toFile: base + ".html", atomically: true, encoding: .utf8)
        return base + ".txt"
    }

    /// The grid as a standalone HTML page: one `<span>` per run of equal style.
    static func html(_ grid: CellGrid, theme: Theme) -> String {
        let base = theme[.background]
        let pageBackground = ColorMapper.hex(base.background) ?? (theme.name == "light" ? "#fafbfc" : "#16161e")
        let pageForeground = ColorMapper.hex(theme[.text].foreground) ?? (theme.name == "light" ? "#24292f" : "#d0d0d0")
        var out = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Driftscope</title>
        <style>
        body { background: \(pageBackground); margin: 0; }
        pre { font-family: "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px;
              line-height: 1.2; color: \(pageForeground); background: \(pageBackground); padding: 12px; margin: 0; }
        </style></head><body><pre>
        """
        out += "\n"
        for y in 0..<grid.height {
            var x = 0
            while x < grid.width {
                let style = grid[x, y].style
                var text = ""
                while x < grid.width, grid[x, y].width == 0 || grid[x, y].style == style {
                    let cell = grid[x, y]
                    if cell.width != 0 { text.append(cell.character) }
                    x += 1
                }
                out += span(text, style: style, pageForeground: pageForeground, pageBackground: pageBackground)
            }
            out += "\n"
        }
        out += "</pre></body></html>\n"
        return out
    }

    private static func span(_ text: String, style: CellStyle, pageForeground: String, pageBackground: String) -> String {
        var escaped = ""
        for c in text {
            switch c {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(c)
            }
        }
        var fg = ColorMapper.hex(style.foreground)
        var bg = ColorMapper.hex(style.background)
        if style.attributes.contains(.reverse) {
            let f = fg ?? pageForeground, b = bg ?? pageBackground
            fg = b
            bg = f
        }
        var css: [String] = []
        if let fg { css.append("color:\(fg)") }
        if let bg { css.append("background:\(bg)") }
        if style.attributes.contains(.bold) { css.append("font-weight:bold") }
        if style.attributes.contains(.dim) { css.append("opacity:0.6") }
        if style.attributes.contains(.italic) { css.append("font-style:italic") }
        if style.attributes.contains(.underline) { css.append("text-decoration:underline") }
        guard !css.isEmpty else { return escaped }
        return "<span style=\"\(css.joined(separator: ";"))\">\(escaped)</span>"
    }
}
