import InterestGraph

/// The `--demo` tour: a time-driven state machine that picks users with interesting drift,
/// shows their interests, walks their neighbourhood and recommendations, and explains each
/// step in a caption. Any key ends it (see ``DashboardState/reduce(_:_:_:)``).
///
/// It acts only through ``DashboardState/perform(_:_:_:)``, the same path keys take.
struct DemoTour: Sendable, Hashable {
    enum Stage: Int, CaseIterable, Sendable {
        case meet, drift, neighbourhood, follow, back, recommendations, audience, training

        /// Seconds the stage stays on screen.
        var duration: Double {
            switch self {
            case .meet: 3
            case .drift: 7
            case .neighbourhood: 5
            case .follow: 5
            case .back: 3
            case .recommendations: 6
            case .audience: 5
            case .training: 5
            }
        }
    }

    var stage: Stage = .meet
    var stageStarted: Double = -.infinity
    var entered = false
    var candidateIndex = 0
    var user: String?
    var caption = "Demo: starting the tour…"

    init() {}

    mutating func advance(_ state: inout DashboardState, _ snapshot: EngineSnapshot, now: Double, _ out: inout [EngineCommand]) {
        if entered, now - stageStarted >= stage.duration {
            if stage == .training { candidateIndex += 1 }
            stage = Stage(rawValue: (stage.rawValue + 1) % Stage.allCases.count)!
            entered = false
        }
        guard !entered else {
            refreshCaption(snapshot)
            return
        }
        entered = true
        stageStarted = now
        state.zoomed = false
        switch stage {
        case .meet:
            let candidates = DemoTour.candidates(snapshot)
            guard !candidates.isEmpty else {
                caption = "Demo: waiting for users with some history…"
                entered = false
                return
            }
            let u = candidates[candidateIndex % candidates.count]
            user = u
            state.focus = .drift
            if snapshot.selectedUser?.id != u { state.selectUser(u, &out) }
        case .drift:
            state.focus = .drift
        case .neighbourhood:
            state.focus = .neighbourhood
            state.selection[.neighbourhood] = 0
        case .follow:
            state.focus = .neighbourhood
            if let rows = snapshot.neighbourhood?.rows, let i = rows.firstIndex(where: { $0.target.node.kind == .item }) ?? rows.indices.first {
                state.selection[.neighbourhood] = i
                state.perform(.enter, snapshot, &out)
            }
        case .back:
            state.focus = .neighbourhood
            if !state.breadcrumbs.isEmpty { state.perform(.back, snapshot, &out) }
        case .recommendations:
            state.focus = .recommendations
            state.showAudience = false
            state.selection[.recommendations] = 0
        case .audience:
            state.focus = .recommendations
            if !state.showAudience { state.perform(.audience, snapshot, &out) }
        case .training:
            state.showAudience = false
            state.focus = .training
        }
        refreshCaption(snapshot)
    }

    /// Users to visit: the engine's demo candidates, else whoever is selected or active.
    static func candidates(_ snapshot: EngineSnapshot) -> [String] {
        if !snapshot.demoCandidates.isEmpty { return snapshot.demoCandidates }
        var seen = Set<String>()
        var out: [String] = []
        if let u = snapshot.selectedUser?.id { out.append(u); seen.insert(u) }
        for e in snapshot.recentEvents.reversed() where seen.insert(e.user).inserted { out.append(e.user) }
        return Array(out.prefix(5))
    }

    /// Captions use live snapshot values, so they stay honest as the data moves.
    private mutating func refreshCaption(_ snapshot: EngineSnapshot) {
        let u = user ?? snapshot.selectedUser?.id ?? "?"
        let view = snapshot.selectedUser?.id == u ? snapshot.selectedUser : nil
        let step = "\(stage.rawValue + 1)/\(Stage.allCases.count)"
        switch stage {
        case .meet:
            caption = "Demo \(step) · Meet user \(u), one of the users whose interests drifted most"
        case .drift:
            if let d = view?.drift {
                let from = d.lost.first.map { "\($0) ▼" } ?? view?.interestsBefore.first?.name ?? "–"
                let to = d.gained.first.map { "\($0) ▲" } ?? view?.interests.first?.name ?? "–"
                caption = "Demo \(step) · \(u)'s interests moved: \(from) → \(to) (drift \(Format.fixed(d.divergence, 2))); heatmap = shares per time bucket"
            } else {
                caption = "Demo \(step) · Interest drift: category shares over time for \(u)"
            }
        case .neighbourhood:
            caption = "Demo \(step) · The graph around \(u): what they touched, how strongly, how long ago"
        case .follow:
            let target = snapshot.neighbourhood?.center.name ?? "an item"
            caption = "Demo \(step) · Enter follows an edge: now at \(target), with its own neighbours"
        case .back:
            caption = "Demo \(step) · Backspace walks back along the breadcrumb trail"
        case .recommendations:
            caption = "Demo \(step) · Live top-K for \(u): score, ▲▼ rank moves since the last refresh, and why"
        case .audience:
            let item = snapshot.audience?.title ?? snapshot.audience?.item ?? "this item"
            caption = "Demo \(step) · Who else would want \(item)? The item's audience"
        case .training:
            caption = "Demo \(step) · The model learns online: loss, prequential HR@10 and MRR, live"
        }
    }
}
