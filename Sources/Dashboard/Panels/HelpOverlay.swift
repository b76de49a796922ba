/// The `?` overlay: generated from the key map (the same table input handling uses), grouped
/// by where the keys apply, scrollable when the window is short.
enum HelpOverlay {
    /// The overlay's lines as spans: headings and "keys  what they do".
    static func lines(_ ctx: RenderContext, keyWidth: inout Int) -> [[Span]] {
        let theme = ctx.theme, g = ctx.g
        let style = theme[.overlay]
        var out: [[Span]] = []
        let keyColumn = ctx.state.keymap.bindings.map { b in
            DisplayWidth.of(b.keys.map { $0.displayName(ascii: g.isASCII) }.joined(separator: " "))
        }.max() ?? 8
        keyWidth = min(18, keyColumn)
        for context in KeyContext.allCases {
            // The take-control key means something only with a shared engine (attach).
            let bindings = ctx.state.keymap.bindings.filter {
                $0.context == context && ($0.action != .takeControl || ctx.state.attachment != nil)
            }
            guard !bindings.isEmpty else { continue }
            if !out.isEmpty { out.append([]) }
            out.append([Span(context.title, theme[.panelTitleFocused].with(foreground: theme[.accent].foreground))])
            for b in bindings {
                let keys = b.keys.map { $0.displayName(ascii: g.isASCII) }.joined(separator: " ")
                out.append([
                    Span(DisplayWidth.pad(keys, to: keyWidth, ellipsis: g.ellipsis), theme[.helpKey]),
                    Span("  " + b.help, style),
                ])
            }
        }
        out.append([])
        out.append([Span("Mouse: click panels and rows; the wheel scrolls", theme[.textDim])])
        out.append([Span("Rebind: $XDG_CONFIG_HOME/driftscope/config.toml", theme[.textDim])])
        return out
    }

    /// Draws the overlay, in two columns when the window is wide enough for them.
    static func draw(into grid: inout CellGrid, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        var keyWidth = 0
        let content = lines(ctx, keyWidth: &keyWidth)
        let columnWidth = content.map(\.width).max() ?? 40
        let twoColumns = 2 * columnWidth + 3 + 4 <= grid.width - 4 && content.count + 2 > grid.height - 2
        var columns: [[[Span]]] = [content]
        if twoColumns {
            // Split at a blank line near the middle, so no section is cut in two when avoidable.
            let middle = (content.count + 1) / 2
            let blanks = content.indices.filter { content[$0].isEmpty }
            let split = blanks.min(by: { abs($0 - middle) < abs($1 - middle) }).flatMap { abs($0 - middle) <= 3 ? $0 + 1 : nil } ?? middle
            columns = [Array(content[..<split]), Array(content[split...])]
        }
        let rowsNeeded = columns.map(\.count).max() ?? 0
        let width = min(grid.width - 4, columns.count * columnWidth + (columns.count - 1) * 3 + 4)
        let height = min(grid.height - 2, rowsNeeded + 2)
        let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
        grid.fill(rect, style: theme[.overlay])
        grid.drawBox(rect, box: g.focusedBox, style: withOverlayBackground(theme[.panelBorderFocused], theme))
        let visible = height - 2
        let maxScroll = max(0, rowsNeeded - visible)
        let scroll = min(ctx.state.helpScroll, maxScroll)
        grid.write([Span(" Keys ", withOverlayBackground(theme[.panelTitleFocused], theme))], x: rect.x + 2, y: rect.y, maxWidth: width - 4, ellipsis: g.ellipsis)
        let footer = maxScroll > 0 ? " \(ctx.key(.down))\(ctx.key(.up)) scroll · \(ctx.key(.cancel)) close " : " \(ctx.key(.cancel)) or \(ctx.key(.help)) closes "
        grid.write(footer, in: Rect(x: rect.x + 2, y: rect.maxY - 1, width: width - 4, height: 1), alignment: .right, style: withOverlayBackground(theme[.panelHint], theme), ellipsis: g.ellipsis)
        let innerWidth = width - 4
        let colWidth = columns.count == 1 ? innerWidth : (innerWidth - 3) / 2
        for (c, column) in columns.enumerated() {
            let x = rect.x + 2 + c * (colWidth + 3)
            for i in 0..<visible {
                let index = scroll + i
                guard index < column.count else { break }
                grid.write(column[index].map { Span($0.text, withOverlayBackground($0.style, theme)) }, x: x, y: rect.y + 1 + i, maxWidth: colWidth, ellipsis: g.ellipsis)
            }
        }
    }

    private static func withOverlayBackground(_ style: CellStyle, _ theme: Theme) -> CellStyle {
        var s = style
        s.background = theme[.overlay].background
        return s
    }
}
