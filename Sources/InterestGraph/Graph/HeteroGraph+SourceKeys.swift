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
