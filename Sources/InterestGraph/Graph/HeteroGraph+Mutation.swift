extension HeteroGraph {
    // MARK: Nodes

    /// Interns a user, growing the per-user arrays when it is new.
    @discardableResult
    public mutating func addUser(_ name: String) -> (id: Int32, isNew: Bool) {
        let (id, isNew) = users.intern(name)
        if isNew {
            userEdges.append([])
            userFirstSeen.append(.infinity)
            userLastSeen.append(-.infinity)
            userEventCount.append(0)
            userTypicalGap.append(0)
            userSessionGaps.append(0)
            userActive.append(true)
        }
        return (id, isNew)
    }

    /// Interns an item, growing the per-item arrays when it is new.
    @discardableResult
    public mutating func addItem(_ name: String) -> (id: Int32, isNew: Bool) {
        let (id, isNew) = items.intern(name)
        if isNew {
            itemEdges.append([])
            itemCategories.append([])
            itemBrand.append(-1)
            itemPrice.append(.nan)
            itemEntities.append([])
            itemPopularity.append(0)
            itemPopularityTime.append(0)
            itemFirstSeen.append(.infinity)
            itemEventCount.append(0)
            itemActive.append(true)
        }
        return (id, isNew)
    }

    @discardableResult
    mutating func addCategory(_ name: String) -> Int32 {
        let (id, isNew) = categories.intern(name)
        if isNew { categoryItems.append([]) }
        return id
    }

    @discardableResult
    mutating func addBrand(_ name: String) -> Int32 {
        let (id, isNew) = brands.intern(name)
        if isNew { brandItems.append([]) }
        return id
    }

    @discardableResult
    mutating func addEntity(_ name: String) -> Int32 {
        let (id, isNew) = entities.intern(name)
        if isNew {
            entityItems.append([])
            entityLinks.append([])
        }
        return id
    }

    // MARK: Catalogue

    /// Attaches categories, brand and price to an item (creating it if needed).
    /// Categories are added, never removed; brand and price are replaced when given.
    public mutating func setAttributes(_ attributes: ItemAttributes, forItem name: String) {
        let item = addItem(name).id
        setAttributes(attributes, forItem: item)
    }

    mutating func setAttributes(_ attributes: ItemAttributes, forItem item: Int32) {
        let i = Int(item)
        for category in attributes.categories where !category.isEmpty {
            let c = addCategory(category)
            if !itemCategories[i].contains(c) {
                itemCategories[i].append(c)
                categoryItems[Int(c)].append(item)
            }
        }
        if let brand = attributes.brand, !brand.isEmpty {
            let b = addBrand(brand)
            let old = itemBrand[i]
            if old != b {
                if old >= 0 { brandItems[Int(old)].removeAll { $0 == item } }
                itemBrand[i] = b
                brandItems[Int(b)].append(item)
            }
        }
        if let price = attributes.price { itemPrice[i] = Float(price) }
    }

    /// Links an item to a knowledge-graph entity.
    public mutating func link(item name: String, entity entityName: String) {
        let item = addItem(name).id
        let entity = addEntity(entityName)
        guard !itemEntities[Int(item)].contains(entity) else { return }
        itemEntities[Int(item)].append(entity)
        entityItems[Int(entity)].append(item)
    }

    /// Adds a knowledge-graph fact between two entities (both directions are browsable).
    public mutating func addTriple(_ triple: KnowledgeTriple) {
        let head = addEntity(triple.head)
        let tail = addEntity(triple.tail)
        let relation = relations.intern(triple.relation).id
        entityLinks[Int(head)].append(EntityLink(relation: relation, entity: tail, outgoing: true))
        entityLinks[Int(tail)].append(EntityLink(relation: relation, entity: head, outgoing: false))
        entityEdgeCount += 1
    }

    /// Loads a whole catalogue: attributes, titles, item-entity links and KG facts.
    public mutating func load(_ catalogue: ItemCatalogue) {
        for (item, attributes) in catalogue.items.sorted(by: { $0.key < $1.key }) {
            setAttributes(attributes, forItem: item)
        }
        for (item, title) in catalogue.titles {
            let id = addItem(item).id
            itemTitles[id] = title
        }
        for (item, links) in catalogue.itemEntities.sorted(by: { $0.key < $1.key }) {
            for entity in links { link(item: item, entity: entity) }
        }
        for triple in catalogue.triples { addTriple(triple) }
    }

    // MARK: Events

    /// Applies one event: interns ids, merges attributes, adds or re-weights the edge.
    /// - Complexity: O(1) amortised plus the size of the carried attributes.
    @discardableResult
    public mutating func apply(_ event: Event) -> EventApplication {
        let (user, newUser) = addUser(event.user)
        let (item, newItem) = addItem(event.item)
        if let attributes = event.attributes, !attributes.isEmpty {
            setAttributes(attributes, forItem: item)
        }
        let weight = actionWeights.weight(for: event.action, value: event.value)
        var result = apply(user: user, item: item, action: event.action, weight: weight, at: event.timestamp)
        result.isNewUser = newUser
        result.isNewItem = newItem
        return result
    }

    /// Applies an event between already-interned nodes: the hot path of ingest.
    ///
    /// Strength is brought forward lazily: `v(t) = v(t0) * decay(t - t0) + w` when `t >= t0`;
    /// an event older than the edge's reference time adds its weight decayed to that time
    /// instead, so order of arrival never changes the result by more than rounding.
    /// - Complexity: O(1) amortised: one hash lookup and a few array writes.
    @discardableResult
    public mutating func apply(user: Int32, item: Int32, action: Action, weight: Float, at time: Double) -> EventApplication {
        let u = Int(user)
        let i = Int(item)
        if time > now { now = time }
        if time < firstTimestamp { firstTimestamp = time }
        if time > lastTimestamp { lastTimestamp = time }
        eventsApplied &+= 1

        // Per-user activity and typical gap (a running mean of inter-session gaps).
        let last = userLastSeen[u]
        if last.isFinite, time > last {
            let gap = time - last
            if gap > Self.sessionGap {
                let n = Double(userSessionGaps[u]) + 1
                userTypicalGap[u] += (gap - userTypicalGap[u]) / n
                userSessionGaps[u] &+= 1
            }
        }
        if time > last { userLastSeen[u] = time }
        if time < userFirstSeen[u] { userFirstSeen[u] = time }
        userEventCount[u] &+= 1

        // Item popularity, decayed the same way as edges.
        if itemFirstSeen[i] > time { itemFirstSeen[i] = time }
        itemEventCount[i] &+= 1
        itemPopularity[i] = Self.accumulate(decay: decay, value: itemPopularity[i], at: itemPopularityTime[i], adding: weight, at: time, reference: &itemPopularityTime[i])

        let key = UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))
        let bit = UInt8(1) << action.rawValue
        if let edge = edgeIndex[key] {
            let e = Int(edge)
            edgeValue[e] = Self.accumulate(decay: decay, value: edgeValue[e], at: edgeTime[e], adding: weight, at: time, reference: &edgeTime[e])
            if time < edgeFirst[e] { edgeFirst[e] = time }
            edgeCount[e] &+= 1
            edgeLastAction[e] = action.rawValue
            edgeActions[e] |= bit
            return EventApplication(user: user, item: item, edge: edge, weight: weight, isNewUser: false, isNewItem: false, isNewEdge: false)
        }
        let edge: Int32
        if let reused = freeEdges.popLast() {
            edge = reused
            let e = Int(edge)
            edgeUser[e] = user
            edgeItem[e] = item
            edgeValue[e] = weight
            edgeTime[e] = time
            edgeFirst[e] = time
            edgeCount[e] = 1
            edgeLastAction[e] = action.rawValue
            edgeActions[e] = bit
        } else {
            edge = Int32(edgeUser.count)
            edgeUser.append(user)
            edgeItem.append(item)
            edgeValue.append(weight)
            edgeTime.append(time)
            edgeFirst.append(time)
            edgeCount.append(1)
            edgeLastAction.append(action.rawValue)
            edgeActions.append(bit)
        }
        edgeIndex[key] = edge
        userEdges[u].append(edge)
        itemEdges[i].append(edge)
        liveEdgeCount += 1
        return EventApplication(user: user, item: item, edge: edge, weight: weight, isNewUser: false, isNewItem: false, isNewEdge: true)
    }

    /// Adds `weight` observed at `time` to a lazily decayed `value` held at `reference`,
    /// moving `reference` forward when the event is newer.
    ///
    /// Static on purpose: an instance method would read `self` while `reference` (a stored
    /// array element) is held `inout`, and that overlap makes Swift copy the whole array on
    /// every event (O(edges) per event).
    @inline(__always)
    static func accumulate(decay: DecayPolicy, value: Float, at stored: Double, adding weight: Float, at time: Double, reference: inout Double) -> Float {
        if time >= stored {
            reference = time
            return Float(Double(value) * decay.factor(elapsed: time - stored)) + weight
        }
        return value + Float(Double(weight) * decay.factor(elapsed: stored - time))
    }

    // MARK: Removal

    /// Removes one user-item edge. Returns `false` when there was none.
    @discardableResult
    public mutating func removeEdge(user: Int32, item: Int32) -> Bool {
        let key = UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))
        guard let edge = edgeIndex.removeValue(forKey: key) else { return false }
        if let at = userEdges[Int(user)].firstIndex(of: edge) { userEdges[Int(user)].swapAt(at, userEdges[Int(user)].count - 1); userEdges[Int(user)].removeLast() }
        if let at = itemEdges[Int(item)].firstIndex(of: edge) { itemEdges[Int(item)].swapAt(at, itemEdges[Int(item)].count - 1); itemEdges[Int(item)].removeLast() }
        let e = Int(edge)
        edgeValue[e] = 0
        edgeCount[e] = 0
        edgeActions[e] = 0
        edgeUser[e] = -1
        edgeItem[e] = -1
        freeEdges.append(edge)
        liveEdgeCount -= 1
        return true
    }

    /// Delists an item: removes its edges and side links. The id stays reserved but the item
    /// no longer appears in any query or recommendation.
    public mutating func removeItem(_ item: Int32) {
        let i = Int(item)
        guard i < itemActive.count, itemActive[i] else { return }
        for edge in itemEdges[i] { removeEdge(user: edgeUser[Int(edge)], item: item) }
        for c in itemCategories[i] { categoryItems[Int(c)].removeAll { $0 == item } }
        if itemBrand[i] >= 0 { brandItems[Int(itemBrand[i])].removeAll { $0 == item } }
        for entity in itemEntities[i] { entityItems[Int(entity)].removeAll { $0 == item } }
        itemCategories[i] = []
        itemBrand[i] = -1
        itemEntities[i] = []
        itemPopularity[i] = 0
        itemActive[i] = false
        itemTitles[item] = nil
        items.remove(item)
    }

    /// Forgets a user everywhere in the graph: edges, counters and the id string itself, so
    /// no query can return them. A later event with the same id creates a fresh user.
    public mutating func forgetUser(_ user: Int32) {
        let u = Int(user)
        guard u < userActive.count, users.name(user) != "" else { return }
        for edge in userEdges[u] {
            let e = Int(edge)
            let item = edgeItem[e]
            // Take the user's contribution out of the item's popularity too.
            let contribution = Float(Double(edgeValue[e]) * decay.factor(elapsed: itemPopularityTime[Int(item)] - edgeTime[e]))
            itemPopularity[Int(item)] = max(0, itemPopularity[Int(item)] - contribution)
            itemEventCount[Int(item)] = itemEventCount[Int(item)] &- min(itemEventCount[Int(item)], edgeCount[e])
            removeEdge(user: user, item: item)
        }
        userEdges[u] = []
        userFirstSeen[u] = .infinity
        userLastSeen[u] = -.infinity
        userEventCount[u] = 0
        userTypicalGap[u] = 0
        userSessionGaps[u] = 0
        userActive[u] = false
        users.remove(user)
    }
}
