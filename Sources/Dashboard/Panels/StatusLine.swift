import InterestGraph

/// The bottom line: running/paused, source, clock, events/s, graph size, theme and the help
/// hint; a prompt replaces it while one is open. Segments are dropped by priority when the
/// window is narrow, so the most important ones always show.
enum StatusLine {
    struct Segment {
        var spans: [Span]
        var priority: Int
        var trailing = false
    }

    static func draw(into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        let bar = theme[.statusBar]
        grid.fill(rect, style: bar)
        if let prompt = ctx.state.prompt {
            drawPrompt(prompt, into: &grid, rect, ctx)
            return
        }
        let s = ctx.snapshot
        var segments: [Segment] = []
        let badge: Span
        if s.source.isFinished {
            badge = Span(g.isASCII ? " DONE " : " ■ DONE ", theme[.statusPaused])
        } else if s.isPaused {
            badge = Span(g.isASCII ? " || PAUSED " : " ❚❚ PAUSED ", theme[.statusPaused])
        } else {
            badge = Span(g.isASCII ? " > RUNNING " : " ▶ RUNNING ", theme[.statusRunning])
        }
        segments.append(Segment(spans: [badge], priority: 10))
        if let a = ctx.state.attachment {
            segments.append(attachmentSegment(a, ctx))
            if let f = a.federation { segments += federationSegments(f, ctx) }
        }
        let kind = s.source.kind == .simulation ? "sim" : s.source.kind.rawValue
        // "sim small (seed 11)", not "sim scenario small (seed 11)": the status line is tight.
        var name = s.source.name
        if s.source.kind == .simulation, name.hasPrefix("scenario ") { name.removeFirst("scenario ".count) }
        let source = (name.isEmpty ? kind : kind + " " + name) + " " + Format.speed(ctx.state.pendingSpeed?.value ?? s.source.speed)
        segments.append(Segment(spans: [Span(source, bar)], priority: 5))
        if let stream = s.source.stream {
            segments.append(Segment(spans: [StreamStatusText.statusSpan(stream, bar: bar, error: theme[.statusError])], priority: 9))
        }
        segments.append(Segment(spans: [Span(s.clock > 0 ? Format.dateTime(s.clock) : "clock –", bar)], priority: 7))
        segments.append(Segment(spans: [Span(Format.compact(s.eventsPerSecond) + " ev/s", bar)], priority: 6))
        let st = s.statistics
        segments.append(Segment(spans: [Span("\(Format.compact(Double(st.users))) users · \(Format.compact(Double(st.items))) items · \(Format.compact(Double(st.edges))) edges", bar)], priority: 4))
        segments.append(Segment(spans: [Span("theme " + theme.name, bar)], priority: 2))
        if ctx.layout.mode == .compact {
            let tabKey = ctx.key(.focusNext)
            segments.append(Segment(spans: [Span("page \(ctx.layout.page + 1)/\(ctx.layout.pages) ", bar), Span(tabKey, theme[.statusKey]), Span(" more", bar)], priority: 8, trailing: true))
        }
        if let m = ctx.state.message {
            segments.append(Segment(spans: [Span(" " + m.text + " ", m.isError ? theme[.statusError] : theme[.statusKey])], priority: 9, trailing: true))
        }
        segments.append(Segment(spans: [Span(ctx.key(.help), theme[.statusKey]), Span(" help ", bar)], priority: 9, trailing: true))

        let separator = Span(g.separator, theme[.statusBar].adding(.dim))
        func width(_ list: [Segment]) -> Int {
            list.reduce(0) { $0 + $1.spans.width } + max(0, list.count - 1) * separator.width
        }
        var shown = segments
        while width(shown) > rect.width, let victim = shown.enumerated().min(by: { $0.element.priority < $1.element.priority }) {
            // A long message is cut rather than dropped.
            if victim.element.priority >= 9 && shown.count <= 3 { break }
            shown.remove(at: victim.offset)
        }
        let leading = shown.filter { !$0.trailing }
        let trailing = shown.filter(\.trailing)
        var x = rect.x
        for (i, seg) in leading.enumerated() {
            if i > 0 { x += grid.write([separator], x: x, y: rect.y, maxWidth: rect.maxX - x, ellipsis: g.ellipsis) }
            x += grid.write(seg.spans, x: x, y: rect.y, maxWidth: rect.maxX - x, ellipsis: g.ellipsis)
        }
        let trailingSpans = trailing.enumerated().flatMap { i, seg in (i > 0 ? [separator] : []) + seg.spans }
        let tw = trailingSpans.width
        let start = max(x + 1, rect.maxX - tw)
        grid.write(trailingSpans, x: start, y: rect.y, maxWidth: rect.maxX - start, ellipsis: g.ellipsis)
    }

