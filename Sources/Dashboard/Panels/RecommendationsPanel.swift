import InterestGraph

/// Recommendations: the selected user's live top-K with score, rank movement since the last
/// refresh (▲▼ / new), category, hit marks (replay) and the explanation path; or, toggled,
/// the highlighted item's audience.
enum RecommendationsPanel {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        ctx.state.showAudience ? drawAudience(into: &grid, rect, ctx) : drawTopK(into: &grid, rect, ctx)
    }

    private static func drawTopK(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let recs = s.selectedUser?.recommendations ?? []
        let selected = min(ctx.state.selected(.recommendations), max(0, recs.count - 1))
        let right: [Span] = s.selectedUser.map { [Span("for ", theme[.textDim]), Span($0.id, theme[.nodeUser].adding(.bold))] } ?? []
        let innerHeight = rect.height - 2
        let columns = tableColumns(ctx)
        let whyDropped = Table.layout(columns, width: rect.width - 4).last! == nil
        let showWhyLines = innerHeight >= 8 && whyDropped
        let tableHeight = showWhyLines ? min(recs.count + 1, innerHeight - 3) : innerHeight
        let footer = Renderer.position(selected, recs.count, visible: tableHeight - 1, ctx)
        let inner = Renderer.frame(&grid, rect, .recommendations, ctx, right: right, footer: footer, hints: [([.audience], "audience"), ([.inject], "inject")])
        var region = PanelRegion(panel: .recommendations, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard s.selectedUser != nil else {
            Renderer.placeholder(&grid, inner, ["no user selected", "press \(ctx.key(.search)) to find one by id"], ctx)
            return region
        }
        guard !recs.isEmpty else {
            Renderer.placeholder(&grid, inner, ["no recommendations yet (the model is warming up)"], ctx)
            return region
        }
        let maxScore = recs.map(\.score).filter(\.isFinite).max() ?? 1
        let scores = Format.column(recs.map { Double($0.score) })
        let rows: [[[Span]]] = recs.enumerated().map { i, r in
            [
                [Span("\(i + 1)", theme[.textDim])],
                movement(ctx.state.displayedMove(r), ctx),
                r.hit ? [Span(String(g.hit), theme[.hit])] : [Span(" ", theme[.text])],
                itemSpans(r.item, r.title, ctx),
                [Span(scores[i], r.score == maxScore ? theme[.textStrong] : theme[.text])],
                [Span(r.category ?? "–", theme[.nodeCategory])],
                [Span(r.explanation, theme[.textDim])],
            ]
        }
        let table = Table(columns: columns, rows: rows, selected: selected, focused: ctx.focused(.recommendations))
        // The explanation goes right under the table (a blank line between) when it fits.
        let tableRect = Rect(x: inner.x - 1, y: inner.y, width: inner.width + 1, height: tableHeight)
        let (body, first) = table.draw(into: &grid, tableRect, theme: theme)
        region.rows = body
        region.firstRow = first
        if showWhyLines {
            let r = recs[selected]
            let y = min(inner.maxY - 2, tableRect.maxY + 1)
            let label = [Span("why ", theme[.accent].adding(.bold))]
            let lines = wrap(r.explanation.isEmpty ? "no explanation" : r.explanation, width: inner.width - 4, lines: 2, ellipsis: g.ellipsis)
            for (i, line) in lines.enumerated() {
                grid.write((i == 0 ? label : [Span("    ", theme[.text])]) + [Span(line, theme[.text])], x: inner.x, y: y + i, maxWidth: inner.width, ellipsis: g.ellipsis)
            }
        }
        return region
    }

    private static func drawAudience(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme
        let users = s.audience?.users ?? []
        let selected = min(ctx.state.audienceSelection, max(0, users.count - 1))
        var right: [Span] = [Span("audience of ", theme[.textDim])]
        if let a = s.audience { right.append(Span(a.title ?? a.item, theme[.nodeItem].adding(.bold))) }
        let footer = Renderer.position(selected, users.count, visible: rect.height - 3, ctx)
        let inner = Renderer.frame(&grid, rect, .recommendations, ctx, right: right, footer: footer, hints: [([.enter], "select user"), ([.back], "back")])
        var region = PanelRegion(panel: .recommendations, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard !users.isEmpty else {
            Renderer.placeholder(&grid, inner, [s.audience == nil ? "waiting for the audience…" : "nobody scores this item yet"], ctx)
            return region
        }
        let maxScore = Double(users.map(\.score).filter(\.isFinite).max() ?? 1)
        let barWidth = 10
        let scores = Format.column(users.map { Double($0.score) })
        let rows: [[[Span]]] = users.enumerated().map { i, u in
            [
                [Span("\(i + 1)", theme[.textDim])],
                [Span(u.user, theme[.nodeUser])],
                [Span(scores[i], theme[.text])],
                [Span(bar(Double(u.score) / max(maxScore, 1e-9), width: barWidth, ctx), theme[.gauge])],
                [Span(u.topInterest ?? "–", theme[.nodeCategory])],
            ]
        }
        let table = Table(columns: [
            TableColumn(title: "#", width: 2, alignment: .right, priority: 5),
            TableColumn(title: "user", width: 12, alignment: .left, flexible: true, priority: 5),
            TableColumn(title: "score", width: 5, alignment: .right, priority: 4),
            TableColumn(title: "", width: barWidth, alignment: .left, priority: 1),
            TableColumn(title: "top interest", width: 14, alignment: .left, priority: 2, isPath: true),
        ], rows: rows, selected: selected, focused: ctx.focused(.recommendations))
        let (body, first) = table.draw(into: &grid, Rect(x: inner.x - 1, y: inner.y, width: inner.width + 1, height: inner.height), theme: theme)
        region.rows = body
        region.firstRow = first
        return region
    }

    /// Columns of the top-K table; "why" needs room, else the highlighted row's explanation
    /// gets two lines of its own under the table.
    static func tableColumns(_ ctx: RenderContext) -> [TableColumn] {
        [
            TableColumn(title: "#", width: 2, alignment: .right, priority: 5),
            TableColumn(title: "move", width: 4, alignment: .left, priority: 4),
            TableColumn(title: String(ctx.g.hit), width: 1, alignment: .left, priority: 3),
            TableColumn(title: "item", width: 22, alignment: .left, flexible: true, priority: 5),
            TableColumn(title: "score", width: 5, alignment: .right, priority: 4),
            TableColumn(title: "category", width: 12, alignment: .left, priority: 2, isPath: true),
            TableColumn(title: "why", width: 30, alignment: .left, flexible: true, priority: 0),
        ]
    }

    /// "▲2", "▼1", "new", "·" — the glyph carries the meaning, the colour repeats it.
    static func movement(_ change: Int?, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        guard let change else { return [Span("new", theme[.accent].adding(.bold))] }
        if change > 0 { return [Span(String(g.up) + "\(change)", theme[.good])] }
        if change < 0 { return [Span(String(g.down) + "\(-change)", theme[.bad])] }
        return [Span(String(g.steady), theme[.textDim])]
    }

    static func itemSpans(_ id: String, _ title: String?, _ ctx: RenderContext) -> [Span] {
        guard let title, !title.isEmpty, title != id else { return [Span(id, ctx.theme[.nodeItem])] }
        return [Span(id, ctx.theme[.textDim]), Span(" " + title, ctx.theme[.nodeItem])]
    }

    /// A bar as a string (for table cells).
    static func bar(_ fraction: Double, width: Int, _ ctx: RenderContext) -> String {
        let g = ctx.g
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((f * Double(width * 8)).rounded())
        var s = String(repeating: g.barFull, count: eighths / 8)
        if eighths % 8 > 0 && !g.isASCII { s.append(g.eighths[eighths % 8 - 1]) }
        return s
    }

    /// Word-wraps `text` into at most `lines` lines of `width` columns, the last cut with an ellipsis.
    static func wrap(_ text: String, width: Int, lines: Int, ellipsis: Character) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        var current = ""
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        var index = 0
        while index < words.count {
            let word = String(words[index])
            let candidate = current.isEmpty ? word : current + " " + word
            if DisplayWidth.of(candidate) <= width {
                current = candidate
                index += 1
                continue
            }
            if current.isEmpty {
                current = word
                index += 1
            }
            out.append(current)
            current = ""
            if out.count == lines { break }
        }
        if out.count < lines, !current.isEmpty { out.append(current) }
        if index < words.count || (out.last.map { DisplayWidth.of($0) > width } ?? false), let last = out.popLast() {
            let rest = ([last] + words[index...].map(String.init)).joined(separator: " ")
            out.append(DisplayWidth.truncate(rest, to: width, ellipsis: ellipsis))
        }
        return out
    }
}
