import InterestGraph

/// Hyperparameters: every tunable with its value and where it sits in its range; ←/→ adjust
/// the highlighted one on the running engine; below, the log of changes (yours and the
/// divergence guard's).
enum HyperparametersPanel {
    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) -> PanelRegion {
        let s = ctx.snapshot, theme = ctx.theme, g = ctx.g
        let tunables = s.tunables
        let selected = min(ctx.state.selected(.hyperparameters), max(0, tunables.count - 1))
        let innerHeight = rect.height - 2
        // The table takes what it needs (at most two thirds once there are changes); the
        // change log follows after a blank line and gets the rest.
        let tableHeight = s.changes.isEmpty ? innerHeight : min(tunables.count + 1, max(3, innerHeight * 2 / 3))
        let logRows = s.changes.isEmpty ? 0 : max(0, innerHeight - tableHeight - 1)
        let footer = Renderer.position(selected, tunables.count, visible: tableHeight - 1, ctx)
        let inner = Renderer.frame(&grid, rect, .hyperparameters, ctx, footer: footer, hints: [([.decrease, .increase], "adjust"), ([.resetModel], "reset model")])
        var region = PanelRegion(panel: .hyperparameters, rect: rect, rows: Rect(x: 0, y: 0, width: 0, height: 0), firstRow: 0)
        guard !tunables.isEmpty else {
            Renderer.placeholder(&grid, inner, ["no tunable values published"], ctx)
            return region
        }
        let sliderWidth = 13
        let rows: [[[Span]]] = tunables.map { t in
            let value = ctx.state.displayedValue(t)
            let pending = ctx.state.pendingTunables[t.key] != nil
            var valueSpans = [Span(Format.printf(t.format, value), pending ? theme[.warning].adding(.bold) : theme[.textStrong])]
            if pending { valueSpans.append(Span(String(g.ellipsis), theme[.warning])) }
            var label = [Span(t.label, theme[.text])]
            if t.needsReset { label.append(Span(" (on reset)", theme[.textDim])) }
            let limits = Format.dropTrailingZeros(Format.printf(t.format, t.minimum)) + " – " + Format.dropTrailingZeros(Format.printf(t.format, t.maximum)) + (t.isMultiplicative ? "  ×\(Format.trimmed(t.step))" : "  ±\(Format.trimmed(t.step))")
            return [label, valueSpans, slider(t, value: value, width: sliderWidth, ctx), [Span(limits, theme[.textDim])]]
        }
        let labelWidth = min(26, tunables.map { DisplayWidth.of($0.label) + ($0.needsReset ? 11 : 0) }.max() ?? 14)
        let table = Table(columns: [
            TableColumn(title: "setting", width: labelWidth, priority: 5),
            TableColumn(title: "value", width: 9, alignment: .right, priority: 5),
            TableColumn(title: "range", width: sliderWidth, priority: 1),
            TableColumn(title: "limits · step", width: 24, flexible: true, priority: 0),
        ], rows: rows, selected: selected, focused: ctx.focused(.hyperparameters))
        let (body, first) = table.draw(into: &grid, Rect(x: inner.x - 1, y: inner.y, width: inner.width + 1, height: tableHeight), theme: theme)
        region.rows = body
        region.firstRow = first

        guard logRows >= 2 else { return region }
        var y = inner.y + tableHeight + 1
        grid.write([Span("changes", theme[.tableHeader]), Span("  newest first", theme[.textDim])], x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
        y += 1
        let labels = Dictionary(tunables.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for change in s.changes.reversed() {
            guard y < inner.maxY else { break }
            grid.write(logLine(change, tunable: labels[change.key], ctx), x: inner.x, y: y, maxWidth: inner.width, ellipsis: g.ellipsis)
            y += 1
        }
        return region
    }

    /// "◂──────●─────▸" — the value's place between minimum and maximum (log scale for
    /// multiplicative values such as the learning rate).
    static func slider(_ t: Tunable, value: Double, width: Int, _ ctx: RenderContext) -> [Span] {
        let g = ctx.g, theme = ctx.theme
        let track = width - 2
        guard track >= 3 else { return [] }
        var f: Double
        if t.isMultiplicative, t.minimum > 0, t.maximum > t.minimum, value > 0 {
            f = (_log(value) - _log(t.minimum)) / (_log(t.maximum) - _log(t.minimum))
        } else {
            f = t.maximum > t.minimum ? (value - t.minimum) / (t.maximum - t.minimum) : 0
        }
        f = f.isFinite ? min(max(f, 0), 1) : 0
        let knob = Int((f * Double(track - 1)).rounded())
        var before = String(repeating: g.sliderTrack, count: knob)
        before = String(g.left) + before
        let after = String(repeating: g.sliderTrack, count: track - 1 - knob) + String(g.right)
        return [Span(before, theme[.gaugeEmpty]), Span(String(g.sliderKnob), theme[.gauge].adding(.bold)), Span(after, theme[.gaugeEmpty])]
    }

    /// Natural log without Foundation (the slider needs only a rough position).
    private static func _log(_ x: Double) -> Double {
        var m = x, e = 0.0
        while m > 2 { m /= 2; e += 1 }
        while m < 1 { m *= 2; e -= 1 }
        // ln(m) for m in [1, 2) by the series of atanh: ln(m) = 2 atanh((m-1)/(m+1)).
        let y = (m - 1) / (m + 1), y2 = y * y
        var term = y, sum = 0.0
        for k in stride(from: 1, through: 15, by: 2) {
            sum += term / Double(k)
            term *= y2
        }
        return 2 * sum + e * 0.6931471805599453
    }

    /// "step 1,200  learning rate 0.0100 → 0.0050  you" or a guard note in the bad colour.
    static func logLine(_ c: ChangeRecord, tunable: Tunable?, _ ctx: RenderContext) -> [Span] {
        let theme = ctx.theme, g = ctx.g
        var spans: [Span] = [Span(DisplayWidth.pad(Format.grouped(c.step), to: 7, alignment: .right) + " ", theme[.textDim])]
        switch c.origin {
        case .divergenceGuard:
            spans.append(Span(String(g.markerGuard) + " guard ", theme[.chartGuard].adding(.bold)))
        case .reset:
            spans.append(Span(String(g.markerChange) + " reset ", theme[.chartMarker].adding(.bold)))
        case .user:
            spans.append(Span(String(g.markerChange) + " ", theme[.chartMarker]))
        }
        let format = tunable?.format ?? "%g"
        if c.origin != .reset || c.oldValue != c.newValue {
            spans.append(Span((tunable?.label ?? c.key) + " ", theme[.text]))
            spans.append(Span(Format.printf(format, c.oldValue), theme[.textDim]))
            spans.append(Span(g.isASCII ? " -> " : " → ", theme[.textDim]))
            spans.append(Span(Format.printf(format, c.newValue), theme[.textStrong]))
        }
        if !c.note.isEmpty { spans.append(Span("  " + c.note, c.origin == .divergenceGuard ? theme[.chartGuard] : theme[.textDim])) }
        return spans
    }
}
