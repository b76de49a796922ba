import InterestGraph

/// The who-changed view, drawn over the panels: the latest detected interest changes (time,
/// user, from → to, confidence), filterable by the category moved into, and on its second tab
/// the dormant users (idle for more than three times their usual gap).
enum ChangesView {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ view: ChangesViewState, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g, s = ctx.snapshot
        guard rect.width >= 20, rect.height >= 6 else { return }
        grid.fill(rect, style: theme[.background])
        grid.drawBox(rect, box: g.focusedBox, style: theme[.panelBorderFocused])
        let titleStyle = theme[.panelTitleFocused]
        var title: [Span] = [Span(" Who changed ", view.tab == .changes ? titleStyle : theme[.panelTitle])]
        title.append(Span("·", theme[.panelHint]))
        title.append(Span(" Dormant ", view.tab == .dormant ? titleStyle : theme[.panelTitle]))
        grid.write(title, x: rect.x + 2, y: rect.y, maxWidth: rect.width - 4, ellipsis: g.ellipsis)
        let inner = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        var hints: [([KeyAction], String)] = [([.enter], "open user"), ([.saveAudience], "save audience"), ([.focusNext], view.tab == .changes ? "dormant" : "changes")]
        if view.tab == .changes { hints.insert(([.search], "filter"), at: 1) }
        hints.append(([.cancel], "close"))
        footer(&grid, rect, hints, ctx)
        switch view.tab {
        case .changes: drawChanges(&grid, inner, view, s, ctx)
        case .dormant: drawDormant(&grid, inner, view, s, ctx)
        }
    }

    private static func footer(_ grid: inout CellGrid, _ rect: Rect, _ hints: [([KeyAction], String)], _ ctx: RenderContext) {
        let theme = ctx.theme
        var spans: [Span] = [Span(" ", theme[.panelBorderFocused])]
        for (i, (actions, label)) in hints.enumerated() {
            if i > 0 { spans.append(Span(" · ", theme[.panelHint])) }
            spans.append(Span(actions.map(ctx.key).joined(separator: "/"), theme[.accent].adding(.bold)))
            spans.append(Span(" " + label, theme[.panelHint]))
        }
        spans.append(Span(" ", theme[.panelBorderFocused]))
        let room = rect.width - 4
        while spans.width > room && spans.count > 4 { spans.removeLast(4); spans.append(Span(" ", theme[.panelBorderFocused])) }
        if spans.width <= room { grid.write(spans, x: rect.maxX - 2 - spans.width, y: rect.maxY - 1, maxWidth: spans.width, ellipsis: ctx.g.ellipsis) }
    }

    private static func drawChanges(_ grid: inout CellGrid, _ inner: Rect, _ view: ChangesViewState, _ s: EngineSnapshot, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        let rows = view.changes(s)
        var y = inner.y
        var line: [Span] = [Span("into ", theme[.textDim])]
        if view.filter.isEmpty && !view.editingFilter {
            line.append(Span("any category", theme[.text]))
            line.append(Span("  (\(ctx.key(.search)) filters)", theme[.textDim]))
        } else {
            line.append(Span(view.filter + (view.editingFilter ? "▏" : ""), (view.editingFilter ? theme[.prompt] : theme[.accent]).adding(.bold)))
        }
        line.append(Span("   \(rows.count) of \(s.interestChanges.count) latest · \(Format.grouped(s.changesDetected)) detected", theme[.textDim]))
        if let threshold = s.tunables.first(where: { $0.key == "change.threshold" }) {
            line.append(Span(" · threshold \(Format.printf(threshold.format, threshold.value)) nats", theme[.textDim]))
        }
        grid.write(line, x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        y += 2
        guard !rows.isEmpty else {
            let note = s.interestChanges.isEmpty ? ["no interest changes detected yet", "they appear as users' sessions move to new categories"] : ["no change into \"\(view.filter)\" among the latest"]
            Renderer.placeholder(&grid, Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), note, ctx)
            return
        }
        // time | user | from → to | confidence; category columns share what is left.
        let timeWidth = 19, confWidth = 10
        let userWidth = min(16, max(4, rows.map { DisplayWidth.of($0.user) }.max() ?? 4))
        let rest = max(8, inner.width - 2 - timeWidth - userWidth - confWidth - 3 * 2 - 3)
        let catWidth = rest / 2
        var x = inner.x + 2
        let header = theme[.tableHeader]
        // Gaps after each column, as the rows below lay them out ("from ▸ to" sit together).
        for (text, width, alignment, gap) in [("time", timeWidth, Alignment.left, 2), ("user", userWidth, .left, 2), ("from", catWidth, .left, 0),
                                              ("", 3, .left, 0), ("to", catWidth, .left, 2), ("confidence", confWidth, .right, 0)] {
            grid.write(DisplayWidth.pad(text, to: width, alignment: alignment), x: x, y: y, maxWidth: width, style: header)
            x += width + gap
        }
        y += 1
        let visible = max(0, inner.maxY - y)
        let selected = max(0, min(view.selection, rows.count - 1))
        let first = Table.firstVisible(selected: selected, count: rows.count, visible: visible)
        for (k, c) in rows[first..<min(rows.count, first + visible)].enumerated() {
            let index = first + k
            let isSelected = index == selected
            let rowY = y + k
            if isSelected {
                grid.fill(Rect(x: inner.x, y: rowY, width: inner.width, height: 1), style: theme[.selection])
                grid.put(g.pointer, x: inner.x, y: rowY, style: theme[.selection])
            }
            func style(_ role: ThemeRole) -> CellStyle { isSelected ? theme[.selection] : theme[role] }
            var cx = inner.x + 2
            grid.write(Format.dateTime(c.time), x: cx, y: rowY, maxWidth: timeWidth, style: style(.textDim))
            cx += timeWidth + 2
            grid.write(DisplayWidth.truncate(c.user, to: userWidth, ellipsis: g.ellipsis), x: cx, y: rowY, maxWidth: userWidth, style: style(.nodeUser))
            cx += userWidth + 2
            grid.write(DisplayWidth.truncatePath(c.from.isEmpty ? "–" : c.from, to: catWidth, ellipsis: g.ellipsis), x: cx, y: rowY, maxWidth: catWidth, style: style(.bad))
            cx += catWidth
            grid.write(" " + String(g.right) + " ", x: cx, y: rowY, maxWidth: 3, style: style(.textDim))
            cx += 3
            grid.write(DisplayWidth.truncatePath(c.to.isEmpty ? "–" : c.to, to: catWidth, ellipsis: g.ellipsis), x: cx, y: rowY, maxWidth: catWidth, style: style(.good))
            cx += catWidth + 2
            grid.write(DisplayWidth.pad(Format.fixed(c.confidence, 3), to: confWidth, alignment: .right), x: cx, y: rowY, maxWidth: confWidth, style: style(.textStrong))
        }
    }

    private static func drawDormant(_ grid: inout CellGrid, _ inner: Rect, _ view: ChangesViewState, _ s: EngineSnapshot, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        var y = inner.y
        guard let list = s.dormant else {
            Renderer.placeholder(&grid, inner, ["listing dormant users…"], ctx)
            return
        }
        let note = "idle over \(Format.trimmed(list.factor))× their usual gap at \(Format.dateTime(list.time)): \(Format.grouped(list.total)) user\(list.total == 1 ? "" : "s")"
        grid.write(note + (list.total > list.users.count ? " (the \(list.users.count) most overdue shown)" : ""), in: Rect(x: inner.x, y: y, width: inner.width, height: 1), style: theme[.textDim], ellipsis: g.ellipsis)
        y += 2
        guard !list.users.isEmpty else {
            Renderer.placeholder(&grid, Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), ["nobody is dormant"], ctx)
            return
        }
        let userWidth = min(16, max(4, list.users.map { DisplayWidth.of($0.user) }.max() ?? 4))
        let columns: [(String, Int)] = [("user", userWidth), ("last seen", 19), ("idle", 6), ("usual gap", 9), ("ratio", 7), ("events", 7)]
        var x = inner.x + 2
        for (text, width) in columns {
            grid.write(DisplayWidth.pad(text, to: width, alignment: text == "user" || text == "last seen" ? .left : .right), x: x, y: y, maxWidth: width, style: theme[.tableHeader])
            x += width + 2
        }
        y += 1
        let visible = max(0, inner.maxY - y)
        let selected = max(0, min(view.selection, list.users.count - 1))
        let first = Table.firstVisible(selected: selected, count: list.users.count, visible: visible)
        for (k, d) in list.users[first..<min(list.users.count, first + visible)].enumerated() {
            let isSelected = first + k == selected
            let rowY = y + k
            if isSelected {
                grid.fill(Rect(x: inner.x, y: rowY, width: inner.width, height: 1), style: theme[.selection])
                grid.put(g.pointer, x: inner.x, y: rowY, style: theme[.selection])
            }
            func style(_ role: ThemeRole) -> CellStyle { isSelected ? theme[.selection] : theme[role] }
            let cells: [(String, ThemeRole)] = [
                (DisplayWidth.truncate(d.user, to: userWidth, ellipsis: g.ellipsis), .nodeUser), (Format.dateTime(d.lastSeen), .textDim),
                (Format.duration(d.idleSeconds), .text), (Format.duration(d.typicalGapSeconds), .textDim),
                (Format.fixed(d.ratio, 1) + "×", d.ratio >= 2 * list.factor ? .warning : .text), (Format.grouped(d.events), .textDim),
            ]
            var cx = inner.x + 2
            for (i, (text, role)) in cells.enumerated() {
                let width = columns[i].1
                grid.write(DisplayWidth.pad(text, to: width, alignment: i < 2 ? .left : .right), x: cx, y: rowY, maxWidth: width, style: style(role))
                cx += width + 2
            }
        }
    }
}
