import InterestGraph

/// Interest drift: the selected user's category shares over time as a heatmap (with the
/// simulator's true mixture beside or below it when known), the drift score as a sparkline
/// aligned with the time buckets, change points, and now vs then with ▲/▼.
enum DriftPanel {
    /// How the true mixture (simulated users) is shown.
    enum TruthMode: Sendable { case none, column, sideBySide, stacked }

    /// How the body is split for a given inner rectangle.
    struct Geometry {
        var labelWidth = 8
        var tableWidth = 12
        var heatWidth = 0
        var truth = TruthMode.none
        var showHeader = false
        var showScores = false
        var showAxis = false
        var showMoves = false
        /// The change detector's line: the latest detected change and the evidence now.
        var showChange = false
        /// Categories visible at once, and screen lines per category.
        var heatRows = 0
        var rowHeight = 1

        init(inner: Rect, user: UserView?) {
            guard let user else { return }
            let d = user.drift
            let categories = d.categories.count
            labelWidth = max(5, min(16, d.categories.map { DisplayWidth.of($0) }.max() ?? 8))
            var available = inner.height - 1
            let hasShares = !d.trueShares.isEmpty
            let rest = inner.width - labelWidth - 2 - tableWidth
            if hasShares && available >= 2 * categories + 5 {
                truth = .stacked
            } else if hasShares && inner.width >= 100 && rest >= 2 * 24 + 3 {
                truth = .sideBySide
            } else if user.trueInterests != nil {
                truth = .column
                tableWidth += 5
            }
            let heat = max(0, inner.width - labelWidth - 2 - tableWidth)
            heatWidth = truth == .sideBySide ? (heat - 3) / 2 : heat
            let blocks = truth == .stacked ? 2 : 1
            if truth == .stacked { available -= categories + 1 }
            showHeader = available >= 6
            if showHeader { available -= 1 }
            showScores = available >= 3
            if showScores { available -= 1 }
            showAxis = available >= 3
            if showAxis { available -= 1 }
            showMoves = available >= 3 && !(d.gained.isEmpty && d.lost.isEmpty)
            if showMoves { available -= 1 }
            showChange = available >= 3 && (d.changeThreshold > 0 || !d.detectedChanges.isEmpty)
            if showChange { available -= 1 }
            // Lines left for the heatmap(s): with room to spare, each category gets up to
            // three lines, which makes a zoomed heatmap much easier to read.
            let lines = available + (truth == .stacked ? categories : 0)
            // One or two rows drawn three lines tall read as blocks, not as a map: only a
            // real map (three or more categories) gets the taller rows.
            rowHeight = categories < 3 ? 1 : max(1, min(3, lines / (blocks * max(categories, 1))))
            heatRows = max(0, min(max(categories, 1), lines / (blocks * rowHeight)))
        }
    }

    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let provisional = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        let geometry = Geometry(inner: provisional, user: s.selectedUser)
        let scale = s.selectedUser.map { maxShare($0.drift) } ?? 1
        var right: [Span] = []
        var footer: [Span] = []
        if let u = s.selectedUser {
            right = [Span(u.id, theme[.nodeUser].adding(.bold)), Span(" · \(Format.grouped(u.events)) events", theme[.textDim])]
            if ctx.state.isBookmarked(u.id) { right.insert(contentsOf: [Renderer.bookmarkMark(ctx), Span(" ", theme[.textDim])], at: 0) }
            footer = Renderer.position(ctx.state.selected(.drift), u.drift.categories.count, visible: geometry.heatRows, ctx)
            if !u.drift.bucketTimes.isEmpty {
                footer += legend(scale: scale, changePoints: !u.drift.changePoints.isEmpty, detected: !u.drift.detectedChanges.isEmpty, separated: !footer.isEmpty, ctx)
            }
        }
        let inner = Renderer.frame(&grid, rect, .drift, ctx, right: right, footer: footer, hints: [([.search], "find user"), ([.inject], "inject")])
        var region = PanelRegion(panel: .drift, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard let user = s.selectedUser else {
            Renderer.placeholder(&grid, inner, ["no user selected", "press \(ctx.key(.search)) to find one by id"], ctx)
            return region
        }
        let d = user.drift
        var y = inner.y
        grid.write(summary(user, ctx), x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        y += 1
        guard !d.categories.isEmpty, !d.bucketTimes.isEmpty else {
            Renderer.placeholder(&grid, Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), ["not enough history for a drift picture yet"], ctx)
            return region
        }

        let now = Dictionary(user.interests.map { ($0.name, $0.share) }, uniquingKeysWith: { a, _ in a })
        let then = Dictionary(user.interestsBefore.map { ($0.name, $0.share) }, uniquingKeysWith: { a, _ in a })
        let truth = user.trueInterests.map { Dictionary($0.map { ($0.name, $0.share) }, uniquingKeysWith: { a, _ in a }) }
        let labelWidth = geometry.labelWidth
        let heatX = inner.x + labelWidth + 1
        let columns = BucketColumns(buckets: d.bucketTimes.count, width: geometry.heatWidth, maxStretch: 4)
        let truthX = heatX + columns.width + 3
        let tableX = inner.maxX - geometry.tableWidth
        let header = theme[.tableHeader]

        // Headings may run past a short map, up to the now/then columns.
        let headingRoom = tableX - heatX - 1
        if geometry.showHeader {
            switch geometry.truth {
            case .sideBySide:
                grid.write(fitting(["estimate", "est."], columns.width + 2), x: heatX, y: y, style: header)
                grid.write(fitting(["truth (simulated)", "truth"], max(0, tableX - truthX - 1)), x: truthX, y: y, style: header)
            case .stacked:
                grid.write(fitting(["estimate: share by time bucket", "estimated share by time", "estimate"], headingRoom), x: heatX, y: y, style: header)
            case .none, .column:
                grid.write(fitting(["share by time bucket", "share by time", "share"], headingRoom), x: heatX, y: y, style: header)
            }
            var cx = tableX
            var titles = [("now", 5), ("then", 5), ("", 2)]
            if geometry.truth == .column { titles.append(("true", 5)) }
            for (title, width) in titles {
                grid.write(DisplayWidth.pad(title, to: width, alignment: .right), x: cx, y: y, maxWidth: width, style: header)
                cx += width
            }
            y += 1
        }

        let selected = ctx.state.selected(.drift)
        let first = Table.firstVisible(selected: selected, count: d.categories.count, visible: geometry.heatRows)
        let visibleRows = first..<min(d.categories.count, first + geometry.heatRows)
        let rowHeight = geometry.rowHeight
        region.rows = Rect(x: inner.x, y: y, width: inner.width, height: visibleRows.count * rowHeight)
        region.firstRow = first
        region.rowHeight = rowHeight
        for (line, r) in visibleRows.enumerated() {
            for k in 0..<rowHeight {
                let lineY = y + line * rowHeight + k
                Heatmap.draw(d.shares, rows: r..<(r + 1), columns: columns, scale: scale, into: &grid, x: heatX, y: lineY, theme: theme, base: theme[.background])
                if geometry.truth == .sideBySide {
                    Heatmap.draw(d.trueShares, rows: r..<(r + 1), columns: columns, scale: scale, into: &grid, x: truthX, y: lineY, theme: theme, base: theme[.background])
                }
            }
        }
        for (line, r) in visibleRows.enumerated() {
            let name = d.categories[r]
            let rowY = y + line * rowHeight + (rowHeight - 1) / 2
            let isSelected = r == selected && ctx.focused(.drift)
            label(name, selected: isSelected, into: &grid, x: inner.x - 1, y: rowY, width: labelWidth, ctx)
            var cx = tableX
            let nowShare = now[name] ?? Double(d.shares[r].last ?? 0)
            let thenShare = then[name] ?? 0
            grid.write(DisplayWidth.pad(Format.percent(nowShare), to: 5, alignment: .right), x: cx, y: rowY, style: theme[.textStrong])
            cx += 5
            grid.write(DisplayWidth.pad(Format.percent(thenShare), to: 5, alignment: .right), x: cx, y: rowY, style: theme[.textDim])
            cx += 5
            let delta = nowShare - thenShare
            if abs(delta) >= 0.02 {
                grid.write(" " + String(delta > 0 ? g.up : g.down), x: cx, y: rowY, style: theme[delta > 0 ? .good : .bad])
            } else {
                grid.write(" " + String(g.steady), x: cx, y: rowY, style: theme[.textDim])
            }
            cx += 2
            if let truth, geometry.truth == .column {
                grid.write(DisplayWidth.pad(Format.percent(truth[name] ?? 0), to: 5, alignment: .right), x: cx, y: rowY, style: theme[.chartTruth])
            }
        }
        y += geometry.heatRows * rowHeight

        if geometry.truth == .stacked {
            grid.write(fitting(["truth: the simulator's real mixture", "truth (simulated)", "truth"], headingRoom), x: heatX, y: y, style: header)
            grid.write(DisplayWidth.pad("true", to: 5, alignment: .right), x: tableX, y: y, style: header)
            y += 1
            for (line, r) in visibleRows.enumerated() {
                for k in 0..<rowHeight {
                    Heatmap.draw(d.trueShares, rows: r..<(r + 1), columns: columns, scale: scale, into: &grid, x: heatX, y: y + line * rowHeight + k, theme: theme, base: theme[.background])
                }
                let name = d.categories[r]
                let rowY = y + line * rowHeight + (rowHeight - 1) / 2
                grid.write(DisplayWidth.pad(DisplayWidth.truncatePath(name, to: labelWidth, ellipsis: g.ellipsis), to: labelWidth), x: inner.x, y: rowY, maxWidth: labelWidth, style: theme[.textDim])
                let share = truth?[name] ?? Double(r < d.trueShares.count ? d.trueShares[r].last ?? 0 : 0)
                grid.write(DisplayWidth.pad(Format.percent(share), to: 5, alignment: .right), x: tableX, y: rowY, style: theme[.chartTruth])
            }
            y += geometry.heatRows * rowHeight
        }

        // Drift score per bucket, aligned with the heatmap columns; change points highlighted.
        if geometry.showScores {
            grid.write(DisplayWidth.pad("drift", to: labelWidth), x: inner.x, y: y, style: theme[.textDim])
            let changes = Set(d.changePoints)
            let maxScore = max(d.scores.filter(\.isFinite).max() ?? 0, 0.05)
            for c in 0..<columns.width {
                guard let b = columns.bucket(at: c), b < d.scores.count else { continue }
                let glyph = Sparkline.glyphs([d.scores[b]][...], range: 0...maxScore, glyphs: g)[0]
                grid.put(glyph, x: heatX + c, y: y, style: changes.contains(b) ? theme[.chartMarker].adding(.bold) : theme[.sparkline])
            }
            let peak = "max " + Format.fixed(maxScore, 2)
            if tableX + DisplayWidth.of(peak) <= inner.maxX { grid.write(peak, x: tableX, y: y, style: theme[.textDim]) }
            y += 1
        }
        if geometry.showAxis {
            let axis = theme[.chartAxis]
            let span = (d.bucketTimes.last ?? 0) - d.bucketTimes[columns.firstBucket]
            let oldest = span > 0 ? "-" + Format.duration(span) : ""
            var marked = Set<Int>()
            for b in d.changePoints {
                guard let c = columns.column(of: b) else { continue }
                grid.put(g.changePoint, x: heatX + c, y: y, style: theme[.chartMarker].adding(.bold))
                marked.insert(c)
            }
            // Detected changes go on the bucket they fell in (buckets are labelled by end time).
            for change in d.detectedChanges {
                guard let b = d.bucketTimes.firstIndex(where: { $0 >= change.time }), let c = columns.column(of: b) else { continue }
                grid.put(g.markerChange, x: heatX + c, y: y, style: theme[.warning].adding(.bold))
                marked.insert(c)
            }
            // The labels give way to markers rather than being cut by them ("◆ow").
            func free(_ from: Int, _ width: Int) -> Bool { (from..<(from + width)).allSatisfy { !marked.contains($0) } }
            let oldestWidth = DisplayWidth.of(oldest)
            if oldestWidth + 4 <= columns.width, free(0, oldestWidth) { grid.write(oldest, x: heatX, y: y, style: axis) }
            let nowColumn = max(0, columns.width - 3)
            if free(nowColumn, 3) { grid.write("now", x: heatX + nowColumn, y: y, maxWidth: 3, style: axis) }
            // A short map is short because the history is: say so.
            let noteX = heatX + columns.width + 2
            if columns.width < geometry.heatWidth, noteX < tableX {
                let n = d.bucketTimes.count
                grid.write(fitting(["\(n) checkpoint\(n == 1 ? "" : "s") so far", "\(n) so far"], tableX - noteX - 1), x: noteX, y: y, style: theme[.textDim])
            }
            y += 1
        }
        if geometry.showMoves, y < inner.maxY {
            grid.write(moves(d, ctx), x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
            y += 1
        }
        if geometry.showChange, y < inner.maxY {
            grid.write(detected(d, ctx), x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        }
        return region
    }

    /// The longest of `candidates` that fits in `width` columns, else "".
    static func fitting(_ candidates: [String], _ width: Int) -> String {
        candidates.first { DisplayWidth.of($0) <= width } ?? ""
    }

    /// The largest share in the estimate and the truth, so both maps use one scale.
    static func maxShare(_ d: DriftView) -> Float {
        var m: Float = 0
        for row in d.shares { for v in row where v.isFinite { m = max(m, v) } }
        for row in d.trueShares { for v in row where v.isFinite { m = max(m, v) } }
        return max(m, 0.01)
    }

    /// A category label, highlighted with the list pointer when selected.
    private static func label(_ name: String, selected: Bool, into grid: inout CellGrid, x: Int, y: Int, width: Int, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        let style = selected ? theme[.selection] : theme[.nodeCategory]
        if selected { grid.put(g.pointer, x: x, y: y, style: style) }
        grid.write(DisplayWidth.pad(DisplayWidth.truncatePath(name, to: width, ellipsis: g.ellipsis), to: width), x: x + 1, y: y, maxWidth: width, style: style)
    }

    /// "◆ changed 2024-03-15 09:12:00 Fashion/Shoes → Baby/Nursery 0.998 · evidence 0.4/5.5":
    /// the change detector's latest report on this user and its statistic now.
    static func detected(_ d: DriftView, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        var spans: [Span] = []
        if let last = d.detectedChanges.last {
            spans.append(Span(String(g.markerChange) + " changed ", theme[.warning].adding(.bold)))
            spans.append(Span(Format.dateTime(last.time) + " ", theme[.textDim]))
            spans.append(Span(last.from.isEmpty ? "–" : last.from, theme[.bad]))
            spans.append(Span(" " + String(g.right) + " ", theme[.textDim]))
            spans.append(Span(last.to.isEmpty ? "–" : last.to, theme[.good]))
            spans.append(Span(" " + Format.fixed(last.confidence, 3), theme[.textStrong]))
            if d.detectedChanges.count > 1 { spans.append(Span(" (\(d.detectedChanges.count) changes)", theme[.textDim])) }
        } else {
            spans.append(Span("no change detected", theme[.textDim]))
        }
        if d.changeThreshold > 0 {
            let high = d.changeStatistic >= d.changeThreshold / 2
            spans.append(Span(" · evidence ", theme[.textDim]))
            spans.append(Span(Format.fixed(d.changeStatistic, 1), high ? theme[.warning] : theme[.text]))
            spans.append(Span("/" + Format.fixed(d.changeThreshold, 1), theme[.textDim]))
        }
        return spans
    }

    /// "░▒▓█ 0–43%  ▴ change point  ◆ detected" for the bottom border.
    private static func legend(scale: Float, changePoints: Bool, detected: Bool, separated: Bool, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        var spans: [Span] = separated ? [Span("  ", theme[.panelHint])] : []
        for (i, shade) in g.shades.dropFirst().enumerated() {
            spans.append(Span(String(shade), theme[.background].with(foreground: theme.heat(Float(i + 1) / Float(g.shades.count - 1)))))
        }
        spans.append(Span(" share 0–\(Format.percent(Double(scale)))", theme[.panelHint]))
        if changePoints {
            spans.append(Span("  ", theme[.panelHint]))
            spans.append(Span(String(g.changePoint), theme[.chartMarker].adding(.bold)))
            spans.append(Span(" change point", theme[.panelHint]))
        }
        if detected {
            spans.append(Span("  ", theme[.panelHint]))
            spans.append(Span(String(g.markerChange), theme[.warning].adding(.bold)))
            spans.append(Span(" detected", theme[.panelHint]))
        }
        return spans
    }

    /// "drift 0.31 ▲  emb shift 0.12  idle 2h (0.5× usual gap)"
    private static func summary(_ user: UserView, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g, d = user.drift
        var spans: [Span] = [Span("drift ", theme[.textDim])]
        let high = d.divergence >= 0.2
        spans.append(Span(Format.fixed(d.divergence, 2), high ? theme[.warning].adding(.bold) : theme[.textStrong]))
        if d.scores.count >= 2, let last = d.scores.last {
            let previous = d.scores[d.scores.count - 2]
            if abs(last - previous) >= 0.01 {
                spans.append(Span(" " + String(last > previous ? g.up : g.down), theme[last > previous ? .warning : .textDim]))
            }
        }
        spans.append(Span("  emb shift ", theme[.textDim]))
        spans.append(Span(Format.fixed(d.embeddingShift, 2), theme[.text]))
        if let dormancy = user.dormancy {
            spans.append(Span("  idle ", theme[.textDim]))
            spans.append(Span(Format.duration(dormancy.idleSeconds), theme[.text]))
            if let ratio = dormancy.ratio {
                let dormant = ratio >= 3
                spans.append(Span(" (\(Format.fixed(ratio, 1))× usual gap\(dormant ? ", dormant" : ""))", dormant ? theme[.warning] : theme[.textDim]))
            }
        } else if let seen = user.lastSeen, ctx.snapshot.clock > 0 {
            spans.append(Span("  seen ", theme[.textDim]))
            spans.append(Span(Format.duration(ctx.snapshot.clock - seen) + " ago", theme[.text]))
        }
        return spans
    }

    /// "gained ▲ Electronics  ▲ Toys  lost ▼ Books"
    private static func moves(_ d: DriftView, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        var spans: [Span] = []
        if !d.gained.isEmpty {
            spans.append(Span("gained ", theme[.textDim]))
            for name in d.gained { spans.append(Span(String(g.up) + " " + name + "  ", theme[.good])) }
        }
        if !d.lost.isEmpty {
            spans.append(Span("lost ", theme[.textDim]))
            for name in d.lost { spans.append(Span(String(g.down) + " " + name + "  ", theme[.bad])) }
        }
        return spans
    }
}
