import Foundation
@testable import Dashboard
@testable import InterestGraph

/// Fixed engine snapshots for golden tests: every number is a constant or a deterministic
/// function of an index, so a golden file changes only when rendering does.
enum FixtureSnapshots {
    static let clock = 1_709_294_403.0  // 2024-03-01 12:00:03 UTC

    /// A busy engine: a simulated shop mid-run with a drifting selected user.
    static func busy() -> EngineSnapshot {
        var s = EngineSnapshot()
        s.sequence = 42
        s.source.kind = .simulation
        s.source.name = "default.toml (seed 7)"
        s.source.speed = 1
        s.source.position = 48_210
        s.clock = clock
        s.isPaused = false
        s.statistics = GraphStatistics(users: 2000, items: 5000, categories: 24, brands: 120, entities: 300, edges: 48_210, userItemEdges: 40_112, events: 48_210, firstTimestamp: clock - 86_400 * 30, lastTimestamp: clock)
        s.eventsPerSecond = 312.4
        s.updatesPerSecond = 8210
        s.trainingStep = 12_345
        s.epoch = 3.42
        s.loss = (0..<240).map { i in
            let x = Double(i)
            let noise: Double = 0.03 * sin(x * 1.7) + 0.02 * sin(x * 0.37)
            let value: Double = 0.45 * exp(-x / 70) + 0.21 + noise
            return MetricPoint(step: 9_955 + i * 10, value: Float(value))
        }
        s.prequential.hitRate10 = 0.182
        s.prequential.mrr = 0.071
        s.prequential.windowCount = 500
        s.prequential.scored = 40_210
        s.prequentialHistory = (0..<60).map { i in
            let x = Double(i)
            let rise: Double = 1 - exp(-x / 20)
            let hr: Double = 0.08 + 0.1 * rise + 0.005 * sin(x)
            let mrr: Double = 0.03 + 0.04 * rise
            return PrequentialPoint(step: 9_955 + i * 40, hitRate10: Float(hr), mrr: Float(mrr))
        }
        s.tunables = tunables()
        s.changes = [
            ChangeRecord(step: 10_500, time: clock - 900, key: "lr", oldValue: 0.02, newValue: 0.01, origin: .user, note: ""),
            ChangeRecord(step: 11_200, time: clock - 600, key: "lr", oldValue: 0.01, newValue: 0.005, origin: .divergenceGuard, note: "loss was NaN: rolled back to step 11,150"),
            ChangeRecord(step: 11_900, time: clock - 200, key: "negatives", oldValue: 4, newValue: 8, origin: .user, note: ""),
        ]
        s.recentEvents = events()
        s.selectedUser = user()
        s.neighbourhood = neighbourhood()
        s.audience = nil
        s.demoCandidates = ["u42", "u7", "u1337"]
        return s
    }

    static func tunables() -> [Tunable] {
        [
            Tunable(key: "lr", label: "learning rate", value: 0.01, minimum: 0.0001, maximum: 0.5, step: 2, isMultiplicative: true, format: "%.4f"),
            Tunable(key: "l2", label: "L2 regularisation", value: 0.0001, minimum: 0.000001, maximum: 0.01, step: 10, isMultiplicative: true, format: "%.0e"),
            Tunable(key: "negatives", label: "negative samples", value: 8, minimum: 1, maximum: 64, step: 1, isMultiplicative: false, format: "%.0f"),
            Tunable(key: "batch", label: "batch size", value: 256, minimum: 32, maximum: 4096, step: 2, isMultiplicative: true, format: "%.0f"),
            Tunable(key: "halflife", label: "decay half-life (days)", value: 14, minimum: 1, maximum: 365, step: 1, isMultiplicative: false, format: "%.0f"),
            Tunable(key: "layers", label: "propagation layers", value: 2, minimum: 0, maximum: 4, step: 1, isMultiplicative: false, format: "%.0f"),
            Tunable(key: "dim", label: "embedding size", value: 64, minimum: 8, maximum: 256, step: 2, isMultiplicative: true, format: "%.0f", needsReset: true),
        ]
    }

    static let categories = ["Electronics", "Toys", "Books", "Garden", "Sports", "Kitchen"]

