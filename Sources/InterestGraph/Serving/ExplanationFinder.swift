import Foundation

/// Finds the strongest explanation path from one user's history to each candidate.
///
/// A path through a brand, category or entity scores
/// `anchor weight * kind weight * specificity * (1 + cosine+) / 2`:
/// - the anchor weight is `sqrt(strength / strongest)`: a recent five-star rating or a
///   purchase anchors better than an old one-star rating, without silencing older items;
/// - the specificity of a via node with `n` items behind it among `N` is
///   `log((N + 1) / n) / log(N + 1)`: a director shared by 5 films says far more than a genre
///   shared by 700, a brand of 10 products more than a department of 500;
/// - a via node behind more than about half the catalogue (specificity under
///   ``minimumSpecificity``: a country, a language, "Drama") explains nothing and is skipped;
/// - the last factor (cosine of the two items' embeddings, negatives as 0) prefers the
///   anchor the model itself relates to the candidate, so the path is the model's reason and
///   not just any link.
///
/// An embedding-similar history item alone scores `anchor weight * similarityWeight * cosine`,
/// the fallback when no specific link exists (the weight keeps a shared brand, person or
/// narrow category ahead of a merely similar item).
///
/// Built once per request, with the history's entity reaches sorted by entity; each candidate
/// then costs a merge join with its own reaches, O(h * categories) for the `h` strongest
/// history items, and one similarity call.
struct ExplanationFinder {
    struct HistoryItem {
        var item: Int32
        var weight: Double
        var action: Action
        var brand: Int32
        var categories: [Int32]
    }

    /// A history item reaching an entity, and how.
    struct Posting {
        var entity: Int32
        var index: Int
        var step: EntityStep
    }

    static let brandWeight = 1.0, entityWeight = 1.0, categoryWeight = 0.9, similarityWeight = 0.3
    static let minimumSpecificity = 0.1
    /// History items considered (the strongest ones).
    static let historyLimit = 64

    let history: [HistoryItem]
    /// Every (entity, history item) reach, sorted by entity then history index.
    let postings: [Posting]
    let catalogueSize: Double
    /// Entity breadth, computed on first use.
    var breadth: [Int32: Int] = [:]

    /// An unknown user has an empty history.
    init(user: Int32, graph: HeteroGraph, limit: Int = ExplanationFinder.historyLimit) {
        let known = user >= 0 && Int(user) < graph.userCapacity
        let strongest = known ? graph.neighbours(of: NodeRef(.user, user), kind: .item, limit: limit) : []
        let top = max(strongest.first?.weight ?? 1, .leastNormalMagnitude)
        history = strongest.map { n in
            let item = n.node.index
            let share = n.weight.isFinite ? min(max(n.weight / top, 0), 1) : 0
            return HistoryItem(
                item: item, weight: share.squareRoot(), action: Action(parsing: n.relation) ?? .view,
                brand: graph.brand(ofItem: item) ?? -1, categories: graph.categories(ofItem: item))
        }
        var postings: [Posting] = []
        for (k, h) in history.enumerated() {
            for (entity, step) in graph.sortedEntityReach(ofItem: h.item) { postings.append(Posting(entity: entity, index: k, step: step)) }
        }
        postings.sort { $0.entity != $1.entity ? $0.entity < $1.entity : $0.index < $1.index }
        self.postings = postings
        catalogueSize = Double(max(graph.itemCapacity, 1))
    }

    /// `log((N + 1) / n) / log(N + 1)`, in [0, 1].
    func specificity(_ n: Int) -> Double {
        let total = catalogueSize + 1
        return min(max(log(total / Double(max(n, 1))) / log(total), 0), 1)
    }

    mutating func entityBreadth(_ entity: Int32, graph: HeteroGraph) -> Int {
        if let known = breadth[entity] { return known }
        let n = graph.reachCount(ofEntity: entity)
        breadth[entity] = n
        return n
    }

    /// The winning path so far; the sentence is built once, for the winner only.
    enum Path {
        case brand(Int32)
        case category(Int32)
        case entity(Int32, from: EntityStep, to: EntityStep)
        case similar
    }

