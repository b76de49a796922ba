extension HeteroGraph {
    /// Asks the cache for the per-user and per-item entries an event of `user` on `item` will
    /// update in ``apply(user:item:action:weight:at:)`` (activity, event counts, the edge-list
    /// slots, the item's flags), so their misses overlap instead of following one another: at
    /// a million users each is a miss to memory (see ``Prefetch``). Out-of-range ids (a new
    /// user or item, a stale key) are skipped.
    /// - Complexity: O(1), eleven hints.
    @inline(__always)
    func prefetch(user: Int32, item: Int32) {
        let u = Int(user), i = Int(item)
        Prefetch.element(of: userActivity, at: u)
        Prefetch.element(of: userEdges, at: u)
        Prefetch.element(of: userItems, at: u)
        Prefetch.element(of: itemActivity, at: i)
        Prefetch.element(of: itemEventCount, at: i)
        Prefetch.element(of: itemEdges, at: i)
        Prefetch.element(of: itemActive, at: i)
        Prefetch.element(of: itemAttributeKey, at: i)
        Prefetch.element(of: itemFirstCategory, at: i)
        // The names `apply(_:keys:)` checks a source key's id against (``Interner/holds``):
        // a million users' names are 16 MB, and that check was most of the keyed update.
        Prefetch.readElement(of: users.names, at: u)
        Prefetch.readElement(of: items.names, at: i)
    }

    /// Asks for the headers and first elements of the user's item and edge lists and the
    /// item's edge list: the lines the update reads behind the entries ``prefetch(user:item:)``
    /// asked for (a light user's item scan, the appends of a new edge). Perf put a third of
    /// the update's samples on the user's list header and a fifth on the item's, each a miss
    /// that could only start once the entry before it arrived. Call it a few events after
    /// ``prefetch(user:item:)`` for the same ids, when the entries are in cache.
    /// - Complexity: O(1), six hints.
    @inline(__always)
    func prefetchLists(user: Int32, item: Int32) {
        Prefetch.listHeader(in: userItems, at: Int(user))
        Prefetch.listHeader(in: userEdges, at: Int(user))
        Prefetch.listHeader(in: itemEdges, at: Int(item))
    }
}
