/// A ranked neighbour of a node.
public struct Neighbour: Sendable, Hashable {
    public var node: NodeRef
    /// Decayed strength for user-item edges; 1 for catalogue links; for category/brand/entity
    /// hops from an item, the number of shared items is not implied.
    public var weight: Double
    /// How the two nodes are related: an action name for user-item edges, `"category"`,
    /// `"brand"`, `"entity"`, or a KG relation name.
    public var relation: String
    /// For user-item edges: event count, first and last seen.
    public var count: Int
    public var firstSeen: Double
    public var lastSeen: Double
}

/// Counts for the ingest summary and the status line.
public struct GraphStatistics: Sendable, Hashable, Codable {
    public var users: Int
    public var items: Int
    public var categories: Int
    public var brands: Int
    public var entities: Int
    /// All edges: user-item + item-category + item-brand + item-entity + entity-entity.
    public var edges: Int
    public var userItemEdges: Int
    public var events: Int
    public var firstTimestamp: Double?
    public var lastTimestamp: Double?
}

/// How long a user has been away, relative to their own rhythm.
public struct Dormancy: Sendable, Hashable, Codable {
    /// Seconds since the user's last event, on the graph clock.
    public var idleSeconds: Double
    /// The user's typical gap between sessions (0 when they have had one session only).
    public var typicalGapSeconds: Double
    /// `idle / typical gap`; above ~3 the user is drifting away. `nil` when there is no rhythm yet.
    public var ratio: Double?
}

extension HeteroGraph {
    // MARK: Identifiers

    public func userID(_ name: String) -> Int32? { users.lookup(name) }
    public func itemID(_ name: String) -> Int32? { items.lookup(name) }
    public func categoryID(_ name: String) -> Int32? { categories.lookup(name) }
    public func brandID(_ name: String) -> Int32? { brands.lookup(name) }
    public func entityID(_ name: String) -> Int32? { entities.lookup(name) }

    /// The external id of a node ("" for a forgotten or removed one).
    public func name(of node: NodeRef) -> String {
        switch node.kind {
        case .user: users.name(node.index)
        case .item: items.name(node.index)
        case .category: categories.name(node.index)
        case .brand: brands.name(node.index)
        case .entity: entities.name(node.index)
        }
    }

    public func title(ofItem item: Int32) -> String? { itemTitles[item] }

    /// Dense id capacity per kind (including holes left by removals).
    public var userCapacity: Int { users.count }
    public var itemCapacity: Int { items.count }
    public var categoryCount: Int { categories.count }
    public var brandCount: Int { brands.count }
    public var entityCount: Int { entities.count }

    public func isLive(user: Int32) -> Bool { Int(user) < userActive.count && userActive[Int(user)] }
    public func isLive(item: Int32) -> Bool { Int(item) < itemActive.count && itemActive[Int(item)] }

    public func categories(ofItem item: Int32) -> [Int32] { itemCategories[Int(item)] }
    /// `categories(ofItem:).first`, from a flat array (no per-item buffer to load).
    /// - Complexity: O(1).
    public func firstCategory(ofItem item: Int32) -> Int32? {
        let c = itemFirstCategory[Int(item)]
        return c >= 0 ? c : nil
    }
    public func brand(ofItem item: Int32) -> Int32? { itemBrand[Int(item)] >= 0 ? itemBrand[Int(item)] : nil }
    public func price(ofItem item: Int32) -> Float? { itemPrice[Int(item)].isNaN ? nil : itemPrice[Int(item)] }
    public func entities(ofItem item: Int32) -> [Int32] { itemEntities[Int(item)] }
    /// The item's catalogue attributes by name (what another engine needs to create it).
    func attributes(ofItem item: Int32) -> ItemAttributes {
        ItemAttributes(categories: categories(ofItem: item).map { categories.name($0) },
                       brand: brand(ofItem: item).map { brands.name($0) }, price: price(ofItem: item).map(Double.init))
    }
    public func items(inCategory category: Int32) -> [Int32] { categoryItems[Int(category)] }
    public func items(ofBrand brand: Int32) -> [Int32] { brandItems[Int(brand)] }
    public func items(linkedTo entity: Int32) -> [Int32] { entityItems[Int(entity)] }
    public func relationName(_ relation: Int32) -> String { relations.name(relation) }

