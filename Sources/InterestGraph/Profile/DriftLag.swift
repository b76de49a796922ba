/// How quickly and how faithfully the graph's profiles follow the simulator's ground truth,
/// for one decay half-life. See ``DriftLag/measure(world:halfLife:sampleInterval:)``.
public struct DriftLagReport: Sendable, Hashable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var halfLifeDays: Double
    /// Events replayed.
    public var events: Int
    /// Per-user drifts whose new interest became the true favourite during the run.
    public var usersMeasured: Int
    /// Of those, the ones whose profile ranked the new interest first before the run ended.
    public var detected: Int
    /// Lag percentiles (nearest rank) over all measured drifts, an undetected drift counting
    /// as an infinite lag: `nil` when the percentile falls on one (or nothing was measured).
    public var medianLagHours: Double?
    public var p90LagHours: Double?
    /// The same lags counted in the user's own events after the true crossover.
    public var medianLagEvents: Double?
    public var p90LagEvents: Double?
    /// Mean Jensen-Shannon divergence (bits) between estimated and true category shares, over
    /// every present user with at least one event, sampled every `sampleInterval`.
    public var meanDivergence: Double
    /// Profile noise: mean Jensen-Shannon divergence between consecutive daily profiles of
    /// users with no scheduled change, over days on which they had events.
    public var noise: Double

    enum CodingKeys: String, CodingKey {
        case scenario, seed, events, detected, noise
        case halfLifeDays = "half_life_days"
        case usersMeasured = "users_measured"
        case medianLagHours = "median_lag_hours"
        case p90LagHours = "p90_lag_hours"
        case medianLagEvents = "median_lag_events"
        case p90LagEvents = "p90_lag_events"
        case meanDivergence = "mean_divergence"
    }

    /// Percentiles that were not reached are written as `null`, not left out, so that every
    /// report has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(seed, forKey: .seed)
        try c.encode(halfLifeDays, forKey: .halfLifeDays)
        try c.encode(events, forKey: .events)
        try c.encode(usersMeasured, forKey: .usersMeasured)
        try c.encode(detected, forKey: .detected)
        try c.encode(medianLagHours, forKey: .medianLagHours)
        try c.encode(p90LagHours, forKey: .p90LagHours)
        try c.encode(medianLagEvents, forKey: .medianLagEvents)
        try c.encode(p90LagEvents, forKey: .p90LagEvents)
        try c.encode(meanDivergence, forKey: .meanDivergence)
        try c.encode(noise, forKey: .noise)
    }
}

/// Drift tracking lag against ground truth.
///
/// For each scheduled per-user drift, the *true crossover* is when the new interest becomes
/// the user's true top category (at the start for abrupt drifts, part-way for gradual ones).
/// The *lag* is the time, and the number of that user's events, from the crossover until the
/// graph's profile (decayed category shares) first ranks the new interest first, checked
/// after each of the user's events.
public enum DriftLag {
    /// Builds the scenario's world and measures it (see ``measure(world:halfLife:sampleInterval:)``).
    public static func measure(scenario: Scenario, halfLife: Double, sampleInterval: Double = 12 * 3_600) -> DriftLagReport {
        measure(world: ShopWorld(scenario: scenario), halfLife: halfLife, sampleInterval: sampleInterval)
    }

