import InterestGraph

extension DashboardState {
    /// Advances the UI with time and a fresh snapshot: samples rates, expires messages and
    /// pending values, follows a change of selected user, and drives the demo tour.
    ///
    /// Pure like ``reduce(_:_:_:)``: `now` is passed in (monotonic seconds).
    static func tick(_ state: DashboardState, _ snapshot: EngineSnapshot, now: Double) -> (DashboardState, [EngineCommand]) {
        var s = state
        var out: [EngineCommand] = []
        s.advance(snapshot, now: now, &out)
        return (s, out)
    }

    /// Records the snapshot's rank movements and forgets the ones older than the lifetime.
    private mutating func rememberMoves(_ snapshot: EngineSnapshot, now: Double) {
        let user = snapshot.selectedUser?.id
        if user != recentMovesUser {
            recentMovesUser = user
            recentMoves = [:]
        }
        recentMoves = recentMoves.filter { now - $0.value.at < DashboardState.moveLifetime }
        for line in snapshot.selectedUser?.recommendations ?? [] where line.rankChange != 0 {
            recentMoves[line.item] = RankMove(change: line.rankChange, at: now)
        }
    }

    private mutating func advance(_ snapshot: EngineSnapshot, now: Double, _ out: inout [EngineCommand]) {
        self.now = now
        if let m = message, m.expires <= now { message = nil }

        if snapshot.sequence != lastSequence {
            lastSequence = snapshot.sequence
            rememberMoves(snapshot, now: now)
        }
        if snapshot.rateSamples != lastRateSample {
            lastRateSample = snapshot.rateSamples
            DashboardState.append(Float(snapshot.eventsPerSecond), to: &eventRateHistory)
            DashboardState.append(Float(snapshot.updatesPerSecond), to: &updateRateHistory)
        }
        if snapshot.messageCount != lastEngineMessage {
            lastEngineMessage = snapshot.messageCount
            if let text = snapshot.message { show(text, seconds: 6) }
        }

        if !didInitialSelection {
            if let user = initialUser {
                selectUser(user, &out)
                didInitialSelection = true
            } else if snapshot.selectedUser != nil {
                didInitialSelection = true
            } else if let candidate = snapshot.demoCandidates.first {
                out.append(.selectUser(candidate))
                didInitialSelection = true
            }
        }

        let user = snapshot.selectedUser?.id
        if user != trackedUser {
            trackedUser = user
            breadcrumbs = []
            showAudience = false
            selection[.neighbourhood] = 0
            if let node = snapshot.selectedUser?.node, snapshot.neighbourhood?.center.node != node {
                pendingBrowse = PendingBrowse(node: node, sentAt: now)
                out.append(.browse(node))
            }
        }
        if let p = pendingBrowse, snapshot.neighbourhood?.center.node == p.node || now - p.sentAt > 3 {
            pendingBrowse = nil
        }

        for t in snapshot.tunables {
            guard let p = pendingTunables[t.key] else { continue }
            if abs(p.value - t.value) <= 1e-9 * max(1, abs(p.value)) || now - p.sentAt > 3 { pendingTunables[t.key] = nil }
        }
        if let p = pendingSpeed, abs(p.value - snapshot.source.speed) < 1e-9 || now - p.sentAt > 3 { pendingSpeed = nil }

        for panel in PanelID.allCases where panel != .training {
            let count = DashboardState.rowCount(panel, self, snapshot)
            if let row = selection[panel], row >= count { selection[panel] = max(0, count - 1) }
        }
        if showAudience, let n = snapshot.audience?.users.count, audienceSelection >= n { audienceSelection = max(0, n - 1) }

        if var tour = demo {
            tour.advance(&self, snapshot, now: now, &out)
            if demo != nil { demo = tour }
        }
    }

    private static func append(_ value: Float, to history: inout [Float]) {
        history.append(value.isFinite ? value : 0)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }
}