    // MARK: Strength

    /// Decayed strength of an edge at the graph clock.
    @inline(__always)
    func strength(edge e: Int, at time: Double) -> Double {
        Double(edgeStates[e].value) * decay.factor(elapsed: time - edgeStates[e].time)
    }

    /// Decayed strength of the user-item edge, or 0 when there is none.
    public func strength(user: Int32, item: Int32, at time: Double? = nil) -> Double {
        guard let edge = edgeID(user: user, item: item) else { return 0 }
        return strength(edge: Int(edge), at: time ?? now)
    }

    /// The item's decayed popularity (sum of its edges' weights) at the graph clock.
    public func popularity(ofItem item: Int32) -> Double {
        let activity = itemActivity[Int(item)]
        return Double(activity.popularity) * decay.factor(elapsed: now - activity.popularityTime)
    }

    /// Items the user has interacted with (live edges), unordered (in the order of the
    /// user's edge list). Shares the graph's storage: nothing is built.
    /// - Complexity: O(1).
    public func items(ofUser user: Int32) -> [Int32] {
        userItems[Int(user)]
    }

    /// Users who have interacted with the item, unordered.
    public func users(ofItem item: Int32) -> [Int32] {
        itemEdges[Int(item)].map { edgeUser[Int($0)] }
    }

    public func hasEdge(user: Int32, item: Int32) -> Bool {
        edgeID(user: user, item: item) != nil
    }

    public func eventCount(ofUser user: Int32) -> Int { Int(userActivity[Int(user)].eventCount) }
    public func eventCount(ofItem item: Int32) -> Int { Int(itemEventCount[Int(item)]) }
    public func lastSeen(user: Int32) -> Double? { userActivity[Int(user)].lastSeen.isFinite ? userActivity[Int(user)].lastSeen : nil }
    public func firstSeen(user: Int32) -> Double? { userActivity[Int(user)].firstSeen.isFinite ? userActivity[Int(user)].firstSeen : nil }

    // MARK: Neighbourhoods

