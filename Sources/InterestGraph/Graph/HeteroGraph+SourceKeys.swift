extension HeteroGraph {
    /// Applies one event as ``apply(_:)`` does, finding its user and item through the
    /// source's keys (``Event/keys``) instead of hashing their names, and skipping the row's
    /// attribute set when it is the one this item had applied last. Without keys it is
    /// ``apply(_:)``. The graph it leaves is exactly the one ``apply(_:)`` would (tests compare
    /// both paths, field by field).
    /// - Complexity: O(1) amortised with no hashing once a key has been seen.
    @discardableResult
    package mutating func apply(_ event: Event, keys map: inout SourceKeyMap) -> EventApplication {
        guard let keys = event.keys else { return apply(event) }
        map.adopt(keys.space)
        var user = map.user(keys.user)
        var newUser = false
        if !users.holds(event.user, at: user) {
            (user, newUser) = addUser(event.user)
            map.setUser(keys.user, user)
        }
        var item = map.item(keys.item)
        var newItem = false
        if !items.holds(event.item, at: item) {
            (item, newItem) = addItem(event.item)
            map.setItem(keys.item, item)
        }
        let attributeKey = keys.attributes > 0 ? UInt64(keys.space) << 32 | UInt64(UInt32(keys.attributes)) : 0
        return apply(event, user: user, isNewUser: newUser, item: item, isNewItem: newItem, attributeKey: attributeKey)
    }

    /// Applies row `k` of a page of logged events (a resume), as ``apply(_:keys:)`` applies
    /// the `Event` it stands for, without building that `Event`: names are read from `names`
    /// only for a number `map` has not met.
    ///
    /// Unlike ``apply(_:keys:)`` a number `map` knows is not checked against the graph's
    /// names: `map` must be filled by this graph in this replay, with nothing forgotten or
    /// rebuilt meanwhile (a resume's replay only applies events). A forgotten user who came
    /// back has a second number with the same name; ``addUser(_:)`` finds the name either way.
    /// - Complexity: O(1) amortised; one hash lookup per number the first time it is met.
    @discardableResult
    package mutating func apply(logged page: LoggedEventPage, at k: Int, names: LoggedEventNames, keys map: inout SourceKeyMap) -> EventApplication {
        map.adopt(names.space)
        let userKey = page.users[k], itemKey = page.items[k]
        var user = map.user(userKey)
        var newUser = false
        if user < 0 {
            (user, newUser) = addUser(names.users[Int(userKey)])
            map.setUser(userKey, user)
        }
        var item = map.item(itemKey)
        var newItem = false
        if item < 0 {
            (item, newItem) = addItem(names.items[Int(itemKey)])
            map.setItem(itemKey, item)
        }
        if !newItem { launchIfScheduled(item) }
        let set = page.sets[k]
        if set > 0 {
            let attributeKey = UInt64(names.space) << 32 | UInt64(UInt32(set))
            if attributesDue(item: item, key: attributeKey), let attributes = names.sets[Int(set) - 1] {
                noteAttributes(attributes, item: item, key: attributeKey)
            }
        }
        return apply(user: user, isNewUser: newUser, item: item, isNewItem: newItem, action: page.actions[k], value: page.values[k], at: page.timestamps[k])
    }

    /// The graph ids of an event's user and item, when both exist, through the source's keys
    /// when it has them (a read-only ``apply(_:keys:)``: nothing is added or remembered).
    /// - Complexity: O(1); a hash lookup per name the keys do not resolve.
    func ids(of event: Event, keys map: SourceKeyMap) -> (user: Int32, item: Int32)? {
        var user: Int32 = -1
        var item: Int32 = -1
        if let keys = event.keys {
            user = map.user(keys.user)
            item = map.item(keys.item)
        }
        if !users.holds(event.user, at: user) { user = users.lookup(event.user) ?? -1 }
        if !items.holds(event.item, at: item) { item = items.lookup(event.item) ?? -1 }
        return user >= 0 && item >= 0 ? (user, item) : nil
    }
}
