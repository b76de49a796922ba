/// One applied event as the engine keeps it for the Events panel: the graph's ids, named only
/// when a snapshot is made (``line(in:)``).
///
/// Why ids: the panel shows the newest 64 events, but the engine noted every one, and an
/// ``EventLine`` of names retained the category's name on the way in and released it when
/// the ring dropped its oldest half (perf on the large shop's full-speed replay: retains,
/// releases and the ring's array destroys were 3% of each engine thread, with the category
/// names' counts shared by both engines). This is 24 bytes of plain values: appending and
/// dropping copy bytes and touch no reference count.
struct RecentEvent: Sendable, Hashable {
    var timestamp: Double
    var user: Int32
    var item: Int32
    var action: Action
    /// The item's first category, or -1.
    var category: Int32

    /// The event by name, as the snapshot publishes it. The ids stay valid while the line is
    /// kept: a forgotten user's lines leave the ring with it, a restart empties the ring, and
    /// the engine removes no item or category. Checked all the same (an id the graph does not
    /// hold reads as "?"): a panel line must never be what stops the engine.
    /// - Complexity: O(1): three name lookups.
    func line(in graph: HeteroGraph) -> EventLine {
        EventLine(
            timestamp: timestamp,
            user: user >= 0 && Int(user) < graph.userCapacity ? graph.name(of: NodeRef(.user, user)) : "?",
            item: item >= 0 && Int(item) < graph.itemCapacity ? graph.name(of: NodeRef(.item, item)) : "?",
            action: action,
            category: category >= 0 && Int(category) < graph.categoryCount ? graph.name(of: NodeRef(.category, category)) : nil)
    }
}
