extension HeteroGraph {
    // MARK: Nodes

    /// Interns a user, growing the per-user arrays when it is new.
    @discardableResult
    public mutating func addUser(_ name: String) -> (id: Int32, isNew: Bool) {
        let (id, isNew) = users.intern(name)
        if isNew {
            userEdges.append([])
            userItems.append([])
            userActivity.append(UserActivity())
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
            itemActivity.append(ItemActivity())
            itemEventCount.append(0)
            itemActive.append(true)
            itemAttributeKey.append(0)
            itemFirstCategory.append(-1)
            catalogueStamp = ServingStamp.next()
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

    /// Applies an item's attributes. Rows repeat them on every event (a shop export carries
    /// the category, brand and price on each line), so the unchanged case is checked first by
    /// comparing names, without hashing, and the catalogue stamp (which makes serving rebuild
    /// its cold-item vectors) moves only when something changed.
    /// - Complexity: O(categories of the item) when nothing changes.
    mutating func setAttributes(_ attributes: ItemAttributes, forItem item: Int32) {
        let i = Int(item)
        // Whatever set this is, the last keyed set is no longer the last one applied.
        itemAttributeKey[i] = 0
        var changed = false
        for category in attributes.categories where !category.isEmpty {
            if itemCategories[i].contains(where: { categories.name($0) == category }) { continue }
            let c = addCategory(category)
            if !itemCategories[i].contains(c) {
                itemCategories[i].append(c)
                if itemFirstCategory[i] < 0 { itemFirstCategory[i] = c }
                categoryItems[Int(c)].append(item)
                changed = true
            }
        }
        if let brand = attributes.brand, !brand.isEmpty {
            let old = itemBrand[i]
            if old < 0 || brands.name(old) != brand {
                let b = addBrand(brand)
                if old != b {
                    if old >= 0 { brandItems[Int(old)].removeAll { $0 == item } }
                    itemBrand[i] = b
                    brandItems[Int(b)].append(item)
                    changed = true
                }
            }
        }
        if let price = attributes.price, itemPrice[i] != Float(price) {
            itemPrice[i] = Float(price)
            changed = true
        }
        if changed { catalogueStamp = ServingStamp.next() }
    }

    /// Links an item to a knowledge-graph entity.
    public mutating func link(item name: String, entity entityName: String) {
        catalogueStamp = ServingStamp.next()
        let item = addItem(name).id
        let entity = addEntity(entityName)
        guard !itemEntities[Int(item)].contains(entity) else { return }
        itemEntities[Int(item)].append(entity)
        entityItems[Int(entity)].append(item)
    }

    /// Adds a knowledge-graph fact between two entities (both directions are browsable).
    public mutating func addTriple(_ triple: KnowledgeTriple) {
        catalogueStamp = ServingStamp.next()
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
        if !catalogue.launches.isEmpty { schedule(catalogue.launches) }
    }

    /// Holds back the listed items whose launch is after the clock: inactive (out of every
    /// query, recommendation and training graph) until ``releaseLaunches()`` or an event on
    /// the item puts them on sale. Items that already have events are left alone.
    mutating func schedule(_ launches: [String: Double]) {
        catalogueStamp = ServingStamp.next()
        for (name, time) in launches where time > now {
            let item = addItem(name).id
            let i = Int(item)
            guard itemActive[i], itemEventCount[i] == 0 else { continue }
            itemActive[i] = false
            pendingLaunches.append(PendingLaunch(time: time, item: item))
        }
        pendingLaunches.sort { ($0.time, $0.item) > ($1.time, $1.item) }
        releaseLaunches()
    }

    /// Puts on sale every held-back item whose launch the clock has reached.
    /// - Complexity: O(1) per launched item.
    mutating func releaseLaunches() {
        while let next = pendingLaunches.last, next.time <= now {
            pendingLaunches.removeLast()
            itemActive[Int(next.item)] = true
            catalogueStamp = ServingStamp.next()
        }
    }

    /// An event named a held-back item: it is on sale now, whatever the catalogue said.
    mutating func launchEarly(_ item: Int32) {
        guard let k = pendingLaunches.firstIndex(where: { $0.item == item }) else { return }
        catalogueStamp = ServingStamp.next()
        pendingLaunches.remove(at: k)
        itemActive[Int(item)] = true
    }

    // MARK: Events

    /// Applies one event: interns ids, merges attributes, adds or re-weights the edge.
    /// - Complexity: O(1) amortised plus the size of the carried attributes.
    @discardableResult
    public mutating func apply(_ event: Event) -> EventApplication {
        let (user, newUser) = addUser(event.user)
        let (item, newItem) = addItem(event.item)
        return apply(event, user: user, isNewUser: newUser, item: item, isNewItem: newItem, attributeKey: 0)
    }

    /// The rest of ``apply(_:)`` once the ids are known (shared with ``apply(_:keys:)``).
    ///
    /// `attributeKey` (0: none) names the row's attribute set in its source's tables: when it
    /// is the set this item had applied last, with nothing else applied since, applying it
    /// again would change nothing (categories are a union, brand and price the same values),
    /// so it is skipped (it compared every category and brand name per event, 4% of a replay).
    @inline(__always)
    mutating func apply(_ event: Event, user: Int32, isNewUser newUser: Bool, item: Int32, isNewItem newItem: Bool, attributeKey: UInt64) -> EventApplication {
        if !newItem { launchIfScheduled(item) }
        if let attributes = event.attributes, attributesDue(item: item, key: attributeKey) {
            noteAttributes(attributes, item: item, key: attributeKey)
        }
        return apply(user: user, isNewUser: newUser, item: item, isNewItem: newItem, action: event.action, value: event.value, at: event.timestamp)
    }

    /// An item scheduled to launch later that an event reaches launches now.
    @inline(__always)
    mutating func launchIfScheduled(_ item: Int32) {
        if !pendingLaunches.isEmpty, !itemActive[Int(item)] { launchEarly(item) }
    }

    /// Whether an event's attribute set (`key`, 0 when it has none) may differ from what the
    /// item has: a set the item applied last is skipped.
    @inline(__always)
    func attributesDue(item: Int32, key: UInt64) -> Bool {
        key == 0 || itemAttributeKey[Int(item)] != key
    }

    /// Gives `item` the event's attributes and remembers the set's key.
    @inline(__always)
    mutating func noteAttributes(_ attributes: ItemAttributes, item: Int32, key: UInt64) {
        guard !attributes.isEmpty else { return }
        setAttributes(attributes, forItem: item)
        itemAttributeKey[Int(item)] = key
    }

    /// The action's weight applied between resolved nodes, the application marked with
    /// whether they are new.
    @inline(__always)
    mutating func apply(user: Int32, isNewUser newUser: Bool, item: Int32, isNewItem newItem: Bool, action: Action, value: Double?, at time: Double) -> EventApplication {
        let weight = actionWeights.weight(for: action, value: value)
        var result = apply(user: user, item: item, action: action, weight: weight, at: time)
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
        if time > now {
            now = time
            if !pendingLaunches.isEmpty { releaseLaunches() }
        }
        if time < firstTimestamp { firstTimestamp = time }
        if time > lastTimestamp { lastTimestamp = time }
        eventsApplied &+= 1

        // Per-user activity and typical gap (a running mean of inter-session gaps).
        var seen = userActivity[u]
        if time > seen.lastSeen {
            let gap = time - seen.lastSeen
            if seen.lastSeen.isFinite, gap > Self.sessionGap {
                seen.sessionGaps &+= 1
                seen.typicalGap += (gap - seen.typicalGap) / Double(seen.sessionGaps)
            }
            seen.lastSeen = time
        }
        if time < seen.firstSeen { seen.firstSeen = time }
        seen.eventCount &+= 1
        userActivity[u] = seen

        // Item popularity, decayed the same way as edges.
        var activity = itemActivity[i]
        if time < activity.firstSeen { activity.firstSeen = time }
        let popularity = Self.accumulate(activity.popularity, at: activity.popularityTime, adding: weight, at: time, decay: decay)
        activity.popularity = popularity.value
        activity.popularityTime = popularity.reference
        itemActivity[i] = activity
        itemEventCount[i] &+= 1

        let bit = UInt8(1) << action.rawValue
        if let edge = edgeID(user: user, item: item) {
            let e = Int(edge)
            var state = edgeStates[e]
            let strength = Self.accumulate(state.value, at: state.time, adding: weight, at: time, decay: decay)
            state.value = strength.value
            state.time = strength.reference
            if time < state.first { state.first = time }
            state.count &+= 1
            state.lastAction = action.rawValue
            state.actions |= bit
            edgeStates[e] = state
            return EventApplication(user: user, item: item, edge: edge, weight: weight, isNewUser: false, isNewItem: false, isNewEdge: false)
        }
        let edge = freeEdges.last ?? Int32(edgeUser.count)
        if !freeEdges.isEmpty {
            freeEdges.removeLast()
            let e = Int(edge)
            edgeUser[e] = user
            edgeItem[e] = item
            edgeStates[e] = EdgeState(value: weight, count: 1, time: time, first: time, lastAction: action.rawValue, actions: bit)
        } else {
            edgeUser.append(user)
            edgeItem.append(item)
            edgeStates.append(EdgeState(value: weight, count: 1, time: time, first: time, lastAction: action.rawValue, actions: bit))
        }
        // A first edge reserves room for several: one allocation instead of three or four
        // as a typical list grows to its first handful of edges.
        if userEdges[u].isEmpty {
            userEdges[u].reserveCapacity(8)
            userItems[u].reserveCapacity(8)
        }
        userEdges[u].append(edge)
        userItems[u].append(item)
        if itemEdges[i].isEmpty { itemEdges[i].reserveCapacity(8) }
        itemEdges[i].append(edge)
        liveEdgeCount += 1
        indexNewEdge(edge, user: user, item: item)
        return EventApplication(user: user, item: item, edge: edge, weight: weight, isNewUser: false, isNewItem: false, isNewEdge: true)
    }

    /// Adds `weight` observed at `time` to a lazily decayed `value` held at `stored`; the
    /// reference time moves forward when the event is newer.
    ///
    /// Static and pure on purpose: an instance method reading `self` while the caller writes
    /// `&edgeStates[e].time` forces Swift to copy `self` for exclusivity, and the write then copies
    /// the whole edge buffer (O(edges) per event).
    @inline(__always)
    static func accumulate(_ value: Float, at stored: Double, adding weight: Float, at time: Double, decay: DecayPolicy) -> (value: Float, reference: Double) {
        if time >= stored {
            return (Float(Double(value) * decay.factor(elapsed: time - stored)) + weight, time)
        }
        return (value + Float(Double(weight) * decay.factor(elapsed: stored - time)), stored)
    }

    // MARK: Removal

    /// Removes one user-item edge and erases its events from the counters: the item's
    /// popularity and event count, the user's event count and the graph's total.
    /// Returns `false` when there was none.
    @discardableResult
    public mutating func removeEdge(user: Int32, item: Int32) -> Bool {
        guard let edge = edgeID(user: user, item: item) else { return false }
        // Stale keys must never outlive the edge (its id is reused), whatever the degree now.
        edgeIndex.removeValue(forKey: Self.edgeKey(user: user, item: item))
        let u = Int(user), i = Int(item), e = Int(edge)
        if let at = userEdges[u].firstIndex(of: edge) {
            userEdges[u].swapAt(at, userEdges[u].count - 1)
            userEdges[u].removeLast()
            userItems[u].swapAt(at, userItems[u].count - 1)
            userItems[u].removeLast()
        }
        if let at = itemEdges[i].firstIndex(of: edge) { itemEdges[i].swapAt(at, itemEdges[i].count - 1); itemEdges[i].removeLast() }
        // The popularity reference time is never older than the edge's, so this is the edge's
        // share of the popularity at that reference.
        let contribution = Float(Double(edgeStates[e].value) * decay.factor(elapsed: itemActivity[i].popularityTime - edgeStates[e].time))
        itemActivity[i].popularity = max(0, itemActivity[i].popularity - contribution)
        let events = edgeStates[e].count
        itemEventCount[i] &-= min(itemEventCount[i], events)
        userActivity[u].eventCount &-= min(userActivity[u].eventCount, events)
        eventsApplied -= min(eventsApplied, Int(events))
        var state = edgeStates[e]
        state.value = 0
        state.count = 0
        state.actions = 0
        edgeStates[e] = state
        edgeUser[e] = -1
        edgeItem[e] = -1
        freeEdges.append(edge)
        liveEdgeCount -= 1
        return true
    }

    /// Delists an item: removes its edges and side links. The id stays reserved but the item
    /// no longer appears in any query or recommendation.
    public mutating func removeItem(_ item: Int32) {
        catalogueStamp = ServingStamp.next()
        let i = Int(item)
        // A held-back item (not launched yet) is inactive but can still be delisted.
        guard i < itemActive.count, itemActive[i] || pendingLaunches.contains(where: { $0.item == item }) else { return }
        for edge in itemEdges[i] { removeEdge(user: edgeUser[Int(edge)], item: item) }
        for c in itemCategories[i] { categoryItems[Int(c)].removeAll { $0 == item } }
        if itemBrand[i] >= 0 { brandItems[Int(itemBrand[i])].removeAll { $0 == item } }
        for entity in itemEntities[i] { entityItems[Int(entity)].removeAll { $0 == item } }
        itemCategories[i] = []
        itemBrand[i] = -1
        itemAttributeKey[i] = 0
        itemFirstCategory[i] = -1
        itemEntities[i] = []
        itemActivity[i].popularity = 0
        itemActive[i] = false
        itemTitles[item] = nil
        items.remove(item)
        pendingLaunches.removeAll { $0.item == item }
    }

    /// Forgets a user everywhere in the graph: edges, counters and the id string itself, so
    /// no query can return them. A later event with the same id creates a fresh user.
    public mutating func forgetUser(_ user: Int32) {
        let u = Int(user)
        guard u < userActive.count, users.name(user) != "" else { return }
        for edge in userEdges[u] { removeEdge(user: user, item: edgeItem[Int(edge)]) }
        userEdges[u] = []
        userItems[u] = []
        userActivity[u] = UserActivity()
        userActive[u] = false
        users.remove(user)
        // The summary time span must not keep the forgotten user's timestamps either.
        var first = Double.infinity, last = -Double.infinity
        for k in userActive.indices where userActive[k] {
            first = min(first, userActivity[k].firstSeen)
            last = max(last, userActivity[k].lastSeen)
        }
        firstTimestamp = first
        lastTimestamp = last
    }
}
