/// Snapshot views built from the graph alone (no model): what the Neighbourhood panel and
/// the `neighbours` CLI show.
extension HeteroGraph {
    /// A node's display line: its external id and a short detail.
    public func nodeLine(_ node: NodeRef) -> NodeLine {
        let i = Int(node.index)
        let detail: String?
        switch node.kind {
        case .user:
            detail = i < userActivity.count ? "\(userActivity[i].eventCount) events" : nil
        case .item:
            var parts: [String] = []
            if let title = itemTitles[node.index] { parts.append(title) }
            if let c = itemCategories[i].first { parts.append(categories.name(c)) }
            detail = parts.isEmpty ? nil : parts.joined(separator: " · ")
        case .category:
            detail = "\(categoryItems[i].count) items"
        case .brand:
            detail = "\(brandItems[i].count) items"
        case .entity:
            detail = "\(entityItems[i].count) items, \(entityLinks[i].count) links"
        }
        return NodeLine(node: node, name: name(of: node), detail: detail)
    }

    /// The node's neighbours, strongest first, as display rows.
    ///
    /// Users list their items; items list users, then categories, brand and entities; side
    /// nodes list their most popular items (and, for entities, KG neighbours).
    public func neighbourhoodView(of node: NodeRef, limit: Int = 200) -> NeighbourhoodView? {
        guard isValid(node) else { return nil }
        let rows = neighbours(of: node, limit: limit).map { n in
            NeighbourLine(
                target: nodeLine(n.node), relation: n.relation, strength: n.weight,
                age: n.count > 0 ? max(0, now - n.lastSeen) : nil, count: n.count)
        }
        return NeighbourhoodView(center: nodeLine(node), rows: rows)
    }

    /// `true` when the node exists and has not been removed or forgotten.
    public func isValid(_ node: NodeRef) -> Bool {
        let i = Int(node.index)
        guard i >= 0 else { return false }
        switch node.kind {
        case .user: return isLive(user: node.index)
        case .item: return isLive(item: node.index)
        case .category: return i < categories.count
        case .brand: return i < brands.count
        case .entity: return i < entities.count
        }
    }

    /// Finds a node by external id, trying users, then items, then side nodes.
    public func find(_ id: String) -> NodeRef? {
        if let u = userID(id) { return NodeRef(.user, u) }
        if let i = itemID(id) { return NodeRef(.item, i) }
        if let c = categoryID(id) { return NodeRef(.category, c) }
        if let b = brandID(id) { return NodeRef(.brand, b) }
        if let e = entityID(id) { return NodeRef(.entity, e) }
        return nil
    }
}

extension HeteroGraph {
    /// Ids of `kind` (users or items; other kinds have none to complete) that start with
    /// `prefix`: the `limit` smallest in byte order, and how many match.
    ///
    /// A scan over the interned names, byte-wise on their UTF-8, with no allocation per name:
    /// a million users take a few tens of milliseconds, once per keystroke, which keeps an
    /// index that every new user would have to enter out of the ingest path.
    /// - Complexity: O(ids * prefix length + matches * log(limit)).
    public func completeIDs(prefix: String, kind: NodeKind, limit: Int) -> IdCompletion {
        let interner: Interner
        switch kind {
        case .user: interner = users
        case .item: interner = items
        case .category, .brand, .entity: return IdCompletion(prefix: prefix, kind: kind, matches: [], total: 0)
        }
        let wanted = Array(prefix.utf8)
        var best: [String] = []  // sorted, at most `limit`
        var total = 0
        for var name in interner.names where !name.isEmpty {
            let matches = name.withUTF8 { bytes in
                bytes.count >= wanted.count && zip(bytes, wanted).allSatisfy { $0 == $1 }
            }
            guard matches else { continue }
            total += 1
            if best.count < limit || name.utf8.lexicographicallyPrecedes(best[best.count - 1].utf8) {
                let at = best.firstIndex { name.utf8.lexicographicallyPrecedes($0.utf8) } ?? best.count
                best.insert(name, at: at)
                if best.count > limit { best.removeLast() }
            }
        }
        return IdCompletion(prefix: prefix, kind: kind, matches: best, total: total)
    }
}
