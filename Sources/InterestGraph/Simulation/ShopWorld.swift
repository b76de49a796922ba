import Foundation

/// A simulated shop before anything happens in it: the catalogue, every user who will ever
/// visit (those present at the start and those arriving later) with their latent interests,
/// rhythm, price sensitivity, arrival and churn times, and the schedule of interest changes.
///
/// Building a world is deterministic in the scenario (its seed included). A world is
/// immutable; ``ShopSimulator`` plays it out as events, as many times as asked.
///
/// ```swift
/// let world = ShopWorld(scenario: try Scenario.load("small"))
/// var simulator = ShopSimulator(world: world)
/// while let event = simulator.next() { ... }
/// ```
public struct ShopWorld: Sendable {
    public let scenario: Scenario
    let catalogue: ShopCatalogue
    /// Users' true interests and the drift schedule.
    public let truth: GroundTruth

    // Per user (dense, simulator order: initial users, then arrivals by arrival time).
    let userArrival: [Int64]
    /// `Int64.max` for users who never go dormant within the run.
    let userChurn: [Int64]
    /// Sessions per day.
    let userSessionRate: [Double]
    /// 0 = buys premium freely ... 1 = hunts bargains.
    let userPriceSensitivity: [Float]
    let initialUserCount: Int

    /// Independent random streams, so adding users does not reshuffle the catalogue.
    enum Stream: UInt64 { case catalogue = 1, users = 2, drifts = 3, seasons = 4, events = 5 }