    /// Replays the world's events through a fresh ``HeteroGraph`` with the given decay
    /// half-life (seconds) and measures lag, divergence from the truth and profile noise.
    /// - Complexity: O(events) for the replay plus O(users * (categories + edges)) per sample.
    public static func measure(world: ShopWorld, halfLife: Double, sampleInterval: Double = 12 * 3_600) -> DriftLagReport {
        var graph = HeteroGraph(decay: DecayPolicy(halfLife: halfLife))
        graph.load(world.itemCatalogue)
        let truth = world.truth
        let categoryCount = truth.categoryCount
        let itemMap = (0..<world.itemCount).map { graph.itemID(world.itemID($0)) ?? graph.addItem(world.itemID($0)).id }
        // Graph category id -> simulator category index.
        var simCategory = [Int](repeating: -1, count: graph.categoryCount)
        for (c, name) in truth.categoryNames.enumerated() {
            if let g = graph.categoryID(name) { simCategory[Int(g)] = c }
        }
        let users = world.userCount
        var userMap = [Int32](repeating: -1, count: users)

        // Lag bookkeeping per drifted user.
        var target = [Int32](repeating: -1, count: users)  // graph category id of the new interest
        var crossover = [Double](repeating: .infinity, count: users)
        for d in truth.userDrifts where d.crossover < world.scenario.end {
            target[Int(d.user)] = graph.categoryID(truth.categoryNames[Int(d.target)]) ?? -1
            crossover[Int(d.user)] = d.crossover
        }
        var eventsAfter = [Int](repeating: 0, count: users)
        var lagHours: [Double] = []
        var lagEvents: [Double] = []
        var measured = 0
        for u in 0..<users where target[u] >= 0 { measured += 1 }
        var pendingDetection = target.map { $0 >= 0 }

        // Divergence and noise accumulators.
        var divergenceSum = 0.0
        var divergenceCount = 0
        var noiseSum = 0.0
        var noiseCount = 0
        let stable = (0..<users).map { truth.userDrift[$0] < 0 && truth.userSeasons[$0] == 0 }
        var previousDay = [[Double]](repeating: [], count: users)
        var activeToday = [Bool](repeating: false, count: users)
        var scratch = CategoryScratch()
        var estimate = [Double](repeating: 0, count: categoryCount)
        var real = [Double](repeating: 0, count: categoryCount)

        func estimated(_ g: Int32, at t: Double) -> Bool {
            let total = graph.accumulateCategoryMass(ofUser: g, at: t, into: &scratch)
            for c in estimate.indices { estimate[c] = 0 }
            guard total > 0 else { return false }
            for c in scratch.touched where Int(c) < simCategory.count && simCategory[Int(c)] >= 0 {
                estimate[simCategory[Int(c)]] += scratch.mass[Int(c)]
            }
            return true
        }

        var nextSample = world.scenario.start + sampleInterval
        var nextDay = world.scenario.start + 86_400
        func sample(at t: Double) {
            for u in 0..<users where userMap[u] >= 0 && Double(world.userChurn[u]) > t {
                guard estimated(userMap[u], at: t) else { continue }
                real.withUnsafeMutableBufferPointer { truth.fill(user: u, at: t, into: $0) }
                divergenceSum += Divergence.jensenShannon(estimate, real)
                divergenceCount += 1
            }
        }
        func dayBoundary(at t: Double) {
            for u in 0..<users where stable[u] && activeToday[u] && userMap[u] >= 0 {
                activeToday[u] = false
                guard estimated(userMap[u], at: t) else { continue }
                if !previousDay[u].isEmpty {
                    noiseSum += Divergence.jensenShannon(previousDay[u], estimate)
                    noiseCount += 1
                }
                previousDay[u] = estimate
            }
        }

        var simulator = ShopSimulator(world: world)
        var events = 0
        while let e = simulator.next() {
            let t = Double(e.time)
            while t >= nextSample { sample(at: nextSample); nextSample += sampleInterval }
            while t >= nextDay { dayBoundary(at: nextDay); nextDay += 86_400 }
            let u = Int(e.user)
            if userMap[u] < 0 { userMap[u] = graph.addUser(world.userID(u)).id }
            let g = userMap[u]
            let weight = graph.actionWeights.weight(for: e.action, value: e.action == .purchase ? Double(e.quantity) : nil)
            graph.apply(user: g, item: itemMap[Int(e.item)], action: e.action, weight: weight, at: t)
            events += 1
            activeToday[u] = true
            if pendingDetection[u] && t >= crossover[u] {
                eventsAfter[u] += 1
                if graph.topCategory(ofUser: g, at: t, scratch: &scratch) == target[u] {
                    pendingDetection[u] = false
                    lagHours.append((t - crossover[u]) / 3_600)
                    lagEvents.append(Double(eventsAfter[u]))
                }
            }
        }
        let end = world.scenario.end
        while nextSample <= end { sample(at: nextSample); nextSample += sampleInterval }
        while nextDay <= end { dayBoundary(at: nextDay); nextDay += 86_400 }

        return DriftLagReport(
            scenario: world.scenario.name, seed: world.scenario.seed, halfLifeDays: halfLife / 86_400, events: events,
            usersMeasured: measured, detected: lagHours.count,
            medianLagHours: percentile(lagHours, of: measured, 0.5), p90LagHours: percentile(lagHours, of: measured, 0.9),
            medianLagEvents: percentile(lagEvents, of: measured, 0.5), p90LagEvents: percentile(lagEvents, of: measured, 0.9),
            meanDivergence: divergenceCount > 0 ? divergenceSum / Double(divergenceCount) : 0,
            noise: noiseCount > 0 ? noiseSum / Double(noiseCount) : 0)
    }

    /// Nearest-rank percentile of `values` padded with infinities up to `total` entries.
    static func percentile(_ values: [Double], of total: Int, _ p: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((p * Double(total)).rounded(.up)))
        let sorted = values.sorted()
        return rank <= sorted.count ? sorted[rank - 1] : nil
    }
}