    /// Neighbours of any node, optionally of one kind, strongest first.
    ///
    /// User -> items (by decayed strength); item -> users (by strength), categories, brand,
    /// entities; category/brand/entity -> items (by popularity); entity -> entities (KG).
    public func neighbours(of node: NodeRef, kind: NodeKind? = nil, limit: Int = .max) -> [Neighbour] {
        var out: [Neighbour] = []
        func want(_ k: NodeKind) -> Bool { kind == nil || kind == k }
        func edgeNeighbour(_ e: Int, to target: NodeRef) -> Neighbour {
            Neighbour(
                node: target, weight: strength(edge: e, at: now),
                relation: Action(rawValue: edgeStates[e].lastAction)?.name ?? "event",
                count: Int(edgeStates[e].count), firstSeen: edgeStates[e].first, lastSeen: edgeStates[e].time)
        }
        func link(_ target: NodeRef, _ relation: String, weight: Double) -> Neighbour {
            Neighbour(node: target, weight: weight, relation: relation, count: 0, firstSeen: 0, lastSeen: 0)
        }
        let i = Int(node.index)
        switch node.kind {
        case .user:
            guard i < userEdges.count, want(.item) else { break }
            for edge in strongestEdges(userEdges[i], limit: limit, target: edgeItem) {
                out.append(edgeNeighbour(Int(edge), to: NodeRef(.item, edgeItem[Int(edge)])))
            }
        case .item:
            guard i < itemEdges.count else { break }
            if want(.user) {
                for edge in strongestEdges(itemEdges[i], limit: limit, target: edgeUser) {
                    out.append(edgeNeighbour(Int(edge), to: NodeRef(.user, edgeUser[Int(edge)])))
                }
            }
            if want(.category) {
                for c in itemCategories[i] { out.append(link(NodeRef(.category, c), "category", weight: Double(categoryItems[Int(c)].count))) }
            }
            if want(.brand), itemBrand[i] >= 0 {
                out.append(link(NodeRef(.brand, itemBrand[i]), "brand", weight: Double(brandItems[Int(itemBrand[i])].count)))
            }
            if want(.entity) {
                for entity in itemEntities[i] { out.append(link(NodeRef(.entity, entity), "entity", weight: Double(entityLinks[Int(entity)].count + 1))) }
            }
        case .category, .brand:
            let lists = node.kind == .category ? categoryItems : brandItems
            guard want(.item), i >= 0, i < lists.count else { break }
            let members = lists[i]
            // Items not on sale yet (held back until their launch) are not neighbours.
            for item in members where itemActive[Int(item)] {
                out.append(link(NodeRef(.item, item), node.kind.description, weight: popularity(ofItem: item)))
            }
        case .entity:
            guard i < entityLinks.count else { break }
            if want(.item) {
                for item in entityItems[i] where itemActive[Int(item)] {
                    out.append(link(NodeRef(.item, item), "entity", weight: popularity(ofItem: item)))
                }
            }
            if want(.entity) {
                for l in entityLinks[i] {
                    let name = relations.name(l.relation)
                    out.append(link(NodeRef(.entity, l.entity), l.outgoing ? name : "~" + name, weight: Double(entityLinks[Int(l.entity)].count)))
                }
            }
        }
        out.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.node.index < $1.node.index }
        if out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    /// The `limit` strongest of `edges` (ties: lower target index first), in no particular
    /// order, or all of them when there are no more than `limit`.
    ///
    /// Why: an item with 100,000 buyers must open in the Neighbourhood panel at once; building
    /// a display row (with its strings) for every edge and sorting them all cost that per
    /// snapshot. Strengths are compared as plain numbers and only the kept edges become rows.
    /// - Complexity: O(edges * log(limit)) amortised, O(limit) extra memory.
    func strongestEdges(_ edges: [Int32], limit: Int, target: [Int32]) -> [Int32] {
        guard edges.count > limit, limit > 0 else { return edges }
        var kept: [(weight: Double, target: Int32, edge: Int32)] = []
        kept.reserveCapacity(4 * limit)
        func better(_ a: (weight: Double, target: Int32, edge: Int32), _ b: (weight: Double, target: Int32, edge: Int32)) -> Bool {
            a.weight != b.weight ? a.weight > b.weight : a.target < b.target
        }
        for edge in edges {
            kept.append((strength(edge: Int(edge), at: now), target[Int(edge)], edge))
            if kept.count == 4 * limit {
                kept.sort(by: better)
                kept.removeLast(kept.count - limit)
            }
        }
        kept.sort(by: better)
        if kept.count > limit { kept.removeLast(kept.count - limit) }
        return kept.map(\.edge)
    }

    // MARK: Dormancy

    /// Time since the user's last event relative to their typical gap between sessions.
    public func dormancy(ofUser user: Int32) -> Dormancy? {
        let u = Int(user)
        guard u >= 0, u < userActivity.count, userActivity[u].lastSeen.isFinite else { return nil }
        let idle = max(0, now - userActivity[u].lastSeen)
        let gap = userActivity[u].typicalGap
        return Dormancy(idleSeconds: idle, typicalGapSeconds: gap, ratio: gap > 0 ? idle / gap : nil)
    }

    // MARK: Statistics

    public var statistics: GraphStatistics { statistics(sideEdges: sideEdgeCount) }

    /// Item-category, item-brand and item-entity edges.
    /// - Complexity: O(items): callers that ask often cache it by ``catalogueStamp``, which
    ///   moves with every change to these edges.
    var sideEdgeCount: Int {
        itemCategories.reduce(0) { $0 + $1.count } + itemBrand.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
            + itemEntities.reduce(0) { $0 + $1.count }
    }

    /// The counts, with the item side-edge count given (see ``sideEdgeCount``).
    /// - Complexity: O(1).
    func statistics(sideEdges: Int) -> GraphStatistics {
        GraphStatistics(
            users: users.liveCount, items: items.liveCount, categories: categories.liveCount,
            brands: brands.liveCount, entities: entities.liveCount,
            edges: liveEdgeCount + sideEdges + entityEdgeCount,
            userItemEdges: liveEdgeCount, events: eventsApplied,
            firstTimestamp: firstTimestamp.isFinite ? firstTimestamp : nil,
            lastTimestamp: lastTimestamp.isFinite ? lastTimestamp : nil)
    }
}
