import InterestGraph

extension DashboardState {
    /// Handles one key: the new UI state and the commands to send to the engine.
    ///
    /// Pure (no I/O, no clock reads: time comes from ``now``, set by ``tick(_:_:now:)``), so
    /// every interaction is testable with a fixed snapshot. A key never waits for the engine:
    /// effects that need an answer (a browse, a new selected user) show up in a later snapshot.
    static func reduce(_ state: DashboardState, _ key: Key, _ snapshot: EngineSnapshot) -> (DashboardState, [EngineCommand]) {
        var s = state
        var out: [EngineCommand] = []
        s.handle(key, snapshot, &out)
        return (s, out)
    }

    private mutating func handle(_ key: Key, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        if key == .resize { return }
        if demo != nil {
            demo = nil
            show("Demo stopped: you have the controls (? for help)")
            return
        }
        if confirmReset {
            confirmReset = false
            if key == .character("y") || key == .character("Y") {
                out.append(.resetModel)
                show("Model reset: embeddings and optimiser state re-initialised")
            } else {
                show("Reset cancelled")
            }
            return
        }
        if prompt != nil {
            handlePrompt(key, snapshot, &out)
            return
        }
        if changesView != nil && !showHelp {
            handleChangesKey(key, snapshot, &out)
            return
        }
        if case .mouse(let event) = key {
            handleMouse(event, snapshot)
            return
        }
        guard let action = keymap.action(for: key, in: changesView != nil ? .changes : KeyContext(panel: focus)) else { return }
        if showHelp {
            switch action {
            case .up: helpScroll = max(0, helpScroll - 1)
            case .down: helpScroll += 1
            case .pageUp: helpScroll = max(0, helpScroll - 10)
            case .pageDown: helpScroll += 10
            case .top: helpScroll = 0
            case .bottom: helpScroll = Int.max / 2
            default: showHelp = false
            }
            return
        }
        perform(action, snapshot, &out)
    }

    /// Does what an action means in the focused panel. The demo tour drives the UI through
    /// this same function, so it can only do what a user could.
    mutating func perform(_ action: KeyAction, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        switch action {
        case .quit: shouldQuit = true
        case .help:
            showHelp.toggle()
            helpScroll = 0
        case .cancel:
            if zoomed { zoomed = false } else if showAudience { showAudience = false }
        case .focusNext: focus = focus.next
        case .focusPrevious: focus = focus.previous
        case .focusTraining: focus = .training
        case .focusDrift: focus = .drift
        case .focusRecommendations: focus = .recommendations
        case .focusNeighbourhood: focus = .neighbourhood
        case .focusHyperparameters: focus = .hyperparameters
        case .focusEvents: focus = .events
        case .up: move(by: -1, snapshot)
        case .down: move(by: 1, snapshot)
        case .pageUp: move(by: -pageSize, snapshot)
        case .pageDown: move(by: pageSize, snapshot)
        case .top: move(to: 0, snapshot)
        case .bottom: move(to: Int.max / 2, snapshot)
        case .enter: enter(snapshot, &out)
        case .back: back(snapshot, &out)
        case .selectUser: selectHighlightedUser(snapshot, &out)
        case .search: prompt = Prompt(kind: .searchUser, text: "")
        case .pause:
            out.append(.togglePause)
            show(snapshot.isPaused ? "Resuming" : "Pausing (Space resumes, . steps)", seconds: 2)
        case .step:
            if snapshot.isPaused {
                out.append(.step(events: 1))
            } else {
                show("Single steps work while paused: press Space first")
            }
        case .faster: changeSpeed(faster: true, snapshot, &out)
        case .slower: changeSpeed(faster: false, snapshot, &out)
        case .zoom: zoomed.toggle()
        case .inject: startInject(snapshot)
        case .theme:
            themeIndex = (themeIndex + 1) % max(1, themeNames.count)
            show("Theme: \(themeName)", seconds: 2)
        case .screenshot: screenshotRequested = true
        case .resetModel: confirmReset = true
        case .compare: cycleOverlay()
        case .bookmark: startBookmark(snapshot)
        case .nextBookmark: nextBookmark(snapshot, &out)
        case .audience: toggleAudience(snapshot, &out)
        case .whoChanged: toggleChanges()
        case .saveAudience: break
        case .increase: adjustTunable(up: true, snapshot, &out)
        case .decrease: adjustTunable(up: false, snapshot, &out)
        case .takeControl: takeControl()
        }
    }

