/// How an item reaches a knowledge-graph entity: linked to it directly, or through one
/// relation from an entity it is linked to.
struct EntityStep: Sendable, Hashable {
    /// The relation of the hop, or -1 for a direct link.
    var relation: Int32
    /// For a hop: `true` when the item's own entity is the head of the triple.
    var outgoing: Bool

    static let direct = EntityStep(relation: -1, outgoing: true)
    var isDirect: Bool { relation < 0 }

    /// Direct links first, then relations read from the item's side (`film.film.actor`
    /// rather than its inverse), so the phrase names the role the entity plays for the item.
    func isPreferred(over other: EntityStep) -> Bool {
        if isDirect != other.isDirect { return isDirect }
        return outgoing && !other.outgoing
    }
}

extension HeteroGraph {
    /// Every entity `item` reaches, with the preferred way it reaches it: the entities it is
    /// linked to, and each one's knowledge-graph neighbours. Items two hops apart through such
    /// an entity share an actor, a maker, a material.
    /// - Complexity: O(linked entities + their KG degree).
    func entityReach(ofItem item: Int32) -> [Int32: EntityStep] {
        var reach: [Int32: EntityStep] = [:]
        let i = Int(item)
        guard i >= 0, i < itemEntities.count else { return reach }
        func offer(_ entity: Int32, _ step: EntityStep) {
            if let existing = reach[entity], !step.isPreferred(over: existing) { return }
            reach[entity] = step
        }
        for linked in itemEntities[i] {
            offer(linked, .direct)
            guard Int(linked) < entityLinks.count else { continue }
            for l in entityLinks[Int(linked)] { offer(l.entity, EntityStep(relation: l.relation, outgoing: l.outgoing)) }
        }
        return reach
    }

    /// How many items reach `entity` (linked to it, or to one of its KG neighbours): the
    /// entity's breadth. An upper bound when an item reaches it along two routes.
    /// - Complexity: O(KG degree of the entity).
    func reachCount(ofEntity entity: Int32) -> Int {
        let e = Int(entity)
        guard e >= 0, e < entityItems.count else { return 0 }
        var count = entityItems[e].count
        if e < entityLinks.count {
            for l in entityLinks[e] where Int(l.entity) < entityItems.count { count += entityItems[Int(l.entity)].count }
        }
        return count
    }

    /// Whether `entity` is linked to `item` or one KG relation away from an entity that is.
    func reaches(item: Int32, entity: Int32) -> Bool {
        let i = Int(item)
        guard i >= 0, i < itemEntities.count else { return false }
        for linked in itemEntities[i] {
            if linked == entity { return true }
            if Int(linked) < entityLinks.count, entityLinks[Int(linked)].contains(where: { $0.entity == entity }) { return true }
        }
        return false
    }
}