    private static func drawPrompt(_ prompt: DashboardState.Prompt, into grid: inout CellGrid, _ rect: Rect, _ ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.g
        let style = theme[.prompt]
        grid.fill(rect, style: style)
        var spans: [Span]
        let help: String
        switch prompt.kind {
        case .searchUser:
            spans = [Span(" Find ", style), Span("user", style.adding(.bold)), Span(" id: ", style)]
            help = "Tab: user/item · →: accept · Enter: go · Esc: cancel"
        case .searchItem:
            spans = [Span(" Find ", style), Span("item", style.adding(.bold)), Span(" id (shows its audience): ", style)]
            help = "Tab: user/item · →: accept · Enter: go · Esc: cancel"
        case .inject(let action):
            let user = ctx.snapshot.selectedUser?.id ?? "?"
            spans = [Span(" Inject for \(user): ", style), Span(action.name, style.adding(.bold)), Span(" of item ", style)]
            help = "Tab: action · Enter: apply · Esc: cancel"
        case .bookmark(let user):
            // Without a workspace the prompt itself says the bookmark will not outlive the session.
            let scope = ctx.state.bookmarkLocation == nil ? " (this session only)" : ""
            spans = [Span(" Bookmark user ", style), Span(user, style.adding(.bold)), Span("\(scope), note: ", style)]
            help = "Enter: save · Esc: cancel"
        }
        spans.append(Span(prompt.text, style.adding(.bold)))
        spans.append(Span(g.isASCII ? "_" : "█", style))
        // Suggestions: the rest of the highlighted id, dimmed after the cursor, and where it
        // stands among the matches ("2/8 of 1,204 ↑↓").
        var counter = ""
        if let c = prompt.suggestions(in: ctx.snapshot) {
            let pick = min(prompt.choice, c.matches.count - 1)
            let match = c.matches[pick]
            let rest = match.hasPrefix(prompt.text) ? String(match.dropFirst(prompt.text.count)) : "  " + match
            spans.append(Span(rest, style.adding(.dim)))
            let arrows = g.isASCII ? "up/down" : "↑↓"
            counter = "\(pick + 1)/\(c.matches.count)" + (c.total > c.matches.count ? " of \(Format.grouped(c.total))" : "") + " \(arrows)"
            spans.append(Span("   " + counter, style.adding(.dim)))
        }
        let used = grid.write(spans, x: rect.x, y: rect.y, maxWidth: rect.width, ellipsis: g.ellipsis)
        if rect.width - used > DisplayWidth.of(help) + 4 {
            grid.write(help + " ", in: rect, alignment: .right, style: style.adding(.dim), ellipsis: g.ellipsis)
        }
    }
}

extension StatusLine {
    /// "◆ CONTROL 1/3", "◇ WATCHING 2/3 · C takes control", "✕ DISCONNECTED" for a shared engine.
    static func attachmentSegment(_ a: EngineAttachment, _ ctx: RenderContext) -> Segment {
        let theme = ctx.theme, ascii = ctx.g.isASCII, bar = theme[.statusBar]
        let of = " \(a.dashboard)/\(a.dashboards) "
        switch a.role {
        case .controller:
            return Segment(spans: [Span((ascii ? " * CONTROL" : " ◆ CONTROL") + of, theme[.statusRunning])], priority: 10)
        case .watcher:
            return Segment(spans: [Span((ascii ? " o WATCHING" : " ◇ WATCHING") + of, theme[.statusPaused]),
                                   Span(" " + ctx.key(.takeControl), theme[.statusKey]), Span(" takes control", bar)], priority: 10)
        case .disconnected:
            return Segment(spans: [Span(ascii ? " x DISCONNECTED " : " ✕ DISCONNECTED ", theme[.statusError])], priority: 10)
        }
    }

    /// Several engines (`attach A,B`): "engine B (partitions 2,3)" answers the user screens,
    /// " partitions 2,3 down (B) " while an engine is unreachable (as important as the badge),
    /// and " partitions 6,7 not attached " when the engines listed do not read them all.
    static func federationSegments(_ f: FederationStatus, _ ctx: RenderContext) -> [Segment] {
        var segments: [Segment] = []
        if let down = f.downText {
            segments.append(Segment(spans: [Span(" " + down + " ", ctx.theme[.statusError])], priority: 10))
        }
        if let missing = f.unattachedText {
            segments.append(Segment(spans: [Span(" " + missing + " ", ctx.theme[.statusPaused])], priority: 9))
        }
        if let i = f.answering, f.members.indices.contains(i) {
            let arrow = ctx.g.isASCII ? "user <- " : "user ← "
            segments.append(Segment(spans: [Span(arrow + f.members[i].label, ctx.theme[.statusBar])], priority: 8))
        }
        return segments
    }
}
