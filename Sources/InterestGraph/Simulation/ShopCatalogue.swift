import Foundation

/// The simulated shop's catalogue in compact form: dense indices everywhere, names kept once.
///
/// Departments hold categories ("Home/Kitchen"), which in a three-level tree hold subcategories
/// ("Home/Kitchen/Kitchen Essentials"). The leaves of the tree are what the rest of the
/// simulator calls categories (`categoryNames`, dense indices): items, brands, interests and
/// drifts live on leaves, and the middle level is kept as `groupNames` so that scenarios can
/// name it. Brands belong to a leaf (some also sell in a sibling leaf) and to a maker; items have a category, brand, price tier, price,
/// launch time, Zipf popularity weight within their category, a material and a style.
/// ``itemCatalogue`` turns it into the engine's ``ItemCatalogue`` with a small knowledge graph
/// (item -> brand/material/style entities, brand -> maker -> country).
struct ShopCatalogue: Sendable {
    var departmentNames: [String] = []
    var departmentCategories: [[Int]] = []
    var departmentIsConsumable: [Bool] = []
    var categoryNames: [String] = []
    var categoryDepartment: [Int] = []
    var categoryBrands: [[Int]] = []
    /// The middle level of a three-level tree ("Home/Kitchen"), each with its leaves; empty
    /// for a two-level tree, whose leaves are the categories themselves.
    var groupNames: [String] = []
    var groupLeaves: [[Int]] = []
    /// Per leaf: its middle-level group, or -1 in a two-level tree.
    var categoryGroup: [Int] = []

    var brandNames: [String] = []
    var brandMaker: [Int] = []
    var makerNames: [String] = []
    var makerCountry: [Int] = []
    var materialNames: [String] = []

    var itemIDs: [String] = []
    var itemTitles: [String] = []
    var itemCategory: [Int32] = []
    var itemBrand: [Int32] = []
    var itemTier: [UInt8] = []
    var itemPriceCents: [Int32] = []
    /// Seconds since the epoch; items launched before the start are on sale from the first event.
    var itemLaunch: [Int64] = []
    /// Unnormalised popularity within the category (Zipf over a random rank).
    var itemWeight: [Double] = []
    var itemMaterial: [Int32] = []
    var itemStyle: [UInt8] = []
    /// Items present at the start; the rest launch during the run, in launch order.
    var initialItemCount = 0

    var itemCount: Int { itemIDs.count }
    var categoryCount: Int { categoryNames.count }

    /// Generates the catalogue for `scenario` from its own stream of `rng` draws.
    init(scenario: Scenario, rng: inout SeededGenerator) {
        let settings = scenario.catalogue
        let vocabulary = ShopVocabulary.departments.prefix(max(1, min(settings.departments, ShopVocabulary.departments.count)))
        let perDepartment = max(1, min(settings.categoriesPerDepartment, ShopVocabulary.maxCategoriesPerDepartment))
        let consumables = settings.consumables.map(Set.init)

        var materialIndex: [String: Int] = [:]
        var departmentMaterials: [[Int]] = []
        for department in vocabulary {
            let d = departmentNames.count
            departmentNames.append(department.name)
            departmentIsConsumable.append(consumables?.contains(department.name) ?? department.consumable)
            var members: [Int] = []
            for category in department.categories.prefix(perDepartment) {
                guard settings.subcategoriesPerCategory > 0 else {
                    members.append(categoryNames.count)
                    categoryNames.append("\(department.name)/\(category)")
                    categoryDepartment.append(d)
                    categoryGroup.append(-1)
                    continue
                }
                let g = groupNames.count
                groupNames.append("\(department.name)/\(category)")
                var leaves: [Int] = []
                for k in 0..<settings.subcategoriesPerCategory {
                    leaves.append(categoryNames.count)
                    categoryNames.append("\(department.name)/\(category)/\(ShopVocabulary.subcategoryName(category, k))")
                    categoryDepartment.append(d)
                    categoryGroup.append(g)
                }
                groupLeaves.append(leaves)
                members += leaves
            }
            departmentCategories.append(members)
            departmentMaterials.append(department.materials.map { name in
                if let i = materialIndex[name] { return i }
                materialIndex[name] = materialNames.count
                materialNames.append(name)
                return materialNames.count - 1
            })
        }

        makeBrands(perCategory: max(1, settings.brandsPerCategory), rng: &rng)
        makeItems(scenario: scenario, departmentMaterials: departmentMaterials, rng: &rng)
    }

