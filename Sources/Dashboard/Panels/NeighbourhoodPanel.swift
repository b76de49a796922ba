import InterestGraph

/// Neighbourhood: the graph around the browsed node — a breadcrumb trail, the centre, and one
/// row per edge (relation, target, strength, age). Enter follows an edge, Backspace goes back.
enum NeighbourhoodPanel {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let rows = s.neighbourhood?.rows ?? []
        let selected = min(ctx.state.selected(.neighbourhood), max(0, rows.count - 1))
        let footer = Renderer.position(selected, rows.count, visible: rect.height - 5, ctx)
        var right: [Span] = []
        if ctx.state.pendingBrowse != nil { right = [Span("loading" + String(g.ellipsis), theme[.warning])] }
        let inner = Renderer.frame(&grid, rect, .neighbourhood, ctx, right: right, footer: footer, hints: [([.enter], "follow"), ([.back], "back"), ([.selectUser], "select user")])
        var region = PanelRegion(panel: .neighbourhood, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard let view = s.neighbourhood else {
            Renderer.placeholder(&grid, inner, ["nothing to browse yet", "select a user (\(ctx.key(.search))) to start from"], ctx)
            return region
        }
        var y = inner.y
        grid.write(trail(ctx, center: view.center), x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        y += 1
        if inner.height >= 5 {
            var center: [Span] = [
                Span(String(g.bullet) + " ", theme[Renderer.role(view.center.node.kind)]),
                Span(view.center.node.kind.description + " ", theme[.textDim]),
                Span(view.center.name, theme[Renderer.role(view.center.node.kind)].adding(.bold)),
            ]
            if view.center.node.kind == .user, ctx.state.isBookmarked(view.center.name) {
                center.append(Span(" ", theme[.text]))
                center.append(Renderer.bookmarkMark(ctx))
            }
            if let detail = view.center.detail { center.append(Span("  " + detail, theme[.text])) }
            center.append(Span("  \(rows.count) edge\(rows.count == 1 ? "" : "s")", theme[.textDim]))
            grid.write(center, x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
            y += 1
        }
        let tableRect = Rect(x: inner.x - 1, y: y, width: inner.width + 1, height: inner.maxY - y)
        guard !rows.isEmpty else {
            Renderer.placeholder(&grid, tableRect, ["no edges (decayed away, or a leaf)"], ctx)
            return region
        }
        let maxStrength = rows.map(\.strength).filter(\.isFinite).max() ?? 1
        let barWidth = 8
        let strengths = Format.column(rows.map { Double($0.strength) })
        let tableRows: [[[Span]]] = rows.enumerated().map { i, r in
            let kindStyle = theme[Renderer.role(r.target.node.kind)]
            var target: [Span] = [Span(r.target.name, kindStyle)]
            if r.target.node.kind == .user, ctx.state.isBookmarked(r.target.name) {
                target.append(Span(" ", theme[.text]))
                target.append(Renderer.bookmarkMark(ctx))
            }
            if let detail = r.target.detail { target.append(Span(" " + detail, theme[.textDim])) }
            return [
                [Span(r.relation, theme[.text])],
                [Span(kindLabel(r.target.node.kind), kindStyle)],
                target,
                [Span(RecommendationsPanel.bar(r.strength / max(maxStrength, 1e-9), width: barWidth, ctx), theme[.gauge])],
                [Span(strengths[i], theme[.text])],
                [Span(r.age.map(Format.duration) ?? "", theme[.textDim])],
                [Span(r.count > 1 ? "×\(r.count)" : "", theme[.textDim])],
            ]
        }
        let table = Table(columns: [
            TableColumn(title: "relation", width: 9, priority: 4),
            TableColumn(title: "kind", width: 5, priority: 1),
            TableColumn(title: "target", width: 20, flexible: true, priority: 5),
            TableColumn(title: "strength", width: barWidth, priority: 2),
            TableColumn(title: "", width: 5, alignment: .right, priority: 4),
            TableColumn(title: "age", width: 4, alignment: .right, priority: 3),
            TableColumn(title: "n", width: 4, alignment: .right, priority: 0),
        ], rows: tableRows, selected: selected, focused: ctx.focused(.neighbourhood))
        let (body, first) = table.draw(into: &grid, tableRect, theme: theme)
        region.rows = body
        region.firstRow = first
        return region
    }

    static func kindLabel(_ kind: NodeKind) -> String {
        switch kind {
        case .user: "user"
        case .item: "item"
        case .category: "cat"
        case .brand: "brand"
        case .entity: "kg"
        }
    }

    /// "u42 › Toy Story (1995) › Animation", cut from the left when long.
    private static func trail(_ ctx: RenderContext, center: NodeLine) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        let names = ctx.state.breadcrumbs.map(\.name)
        let separator = g.breadcrumb
        let head = names.joined(separator: separator)
        let centerName = center.name
        let room = max(0, ctx.layout.panels[.neighbourhood].map { $0.width - 4 } ?? 40) - DisplayWidth.of(centerName) - DisplayWidth.of(separator)
        var spans: [Span] = []
        if !head.isEmpty {
            spans.append(Span(DisplayWidth.truncateLeading(head, to: max(1, room), ellipsis: g.ellipsis), theme[.textDim]))
            spans.append(Span(separator, theme[.textDim]))
        } else {
            spans.append(Span("trail: ", theme[.textDim]))
        }
        spans.append(Span(centerName, theme[Renderer.role(center.node.kind)].adding(.bold)))
        return spans
    }
}