    static func events() -> [EventLine] {
        let actions: [Action] = [.view, .view, .click, .view, .cart, .view, .purchase, .click, .view, .rating]
        return (0..<40).map { i in
            EventLine(timestamp: clock - Double(40 - i) * 3, user: "u\(17 + (i * 37) % 400)", item: "i\(1000 + (i * 53) % 900)", action: actions[i % actions.count], category: categories[(i * 5) % categories.count])
        }
    }

    static func user() -> UserView {
        let buckets = 24
        let times = (0..<buckets).map { clock - Double(buckets - 1 - $0) * 86_400 }
        // Books fade, Electronics and Toys grow after bucket 14 (a change point).
        func share(_ row: Int, _ b: Int, truth: Bool) -> Float {
            let t: Float = b < 14 ? 0 : min(1, Float(b - 13) / 4)
            let phase = Float((b * 7 + row * 3) % 5)
            let wobble: Float = truth ? 0 : 0.02 * phase / 4
            let base: [Float] = [0.18, 0.10, 0.38, 0.20, 0.10, 0.04]
            let slope: [Float] = [0.25, 0.14, -0.26, -0.08, -0.03, -0.02]
            return base[row] + slope[row] * t + wobble
        }
        let shares = (0..<categories.count).map { r in (0..<buckets).map { share(r, $0, truth: false) } }
        let truth = (0..<categories.count).map { r in (0..<buckets).map { share(r, $0, truth: true) } }
        let scores: [Float] = (0..<buckets).map { (b: Int) -> Float in
            if b < 13 { return 0.03 + 0.01 * Float(b % 3) }
            if b < 18 { return 0.12 + 0.05 * Float(b - 13) }
            return 0.2 - 0.02 * Float(b - 18)
        }
        let drift = DriftView(categories: categories, bucketTimes: times, shares: shares, trueShares: truth, scores: scores, changePoints: [14], divergence: 0.31, embeddingShift: 0.12, gained: ["Electronics", "Toys"], lost: ["Books"])
        return UserView(
            id: "u42", events: 312, lastSeen: clock - 7200,
            dormancy: Dormancy(idleSeconds: 7200, typicalGapSeconds: 14_400, ratio: 0.5),
            interests: [ShareLine(name: "Electronics", share: 0.41), ShareLine(name: "Toys", share: 0.22), ShareLine(name: "Books", share: 0.14), ShareLine(name: "Garden", share: 0.12), ShareLine(name: "Sports", share: 0.08), ShareLine(name: "Kitchen", share: 0.03)],
            interestsBefore: [ShareLine(name: "Books", share: 0.37), ShareLine(name: "Electronics", share: 0.2), ShareLine(name: "Garden", share: 0.2), ShareLine(name: "Toys", share: 0.11), ShareLine(name: "Sports", share: 0.09), ShareLine(name: "Kitchen", share: 0.03)],
            trueInterests: [ShareLine(name: "Electronics", share: 0.43), ShareLine(name: "Toys", share: 0.24), ShareLine(name: "Books", share: 0.12), ShareLine(name: "Garden", share: 0.12), ShareLine(name: "Sports", share: 0.07), ShareLine(name: "Kitchen", share: 0.02)],
            drift: drift,
            recommendations: recommendations(),
            node: NodeRef(.user, 42)
        )
    }

