/// Restricts recommendations: only some categories or brands, a price range, items to skip.
///
/// Conditions combine with AND; within ``categories`` or ``brands`` any one name matches.
/// Names that are not in the graph match nothing.
public struct RecommendationFilter: Sendable, Hashable {
    public var categories: Set<String> = []
    public var brands: Set<String> = []
    /// Inclusive bounds; an item without a price fails any price condition.
    public var minimumPrice: Double?
    public var maximumPrice: Double?
    /// External item ids never to recommend.
    public var excludedItems: Set<String> = []

    public init(categories: Set<String> = [], brands: Set<String> = [], minimumPrice: Double? = nil, maximumPrice: Double? = nil, excludedItems: Set<String> = []) {
        self.categories = categories
        self.brands = brands
        self.minimumPrice = minimumPrice
        self.maximumPrice = maximumPrice
        self.excludedItems = excludedItems
    }

    public var isEmpty: Bool {
        categories.isEmpty && brands.isEmpty && minimumPrice == nil && maximumPrice == nil && excludedItems.isEmpty
    }

    /// The filter with names resolved to dense ids once, so checking an item costs no string work.
    func resolved(in graph: HeteroGraph) -> ResolvedFilter {
        ResolvedFilter(
            isEmpty: isEmpty,
            categories: categories.isEmpty ? nil : Set(categories.compactMap(graph.categoryID)),
            brands: brands.isEmpty ? nil : Set(brands.compactMap(graph.brandID)),
            minimumPrice: minimumPrice, maximumPrice: maximumPrice,
            excluded: Set(excludedItems.compactMap(graph.itemID)))
    }

    /// `true` when the item passes every condition.
    func admits(_ item: Int32, graph: HeteroGraph) -> Bool {
        resolved(in: graph).admits(item, graph: graph)
    }
}

/// A ``RecommendationFilter`` over dense ids.
struct ResolvedFilter {
    var isEmpty: Bool
    /// `nil`: no condition; empty: nothing matches (every named category is unknown).
    var categories: Set<Int32>?
    var brands: Set<Int32>?
    var minimumPrice: Double?
    var maximumPrice: Double?
    var excluded: Set<Int32>

    func admits(_ item: Int32, graph: HeteroGraph) -> Bool {
        if isEmpty { return true }
        if excluded.contains(item) { return false }
        if let categories, !graph.categories(ofItem: item).contains(where: categories.contains) { return false }
        if let brands {
            guard let b = graph.brand(ofItem: item), brands.contains(b) else { return false }
        }
        if minimumPrice != nil || maximumPrice != nil {
            // Compared at the graph's Float precision, so a bound equal to a price admits it.
            guard let p = graph.price(ofItem: item) else { return false }
            if let lo = minimumPrice, p < Float(lo) { return false }
            if let hi = maximumPrice, p > Float(hi) { return false }
        }
        return true
    }
}
