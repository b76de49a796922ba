import InterestGraph

/// A synthetic, busy engine picture for the render benchmark: long loss history, a full
/// event list, a drifting user with many categories, a large neighbourhood. `frame` moves
/// everything a little, as a live engine would between two publishes.
enum BenchSnapshots {
    static let categories = ["Electronics", "Toys", "Books", "Garden", "Sports", "Kitchen", "Fashion", "Beauty", "Music", "Films", "Games", "Outdoor"]
    static let actions: [Action] = [.view, .view, .click, .view, .cart, .view, .purchase, .click, .view, .rating]

    /// A deterministic pseudo-random value in 0..<1 for an index (no global state).
    static func noise(_ i: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: i) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    static func make(frame: Int) -> EngineSnapshot {
        var s = EngineSnapshot()
        let clock = 1_709_294_403.0 + Double(frame) * 0.05 * 60
        s.sequence = UInt64(frame + 1)
        s.source.kind = .simulation
        s.source.name = "bench (seed 1)"
        s.source.speed = 0
        s.source.position = 100_000 + frame * 37
        s.clock = clock
        s.statistics.users = 20_000
        s.statistics.items = 50_000
        s.statistics.edges = 1_200_000 + frame * 37
        s.statistics.events = 100_000 + frame * 37
        s.eventsPerSecond = 740 + 60 * noise(frame)
        s.updatesPerSecond = 41_000 + 2000 * noise(frame + 7)
        s.trainingStep = 50_000 + frame * 8
        s.epoch = Double(s.trainingStep) / 12_000
        s.loss = (0..<512).map { i in
            let step = s.trainingStep - (511 - i) * 8
            let v = 0.2 + 0.5 / (1 + Double(step) / 20_000) + 0.05 * noise(step)
            return MetricPoint(step: step, value: Float(v))
        }
        s.prequential.hitRate10 = 0.21 + 0.01 * noise(frame)
        s.prequential.mrr = 0.08 + 0.005 * noise(frame + 1)
        s.prequential.windowCount = 2000
        s.prequential.scored = 90_000 + frame * 37
        s.prequentialHistory = (0..<128).map { i in
            let step = s.trainingStep - (127 - i) * 32
            return PrequentialPoint(step: step, hitRate10: Float(0.2 + 0.02 * noise(step)), mrr: Float(0.08 + 0.01 * noise(step + 3)))
        }
        s.tunables = [
            Tunable(key: "lr", label: "learning rate", value: 0.01, minimum: 0.0001, maximum: 0.5, step: 2, isMultiplicative: true, format: "%.4f"),
            Tunable(key: "l2", label: "L2 regularisation", value: 0.0001, minimum: 0.000001, maximum: 0.01, step: 10, isMultiplicative: true, format: "%.0e"),
            Tunable(key: "negatives", label: "negative samples", value: 8, minimum: 1, maximum: 64, step: 1, isMultiplicative: false, format: "%.0f"),
            Tunable(key: "batch", label: "batch size", value: 256, minimum: 32, maximum: 4096, step: 2, isMultiplicative: true, format: "%.0f"),
            Tunable(key: "dim", label: "embedding size", value: 64, minimum: 8, maximum: 256, step: 2, isMultiplicative: true, format: "%.0f", needsReset: true),
        ]
        s.changes = [
            ChangeRecord(step: s.trainingStep - 3000, time: clock - 600, key: "lr", oldValue: 0.02, newValue: 0.01, origin: .user, note: ""),
            ChangeRecord(step: s.trainingStep - 1200, time: clock - 200, key: "lr", oldValue: 0.01, newValue: 0.005, origin: .divergenceGuard, note: "loss spiked: rolled back"),
        ]
        s.recentEvents = (0..<64).map { i in
            let n = frame * 3 + i
            return EventLine(timestamp: clock - Double(64 - i), user: "u\(Int(noise(n) * 20_000))", item: "i\(Int(noise(n + 1) * 50_000))", action: actions[n % actions.count], category: categories[n % categories.count])
        }
        let buckets = 48
        let shares: [[Float]] = categories.indices.map { r in
            (0..<buckets).map { b in Float(0.02 + 0.3 * noise(r * 1000 + b + frame / 20)) }
        }
        let drift = DriftView(
            categories: categories, bucketTimes: (0..<buckets).map { clock - Double(buckets - 1 - $0) * 3600 },
            shares: shares, trueShares: shares, scores: (0..<buckets).map { Float(0.3 * noise($0 + frame / 20)) },
            changePoints: [12, 30], divergence: 0.27, embeddingShift: 0.11, gained: ["Games"], lost: ["Books"]
        )
        let recommendations: [RecommendationLine] = (0..<20).map { i in
            let n = frame / 5 + i
            return RecommendationLine(item: "i\(Int(noise(n) * 50_000))", title: "Product \(n % 97)", score: Float(0.95 - Double(i) * 0.02), category: categories[n % categories.count], explanation: "you purchased i\(n * 7 % 5000) → same brand → i\(n * 13 % 5000)", rankChange: i % 4 == 0 ? nil : (n % 7) - 3, hit: i % 9 == 0)
        }
        s.selectedUser = UserView(
            id: "u4242", events: 812, lastSeen: clock - 300, dormancy: nil,
            interests: categories.prefix(6).enumerated().map { ShareLine(name: $1, share: 0.3 / Double($0 + 1)) },
            interestsBefore: categories.prefix(6).enumerated().map { ShareLine(name: $1, share: 0.25 / Double(6 - $0)) },
            trueInterests: nil, drift: drift, recommendations: recommendations, node: NodeRef(.user, 4242)
        )
        s.neighbourhood = NeighbourhoodView(
            center: NodeLine(node: NodeRef(.user, 4242), name: "u4242", detail: "812 events"),
            rows: (0..<40).map { i in
                NeighbourLine(target: NodeLine(node: NodeRef(.item, Int32(i)), name: "i\(i * 17)", detail: "Product \(i)"), relation: actions[i % actions.count].name, strength: 3 * noise(i + frame / 10), age: 60 * Double(i), count: 1 + i % 3)
            }
        )
        s.demoCandidates = ["u4242"]
        return s
    }
}