    mutating func explain<M: ScoringModel>(_ candidate: Int32, graph: HeteroGraph, model: M) -> Explanation {
        let brand = graph.brand(ofItem: candidate) ?? -1
        let categories = graph.categories(ofItem: candidate)
        let reach = graph.sortedEntityReach(ofItem: candidate)
        let anchors = history.map(\.item)
        let similarities = anchors.isEmpty ? [] : model.itemSimilarities(to: candidate, among: anchors, graph: graph)

        // For each history item, the most specific entity it shares with the candidate
        // (ties: the lower entity id, so the answer never depends on hashing order).
        var shared = [(entity: Int32, specificity: Double, from: EntityStep, to: EntityStep)?](repeating: nil, count: history.count)
        // Merge join of two lists sorted by entity: the candidate's reach and the postings.
        var p = 0
        for (entity, to) in reach {
            while p < postings.count && postings[p].entity < entity { p += 1 }
            guard p < postings.count, postings[p].entity == entity else { continue }
            let s = specificity(entityBreadth(entity, graph: graph))
            var q = p
            while q < postings.count && postings[q].entity == entity {
                let posting = postings[q]
                q += 1
                guard s >= Self.minimumSpecificity else { continue }
                // Entities arrive in increasing id order, so on equal specificity the first
                // (lowest id) stays: the answer never depends on hashing order.
                if let current = shared[posting.index], current.specificity >= s { continue }
                shared[posting.index] = (entity, s, posting.step, to)
            }
            p = q
        }

        let brandSpecificity = brand >= 0 ? specificity(graph.items(ofBrand: brand).count) : 0
        var best: (score: Double, anchor: Int, path: Path)?
        for (k, h) in history.enumerated() where h.item != candidate {
            func offer(_ score: Double, _ path: Path) {
                if score > (best?.score ?? 0) { best = (score, k, path) }
            }
            let similarity = k < similarities.count && similarities[k].isFinite ? max(Double(similarities[k]), 0) : 0
            // Weight of this anchor for any path: its strength and how related the model finds it.
            let w = h.weight * (1 + similarity) / 2
            if brand >= 0, h.brand == brand, brandSpecificity >= Self.minimumSpecificity {
                offer(w * Self.brandWeight * brandSpecificity, .brand(brand))
            }
            // The most specific category both items are in.
            var category: (id: Int32, specificity: Double)?
            for c in h.categories where categories.contains(c) {
                let s = specificity(graph.items(inCategory: c).count)
                if s > (category?.specificity ?? -1) { category = (c, s) }
            }
            if let category, category.specificity >= Self.minimumSpecificity {
                offer(w * Self.categoryWeight * category.specificity, .category(category.id))
            }
            if let path = shared[k] {
                offer(w * Self.entityWeight * path.specificity, .entity(path.entity, from: path.from, to: path.to))
            }
            if similarity > 0 {
                offer(h.weight * Self.similarityWeight * similarity, .similar)
            }
        }
        guard let best else {
            if let c = categories.first {
                let name = graph.name(of: NodeRef(.category, c))
                return Explanation(kind: .interests, via: NodeRef(.category, c), text: history.isEmpty ? "popular in \(name)" : "fits your interests (\(name))")
            }
            return Explanation(kind: .interests, text: history.isEmpty ? "popular right now" : "fits your interests")
        }
        let h = history[best.anchor]
        let label = graph.title(ofItem: h.item) ?? graph.name(of: NodeRef(.item, h.item))
        let start = "you \(h.action.pastTense) \(label)"
        switch best.path {
        case .brand(let b):
            return Explanation(kind: .sameBrand, anchor: h.item, via: NodeRef(.brand, b), text: "\(start) → same brand \(graph.name(of: NodeRef(.brand, b)))")
        case .category(let c):
            return Explanation(kind: .sameCategory, anchor: h.item, via: NodeRef(.category, c), text: "\(start) → also in \(graph.name(of: NodeRef(.category, c)))")
        case .entity(let e, let from, let to):
            return Self.knowledgeGraphExplanation(start: start, anchor: h.item, entity: e, from: from, to: to, graph: graph)
        case .similar:
            return Explanation(kind: .similarItem, anchor: h.item, text: "similar to \(label), which you \(h.action.pastTense)")
        }
    }

    /// The sentence for a path anchor -> entity -> candidate, where `from` and `to` are how
    /// each item reaches the entity.
    static func knowledgeGraphExplanation(start: String, anchor: Int32, entity: Int32, from: EntityStep, to: EntityStep, graph: HeteroGraph) -> Explanation {
        let name = graph.name(of: NodeRef(.entity, entity))
        let via = NodeRef(.entity, entity)
        switch (from.isDirect, to.isDirect) {
        case (true, true):
            return Explanation(kind: .knowledgeGraph, anchor: anchor, via: via, text: "\(start) → \(RelationPhrase.shared(entity: name, relation: nil))")
        case (false, true):
            // The candidate's own entity is one relation from the anchor's.
            let relation = graph.relationName(from.relation)
            return Explanation(kind: .knowledgeGraph, anchor: anchor, via: via, relation: relation,
                               text: "\(start) → \(RelationPhrase.direct(relation: relation, forward: from.outgoing))")
        case (true, false):
            // The anchor's own entity is one relation from the candidate's: read it backwards.
            let relation = graph.relationName(to.relation)
            return Explanation(kind: .knowledgeGraph, anchor: anchor, via: via, relation: relation,
                               text: "\(start) → \(RelationPhrase.direct(relation: relation, forward: !to.outgoing))")
        case (false, false):
            let relation = graph.relationName(from.relation)
            return Explanation(kind: .knowledgeGraph, anchor: anchor, via: via, relation: relation,
                               text: "\(start) → \(RelationPhrase.shared(entity: name, relation: relation))")
        }
    }
}
