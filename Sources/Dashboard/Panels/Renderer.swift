import InterestGraph

/// What every panel reads while drawing.
struct RenderContext {
    let snapshot: EngineSnapshot
    let state: DashboardState
    let theme: Theme
    let layout: Layout
    var g: Glyphs { theme.glyphs }

    func focused(_ panel: PanelID) -> Bool { state.focus == panel }

    /// A short key hint: the first key bound to `action`, as the help shows it.
    func key(_ action: KeyAction) -> String { state.keymap.primaryKey(action, ascii: g.isASCII) }
}

/// The pure renderer: (snapshot, UI state, theme, size) -> cell grid.
enum Renderer {
    /// Renders one frame. Pure: the same inputs give the same grid, which is what the golden
    /// snapshot tests and the frame differ rely on.
    static func render(snapshot: EngineSnapshot, state: DashboardState, theme: Theme, size: GridSize) -> CellGrid {
        renderFrame(snapshot: snapshot, state: state, theme: theme, size: size).grid
    }

    /// Renders one frame and reports where panels and their rows went (for mouse clicks).
    static func renderFrame(snapshot: EngineSnapshot, state: DashboardState, theme: Theme, size: GridSize) -> (grid: CellGrid, regions: [PanelRegion]) {
        var grid = CellGrid(width: size.width, height: size.height, style: theme[.background])
        guard size.width >= GridSize.minimum.width, size.height >= GridSize.minimum.height else {
            ResizeScreen.draw(into: &grid, theme: theme)
            if theme.ascii { grid.foldToASCII() }
            return (grid, [])
        }
        let layout = Layout.compute(size: size, state: state)
        let ctx = RenderContext(snapshot: snapshot, state: state, theme: theme, layout: layout)
        var regions: [PanelRegion] = []
        for panel in PanelID.allCases {
            guard let rect = layout.panels[panel] else { continue }
            regions.append(draw(panel, into: &grid, rect, ctx))
        }
        StatusLine.draw(into: &grid, layout.status, ctx)
        if let caption = layout.caption, let tour = state.demo {
            grid.fill(caption, style: theme[.caption])
            grid.write(" " + tour.caption, in: caption, style: theme[.caption], ellipsis: ctx.g.ellipsis)
            let hint = "any key takes over "
            if caption.width > DisplayWidth.of(tour.caption) + DisplayWidth.of(hint) + 4 {
                grid.write(hint, in: caption, alignment: .right, style: theme[.caption], ellipsis: ctx.g.ellipsis)
            }
        }
        if let view = state.changesView {
            ChangesView.draw(into: &grid, Rect(x: 0, y: 0, width: size.width, height: layout.status.y), view, ctx)
        }
        if state.confirmReset { Overlays.confirmReset(into: &grid, ctx) }
        if state.showHelp { HelpOverlay.draw(into: &grid, ctx) }
        if theme.ascii { grid.foldToASCII() }
        return (grid, regions)
    }

    static func draw(_ panel: PanelID, into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        switch panel {
        case .training: TrainingPanel.draw(into: &grid, rect, ctx)
        case .drift: DriftPanel.draw(into: &grid, rect, ctx)
        case .recommendations: RecommendationsPanel.draw(into: &grid, rect, ctx)
        case .neighbourhood: NeighbourhoodPanel.draw(into: &grid, rect, ctx)
        case .hyperparameters: HyperparametersPanel.draw(into: &grid, rect, ctx)
        case .events: EventsPanel.draw(into: &grid, rect, ctx)
        }
    }

