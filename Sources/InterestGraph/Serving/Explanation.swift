/// Why an item was recommended: the strongest path from the user's history to it.
public struct Explanation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// history item -> same brand -> candidate
        case sameBrand = "brand"
        /// history item -> shared knowledge-graph entity -> candidate
        case knowledgeGraph = "kg"
        /// history item -> shared category -> candidate
        case sameCategory = "category"
        /// the candidate's embedding is close to a history item's
        case similarItem = "similar"
        /// no usable path: the user's interests as a whole (or popularity, for a new user)
        case interests = "interests"
    }

    public var kind: Kind
    /// The history item the path starts from.
    public var anchor: Int32?
    /// The node the path goes through (brand, entity, category).
    public var via: NodeRef?
    /// A sentence for people: "you purchased X → same brand Acme → Y".
    public var text: String
}

extension Action {
    /// Past tense for explanations ("you purchased ...").
    var pastTense: String {
        switch self {
        case .view: "viewed"
        case .click: "clicked"
        case .cart: "carted"
        case .purchase: "purchased"
        case .review: "reviewed"
        case .rating: "rated"
        }
    }
}

/// Finds explanation paths for one user; built once per request so each candidate costs
/// O(h) for the h strongest history items considered.
struct ExplanationFinder {
    struct HistoryItem {
        var item: Int32
        var strength: Double
        var action: Action
        var brand: Int32
        var categories: [Int32]
        var entities: [Int32]
    }

    let history: [HistoryItem]
    /// Relative value of each kind of path; a brand or a KG entity is more specific than a
    /// category shared with hundreds of items, so it wins at equal strength.
    static let brandWeight = 1.0, entityWeight = 0.9, categoryWeight = 0.6, similarityWeight = 0.5

    init(user: Int32, graph: HeteroGraph, limit: Int = 64) {
        history = graph.neighbours(of: NodeRef(.user, user), kind: .item, limit: limit).map { n in
            let item = n.node.index
            return HistoryItem(
                item: item, strength: n.weight, action: Action(parsing: n.relation) ?? .view,
                brand: graph.brand(ofItem: item) ?? -1, categories: graph.categories(ofItem: item),
                entities: graph.entities(ofItem: item))
        }
    }

    func explain<M: ScoringModel>(_ candidate: Int32, graph: HeteroGraph, model: M) -> Explanation {
        func label(_ item: Int32) -> String { graph.title(ofItem: item) ?? graph.name(of: NodeRef(.item, item)) }
        let brand = graph.brand(ofItem: candidate) ?? -1
        let categories = graph.categories(ofItem: candidate)
        let entities = graph.entities(ofItem: candidate)
        var best: (score: Double, explanation: Explanation)?
        func offer(_ score: Double, _ e: @autoclosure () -> Explanation) {
            if score > (best?.score ?? 0) { best = (score, e()) }
        }
        for h in history where h.item != candidate {
            let start = "you \(h.action.pastTense) \(label(h.item))"
            if brand >= 0, h.brand == brand {
                let name = graph.name(of: NodeRef(.brand, brand))
                offer(h.strength * Self.brandWeight, Explanation(kind: .sameBrand, anchor: h.item, via: NodeRef(.brand, brand), text: "\(start) → same brand \(name)"))
            }
            if let shared = h.entities.first(where: entities.contains) {
                let name = graph.name(of: NodeRef(.entity, shared))
                offer(h.strength * Self.entityWeight, Explanation(kind: .knowledgeGraph, anchor: h.item, via: NodeRef(.entity, shared), text: "\(start) → shares \(name)"))
            }
            if !categories.isEmpty, let shared = h.categories.first(where: categories.contains) {
                let overlap = Double(h.categories.filter(categories.contains).count) / Double(categories.count)
                let name = graph.name(of: NodeRef(.category, shared))
                offer(h.strength * Self.categoryWeight * overlap, Explanation(kind: .sameCategory, anchor: h.item, via: NodeRef(.category, shared), text: "\(start) → also in \(name)"))
            }
            let similarity = Double(model.itemSimilarity(h.item, candidate))
            if similarity > 0.3 {
                offer(h.strength * Self.similarityWeight * similarity, Explanation(kind: .similarItem, anchor: h.item, via: nil, text: "similar to \(label(h.item)) you \(h.action.pastTense)"))
            }
        }
        if let best { return best.explanation }
        if let c = categories.first {
            let name = graph.name(of: NodeRef(.category, c))
            return Explanation(kind: .interests, anchor: nil, via: NodeRef(.category, c), text: history.isEmpty ? "popular in \(name)" : "fits your interests (\(name))")
        }
        return Explanation(kind: .interests, anchor: nil, via: nil, text: "fits your interests")
    }
}