    static func recommendations() -> [RecommendationLine] {
        [
            RecommendationLine(item: "i1043", title: "Mechanical keyboard", score: 0.912, category: "Electronics", explanation: "you purchased i311 (Noise-cancelling headphones) → same brand Keyco → i1043", rankChange: 2, hit: false),
            RecommendationLine(item: "i2210", title: "ソニー ヘッドホン", score: 0.887, category: "Electronics", explanation: "similar to i311 you purchased", rankChange: nil, hit: true),
            RecommendationLine(item: "i0877", title: "Lego Technic crane", score: 0.861, category: "Toys", explanation: "users like you bought it after i650", rankChange: -1, hit: false),
            RecommendationLine(item: "i0031", title: "🎧 Earbuds case", score: 0.840, category: "Electronics", explanation: "you viewed i2210 twice today", rankChange: 0, hit: false),
            RecommendationLine(item: "i4410", title: "Puzzle 1000 pieces", score: 0.815, category: "Toys", explanation: "category Toys is rising in your interests", rankChange: 3, hit: false),
            RecommendationLine(item: "i3001", title: "USB-C hub", score: 0.790, category: "Electronics", explanation: "similar to i1043 in the embedding space", rankChange: -2, hit: true),
            RecommendationLine(item: "i1200", title: nil, score: 0.771, category: "Books", explanation: "you purchased i118 → same author → i1200", rankChange: 0, hit: false),
            RecommendationLine(item: "i0505", title: "Garden hose 25 m", score: 0.752, category: "Garden", explanation: "popular with your neighbours", rankChange: nil, hit: false),
            RecommendationLine(item: "i0999", title: "Desk lamp", score: 0.730, category: nil, explanation: "", rankChange: -4, hit: false),
            RecommendationLine(item: "i2718", title: "Board game night set", score: 0.701, category: "Toys", explanation: "users like you bought it after i4410", rankChange: 1, hit: false),
        ]
    }

    static func neighbourhood() -> NeighbourhoodView {
        let center = NodeLine(node: NodeRef(.user, 42), name: "u42", detail: "312 events")
        let rows: [NeighbourLine] = [
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 311), name: "i311", detail: "Noise-cancelling headphones"), relation: "purchase", strength: 3.2, age: 7200, count: 2),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 2210), name: "i2210", detail: "ソニー ヘッドホン"), relation: "view", strength: 1.4, age: 3600, count: 3),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 650), name: "i650", detail: "Drone with camera"), relation: "cart", strength: 1.1, age: 86_400, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 118), name: "i118", detail: "The Left Hand of Darkness"), relation: "purchase", strength: 0.6, age: 86_400 * 21, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 77), name: "i77", detail: "Garden gloves"), relation: "rating", strength: 0.4, age: 86_400 * 9, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 4410), name: "i4410", detail: "Puzzle 1000 pieces"), relation: "click", strength: 0.3, age: 600, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.item, 19), name: "i19", detail: nil), relation: "view", strength: 0.12, age: 86_400 * 40, count: 1),
        ]
        return NeighbourhoodView(center: center, rows: rows)
    }

    static func audience() -> AudienceView {
        AudienceView(item: "i1043", title: "Mechanical keyboard", users: (0..<12).map { i in
            AudienceLine(user: "u\(7 + i * 131 % 997)", score: Float(0.95 - Double(i) * 0.04), topInterest: categories[i % categories.count])
        })
    }

    /// A fresh engine: nothing ingested, nothing selected.
    static func empty() -> EngineSnapshot {
        var s = EngineSnapshot()
        s.source.kind = .simulation
        s.source.name = "default.toml (seed 7)"
        s.isPaused = true
        return s
    }

    /// The UI state the golden tests start from.
    static func state(focus: PanelID = .training, size: GridSize) -> DashboardState {
        var state = DashboardState()
        state.focus = focus
        state.size = size
        state.themeNames = ["dark", "light", "colourblind", "mono"]
        state.eventRateHistory = (0..<60).map { (i: Int) -> Float in Float(280 + 40 * sin(Double(i) / 4)) }
        state.updateRateHistory = (0..<60).map { (i: Int) -> Float in Float(8000 + 400 * sin(Double(i) / 5)) }
        state.trackedUser = "u42"
        state.didInitialSelection = true
        state.lastSequence = 42
        return state
    }
}

extension DashboardState {
    /// Applies `keys` in order against one snapshot, collecting every command.
    static func pressing(_ keys: [Key], from start: DashboardState, _ snapshot: EngineSnapshot) -> (DashboardState, [EngineCommand]) {
        var s = start
        var all: [EngineCommand] = []
        for k in keys {
            let (next, commands) = DashboardState.reduce(s, k, snapshot)
            s = next
            all += commands
        }
        return (s, all)
    }
}

extension Key {
    /// One key per character of `text`.
    static func characters(_ text: String) -> [Key] { text.map { Key.character($0) } }
}
