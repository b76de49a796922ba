import Testing
@testable import InterestGraph

/// A three-level shop small enough for tests: 8 departments x 4 categories x 5 subcategories
/// (160 leaves), with drifts naming a department, a category and a leaf.
func threeLevelScenario() -> Scenario {
    var s = tinyScenario()
    s.name = "tree"
    s.users.count = 400
    s.catalogue.departments = 8
    s.catalogue.categoriesPerDepartment = 4
    s.catalogue.subcategoriesPerCategory = 5
    s.catalogue.brandsPerCategory = 2
    s.catalogue.items = 600
    var department = Scenario.Drift()
    department.label = "new baby"
    department.day = 5
    department.users = 15
    department.to = "Baby"
    var category = Scenario.Drift()
    category.kind = .gradual
    category.label = "took up running"
    category.day = 4
    category.duration = 4
    category.users = 15
    category.from = "Fashion"
    category.to = "Sports/Running"
    var leaf = Scenario.Drift()
    leaf.label = "coffee"
    leaf.day = 6
    leaf.users = 10
    leaf.to = "Grocery/Coffee/Coffee Premium"
    s.drifts = [department, category, leaf]
    return s
}

@Suite("Shop category tree")
struct ShopTreeTests {
    /// The two-level shops must not move by a byte when the third level exists: these are the
    /// hashes of `driftscope simulate --scenario NAME --truth` from the commit before it
    /// (events; true shares per day; catalogue + knowledge graph + drifts).
    @Test(arguments: [
        ("small", [0x990E_A506_FA6A_91FB, 0x34C4_C27B_09FE_07D5, 0x3BF7_DDA2_906C_9A23] as [UInt64], [5_275_229, 1_301_465, 58_455]),
        ("default", [0x7BDE_FC4F_2AE6_10DD, 0x9963_D37D_8CE8_8091, 0xC688_478B_CD9B_CB8D] as [UInt64], [66_245_884, 23_041_275, 335_486]),
    ])
    func twoLevelShopsKeepTheirBytes(_ name: String, _ hashes: [UInt64], _ sizes: [Int]) throws {
        let outputs = hashedOutputs(ShopWorld(scenario: try shippedScenario(name)))
        #expect(outputs.map(\.value) == hashes)
        #expect(outputs.map(\.count) == sizes)
    }

    @Test func leavesAreNamedUnderTheirCategory() {
        var rng = SeededGenerator(seed: 1)
        var s = threeLevelScenario()
        s.catalogue.departments = 2
        s.catalogue.categoriesPerDepartment = 2
        s.catalogue.subcategoriesPerCategory = 14
        let catalogue = ShopCatalogue(scenario: s, rng: &rng)
        #expect(catalogue.categoryCount == 2 * 2 * 14)
        #expect(catalogue.groupNames == ["Home/Kitchen", "Home/Bedding", "Sports/Running", "Sports/Cycling"])
        #expect(catalogue.categoryNames[0] == "Home/Kitchen/Kitchen Essentials")
        #expect(catalogue.categoryNames[11] == "Home/Kitchen/Kitchen Compact")
        #expect(catalogue.categoryNames[12] == "Home/Kitchen/Kitchen 13")
        #expect(catalogue.categoryNames[14] == "Home/Bedding/Bedding Essentials")
        #expect(Set(catalogue.categoryNames).count == catalogue.categoryCount)
        #expect(catalogue.categoryNames == ShopVocabulary.leafNames(departments: 2, categoriesPerDepartment: 2, subcategoriesPerCategory: 14))
        for (c, name) in catalogue.categoryNames.enumerated() {
            let group = catalogue.categoryGroup[c]
            #expect(name.hasPrefix(catalogue.groupNames[group] + "/"))
            #expect(catalogue.groupLeaves[group].contains(c))
            #expect(name.hasPrefix(catalogue.departmentNames[catalogue.categoryDepartment[c]] + "/"))
        }
        // Item titles use the leaf's own name.
        let first = catalogue.itemTitles.indices.first { catalogue.itemCategory[$0] == 12 }!
        #expect(catalogue.itemTitles[first].contains("Kitchen 13"))
    }

