import InterestGraph

/// Events: the live stream — rate with its recent history, source, sim clock, replay speed
/// and progress, and the last events, newest first.
enum EventsPanel {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let events = s.recentEvents
        let selected = min(ctx.state.selected(.events), max(0, events.count - 1))
        let footer = Renderer.position(selected, events.count, visible: rect.height - 5, ctx)
        let right = [Span(sourceLabel(s.source), theme[.textDim])]
        let inner = Renderer.frame(&grid, rect, .events, ctx, right: right, footer: footer, hints: [([.enter], "select user"), ([.slower, .faster], "speed")])
        var region = PanelRegion(panel: .events, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard inner.height >= 1 else { return region }

        // Line 1: rate, sparkline of the rate, speed.
        var y = inner.y
        let rate: [Span] = [
            Span(Format.compact(s.eventsPerSecond), theme[.textStrong]), Span(" ev/s ", theme[.textDim]),
        ]
        let speed: [Span] = [Span("  speed ", theme[.textDim]), Span(Format.speed(ctx.state.pendingSpeed?.value ?? s.source.speed), ctx.state.pendingSpeed == nil ? theme[.text] : theme[.warning])]
        let rateWidth = grid.write(rate, x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        let sparkWidth = max(0, min(40, inner.width - rateWidth - speed.width))
        // Scaled so the lowest recent rate sits a third of the way up: the shape of the
        // stream shows, without pretending a dip to 90% is a stop.
        let recent = ctx.state.eventRateHistory.suffix(sparkWidth).filter(\.isFinite)
        if let lo = recent.min(), let hi = recent.max() {
            let floor = max(0, lo - (hi - lo) / 2)
            Sparkline.draw(ctx.state.eventRateHistory, into: &grid, x: inner.x + rateWidth, y: y, width: sparkWidth, range: floor...max(hi, floor + 1e-6), style: theme[.sparkline], glyphs: g)
        }
        grid.write(speed, x: inner.x + rateWidth + sparkWidth, y: y, maxWidth: inner.maxX - (inner.x + rateWidth + sparkWidth), ellipsis: g.ellipsis)
        y += 1

        // Line 2: clock and progress.
        if inner.height >= 4 {
            var spans: [Span] = [Span("clock ", theme[.textDim]), Span(s.clock > 0 ? Format.dateTime(s.clock) : "–", theme[.text])]
            spans.append(Span("  seen ", theme[.textDim]))
            spans.append(Span(Format.grouped(s.source.position), theme[.text]))
            if let total = s.source.total, total > 0 {
                spans.append(Span(" / " + Format.grouped(total), theme[.textDim]))
            }
            if s.source.isFinished { spans.append(Span("  finished", theme[.warning].adding(.bold))) }
            if let stream = s.source.stream { spans += StreamStatusText.lagSpans(stream, text: theme[.text], dim: theme[.textDim], warning: theme[.warning]) }
            let used = grid.write(spans, x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
            if let total = s.source.total, total > 0, inner.width - used >= 10 {
                let fraction = Double(s.source.position) / Double(total)
                let label = " " + Format.percent(fraction)
                let barWidth = min(20, inner.width - used - 2 - label.count)
                if barWidth >= 4 {
                    Bar.draw(fraction, into: &grid, x: inner.x + used + 2, y: y, width: barWidth, style: theme[.gauge], empty: theme[.gaugeEmpty], glyphs: g)
                    grid.write(label, x: inner.x + used + 2 + barWidth, y: y, style: theme[.text])
                }
            }
            y += 1
        }
        let tableRect = Rect(x: inner.x - 1, y: y, width: inner.width + 1, height: inner.maxY - y)
        guard !events.isEmpty else {
            Renderer.placeholder(&grid, tableRect, [s.isPaused ? "paused: no events yet (Space resumes)" : "waiting for events…"], ctx)
            return region
        }
        let rows: [[[Span]]] = events.reversed().map { e in
            [
                [Span(Format.timeOfDay(e.timestamp), theme[.textDim])],
                [Span(e.user, theme[.nodeUser])],
                [Span(e.action.name, theme[Renderer.role(e.action)])],
                [Span(e.item, theme[.nodeItem])],
                [Span(e.category ?? "", theme[.nodeCategory])],
            ]
        }
        let table = Table(columns: [
            TableColumn(title: "time", width: 8, priority: 2),
            TableColumn(title: "user", width: 9, priority: 5),
            TableColumn(title: "action", width: 8, priority: 4),
            TableColumn(title: "item", width: 10, priority: 5),
            TableColumn(title: "category", width: 12, flexible: true, priority: 1, isPath: true),
        ], rows: rows, selected: selected, focused: ctx.focused(.events))
        let (body, first) = table.draw(into: &grid, tableRect, theme: theme)
        region.rows = body
        region.firstRow = first
        return region
    }

    /// "simulation · default.toml (seed 7)", "replay · ml-100k".
    static func sourceLabel(_ source: SourceStatus) -> String {
        let kind: String
        switch source.kind {
        case .simulation: kind = "simulation"
        case .replay: kind = "replay"
        case .idle: kind = "idle"
        case .stream: kind = "stream"
        }
        return source.name.isEmpty ? kind : "\(kind) · \(source.name)"
    }
}
