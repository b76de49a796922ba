/// A column of a ``Table``.
struct TableColumn: Sendable {
    var title: String
    var width: Int
    var alignment: Alignment = .left
    /// Takes a share of the width left over (at least `width`).
    var flexible = false
    /// Narrow tables drop the columns with the lowest priority first.
    var priority = 1
    /// Category paths ("Electronics/Phones") are cut in the middle so the leaf stays visible.
    var isPath = false
}

/// A table with a header, a highlighted row (with a `▸` pointer, so it shows in plain text
/// and monochrome), scrolling that keeps the highlight visible, and responsive columns.
struct Table {
    var columns: [TableColumn]
    var rows: [[[Span]]]
    var selected: Int?
    var focused: Bool
    var showHeader = true

    /// Index of the first visible row for a highlight and a number of visible rows.
    static func firstVisible(selected: Int, count: Int, visible: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        return max(0, min(count - visible, selected - visible + 1))
    }

    /// Column widths for the available width: fixed columns, the flexible one takes the
    /// rest, and low-priority columns are dropped until everything fits. nil = dropped.
    static func layout(_ columns: [TableColumn], width: Int) -> [Int?] {
        var active = Array(columns.indices)
        while true {
            let gaps = max(0, active.count - 1)
            let fixed = active.reduce(0) { $0 + columns[$1].width } + gaps
            if fixed <= width || active.count <= 1 {
                var widths = [Int?](repeating: nil, count: columns.count)
                let spare = max(0, width - fixed)
                // Spare width is shared by the flexible columns (or goes to the last column).
                let flexible = active.filter { columns[$0].flexible }
                let growing = flexible.isEmpty ? Array(active.suffix(1)) : flexible
                for i in active { widths[i] = columns[i].width }
                for (n, i) in growing.enumerated() {
                    widths[i]! += spare / growing.count + (n < spare % growing.count ? 1 : 0)
                }
                if active.count == 1, let only = active.first { widths[only] = min(widths[only]!, width) }
                return widths
            }
            // Drop the lowest-priority column (the rightmost among equals).
            let victim = active.enumerated().min { a, b in
                columns[a.element].priority < columns[b.element].priority || (columns[a.element].priority == columns[b.element].priority && a.offset > b.offset)
            }!.offset
            active.remove(at: victim)
        }
    }

    /// Draws the table; returns the rectangle of the body rows and the first visible row.
    @discardableResult
    func draw(into grid: inout CellGrid, _ rect: Rect, theme: Theme) -> (rows: Rect, first: Int) {
        let g = theme.glyphs
        guard rect.width > 2, rect.height > (showHeader ? 1 : 0) else { return (Rect(x: rect.x, y: rect.y, width: 0, height: 0), 0) }
        let widths = Table.layout(columns, width: rect.width - 1)
        var y = rect.y
        if showHeader {
            var x = rect.x + 1
            for (i, c) in columns.enumerated() {
                guard let w = widths[i] else { continue }
                grid.write(DisplayWidth.pad(c.title, to: w, alignment: c.alignment, ellipsis: g.ellipsis), x: x, y: y, maxWidth: w, style: theme[.tableHeader])
                x += w + 1
            }
            y += 1
        }
        let body = Rect(x: rect.x, y: y, width: rect.width, height: rect.maxY - y)
        let first = Table.firstVisible(selected: selected ?? 0, count: rows.count, visible: body.height)
        for line in 0..<body.height {
            let r = first + line
            guard r < rows.count else { break }
            let rowY = body.y + line
            let isSelected = r == selected
            var x = rect.x + 1
            for (i, cells) in rows[r].enumerated() where i < columns.count {
                guard let w = widths[i] else { continue }
                var cells = cells
                if columns[i].isPath, cells.count == 1, cells[0].width > w {
                    cells[0].text = DisplayWidth.truncatePath(cells[0].text, to: w, ellipsis: g.ellipsis)
                }
                let used = cells.width
                let offset: Int
                switch columns[i].alignment {
                case .left: offset = 0
                case .right: offset = max(0, w - used)
                case .center: offset = max(0, (w - used) / 2)
                }
                grid.write(cells, x: x + offset, y: rowY, maxWidth: w - offset, ellipsis: g.ellipsis)
                x += w + 1
            }
            if isSelected {
                let selection = focused ? theme[.selection] : theme[.selectionInactive]
                Table.highlight(&grid, Rect(x: rect.x, y: rowY, width: rect.width, height: 1), selection: selection, theme: theme)
                grid.put(g.pointer, x: rect.x, y: rowY, style: selection)
            }
        }
        return (body, first)
    }

    /// Paints a selection bar, keeping meaningful colours (▲ green stays green).
    static func highlight(_ grid: inout CellGrid, _ rect: Rect, selection: CellStyle, theme: Theme) {
        let plain: Set<TerminalColor> = [theme[.text].foreground, theme[.textDim].foreground, theme[.background].foreground]
        grid.restyle(rect) { s in
            CellStyle(
                foreground: plain.contains(s.foreground) ? selection.foreground : s.foreground,
                background: selection.background,
                attributes: s.attributes.union(selection.attributes).subtracting(.dim)
            )
        }
    }
}