    private mutating func makeBrands(perCategory: Int, rng: inout SeededGenerator) {
        let prefixes = ShopVocabulary.brandPrefixes
        let suffixes = ShopVocabulary.brandSuffixes
        var combinations: [String] = []
        for p in prefixes { for s in suffixes { combinations.append(p + s) } }
        rng.shuffle(&combinations)
        categoryBrands = Array(repeating: [], count: categoryCount)
        for c in 0..<categoryCount {
            for _ in 0..<perCategory {
                let n = brandNames.count
                // Past the syllable combinations, names repeat with a series number.
                let base = combinations[n % combinations.count]
                brandNames.append(n < combinations.count ? base : "\(base) \(n / combinations.count + 1)")
                categoryBrands[c].append(n)
            }
        }
        // A quarter of brands also sell in a sibling category of the same department (of the
        // same category in a three-level tree: a kettle brand may sell toasters, not sofas).
        for brand in 0..<brandNames.count where rng.chance(0.25) {
            let home = brand / perCategory
            let group = categoryGroup[home]
            let siblings = (group >= 0 ? groupLeaves[group] : departmentCategories[categoryDepartment[home]]).filter { $0 != home }
            guard !siblings.isEmpty else { continue }
            categoryBrands[siblings[rng.index(below: siblings.count)]].append(brand)
        }

        let makerCount = max(2, min(brandNames.count / 5, 64))
        for m in 0..<makerCount {
            let base = ShopVocabulary.makerNames[m % ShopVocabulary.makerNames.count]
            let kind = ShopVocabulary.makerKinds[rng.index(below: ShopVocabulary.makerKinds.count)]
            let series = m < ShopVocabulary.makerNames.count ? "" : " \(m / ShopVocabulary.makerNames.count + 1)"
            makerNames.append("\(base) \(kind)\(series)")
            makerCountry.append(rng.index(below: ShopVocabulary.countries.count))
        }
        brandMaker = (0..<brandNames.count).map { _ in rng.index(below: makerCount) }
    }

    private mutating func makeItems(scenario: Scenario, departmentMaterials: [[Int]], rng: inout SeededGenerator) {
        let settings = scenario.catalogue
        let initial = max(settings.items, categoryCount)
        let launches = Int((settings.launchesPerDay * scenario.days).rounded())
        let total = initial + launches
        initialItemCount = initial
        let width = max(5, String(total).count)

        // Categories: one item each first so none is empty, then uniformly at random.
        var categoryOf = (0..<initial).map { $0 < categoryCount ? $0 : rng.index(below: categoryCount) }
        rng.shuffle(&categoryOf)
        // Launch times: the initial range is spread over the two years before the start.
        let start = Int64(scenario.start)
        var launchTimes = (0..<initial).map { _ in start - Int64(rng.unitDouble() * 730 * 86_400) }
        var later = (0..<launches).map { _ in start + Int64(rng.unitDouble() * scenario.days * 86_400) }
        later.sort()
        launchTimes += later
        categoryOf += (0..<launches).map { _ in rng.index(below: categoryCount) }

        // Zipf ranks: a random permutation within each category for the initial items;
        // launches draw a rank from the top third, so new items can become hits.
        var membersOf = Array(repeating: [Int](), count: categoryCount)
        for i in 0..<initial { membersOf[categoryOf[i]].append(i) }
        var rank = Array(repeating: 1, count: total)
        for c in 0..<categoryCount {
            var ranks = Array(1...max(1, membersOf[c].count))
            rng.shuffle(&ranks)
            for (k, i) in membersOf[c].enumerated() { rank[i] = ranks[k] }
        }
        for i in initial..<total {
            let n = max(1, membersOf[categoryOf[i]].count / 3)
            rank[i] = 1 + rng.index(below: n)
        }

        itemIDs.reserveCapacity(total)
        for i in 0..<total {
            let c = categoryOf[i]
            let d = categoryDepartment[c]
            let brands = categoryBrands[c]
            let brand = brands[rng.index(below: brands.count)]
            let u = rng.unitDouble()
            let tier: UInt8 = u < 0.35 ? 0 : (u < 0.8 ? 1 : 2)
            let base = ShopVocabulary.departments[d].basePrice * ShopVocabulary.tierMultiplier[Int(tier)]
            let price = rng.logNormal(mean: base, sigma: 0.25)
            let cents = Int32(max(0, price.rounded(.down))) * 100 + 99
            let materials = departmentMaterials[d]
            let material = materials[rng.index(below: materials.count)]
            let style = rng.index(below: ShopVocabulary.styles.count)
            let model = 100 + rng.index(below: 900)

            var id = String(i + 1)
            id = "i" + String(repeating: "0", count: max(0, width - id.count)) + id
            itemIDs.append(id)
            let short = categoryNames[c].split(separator: "/").last.map(String.init) ?? categoryNames[c]
            itemTitles.append("\(brandNames[brand]) \(ShopVocabulary.styles[style]) \(short) \(short.prefix(1))-\(model)")
            itemCategory.append(Int32(c))
            itemBrand.append(Int32(brand))
            itemTier.append(tier)
            itemPriceCents.append(cents)
            itemLaunch.append(launchTimes[i])
            itemWeight.append(1 / Double(rank[i]).pow(settings.zipfExponent))
            itemMaterial.append(Int32(material))
            itemStyle.append(UInt8(style))
        }
    }

