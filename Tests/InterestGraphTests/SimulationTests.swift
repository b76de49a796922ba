import Testing
@testable import InterestGraph

/// A shop small enough for debug-build tests, with every kind of scheduled change.
func tinyScenario(seed: UInt64 = 5) -> Scenario {
    var s = Scenario()
    s.name = "tiny"
    s.seed = seed
    s.days = 14
    s.users.count = 150
    s.users.arrivalsPerDay = 6
    s.users.churnPerDay = 0.02
    s.users.sessionsPerDay = 1.5
    s.catalogue.items = 300
    s.catalogue.launchesPerDay = 4
    var abrupt = Scenario.Drift()
    abrupt.kind = .abrupt
    abrupt.day = 5
    abrupt.users = 10
    abrupt.to = "Baby"
    var gradual = Scenario.Drift()
    gradual.kind = .gradual
    gradual.day = 4
    gradual.duration = 4
    gradual.users = 10
    gradual.to = "Electronics"
    s.drifts = [abrupt, gradual]
    var season = Scenario.Season()
    season.department = "Garden"
    season.day = 6
    season.duration = 5
    season.peak = 0.4
    season.fraction = 0.5
    s.seasons = [season]
    return s
}

func allEvents(_ world: ShopWorld) -> [SimulatedEvent] {
    var simulator = ShopSimulator(world: world)
    var out: [SimulatedEvent] = []
    while let e = simulator.next() { out.append(e) }
    return out
}

/// FNV-1a over byte chunks, to compare whole outputs cheaply.
struct ByteHash {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325
    var count = 0
    mutating func add(_ bytes: [UInt8]) {
        for b in bytes {
            value ^= UInt64(b)
            value &*= 0x100_0000_01B3
        }
        count += bytes.count
    }
}

func hashedOutputs(_ world: ShopWorld) -> [ByteHash] {
    var events = ByteHash()
    world.writeEventsCSV(chunkSize: 4_096) { events.add($0) }
    var truth = ByteHash()
    world.trueSharesCSV(interval: 86_400) { truth.add($0) }
    var rest = ByteHash()
    rest.add(Array(world.catalogueCSV().utf8))
    rest.add(Array(world.knowledgeGraphCSV().utf8))
    rest.add(Array(world.driftsCSV().utf8))
    return [events, truth, rest]
}

@Suite("Simulation")
struct SimulationTests {
    @Test func sameSeedSameBytesOtherSeedOtherBytes() {
        let a = hashedOutputs(ShopWorld(scenario: tinyScenario(seed: 5)))
        let b = hashedOutputs(ShopWorld(scenario: tinyScenario(seed: 5)))
        let c = hashedOutputs(ShopWorld(scenario: tinyScenario(seed: 6)))
        for k in a.indices {
            #expect(a[k].value == b[k].value)
            #expect(a[k].count == b[k].count)
            #expect(a[k].count > 100)
        }
        #expect(a[0].value != c[0].value)
        #expect(a[2].value != c[2].value)
    }