    /// Draws a panel's border with its title (left), `right` spans on the top border, and on
    /// the bottom border `footer` (left) and, when focused, the panel's key hints (right).
    /// Returns the inner rectangle, one column of padding inside the border.
    static func frame(_ grid: inout CellGrid, _ rect: Rect, _ panel: PanelID, _ ctx: RenderContext, right: [Span] = [], footer: [Span] = [], hints: [([KeyAction], String)] = []) -> Rect {
        let theme = ctx.theme, g = ctx.g
        let focused = ctx.focused(panel)
        let borderStyle = focused ? theme[.panelBorderFocused] : theme[.panelBorder]
        grid.fill(rect, style: theme[.background])
        grid.drawBox(rect, box: focused ? g.focusedBox : g.box, style: borderStyle)
        guard rect.width >= 6, rect.height >= 2 else { return rect.inset(dx: 1, dy: 1) }
        let titleStyle = focused ? theme[.panelTitleFocused] : theme[.panelTitle]
        let title = " \(panel.title) "
        let titleWidth = grid.write([Span(title, titleStyle)], x: rect.x + 2, y: rect.y, maxWidth: rect.width - 4, ellipsis: g.ellipsis)
        let rightRoom = rect.width - 4 - titleWidth - 2
        if !right.isEmpty, rightRoom > 4 {
            let spans = [Span(" ", borderStyle)] + right + [Span(" ", borderStyle)]
            let w = min(spans.width, rightRoom)
            grid.write(spans, x: rect.maxX - 2 - w, y: rect.y, maxWidth: w, ellipsis: g.ellipsis)
        }
        let bottom = rect.maxY - 1
        var footerWidth = 0
        if !footer.isEmpty {
            footerWidth = grid.write([Span(" ", borderStyle)] + footer + [Span(" ", borderStyle)], x: rect.x + 2, y: bottom, maxWidth: rect.width - 4, ellipsis: g.ellipsis)
        }
        if focused, !hints.isEmpty {
            var spans: [Span] = [Span(" ", borderStyle)]
            for (i, (actions, label)) in hints.enumerated() {
                if i > 0 { spans.append(Span(" · ", theme[.panelHint])) }
                spans.append(Span(actions.map(ctx.key).joined(separator: "/"), theme[.accent].adding(.bold)))
                spans.append(Span(" " + label, theme[.panelHint]))
            }
            spans.append(Span(" ", borderStyle))
            let room = rect.width - 4 - footerWidth - 1
            // Drop hints from the end until they fit, rather than cutting one in half.
            while spans.width > room && spans.count > 4 { spans.removeLast(4); spans.append(Span(" ", borderStyle)) }
            if spans.width <= room { grid.write(spans, x: rect.maxX - 2 - spans.width, y: bottom, maxWidth: spans.width, ellipsis: g.ellipsis) }
        }
        return Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
    }

    /// A dim centred note for an empty panel ("waiting for the first batch…").
    static func placeholder(_ grid: inout CellGrid, _ rect: Rect, _ lines: [String], _ ctx: RenderContext) {
        guard !rect.isEmpty else { return }
        let top = rect.y + max(0, (rect.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < rect.maxY {
            grid.write(line, in: Rect(x: rect.x, y: top + i, width: rect.width, height: 1), alignment: .center, style: ctx.theme[.textDim], ellipsis: ctx.g.ellipsis)
        }
    }

    /// "3/40" on a bottom border, when a list is longer than its rows.
    static func position(_ selected: Int, _ count: Int, visible: Int, _ ctx: RenderContext) -> [Span] {
        guard count > visible, count > 0 else { return [] }
        return [Span("\(min(selected, count - 1) + 1)/\(count)", ctx.theme[.panelHint])]
    }

    /// The star beside a bookmarked user's id (`*` in ASCII).
    static func bookmarkMark(_ ctx: RenderContext) -> Span {
        Span(String(ctx.g.bookmark), ctx.theme[.accent].adding(.bold))
    }

    /// The theme role for a node kind.
    static func role(_ kind: NodeKind) -> ThemeRole {
        switch kind {
        case .user: .nodeUser
        case .item: .nodeItem
        case .category: .nodeCategory
        case .brand: .nodeBrand
        case .entity: .nodeEntity
        }
    }

    static func role(_ action: Action) -> ThemeRole {
        switch action {
        case .view: .eventView
        case .click: .eventClick
        case .cart: .eventCart
        case .purchase: .eventPurchase
        case .review: .eventReview
        case .rating: .eventRating
        }
    }
}
