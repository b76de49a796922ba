import Foundation

/// Saves the current screen for sharing a view of the dashboard (`s`): plain text, an SVG
/// that places every cell on the grid (see `Screenshot+SVG.swift`), and an HTML page that
/// shows the same SVG, for links and habits from before the SVG.
enum Screenshot {
    /// The files one screenshot wrote.
    struct Files: Equatable {
        var text: String
        var svg: String
        var html: String
    }

    /// Writes `driftscope-YYYYMMDD-HHMMSS.txt`, `.svg` and `.html` into `directory`, creating
    /// it; a second screenshot in the same second gets `-2`, `-3`...
    static func save(_ grid: CellGrid, theme: Theme, directory: String, time: Double) throws -> Files {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = Format.dateTime(time).filter { $0.isNumber || $0 == " " }.replacingOccurrences(of: " ", with: "-")
        var base = (directory as NSString).appendingPathComponent("driftscope-\(stamp)")
        var n = 2
        while [".txt", ".svg", ".html"].contains(where: { FileManager.default.fileExists(atPath: base + $0) }) {
            base = (directory as NSString).appendingPathComponent("driftscope-\(stamp)-\(n)")
            n += 1
        }
        let files = Files(text: base + ".txt", svg: base + ".svg", html: base + ".html")
        let drawing = svg(grid, theme: theme)
        try grid.text().write(toFile: files.text, atomically: true, encoding: .utf8)
        try drawing.write(toFile: files.svg, atomically: true, encoding: .utf8)
        try html(svg: drawing, theme: theme).write(toFile: files.html, atomically: true, encoding: .utf8)
        return files
    }

    /// A standalone HTML page showing `svg` inline (the same drawing as the `.svg` file) on the
    /// theme's background.
    static func html(svg: String, theme: Theme) -> String {
        let page = PageColors(theme: theme)
        return """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Driftscope</title>
        <style>
        body { background: \(page.background); margin: 0; padding: 12px; }
        svg { display: block; }
        </style></head><body>
        \(svg)</body></html>

        """
    }
}
