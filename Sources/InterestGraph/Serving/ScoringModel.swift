/// What serving needs from a trained model. The learner and the baselines conform; serving
/// functions are generic over it, so scoring loops never go through an existential.
public protocol ScoringModel {
    /// Writes a score for every item id (`graph.itemCapacity` entries); higher is better.
    func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// Writes a score for every user id (`graph.userCapacity` entries) for one item.
    func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>)
    /// Cosine similarity of two items' final embeddings (0 when unknown).
    func itemSimilarity(_ a: Int32, _ b: Int32) -> Float
    /// Cosine similarity of two users' final embeddings (0 when unknown).
    func userSimilarity(_ a: Int32, _ b: Int32) -> Float
}

/// Restricts recommendations: only some categories or brands, a price range, items to skip.
public struct RecommendationFilter: Sendable, Hashable {
    public var categories: Set<String> = []
    public var brands: Set<String> = []
    public var minimumPrice: Double?
    public var maximumPrice: Double?
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

    /// `true` when the item passes every condition.
    func admits(_ item: Int32, graph: HeteroGraph) -> Bool {
        if !excludedItems.isEmpty, excludedItems.contains(graph.name(of: NodeRef(.item, item))) { return false }
        if !categories.isEmpty {
            let names = graph.categories(ofItem: item).map { graph.name(of: NodeRef(.category, $0)) }
            guard names.contains(where: categories.contains) else { return false }
        }
        if !brands.isEmpty {
            guard let b = graph.brand(ofItem: item), brands.contains(graph.name(of: NodeRef(.brand, b))) else { return false }
        }
        if minimumPrice != nil || maximumPrice != nil {
            guard let p = graph.price(ofItem: item).map(Double.init) else { return false }
            if let lo = minimumPrice, p < lo { return false }
            if let hi = maximumPrice, p > hi { return false }
        }
        return true
    }
}
