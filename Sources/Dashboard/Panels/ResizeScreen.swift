/// Shown instead of the panels when the window is smaller than 80x24; it goes away by itself
/// as soon as the window is big enough.
enum ResizeScreen {
    static func draw(into grid: inout CellGrid, theme: Theme) {
        let g = theme.glyphs
        let lines: [(String, ThemeRole)] = [
            ("Driftscope needs a bigger window", .textStrong),
            ("at least \(GridSize.minimum.width)x\(GridSize.minimum.height); this one is \(grid.width)x\(grid.height)", .text),
            ("enlarge it and the dashboard comes back", .textDim),
            ("q quits", .textDim),
        ]
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, (text, role)) in lines.enumerated() where top + i < grid.height {
            grid.write(text, in: Rect(x: 0, y: top + i, width: grid.width, height: 1), alignment: .center, style: theme[role], ellipsis: g.ellipsis)
        }
    }
}