    // MARK: Engine view

    /// Entity ids of the small knowledge graph, as written to catalogue and KG files.
    func brandEntity(_ b: Int) -> String { "brand:" + brandNames[b] }
    func makerEntity(_ m: Int) -> String { "maker:" + makerNames[m] }
    func materialEntity(_ m: Int) -> String { "material:" + materialNames[m] }
    func styleEntity(_ s: Int) -> String { "style:" + ShopVocabulary.styles[s] }
    func countryEntity(_ c: Int) -> String { "country:" + ShopVocabulary.countries[c] }

    func itemEntities(_ i: Int) -> [String] {
        [brandEntity(Int(itemBrand[i])), materialEntity(Int(itemMaterial[i])), styleEntity(Int(itemStyle[i]))]
    }

    /// Knowledge-graph facts: brand `made_by` maker, maker `based_in` country.
    var triples: [KnowledgeTriple] {
        var out: [KnowledgeTriple] = []
        for b in brandNames.indices { out.append(KnowledgeTriple(head: brandEntity(b), relation: "made_by", tail: makerEntity(brandMaker[b]))) }
        for m in makerNames.indices { out.append(KnowledgeTriple(head: makerEntity(m), relation: "based_in", tail: countryEntity(makerCountry[m]))) }
        return out
    }

    func attributes(ofItem i: Int) -> ItemAttributes {
        ItemAttributes(categories: [categoryNames[Int(itemCategory[i])]], brand: brandNames[Int(itemBrand[i])], price: Double(itemPriceCents[i]) / 100)
    }

    /// The catalogue as the engine loads it: attributes, titles, entity links and facts.
    var itemCatalogue: ItemCatalogue {
        var catalogue = ItemCatalogue()
        catalogue.items.reserveCapacity(itemCount)
        for i in 0..<itemCount {
            catalogue.items[itemIDs[i]] = attributes(ofItem: i)
            catalogue.itemEntities[itemIDs[i]] = itemEntities(i)
            catalogue.titles[itemIDs[i]] = itemTitles[i]
        }
        // Items launched during the run are listed but held back until their launch, so a
        // replay never recommends (or shows an audience for) an item not on sale yet.
        for i in initialItemCount..<itemCount {
            catalogue.launches[itemIDs[i]] = Double(itemLaunch[i])
        }
        catalogue.triples = triples
        return catalogue
    }
}

private extension Double {
    func pow(_ e: Double) -> Double { e == 0 ? 1 : exp(e * log(self)) }
}
