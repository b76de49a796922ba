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
    /// an entity share an actor, a maker, a material. Sorted by entity id, one entry per
    /// entity, for merge joins.
    /// - Complexity: O(r log r) for the r links of its linked entities.
    func sortedEntityReach(ofItem item: Int32) -> [(entity: Int32, step: EntityStep)] {
        let i = Int(item)
        guard i >= 0, i < itemEntities.count else { return [] }
        var list: [(entity: Int32, step: EntityStep)] = []
        for linked in itemEntities[i] {
            list.append((linked, .direct))
            guard Int(linked) < entityLinks.count else { continue }
            for l in entityLinks[Int(linked)] { list.append((l.entity, EntityStep(relation: l.relation, outgoing: l.outgoing))) }
        }
        // Sort by entity, preferred step first, then keep the first of each entity.
        list.sort { $0.entity != $1.entity ? $0.entity < $1.entity : $0.step.isPreferred(over: $1.step) }
        var out: [(entity: Int32, step: EntityStep)] = []
        out.reserveCapacity(list.count)
        for entry in list where out.last?.entity != entry.entity { out.append(entry) }
        return out
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
