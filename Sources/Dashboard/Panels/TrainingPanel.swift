import InterestGraph

/// Training: the live loss as a braille chart with the prequential HR@10 as an overlay on
/// its own axis, markers where a hyperparameter changed or the divergence guard acted, and
/// the key numbers (loss, HR@10, MRR, learning rate, step, epoch, updates/s).
enum TrainingPanel {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let legend: [Span] = s.loss.isEmpty ? [] : [
            Span(String(g.bullet) + " loss", theme[.chartLoss]),
        ] + (s.prequentialHistory.isEmpty ? [] : [
            Span("  ", theme[.panelBorder]),
            Span(String(g.bullet) + " HR@10 (right axis)", theme[.chartOverlay]),
        ]) + (s.changes.isEmpty ? [] : [
            Span("  ", theme[.panelBorder]), Span(String(g.markerChange) + " change", theme[.chartMarker]),
            Span("  ", theme[.panelBorder]), Span(String(g.markerGuard) + " guard", theme[.chartGuard]),
        ])
        let inner = Renderer.frame(&grid, rect, .training, ctx, right: stepSpans(ctx), footer: legend, hints: [([.pause], s.isPaused ? "resume" : "pause"), ([.step], "step")])
        let region = PanelRegion(panel: .training, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard inner.height >= 1 else { return region }

        grid.write(headline(ctx), x: inner.x, y: inner.y, maxWidth: inner.width, ellipsis: g.ellipsis)
        var chartTop = inner.y + 1
        if inner.height >= 6 {
            grid.write(secondLine(ctx), x: inner.x, y: inner.y + 1, maxWidth: inner.width, ellipsis: g.ellipsis)
            chartTop += 1
        }
        let chartRect = Rect(x: inner.x, y: chartTop, width: inner.width, height: inner.maxY - chartTop)
        guard !s.loss.isEmpty else {
            Renderer.placeholder(&grid, chartRect, ["waiting for the first training batch…"], ctx)
            return region
        }
        var chart = LineChart(primary: LineChart.Series(points: s.loss.map { (Double($0.step), Double($0.value)) }, style: theme[.chartLoss], range: nil))
        if !s.prequentialHistory.isEmpty {
            chart.overlay = LineChart.Series(points: s.prequentialHistory.map { (Double($0.step), Double($0.hitRate10)) }, style: theme[.chartOverlay], range: nil)
        }
        chart.markers = s.changes.map { c in
            c.origin == .divergenceGuard
                ? LineChart.Marker(x: Double(c.step), glyph: g.markerGuard, style: theme[.chartGuard])
                : LineChart.Marker(x: Double(c.step), glyph: g.markerChange, style: theme[.chartMarker])
        }
        chart.draw(into: &grid, chartRect, theme: theme)
        return region
    }

    private static func stepSpans(_ ctx: RenderContext) -> [Span] {
        let s = ctx.snapshot
        return [Span("step \(Format.grouped(s.trainingStep)) · epoch \(Format.fixed(s.epoch, 2))", ctx.theme[.textDim])]
    }

    /// "loss 0.4213 ▼  HR@10 0.182 ▲  MRR 0.071  lr 0.0100"
    private static func headline(_ ctx: RenderContext) -> [Span] {
        let s = ctx.snapshot, theme = ctx.theme
        var spans: [Span] = []
        if let last = s.loss.last {
            spans.append(Span("loss ", theme[.textDim]))
            spans.append(Span(Format.fixed(last.value, 4), last.value.isFinite ? theme[.textStrong] : theme[.bad]))
            // Lower loss is good: a falling trend gets ▼ in the "good" colour.
            spans += trend(s.loss.map(\.value), lowerIsBetter: true, ctx)
        } else {
            spans.append(Span("loss –", theme[.textDim]))
        }
        spans.append(Span("  HR@10 ", theme[.textDim]))
        spans.append(Span(Format.fixed(s.prequential.hitRate10, 3), theme[.chartOverlay].adding(.bold)))
        spans += trend(s.prequentialHistory.map(\.hitRate10), lowerIsBetter: false, ctx)
        spans.append(Span("  MRR ", theme[.textDim]))
        spans.append(Span(Format.fixed(s.prequential.mrr, 3), theme[.textStrong]))
        spans += trend(s.prequentialHistory.map(\.mrr), lowerIsBetter: false, ctx)
        if let lr = learningRate(s) {
            spans.append(Span("  lr ", theme[.textDim]))
            spans.append(Span(Format.printf(lr.format, ctx.state.displayedValue(lr)), theme[.text]))
        }
        return spans
    }

    /// "8.2k upd/s · scored 1,204 (window 500) · 3 changes"
    private static func secondLine(_ ctx: RenderContext) -> [Span] {
        let s = ctx.snapshot, theme = ctx.theme
        var spans: [Span] = [
            Span(Format.compact(s.updatesPerSecond), theme[.text]), Span(" upd/s", theme[.textDim]),
        ]
        spans.append(Span("  scored ", theme[.textDim]))
        spans.append(Span(Format.grouped(s.prequential.scored), theme[.text]))
        spans.append(Span(" (window \(Format.grouped(s.prequential.windowCount)))", theme[.textDim]))
        let guards = s.changes.filter { $0.origin == .divergenceGuard }.count
        if guards > 0 {
            spans.append(Span("  \(ctx.g.markerGuard) guard ×\(guards)", theme[.chartGuard]))
        }
        return spans
    }

    /// The learning-rate tunable, found by its key, if the engine has one.
    static func learningRate(_ s: EngineSnapshot) -> Tunable? {
        s.tunables.first { $0.key == "lr" || $0.key.lowercased().contains("learning") }
    }

    /// ▲/▼ comparing the mean of the newest quarter with the quarter before it; coloured
    /// good/bad, and always a glyph so it reads without colour.
    static func trend(_ values: [Float], lowerIsBetter: Bool, _ ctx: RenderContext) -> [Span] {
        let finite = values.filter(\.isFinite)
        guard finite.count >= 8 else { return [] }
        let q = max(2, finite.count / 4)
        let recent = finite.suffix(q).reduce(0, +) / Float(q)
        let before = finite.dropLast(q).suffix(q).reduce(0, +) / Float(q)
        let scale = max(abs(before), 1e-6)
        let change = (recent - before) / scale
        guard abs(change) > 0.01 else { return [Span(" " + String(ctx.g.steady), ctx.theme[.textDim])] }
        let up = change > 0
        let good = up != lowerIsBetter
        return [Span(" " + String(up ? ctx.g.up : ctx.g.down), ctx.theme[good ? .good : .bad])]
    }
}