    @Test func brandsBelongToLeavesAndCrossSellWithinTheirCategory() {
        var rng = SeededGenerator(seed: 2)
        let s = threeLevelScenario()
        let catalogue = ShopCatalogue(scenario: s, rng: &rng)
        let perLeaf = s.catalogue.brandsPerCategory
        #expect(catalogue.brandNames.count == catalogue.categoryCount * perLeaf)
        for c in 0..<catalogue.categoryCount {
            // Its own brands first, then those of siblings that also sell here.
            #expect(Array(catalogue.categoryBrands[c].prefix(perLeaf)) == Array(c * perLeaf..<(c + 1) * perLeaf))
            for brand in catalogue.categoryBrands[c].dropFirst(perLeaf) {
                #expect(catalogue.categoryGroup[brand / perLeaf] == catalogue.categoryGroup[c])
            }
        }
        for i in 0..<catalogue.itemCount {
            #expect(catalogue.categoryBrands[Int(catalogue.itemCategory[i])].contains(Int(catalogue.itemBrand[i])))
        }
    }

    @Test func largeScenarioHasAThousandLeavesAndFiveThousandBrands() throws {
        let s = try shippedScenario("large")
        #expect(s.users.count == 1_000_000 && s.catalogue.items == 100_000)
        var rng = ShopWorld.generator(seed: s.seed, .catalogue)
        let catalogue = ShopCatalogue(scenario: s, rng: &rng)
        #expect(catalogue.categoryCount == 960)
        #expect(catalogue.groupNames.count == 96)
        #expect(catalogue.brandNames.count == 4_800)
        #expect(Set(catalogue.brandNames).count == 4_800)
        #expect(catalogue.categoryNames.allSatisfy { $0.split(separator: "/").count == 3 })
        #expect(catalogue.itemCount >= 100_000)
        // Zipf within a leaf: the most popular item outweighs the median one many times.
        let weights = (0..<catalogue.initialItemCount).filter { catalogue.itemCategory[$0] == 0 }.map { catalogue.itemWeight[$0] }.sorted()
        #expect(weights.last! > 20 * weights[weights.count / 2])
    }

    @Test func driftsIntoADepartmentOrCategoryReachItsLeaves() {
        let world = ShopWorld(scenario: threeLevelScenario())
        let truth = world.truth
        let names = truth.categoryNames
        let drifts = truth.drifts.filter { $0.kind != .seasonal }
        let baby = drifts.filter { $0.label == "new baby" }
        let running = drifts.filter { $0.label == "took up running" }
        let coffee = drifts.filter { $0.label == "coffee" }
        #expect(baby.count == 15)
        #expect(running.count == 15)
        #expect(coffee.count == 10)
        for d in baby { #expect(d.to.allSatisfy { $0.hasPrefix("Baby/") }) }
        for d in coffee { #expect(d.to == ["Grocery/Coffee/Coffee Premium"]) }
        for d in running {
            #expect(d.to.allSatisfy { $0.hasPrefix("Sports/Running/") })
            #expect(d.from.allSatisfy { $0.hasPrefix("Fashion/") } && d.from.count == 4 * 5)
        }
        // A department target splits over a main and a second leaf of it.
        #expect(baby.contains { $0.to.count == 2 })
        for drift in truth.userDrifts {
            let u = Int(drift.user)
            let after = truth.shares(ofUserIndex: u, at: max(drift.crossover, drift.end) + 3_600)
            let top = after.indices.max { after[$0] < after[$1] }!
            #expect(top == Int(drift.target))
            #expect(names[top].split(separator: "/").count == 3)
        }
        // The events follow: drifted users view their new leaves after the drift.
        let events = allEvents(world)
        #expect(events.count > 10_000)
    }

    @Test func scenarioFilesNameEveryLevel() throws {
        let text = """
            [catalogue]
            departments = 8
            categories_per_department = 4
            subcategories_per_category = 3
            items = 500

            [[drift]]
            to = "Home/Kitchen/Kitchen Premium"

            [[drift]]
            from = "Home/Kitchen"
            to = "Baby"
            """
        let s = try Scenario(toml: text)
        #expect(s.catalogue.subcategoriesPerCategory == 3 && s.catalogue.leafCount == 96)
        #expect(s.drifts.map(\.to) == ["Home/Kitchen/Kitchen Premium", "Baby"])
        #expect(throws: TOMLError.self) { try Scenario(toml: text.replacingOccurrences(of: "Kitchen Premium", with: "Kitchen 4")) }
        #expect(throws: TOMLError.self) { try Scenario(toml: text.replacingOccurrences(of: "items = 500", with: "items = 95")) }
        // A two-level shop has no third level to name.
        #expect(throws: TOMLError.self) { try Scenario(toml: text.replacingOccurrences(of: "subcategories_per_category = 3", with: "")) }
    }
}