    static func generator(seed: UInt64, _ stream: Stream) -> SeededGenerator {
        SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ stream.rawValue &* 0xD1B5_4A32_D192_ED03)
    }

    public init(scenario: Scenario) {
        self.scenario = scenario
        var catalogueRNG = Self.generator(seed: scenario.seed, .catalogue)
        let catalogue = ShopCatalogue(scenario: scenario, rng: &catalogueRNG)
        self.catalogue = catalogue

        // MARK: Users
        var rng = Self.generator(seed: scenario.seed, .users)
        let settings = scenario.users
        let start = scenario.start
        let end = scenario.end
        var arrivals: [Int64] = Array(repeating: Int64(start), count: max(1, settings.count))
        if settings.arrivalsPerDay > 0 {
            var t = start
            while true {
                t += rng.exponential(mean: 86_400 / settings.arrivalsPerDay)
                if t >= end { break }
                arrivals.append(Int64(t))
            }
        }
        let total = arrivals.count
        initialUserCount = max(1, settings.count)
        let width = max(5, String(total).count)
        let categoryCount = catalogue.categoryCount
        let stride = max(1, min(settings.interestsMax, categoryCount))
        var ids: [String] = []
        ids.reserveCapacity(total)
        var interestCategory = [Int32](repeating: -1, count: total * stride)
        var interestWeight = [Double](repeating: 0, count: total * stride)
        var churn = [Int64](repeating: .max, count: total)
        var rates = [Double](repeating: 0, count: total)
        var sensitivity = [Float](repeating: 0, count: total)
        for u in 0..<total {
            let digits = String(u + 1)
            ids.append("u" + String(repeating: "0", count: max(0, width - digits.count)) + digits)
            // Interests cluster: a primary department, then half the time a sibling category.
            let low = max(1, min(settings.interestsMin, stride))
            let k = low + rng.index(below: stride - low + 1)
            let primaryDepartment = rng.index(below: catalogue.departmentNames.count)
            let primaryCategories = catalogue.departmentCategories[primaryDepartment]
            var chosen: [Int] = [primaryCategories[rng.index(below: primaryCategories.count)]]
            var attempts = 0
            while chosen.count < k && attempts < 64 {
                attempts += 1
                let c: Int
                if rng.chance(0.5) {
                    let members = catalogue.departmentCategories[catalogue.categoryDepartment[chosen[chosen.count - 1]]]
                    c = members[rng.index(below: members.count)]
                } else {
                    c = rng.index(below: categoryCount)
                }
                if !chosen.contains(c) { chosen.append(c) }
            }
            var weights = rng.dirichlet(count: chosen.count, alpha: settings.concentration)
            weights.sort(by: >)
            for j in chosen.indices {
                interestCategory[u * stride + j] = Int32(chosen[j])
                interestWeight[u * stride + j] = weights[j]
            }
            rates[u] = rng.logNormal(mean: settings.sessionsPerDay, sigma: 0.5)
            sensitivity[u] = Float((rng.unitDouble() + rng.unitDouble()) / 2)
            if settings.churnPerDay > 0 {
                // The daily probability becomes an exponential lifetime.
                let meanDays = -1 / log1p(-min(settings.churnPerDay, 0.999_999))
                let t = Double(arrivals[u]) + rng.exponential(mean: meanDays * 86_400)
                if t < end { churn[u] = Int64(t) }
            }
        }
        userArrival = arrivals
        userChurn = churn
        userSessionRate = rates
        userPriceSensitivity = sensitivity

        // MARK: Drifts
        var driftRNG = Self.generator(seed: scenario.seed, .drifts)
        var userDrift = [Int32](repeating: -1, count: total)
        var userDrifts: [GroundTruth.UserDrift] = []
        var events: [DriftEvent] = []
        let categoryIndex = Dictionary(uniqueKeysWithValues: catalogue.categoryNames.enumerated().map { ($1, $0) })
        let departmentIndex = Dictionary(uniqueKeysWithValues: catalogue.departmentNames.enumerated().map { ($1, $0) })
        // The middle level of a three-level tree: a drift naming "Home/Kitchen" moves mass
        // from or into the leaves under it, as a department does with its categories.
        let groupIndex = Dictionary(uniqueKeysWithValues: catalogue.groupNames.enumerated().map { ($1, $0) })
        let exploration = settings.exploration
        var scratch = [Double](repeating: 0, count: categoryCount)

        func baseMixture(_ u: Int, into out: inout [Double]) {
            for c in out.indices { out[c] = exploration / Double(categoryCount) }
            for j in 0..<stride where interestCategory[u * stride + j] >= 0 {
                out[Int(interestCategory[u * stride + j])] += (1 - exploration) * interestWeight[u * stride + j]
            }
        }
        func argmax(_ v: [Double]) -> Int {
            var best = 0
            for c in v.indices where v[c] > v[best] { best = c }
            return best
        }

        for spec in scenario.drifts {
            let t0 = start + spec.day * 86_400
            let t1 = t0 + (spec.kind == .gradual ? max(spec.duration, 0.01) : 0) * 86_400
            var candidates = (0..<total).filter { u in
                userDrift[u] < 0 && Double(arrivals[u]) <= t0 && Double(churn[u]) > t1 + 7 * 86_400
            }
            driftRNG.shuffle(&candidates)
            var accepted = 0
            for u in candidates where accepted < spec.users {
                baseMixture(u, into: &scratch)
                let top = argmax(scratch)
                let topDepartment = catalogue.categoryDepartment[top]
                // Which mass moves.
                var from: [Int32]
                if let name = spec.from {
                    if let c = categoryIndex[name] {
                        guard top == c else { continue }
                        from = [Int32(c)]
                    } else if let g = groupIndex[name] {
                        guard catalogue.categoryGroup[top] == g else { continue }
                        from = catalogue.groupLeaves[g].map(Int32.init)
                    } else if let d = departmentIndex[name] {
                        guard topDepartment == d else { continue }
                        from = catalogue.departmentCategories[d].map(Int32.init)
                    } else { continue }
                } else {
                    from = catalogue.departmentCategories[topDepartment].map(Int32.init)
                }
                // Where it goes: a category, or a main and a second category of a department.
                var to: [Int32]
                var toWeight: [Double]
                if let c = categoryIndex[spec.to] {
                    guard !from.contains(Int32(c)) else { continue }
                    to = [Int32(c)]
                    toWeight = [1]
                } else if let leaves = groupIndex[spec.to].map({ catalogue.groupLeaves[$0] }) ?? departmentIndex[spec.to].map({ catalogue.departmentCategories[$0] }) {
                    let options = leaves.filter { !from.contains(Int32($0)) }
                    guard !options.isEmpty else { continue }
                    let main = options[driftRNG.index(below: options.count)]
                    let others = options.filter { $0 != main }
                    if others.isEmpty || spec.focus >= 1 {
                        to = [Int32(main)]
                        toWeight = [1]
                    } else {
                        to = [Int32(main), Int32(others[driftRNG.index(below: others.count)])]
                        toWeight = [spec.focus, 1 - spec.focus]
                    }
                } else { continue }
                from.removeAll { to.contains($0) }
                var drift = GroundTruth.UserDrift(user: Int32(u), start: t0, end: t1, from: from, to: to, toWeight: toWeight, amount: spec.amount, crossover: t0)
                // Only drifts that really change the user's favourite are scheduled, so that
                // "how long until the model notices" is always defined.
                func isTop(_ p: Double) -> Bool {
                    baseMixture(u, into: &scratch)
                    var moved = 0.0
                    for c in drift.from { let take = scratch[Int(c)] * p * drift.amount; scratch[Int(c)] -= take; moved += take }
                    for (k, c) in drift.to.enumerated() { scratch[Int(c)] += moved * drift.toWeight[k] }
                    return argmax(scratch) == Int(drift.target)
                }
                guard isTop(1) else { continue }
                if spec.kind == .gradual {
                    var lo = 0.0, hi = 1.0
                    for _ in 0..<40 {
                        let mid = (lo + hi) / 2
                        if isTop(mid) { hi = mid } else { lo = mid }
                    }
                    drift.crossover = t0 + hi * (t1 - t0)
                }
                userDrift[u] = Int32(userDrifts.count)
                userDrifts.append(drift)
                events.append(DriftEvent(
                    kind: spec.kind == .gradual ? .gradual : .abrupt, label: spec.label, user: ids[u],
                    start: t0, end: t1, from: drift.from.map { catalogue.categoryNames[Int($0)] },
                    to: drift.to.map { catalogue.categoryNames[Int($0)] }, amount: spec.amount,
                    crossover: drift.crossover, affectedUsers: 1))
                accepted += 1
            }
        }

        // MARK: Seasons (users with a personal drift stay out, to keep their ground truth clean)
        var seasonRNG = Self.generator(seed: scenario.seed, .seasons)
        var userSeasons = [UInt64](repeating: 0, count: total)
        var waves: [GroundTruth.SeasonWave] = []
        for (s, spec) in scenario.seasons.prefix(64).enumerated() {
            guard let d = departmentIndex[spec.department] else { continue }
            let wave = GroundTruth.SeasonWave(
                categories: catalogue.departmentCategories[d].map(Int32.init),
                start: start + spec.day * 86_400, end: start + (spec.day + spec.duration) * 86_400, peak: spec.peak)
            waves.append(wave)
            var affected = 0
            for u in 0..<total {
                let inWave = seasonRNG.chance(spec.fraction)
                if inWave && userDrift[u] < 0 {
                    userSeasons[u] |= 1 << UInt64(s)
                    affected += 1
                }
            }
            events.append(DriftEvent(
                kind: .seasonal, label: spec.label, user: nil, start: wave.start, end: wave.end, from: [],
                to: wave.categories.map { catalogue.categoryNames[Int($0)] }, amount: spec.peak,
                crossover: nil, affectedUsers: affected))
        }

        truth = GroundTruth(
            categoryNames: catalogue.categoryNames, userIDs: ids, drifts: events,
            exploration: exploration, interestStride: stride, interestCategory: interestCategory,
            interestWeight: interestWeight, userDrift: userDrift, userDrifts: userDrifts,
            userSeasons: userSeasons, seasons: waves,
            userIndex: Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32($0)) }))
    }

    // MARK: Public views

    public var userCount: Int { userArrival.count }
    public var itemCount: Int { catalogue.itemCount }
    public var categoryNames: [String] { catalogue.categoryNames }

    public func userID(_ u: Int) -> String { truth.userIDs[u] }
    public func itemID(_ i: Int) -> String { catalogue.itemIDs[i] }

    /// The catalogue as the engine loads it (attributes, titles, item entities, KG triples).
    /// - Complexity: O(items); builds dictionaries, so call it once.
    public var itemCatalogue: ItemCatalogue { catalogue.itemCatalogue }

    /// Knowledge-graph facts of the catalogue (brand -> maker -> country).
    public var triples: [KnowledgeTriple] { catalogue.triples }

    /// The first time a replay should show at its chosen speed (after the warm-up).
    public var warmupEnd: Double? {
        scenario.warmupDays > 0 ? scenario.start + scenario.warmupDays * 86_400 : nil
    }
}
