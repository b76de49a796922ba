/// A user's interests: decayed shares over categories and brands, summing to 1 each.
public struct InterestProfile: Sendable, Hashable {
    public struct Share: Sendable, Hashable {
        public var id: Int32
        public var name: String
        public var share: Double
    }

    /// Largest share first.
    public var categories: [Share]
    public var brands: [Share]
    /// Total decayed strength behind the profile (0 for a user with no live edges).
    public var mass: Double

    /// Category shares as a dense vector indexed by category id.
    public func categoryVector(count: Int) -> [Double] {
        var v = [Double](repeating: 0, count: count)
        for s in categories where Int(s.id) < count { v[Int(s.id)] = s.share }
        return v
    }
}

extension HeteroGraph {
    /// The user's interest profile at the graph clock (or `time`): each edge's decayed
    /// strength split evenly over the item's categories, then normalised.
    /// - Complexity: O(d * c) for d edges of the user and c categories per item.
    public func profile(ofUser user: Int32, at time: Double? = nil) -> InterestProfile {
        let t = time ?? now
        var categoryMass: [Int32: Double] = [:]
        var brandMass: [Int32: Double] = [:]
        var total = 0.0
        if Int(user) < userEdges.count {
            for edge in userEdges[Int(user)] {
                let e = Int(edge)
                let s = strength(edge: e, at: t)
                let item = Int(edgeItem[e])
                total += s
                let cats = itemCategories[item]
                if !cats.isEmpty {
                    let part = s / Double(cats.count)
                    for c in cats { categoryMass[c, default: 0] += part }
                }
                if itemBrand[item] >= 0 { brandMass[itemBrand[item], default: 0] += s }
            }
        }
        func shares(_ mass: [Int32: Double], _ interner: Interner) -> [InterestProfile.Share] {
            let sum = mass.values.reduce(0, +)
            guard sum > 0 else { return [] }
            return mass.map { InterestProfile.Share(id: $0.key, name: interner.name($0.key), share: $0.value / sum) }
                .sorted { $0.share != $1.share ? $0.share > $1.share : $0.id < $1.id }
        }
        return InterestProfile(categories: shares(categoryMass, categories), brands: shares(brandMass, brands), mass: total)
    }
}
