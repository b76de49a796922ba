import InterestGraph

/// The who-changed view: the engine's latest detected interest changes (filterable by the
/// category moved into) and, on its second tab, the dormant users. It covers the panels while
/// open and takes the keys: Enter makes the highlighted user the selected one, `a` saves the
/// listed users as an audience file.
struct ChangesViewState: Sendable, Hashable {
    enum Tab: Sendable, Hashable { case changes, dormant }
    var tab = Tab.changes
    var selection = 0
    /// Keeps changes whose `to` category matches (see ``InterestChangeFilter``).
    var filter = ""
    var editingFilter = false

    /// Idle time over the usual gap for the dormant tab (the `dormant` command's default).
    static let dormantFactor = 3.0

    /// The rows of the changes tab.
    func changes(_ snapshot: EngineSnapshot) -> [NamedInterestChange] {
        filter.isEmpty ? snapshot.interestChanges : snapshot.interestChanges.filter { InterestChangeFilter.matches($0.to, filter) }
    }

    /// The user ids listed on the current tab, in order.
    func users(_ snapshot: EngineSnapshot) -> [String] {
        switch tab {
        case .changes: changes(snapshot).map(\.user)
        case .dormant: snapshot.dormant?.users.map(\.user) ?? []
        }
    }
}

/// Users the dashboard was asked to save as an audience (written by the app loop).
struct AudienceExport: Sendable, Hashable {
    /// "changes-into-baby", "dormant".
    var name: String
    var users: [String]
}

extension DashboardState {
    /// Opens (or closes) the who-changed view.
    mutating func toggleChanges() {
        changesView = changesView == nil ? ChangesViewState() : nil
    }

    /// A key while the who-changed view is open.
    mutating func handleChangesKey(_ key: Key, _ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        guard var view = changesView else { return }
        if view.editingFilter {
            switch key {
            case .character(let c) where view.filter.count < 40 && !c.isNewline: view.filter.append(c)
            case .backspace, .delete: if !view.filter.isEmpty { view.filter.removeLast() }
            case .enter, .escape, .tab: view.editingFilter = false
            default: break
            }
            view.selection = 0
            changesView = view
            return
        }
        if case .mouse = key { return }
        guard let action = keymap.action(for: key, in: .changes) else { return }
        let count = view.users(snapshot).count
        func move(_ row: Int) { view.selection = max(0, min(row, count - 1)) }
        switch action {
        case .quit: shouldQuit = true
        case .help: showHelp = true
        case .cancel, .whoChanged:
            changesView = nil
            return
        case .up: move(view.selection - 1)
        case .down: move(view.selection + 1)
        case .pageUp: move(view.selection - 10)
        case .pageDown: move(view.selection + 10)
        case .top: move(0)
        case .bottom: move(count - 1)
        case .search:
            view.editingFilter = true
            view.tab = .changes
        case .focusNext, .focusPrevious:
            view.tab = view.tab == .changes ? .dormant : .changes
            view.selection = 0
            if view.tab == .dormant { out.append(.listDormant(factor: ChangesViewState.dormantFactor)) }
        case .enter, .selectUser:
            let users = view.users(snapshot)
            guard !users.isEmpty else {
                show("Nothing to open here")
                break
            }
            let id = users[max(0, min(view.selection, users.count - 1))]
            out.append(.selectUser(id))
            focus = .drift
            changesView = nil
            show("Selected \(id)", seconds: 2)
            return
        case .saveAudience:
            let users = view.users(snapshot)
            guard !users.isEmpty else {
                show("No users listed: nothing to save")
                break
            }
            let name = view.tab == .dormant ? "dormant" : (view.filter.isEmpty ? "changes" : "changes-into-" + view.filter)
            audienceExport = AudienceExport(name: name, users: users)
        case .pause, .step, .faster, .slower, .theme, .screenshot:
            // The engine and the look stay in reach while the view is open.
            changesView = view
            perform(action, snapshot, &out)
            return
        default: break
        }
        changesView = view
    }
}