    @Test func csvRowsHaveTheGenericLayout() {
        let world = ShopWorld(scenario: tinyScenario())
        var bytes: [UInt8] = []
        world.writeEventsCSV { bytes += $0 }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines[0] == "user,item,timestamp,action,value,category,brand,price")
        for line in lines.dropFirst().prefix(2_000) {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(f.count == 8)
            #expect(f[0].hasPrefix("u") && f[1].hasPrefix("i"))
            #expect(Int(f[2]) != nil)
            #expect(Action(parsing: f[3]) != nil)
            #expect(f[4].isEmpty == (f[3] != "purchase"))
            #expect(f[5].contains("/"))
            #expect(Double(f[7]).map { $0 > 0 } == true)
        }
        let catalogue = world.catalogueCSV().split(separator: "\n")
        #expect(catalogue[0] == "item,category,brand,price,entities")
        #expect(catalogue.count == world.itemCount + 1)
        #expect(catalogue[1].split(separator: ",")[4].split(separator: "|").count == 3)
        #expect(world.knowledgeGraphCSV().hasPrefix("head,relation,tail\nbrand:"))
        #expect(world.driftsCSV().hasPrefix("kind,label,user,start,end,crossover,from,to,amount,users\n"))
    }

    @Test func eventsAreTimeOrderedInsideTheRunAndTheUsersLifetime() {
        let world = ShopWorld(scenario: tinyScenario())
        let events = allEvents(world)
        #expect(events.count > 10_000)
        var first = [Int64](repeating: .max, count: world.userCount)
        var last = [Int64](repeating: .min, count: world.userCount)
        for k in events.indices {
            let e = events[k]
            if k > 0 {
                let p = events[k - 1]
                #expect(p.time < e.time || (p.time == e.time && p.user <= e.user))
            }
            #expect(Double(e.time) >= world.scenario.start && Double(e.time) < world.scenario.end)
            first[Int(e.user)] = min(first[Int(e.user)], e.time)
            last[Int(e.user)] = max(last[Int(e.user)], e.time)
        }
        var arrivedLater = 0
        var churned = 0
        for u in 0..<world.userCount where first[u] != .max {
            #expect(first[u] >= world.userArrival[u])
            #expect(last[u] < world.userChurn[u])
            if u >= world.initialUserCount { arrivedLater += 1 }
            if world.userChurn[u] != .max { churned += 1 }
        }
        // New users arrive during the run and some users go dormant for good.
        #expect(arrivedLater > 30)
        #expect(churned > 10)
    }

    @Test func funnelMovesDownOneItemAtATimeWithShopLikeRatios() throws {
        let world = ShopWorld(scenario: try shippedScenario("small"))
        let events = allEvents(world)
        var counts = [Int](repeating: 0, count: Action.allCases.count)
        var previous = [SimulatedEvent?](repeating: nil, count: world.userCount)
        for e in events {
            counts[Int(e.action.rawValue)] += 1
            let before = previous[Int(e.user)]
            switch e.action {
            case .click: #expect(before?.action == .view && before?.item == e.item)
            case .cart: #expect(before?.action == .click && before?.item == e.item)
            case .purchase: #expect(before?.action == .cart && before?.item == e.item)
            default: break
            }
            previous[Int(e.user)] = e
        }
        let views = Double(counts[0]), clicks = Double(counts[1]), carts = Double(counts[2]), purchases = Double(counts[3])
        // About 100:30:8:3.
        #expect((0.26...0.36).contains(clicks / views))
        #expect((0.06...0.10).contains(carts / views))
        #expect((0.022...0.04).contains(purchases / views))
        #expect(counts[4] == 0 && counts[5] == 0)
    }

    @Test func consumablesAreBoughtAgain() throws {
        let world = ShopWorld(scenario: try shippedScenario("small"))
        var bought: [Int64: Int] = [:]
        var purchasesIn = [0, 0]
        for e in allEvents(world) where e.action == .purchase {
            bought[Int64(e.user) << 32 | Int64(e.item), default: 0] += 1
            let department = world.catalogue.categoryDepartment[Int(world.catalogue.itemCategory[Int(e.item)])]
            purchasesIn[world.catalogue.departmentIsConsumable[department] ? 1 : 0] += 1
        }
        var repeats = [0, 0]
        for (key, n) in bought where n > 1 {
            let item = Int(key & 0xFFFF_FFFF)
            let department = world.catalogue.categoryDepartment[Int(world.catalogue.itemCategory[item])]
            repeats[world.catalogue.departmentIsConsumable[department] ? 1 : 0] += n - 1
        }
        #expect(repeats[1] > 20)
        // Repeats per purchase are far more common for consumables.
        #expect(Double(repeats[1]) / Double(purchasesIn[1]) > 3 * Double(repeats[0]) / Double(max(purchasesIn[0], 1)))
    }

    @Test func catalogueHasReadableTreeBrandsAndKnowledgeGraph() {
        let world = ShopWorld(scenario: Scenario())
        let catalogue = world.catalogue
        #expect(catalogue.categoryCount == 48)
        #expect(catalogue.categoryNames.contains("Home/Kitchen"))
        #expect(catalogue.categoryNames.contains("Sports/Running"))
        #expect(Set(catalogue.brandNames).count == catalogue.brandNames.count)
        for c in 0..<catalogue.categoryCount { #expect(catalogue.categoryBrands[c].count >= 4) }
        let items = world.itemCatalogue
        #expect(items.items.count == world.itemCount)
        #expect(items.titles.count == world.itemCount)
        let first = world.itemID(0)
        let entities = items.itemEntities[first] ?? []
        #expect(entities.count == 3)
        #expect(entities[0].hasPrefix("brand:") && entities[1].hasPrefix("material:") && entities[2].hasPrefix("style:"))
        let madeBy = items.triples.filter { $0.relation == "made_by" }
        let basedIn = items.triples.filter { $0.relation == "based_in" }
        #expect(madeBy.count == catalogue.brandNames.count)
        #expect(basedIn.count == catalogue.makerNames.count)
        #expect(Set(madeBy.map(\.head)) == Set(catalogue.brandNames.map { "brand:" + $0 }))
        // Price tiers order prices within a department on average.
        var sums = [Double](repeating: 0, count: 3), counts = [Double](repeating: 0, count: 3)
        for i in 0..<world.itemCount where catalogue.categoryDepartment[Int(catalogue.itemCategory[i])] == 0 {
            sums[Int(catalogue.itemTier[i])] += Double(catalogue.itemPriceCents[i])
            counts[Int(catalogue.itemTier[i])] += 1
        }
        #expect(sums[0] / counts[0] < sums[1] / counts[1] && sums[1] / counts[1] < sums[2] / counts[2])
        // A graph loads it: categories, brands and entities all become nodes.
        var graph = HeteroGraph()
        graph.load(items)
        #expect(graph.categoryCount == 48)
        #expect(graph.brandCount == catalogue.brandNames.count)
        #expect(graph.entityCount > catalogue.brandNames.count)
    }

    @Test func launchedItemsAppearOnlyAfterLaunchAndPopularityIsSkewed() throws {
        let world = ShopWorld(scenario: try shippedScenario("small"))
        let catalogue = world.catalogue
        var views = [Int](repeating: 0, count: world.itemCount)
        var launchedSeen = 0
        for e in allEvents(world) {
            #expect(e.time >= catalogue.itemLaunch[Int(e.item)])
            if Int(e.item) >= catalogue.initialItemCount { launchedSeen += 1 }
            if e.action == .view { views[Int(e.item)] += 1 }
        }
        #expect(world.itemCount > catalogue.initialItemCount)
        #expect(launchedSeen > 0)
        // Zipf within categories: the busiest item of a category far outsells its median item.
        var ratios: [Double] = []
        for c in 0..<catalogue.categoryCount {
            let counts = (0..<catalogue.initialItemCount).filter { catalogue.itemCategory[$0] == c }.map { views[$0] }.sorted()
            guard counts.count >= 5, counts[counts.count / 2] > 0 else { continue }
            ratios.append(Double(counts.last!) / Double(counts[counts.count / 2]))
        }
        ratios.sort()
        #expect(ratios[ratios.count / 2] > 3)
    }

    @Test func trueMixturesMoveAsScheduled() {
        let world = ShopWorld(scenario: tinyScenario())
        let truth = world.truth
        let names = truth.categoryNames
        #expect(truth.userDrifts.count == 20)
        for drift in truth.userDrifts {
            let u = Int(drift.user)
            let before = truth.shares(ofUserIndex: u, at: drift.start - 3_600)
            let after = truth.shares(ofUserIndex: u, at: max(drift.crossover, drift.end) + 3_600)
            #expect(abs(before.reduce(0, +) - 1) < 1e-9)
            #expect(abs(after.reduce(0, +) - 1) < 1e-9)
            let topBefore = before.indices.max { before[$0] < before[$1] }!
            let topAfter = after.indices.max { after[$0] < after[$1] }!
            #expect(topAfter == Int(drift.target))
            #expect(topBefore != Int(drift.target))
            // The drift leaves one department for another.
            let department = { (c: Int) in names[c].split(separator: "/")[0] }
            #expect(department(topBefore) != department(topAfter))
        }
        let gradual = truth.drifts.filter { $0.kind == .gradual }
        #expect(gradual.count == 10)
        for d in gradual { #expect(d.crossover! > d.start && d.crossover! <= d.end) }
        // A seasonal wave lifts Garden for its members in the middle of the wave only.
        let wave = truth.seasons[0]
        let garden = wave.categories.map(Int.init)
        let member = (0..<world.userCount).first { truth.userSeasons[$0] != 0 }!
        let middle = (wave.start + wave.end) / 2
        let share = { (t: Double) in garden.reduce(0.0) { $0 + truth.shares(ofUserIndex: member, at: t)[$1] } }
        #expect(share(middle) > share(wave.start - 86_400) + 0.3)
        #expect(abs(share(wave.end + 86_400) - share(wave.start - 86_400)) < 1e-9)
        let seasonal = truth.drifts.first { $0.kind == .seasonal }!
        #expect(seasonal.affectedUsers > 40 && seasonal.user == nil)
    }

    @Test func behaviourFollowsTheTrueMixture() {
        let world = ShopWorld(scenario: tinyScenario())
        let truth = world.truth
        var inTarget = [0, 0], total = [0, 0]
        for e in allEvents(world) where e.action == .view {
            let d = truth.userDrift[Int(e.user)]
            guard d >= 0 else { continue }
            let drift = truth.userDrifts[Int(d)]
            let phase = Double(e.time) < drift.start ? 0 : (Double(e.time) >= drift.end ? 1 : -1)
            guard phase >= 0 else { continue }
            total[phase] += 1
            if world.catalogue.itemCategory[Int(e.item)] == drift.target { inTarget[phase] += 1 }
        }
        let before = Double(inTarget[0]) / Double(total[0])
        let after = Double(inTarget[1]) / Double(total[1])
        #expect(before < 0.1)
        #expect(after > 0.3)
    }

    @Test func simulationSourceMatchesTheSimulatorAndRestarts() {
        let world = ShopWorld(scenario: tinyScenario())
        var source = SimulationSource(world: world)
        var simulator = ShopSimulator(world: world)
        #expect(source.kind == .simulation)
        #expect(source.name == "scenario tiny (seed 5)")
        #expect(source.groundTruth != nil)
        var firstRun: [Event] = []
        for _ in 0..<500 {
            let compact = simulator.next()!
            #expect(source.peekTime() == Double(compact.time))
            let e = source.next()!
            #expect(e.user == world.userID(Int(compact.user)))
            #expect(e.item == world.itemID(Int(compact.item)))
            #expect(e.action == compact.action)
            firstRun.append(e)
        }
        #expect(source.position == 500)
        source.restart()
        #expect(source.position == 0)
        for k in 0..<500 { #expect(source.next() == firstRun[k]) }
    }

    @Test func scenarioOverridesChangeTheWorld() {
        var s = tinyScenario()
        s.users.count = 40
        s.catalogue.items = 100
        s.drifts = []
        s.seasons = []
        s.users.arrivalsPerDay = 0
        let world = ShopWorld(scenario: s)
        #expect(world.userCount == 40)
        #expect(world.catalogue.initialItemCount == 100)
        #expect(world.truth.drifts.isEmpty)
    }
}
