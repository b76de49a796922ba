import InterestGraph

/// Sharing one engine (`driftscope attach`): one dashboard controls, the others watch.
extension DashboardState {
    /// The take-control key: asks for control when watching a shared engine.
    mutating func takeControl() {
        guard let a = attachment else {
            show("This dashboard runs its own engine: it always has control", seconds: 3)
            return
        }
        switch a.role {
        case .controller: show("This dashboard already has control", seconds: 3)
        case .disconnected: show("Not connected to the engine", error: true, seconds: 3)
        case .watcher:
            controlRequested = true
            show("Taking control", seconds: 2)
        }
    }

    /// Commands a dashboard that does not hold control must not send: everything that changes
    /// the engine or what every dashboard shows (selection, browsing, completion included).
    /// Returns the commands to send; a watcher's key that would have sent one says why not.
    mutating func commandsAllowed(_ commands: [EngineCommand], fromKey: Bool) -> [EngineCommand] {
        guard let a = attachment, a.role != .controller, !commands.isEmpty else { return commands }
        if fromKey {
            // The reducer already shows the value it asked for: forget it, nothing was sent.
            pendingTunables = [:]
            pendingSpeed = nil
            let key = keymap.primaryKey(.takeControl, ascii: true)
            let who = a.controller.map { "dashboard \($0) has control" } ?? "nobody has control"
            show(a.role == .disconnected ? "Not connected to the engine" : "Watching (\(who)): press \(key) to take control", error: true, seconds: 4)
        }
        return []
    }
}