    // MARK: Lists

    /// Rows in a panel's list, from the snapshot (for clamping the highlight).
    static func rowCount(_ panel: PanelID, _ state: DashboardState, _ snapshot: EngineSnapshot) -> Int {
        switch panel {
        case .training: 0
        case .drift: snapshot.selectedUser?.drift.categories.count ?? 0
        case .recommendations: state.showAudience ? (snapshot.audience?.users.count ?? 0) : (snapshot.selectedUser?.recommendations.count ?? 0)
        case .neighbourhood: snapshot.neighbourhood?.rows.count ?? 0
        case .hyperparameters: snapshot.tunables.count
        case .events: snapshot.recentEvents.count
        }
    }

    private var pageSize: Int {
        max(1, (regions.first { $0.panel == focus }?.rows.height ?? 10) - 1)
    }

    private mutating func move(by delta: Int, _ snapshot: EngineSnapshot) {
        move(to: currentRow + delta, snapshot)
    }

    private var currentRow: Int {
        focus == .recommendations && showAudience ? audienceSelection : selected(focus)
    }

    mutating func move(to row: Int, _ snapshot: EngineSnapshot) {
        let count = DashboardState.rowCount(focus, self, snapshot)
        let clamped = max(0, min(row, count - 1))
        if focus == .recommendations && showAudience { audienceSelection = clamped } else { selection[focus] = clamped }
    }

    // MARK: Enter, back, select

    private mutating func enter(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        switch focus {
        case .neighbourhood:
            follow(snapshot, &out)
        case .recommendations:
            if showAudience {
                selectHighlightedUser(snapshot, &out)
            } else {
                toggleAudience(snapshot, &out)
            }
        case .events:
            selectHighlightedUser(snapshot, &out)
        case .hyperparameters:
            show("Use ← → (or + -) to change the highlighted value")
        case .training, .drift:
            break
        }
    }

    /// Follows the highlighted edge: the current centre goes on the trail.
    mutating func follow(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        guard let view = snapshot.neighbourhood, !view.rows.isEmpty else {
            show("Nothing to follow here")
            return
        }
        // One step at a time: a busy engine answers late, and following again from the old
        // centre would put it on the trail twice.
        if let p = pendingBrowse, view.center.node != p.node {
            show("Still loading the last step…")
            return
        }
        let row = view.rows[max(0, min(selected(.neighbourhood), view.rows.count - 1))]
        if breadcrumbs.last?.node != view.center.node { breadcrumbs.append(view.center) }
        if breadcrumbs.count > 64 { breadcrumbs.removeFirst() }
        pendingBrowse = PendingBrowse(node: row.target.node, sentAt: now)
        selection[.neighbourhood] = 0
        out.append(.browse(row.target.node))
    }

    private mutating func back(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        switch focus {
        case .neighbourhood:
            guard let last = breadcrumbs.popLast() else {
                show("At the start of the trail")
                return
            }
            pendingBrowse = PendingBrowse(node: last.node, sentAt: now)
            selection[.neighbourhood] = 0
            out.append(.browse(last.node))
        case .recommendations:
            showAudience = false
        default:
            break
        }
    }

    /// The user the highlighted row stands for, if any, in the focused panel.
    func highlightedUser(_ snapshot: EngineSnapshot) -> String? {
        switch focus {
        case .neighbourhood:
            guard let view = snapshot.neighbourhood else { return nil }
            if !view.rows.isEmpty {
                let row = view.rows[max(0, min(selected(.neighbourhood), view.rows.count - 1))]
                if row.target.node.kind == .user { return row.target.name }
            }
            return view.center.node.kind == .user ? view.center.name : nil
        case .recommendations:
            guard showAudience, let users = snapshot.audience?.users, !users.isEmpty else { return nil }
            return users[max(0, min(audienceSelection, users.count - 1))].user
        case .events:
            let events = snapshot.recentEvents
            guard !events.isEmpty else { return nil }
            // The list shows the newest event first.
            return events[events.count - 1 - max(0, min(selected(.events), events.count - 1))].user
        default:
            return nil
        }
    }

