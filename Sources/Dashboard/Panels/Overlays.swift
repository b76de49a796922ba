/// Small modal overlays.
enum Overlays {
    /// "Reset the model?" with y/n.
    static func confirmReset(into grid: inout CellGrid, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        let lines = [
            "Reset the model?",
            "",
            "Embeddings and optimiser state are re-initialised",
            "with the current settings; the graph is kept.",
            "",
            "y = reset      any other key = cancel",
        ]
        let width = min(grid.width - 4, 56)
        let height = lines.count + 2
        let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
        grid.fill(rect, style: theme[.overlay])
        grid.drawBox(rect, box: g.focusedBox, style: theme[.chartGuard].with(foreground: theme[.chartGuard].foreground))
        grid.restyle(rect) { s in
            var s = s
            s.background = theme[.overlay].background
            return s
        }
        for (i, line) in lines.enumerated() {
            var style = theme[.overlay]
            if i == 0 { style = style.adding(.bold) }
            grid.write(line, in: Rect(x: rect.x + 2, y: rect.y + 1 + i, width: width - 4, height: 1), alignment: .center, style: style, ellipsis: g.ellipsis)
        }
    }
}
