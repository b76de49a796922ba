extension EngineCore {
    /// How many events ahead of the one being applied ``prefetchAhead()`` asks for the
    /// per-user and per-item entries and model rows.
    static let entryPrefetchDistance = 8
    /// How many events ahead it asks for the list headers behind those entries: later than
    /// the entries (which must be in cache to be followed), early enough to arrive in time.
    static let listPrefetchDistance = 4
    /// How many events ahead it asks for the source-key map's entries, which translate the
    /// keys into the ids the entries above are found by: earlier than those, so that the
    /// translation is in cache when they are asked for (perf: a quarter of the hints' time
    /// sat on that load, a miss into the 4 MB user map); and for the user's name entry the
    /// source builds the event from.
    static let keyPrefetchDistance = 16

    /// Asks the cache for what upcoming events will touch, while this one is applied.
    ///
    /// Why: ``ingest(_:score:)`` asks for its own event's lines first, but then uses them at
    /// once, so every miss still stalls the thread (perf: the engine's own frame, 13% of its
    /// time, sat on the loads right after its hints; a third of the graph update on a list
    /// header that could only be asked for once the entry pointing to it had arrived). Asking
    /// `entryPrefetchDistance` events ahead lets those misses overlap whole events of work;
    /// `listPrefetchDistance` events ahead the entries are in cache, so the list headers
    /// behind them can be asked for too. Only sources that hold their upcoming events
    /// (file replays) can say what comes; with others this does nothing.
    /// - Complexity: O(dimension / 16) hints; no allocation, nothing written (`mutating` only
    /// to reach the model in place: see ``Recommender/prefetchRows(user:item:)``).
    @inline(__always)
    mutating func prefetchAhead() {
        if let farthest = clock.prefetchUpcoming(ahead: Self.keyPrefetchDistance - 1) {
            sourceKeys.prefetch(user: farthest.user, item: farthest.item)
        }
        if let far = clock.upcomingKeys(ahead: Self.entryPrefetchDistance - 1) {
            prefetchEntries(user: sourceKeys.user(far.user), item: sourceKeys.item(far.item))
        }
        if let near = clock.upcomingKeys(ahead: Self.listPrefetchDistance - 1) {
            graph.prefetchLists(user: sourceKeys.user(near.user), item: sourceKeys.item(near.item))
        }
    }

    /// Everything an event of `user` on `item` updates in the graph, the drift history, the
    /// change detector and the model (``Prefetch``); ids out of range are skipped.
    /// - Complexity: O(dimension / 16) hints (`mutating`: see ``prefetchAhead()``).
    @inline(__always)
    mutating func prefetchEntries(user: Int32, item: Int32) {
        graph.prefetch(user: user, item: item)
        history.prefetch(user: user)
        interestChanges.prefetch(user: user)
        model.prefetchRows(user: user, item: item)
    }
}