    private mutating func selectHighlightedUser(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        guard let user = highlightedUser(snapshot) else {
            show("Highlight a user first (Neighbourhood, an audience, or Events)")
            return
        }
        selectUser(user, &out)
    }

    mutating func selectUser(_ user: String, _ out: inout [EngineCommand]) {
        out.append(.selectUser(user))
        showAudience = false
        selection[.recommendations] = 0
        selection[.drift] = 0
        show("Selected user \(user)", seconds: 2)
    }

    mutating func toggleAudience(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        if showAudience {
            showAudience = false
            return
        }
        guard let recs = snapshot.selectedUser?.recommendations, !recs.isEmpty else {
            show("No recommendation highlighted")
            return
        }
        let rec = recs[max(0, min(selected(.recommendations), recs.count - 1))]
        out.append(.selectItem(rec.item))
        showAudience = true
        audienceSelection = 0
    }

    // MARK: Speed

    static let speedLadder: [Double] = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 0]

    private mutating func changeSpeed(faster: Bool, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        let current = pendingSpeed?.value ?? snapshot.source.speed
        let ladder = DashboardState.speedLadder
        // 0 (as fast as possible) is the top rung; otherwise the nearest rung on a log scale.
        func ratio(_ rung: Double) -> Double { max(rung / current, current / rung) }
        let index = current <= 0 ? ladder.count - 1 : (0..<(ladder.count - 1)).min(by: { ratio(ladder[$0]) < ratio(ladder[$1]) })!
        let next = max(0, min(ladder.count - 1, index + (faster ? 1 : -1)))
        guard next != index else {
            show(faster ? "Already as fast as possible" : "Already at the slowest speed (×0.25)")
            return
        }
        let speed = ladder[next]
        pendingSpeed = PendingValue(value: speed, sentAt: now)
        out.append(.setSpeed(speed))
        show(speed == 0 ? "Speed: as fast as possible" : "Speed \(Format.speed(speed))", seconds: 2)
    }

    // MARK: Hyperparameters

    /// The value a tunable shows: a sent change until the snapshot catches up.
    func displayedValue(_ tunable: Tunable) -> Double {
        pendingTunables[tunable.key]?.value ?? tunable.value
    }

    private mutating func adjustTunable(up: Bool, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        let tunables = snapshot.tunables
        guard !tunables.isEmpty else { return }
        let t = tunables[max(0, min(selected(.hyperparameters), tunables.count - 1))]
        let base = displayedValue(t)
        var value: Double
        if t.isMultiplicative {
            value = up ? base * t.step : base / t.step
        } else {
            value = up ? base + t.step : base - t.step
            // Keep additive values on a clean decimal grid (0.1 + 0.05 is 0.15, not 0.15000000000000002).
            value = (value * 1e9).rounded() / 1e9
        }
        value = min(max(value, t.minimum), t.maximum)
        guard abs(value - base) > 1e-12 * max(1, abs(base)) else {
            show("\(t.label) is at its \(up ? "maximum" : "minimum") \(Format.printf(t.format, base))")
            return
        }
        pendingTunables[t.key] = PendingValue(value: value, sentAt: now)
        out.append(.setHyperparameter(key: t.key, value: value))
        let note = t.needsReset ? " (takes effect after a model reset: R)" : ""
        show("\(t.label) \(Format.printf(t.format, base)) → \(Format.printf(t.format, value))\(note)", seconds: 3)
    }

    // MARK: Prompts

    /// The item an injected event goes to by default: the highlighted recommendation, the
    /// audience's item, or the highlighted item in the neighbourhood.
    func defaultInjectItem(_ snapshot: EngineSnapshot) -> String {
        if focus == .recommendations, showAudience, let item = snapshot.audience?.item { return item }
        if focus == .neighbourhood, let view = snapshot.neighbourhood, !view.rows.isEmpty {
            let row = view.rows[max(0, min(selected(.neighbourhood), view.rows.count - 1))]
            if row.target.node.kind == .item { return row.target.name }
            if view.center.node.kind == .item { return view.center.name }
        }
        if let recs = snapshot.selectedUser?.recommendations, !recs.isEmpty {
            return recs[max(0, min(selected(.recommendations), recs.count - 1))].item
        }
        return ""
    }

    private mutating func startInject(_ snapshot: EngineSnapshot) {
        guard snapshot.selectedUser != nil else {
            show("Select a user first (/ finds one by id)")
            return
        }
        prompt = Prompt(kind: .inject(action: .purchase), text: defaultInjectItem(snapshot))
    }

    private mutating func handlePrompt(_ key: Key, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        guard var p = prompt else { return }
        let before = p
        switch key {
        case .escape:
            prompt = nil
            return
        case .enter:
            prompt = nil
            if p.choosing, let c = p.suggestions(in: snapshot) { p.text = c.matches[min(p.choice, c.matches.count - 1)] }
            submit(p, snapshot, &out)
            return
        case .right:
            // Accept the highlighted suggestion (fish-style), then keep typing or press Enter.
            if let c = p.suggestions(in: snapshot) {
                p.text = c.matches[min(p.choice, c.matches.count - 1)]
            }
        case .down, .up:
            if let c = p.suggestions(in: snapshot) {
                let n = c.matches.count
                p.choice = p.choosing ? (p.choice + (key == .down ? 1 : n - 1)) % n : (key == .down ? 0 : n - 1)
                p.choosing = true
            }
        case .backspace, .delete:
            if !p.text.isEmpty { p.text.removeLast() }
        case .control("u"):
            p.text = ""
        case .tab, .backTab:
            switch p.kind {
            case .searchUser: p.kind = .searchItem
            case .searchItem: p.kind = .searchUser
            case .inject(let action):
                let all = Action.allCases
                let i = all.firstIndex(of: action) ?? 0
                p.kind = .inject(action: all[(i + (key == .tab ? 1 : all.count - 1)) % all.count])
            case .bookmark:
                break
            }
        case .character(let c):
            if p.text.count < p.kind.maxLength { p.text.append(c) }
        default:
            break
        }
        // A new text or kind asks the engine for fresh suggestions.
        if p.text != before.text || p.kind != before.kind {
            p.choice = 0
            p.choosing = false
            if let kind = p.completionKind, !p.text.isEmpty { out.append(.complete(prefix: p.text, kind: kind)) }
        }
        prompt = p
    }

    private mutating func submit(_ p: Prompt, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        let text = p.text.trimmingSpaces
        if case .bookmark(let user) = p.kind {
            // The one prompt where empty text means something: a bookmark without a note.
            submitBookmark(user: user, note: text)
            return
        }
        guard !text.isEmpty else { return }
        switch p.kind {
        case .searchUser:
            selectUser(text, &out)
        case .searchItem:
            out.append(.selectItem(text))
            focus = .recommendations
            showAudience = true
            audienceSelection = 0
            show("Showing the audience of item \(text)", seconds: 2)
        case .inject(let action):
            guard let user = snapshot.selectedUser?.id else { return }
            out.append(.inject(user: user, item: text, action: action))
            show("Injected: \(user) \(action.name) \(text) — watch Recommendations react", seconds: 5)
        case .bookmark:
            break
        }
    }

    // MARK: Mouse

    private mutating func handleMouse(_ event: MouseEvent, _ snapshot: EngineSnapshot) {
        if showHelp {
            showHelp = false
            return
        }
        guard let region = regions.last(where: { $0.rect.contains(x: event.x, y: event.y) }) else { return }
        focus = region.panel
        switch event.kind {
        case .click:
            if region.rows.contains(x: event.x, y: event.y) {
                move(to: region.firstRow + (event.y - region.rows.y) / max(1, region.rowHeight), snapshot)
            }
        case .scrollUp: move(by: -1, snapshot)
        case .scrollDown: move(by: 1, snapshot)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
