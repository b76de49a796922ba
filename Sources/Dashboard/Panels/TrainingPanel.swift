import InterestGraph

/// Training: the live loss as a braille chart with the prequential HR@10 as an overlay on
/// its own axis, markers where a hyperparameter changed or the divergence guard acted, and
/// the key numbers (loss, HR@10, MRR, learning rate, step, epoch, updates/s). With another
/// run overlaid (the compare key), both runs are drawn against events ingested, the other
/// run's curves in `chart.compare` under the live ones, named on a legend line.
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
        let overlay = ctx.state.overlay
        let aligned = overlay.flatMap { TrainingOverlay.align(loss: s.loss, prequential: s.prequentialHistory, changes: s.changes, overlay: $0) }
        if let overlay, inner.maxY - chartTop >= 4 {
            grid.write(overlayLegend(overlay, aligned, ctx), x: inner.x, y: chartTop, maxWidth: inner.width, ellipsis: g.ellipsis)
            chartTop += 1
        }
        let chartRect = Rect(x: inner.x, y: chartTop, width: inner.width, height: inner.maxY - chartTop)
        guard !s.loss.isEmpty else {
            Renderer.placeholder(&grid, chartRect, ["waiting for the first training batch…"], ctx)
            return region
        }
        var chart: LineChart
        if let aligned {
            // Another run overlaid: both on events ingested, the other run underneath.
            chart = LineChart(primary: LineChart.Series(points: aligned.loss, style: theme[.chartLoss], range: nil))
            if !aligned.hitRate10.isEmpty || !aligned.otherHitRate10.isEmpty {
                chart.overlay = LineChart.Series(points: aligned.hitRate10, style: theme[.chartOverlay], range: nil)
            }
            chart.extras = [
                LineChart.Series(points: aligned.otherLoss, style: theme[.chartCompare], range: nil),
                LineChart.Series(points: aligned.otherHitRate10, style: theme[.chartCompare], range: nil, onRightAxis: true),
            ]
            chart.xRange = aligned.range
            chart.xLabel = { Format.compact($0) + " ev" }
            chart.markers = aligned.markers.map { marker(x: $0.x, $0.change, ctx) }
        } else {
            chart = LineChart(primary: LineChart.Series(points: s.loss.map { (Double($0.step), Double($0.value)) }, style: theme[.chartLoss], range: nil))
            if !s.prequentialHistory.isEmpty {
                chart.overlay = LineChart.Series(points: s.prequentialHistory.map { (Double($0.step), Double($0.hitRate10)) }, style: theme[.chartOverlay], range: nil)
            }
            chart.markers = s.changes.map { marker(x: Double($0.step), $0, ctx) }
        }
        chart.draw(into: &grid, chartRect, theme: theme)
        return region
    }

    private static func marker(x: Double, _ change: ChangeRecord, _ ctx: RenderContext) -> LineChart.Marker {
        change.origin == .divergenceGuard
            ? LineChart.Marker(x: x, glyph: ctx.g.markerGuard, style: ctx.theme[.chartGuard])
            : LineChart.Marker(x: x, glyph: ctx.g.markerChange, style: ctx.theme[.chartMarker])
    }

    /// "• run 3 · ml-100k  at 41.2k ev: loss 0.3120 HR@10 0.214 · x = events ingested"
    static func overlayLegend(_ overlay: RunOverlay, _ aligned: TrainingOverlay?, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme
        var spans = [Span(String(ctx.g.bullet) + " " + overlay.label, theme[.chartCompare].adding(.bold))]
        guard let aligned else {
            spans.append(Span(overlay.points.isEmpty ? "  (no metrics recorded)" : "  (\(Format.grouped(overlay.points.count)) points)", theme[.textDim]))
            return spans
        }
        // The other run where the live one is now (or where it ended, if earlier).
        let loss = aligned.otherLoss.last { $0.y.isFinite }, hits = aligned.otherHitRate10.last { $0.y.isFinite }
        if let at = [loss?.x, hits?.x].compactMap({ $0 }).max() {
            spans.append(Span("  at \(Format.compact(at)) ev:", theme[.textDim]))
            if let loss { spans.append(Span(" loss " + Format.fixed(loss.y, 4), theme[.chartCompare])) }
            if let hits { spans.append(Span(" HR@10 " + Format.fixed(hits.y, 3), theme[.chartCompare])) }
        } else {
            spans.append(Span("  no points in this range", theme[.textDim]))
        }
        spans.append(Span("  · x = events ingested", theme[.textDim]))
        return spans
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
