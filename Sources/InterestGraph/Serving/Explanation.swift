/// Why an item was recommended: the strongest path in the graph from the user's history to it.
///
/// Every path is real: ``anchor`` is an item the user interacted with, and ``via`` is linked
/// to both the anchor and the recommended item (the same brand, a shared category, or a
/// knowledge-graph entity each item reaches through its own entity or one relation from it).
/// A ``Kind/similarItem`` path has no via node: the two items' embeddings are close.
///
/// ```swift
/// let rec = Serving.recommend(user: u, k: 1, graph: graph, model: model)[0]
/// print(rec.explanation.text)   // "you rated Toy Story → shares a cast member (m.0c3wmn)"
/// ```
public struct Explanation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// history item -> same brand -> candidate
        case sameBrand = "brand"
        /// history item -> shared knowledge-graph entity -> candidate
        case knowledgeGraph = "kg"
        /// history item -> shared category -> candidate
        case sameCategory = "category"
        /// the candidate's embedding is the closest to this history item's
        case similarItem = "similar"
        /// no history to start from (a user without items): the item's category or popularity
        case interests = "interests"
    }

    public var kind: Kind
    /// The history item the path starts from (`nil` only for ``Kind/interests``).
    public var anchor: Int32?
    /// The node the path goes through: brand, entity or category (`nil` for similar items).
    public var via: NodeRef?
    /// For knowledge-graph paths, the relation that reaches ``via`` (`film.film.actor`), or
    /// `nil` when an item is linked to the entity directly.
    public var relation: String?
    /// A sentence for people: "you purchased Trail Shoe 3 → same brand Peakline".
    public var text: String

    public init(kind: Kind, anchor: Int32? = nil, via: NodeRef? = nil, relation: String? = nil, text: String) {
        self.kind = kind
        self.anchor = anchor
        self.via = via
        self.relation = relation
        self.text = text
    }
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
