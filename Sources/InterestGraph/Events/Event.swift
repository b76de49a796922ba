import Synchronization

/// Item attributes that may travel with an event (or come from a catalogue file).
public struct ItemAttributes: Sendable, Hashable, Codable {
    /// Categories or interest points, most specific last is not assumed; order is kept.
    public var categories: [String]
    public var brand: String?
    public var price: Double?

    public init(categories: [String] = [], brand: String? = nil, price: Double? = nil) {
        self.categories = categories
        self.brand = brand
        self.price = price
    }

    public var isEmpty: Bool { categories.isEmpty && brand == nil && price == nil }
}

/// One user interaction, as read from a file, produced by the simulator, or injected live.
///
/// Identifiers stay as the source wrote them; the graph interns them to dense integers.
public struct Event: Sendable, Hashable {
    public var user: String
    public var item: String
    public var action: Action
    /// Seconds since the Unix epoch (fractional seconds allowed).
    public var timestamp: Double
    /// A rating, quantity or price paid, depending on the action.
    public var value: Double?
    /// Item attributes carried on the row, merged into the catalogue on ingest.
    public var attributes: ItemAttributes?
    /// The dense ids a source already gave this event's names (`nil` for live sources and
    /// injected events). A hint for the graph's id lookup, not part of what the event says:
    /// equality and hashing ignore it (see ``EventKeys``).
    package var keys: EventKeys?

    public init(
        user: String, item: String, action: Action, timestamp: Double,
        value: Double? = nil, attributes: ItemAttributes? = nil
    ) {
        self.user = user
        self.item = item
        self.action = action
        self.timestamp = timestamp
        self.value = value
        self.attributes = attributes
    }

    // Written out only to leave `keys` out: two sources that read the same row hand out the
    // same event, whatever their tables number it.
    public static func == (lhs: Event, rhs: Event) -> Bool {
        lhs.user == rhs.user && lhs.item == rhs.item && lhs.action == rhs.action && lhs.timestamp == rhs.timestamp
            && lhs.value == rhs.value && lhs.attributes == rhs.attributes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(user)
        hasher.combine(item)
        hasher.combine(action)
        hasher.combine(timestamp)
        hasher.combine(value)
        hasher.combine(attributes)
    }
}

/// The dense ids a source gave an event's names in its own tables: ``CompactReplaySource``
/// interns users, items and attribute sets once while loading, so the engine can find the
/// graph's ids by an array lookup (``SourceKeyMap``) instead of hashing two strings per
/// event, and skip re-applying an item's attribute set it applied last.
///
/// A hint only. Every id found through a key is checked against the event's name, so a
/// stale key (a forgotten user, a rebuilt graph) costs a hash lookup, never a wrong id.
package struct EventKeys: Sendable, Hashable {
    /// The source tables the keys index: unique per loaded source, so the keys of two
    /// sources never mix.
    package var space: UInt32
    package var user: Int32
    package var item: Int32
    /// The row's attribute set in the source's table; 0 when the row carries none.
    package var attributes: Int32

    package init(space: UInt32, user: Int32, item: Int32, attributes: Int32) {
        self.space = space
        self.user = user
        self.item = item
        self.attributes = attributes
    }

    /// A key space no other call returns (never 0).
    package static func newSpace() -> UInt32 {
        spaces.add(1, ordering: .relaxed).newValue
    }

    private static let spaces = Atomic<UInt32>(0)
}

/// A knowledge-graph fact `head --relation--> tail` between entity ids.
public struct KnowledgeTriple: Sendable, Hashable {
    public var head: String
    public var relation: String
    public var tail: String

    public init(head: String, relation: String, tail: String) {
        self.head = head
        self.relation = relation
        self.tail = tail
    }
}

/// Item attributes and knowledge-graph facts, from catalogue files, `.item`/`.kg`/`.link`
/// atomic files, or the simulator.
public struct ItemCatalogue: Sendable {
    /// Attributes by external item id.
    public var items: [String: ItemAttributes] = [:]
    /// Entity ids linked to each item (RecBole `.link`, simulator materials and styles).
    public var itemEntities: [String: [String]] = [:]
    /// Entity-entity facts.
    public var triples: [KnowledgeTriple] = []
    /// Human-readable item names (movie titles, product names) where the source has them.
    public var titles: [String: String] = [:]
    /// Launch times (seconds since the epoch) of items listed before they go on sale (the
    /// simulator's later launches): the graph keeps such an item out of every query and
    /// recommendation until its clock reaches the launch or an event names the item.
    public var launches: [String: Double] = [:]

    public init() {}

    public var isEmpty: Bool { items.isEmpty && itemEntities.isEmpty && triples.isEmpty }

    /// Merges attributes for one item, keeping what is already known where `attributes` is silent.
    public mutating func merge(item: String, attributes: ItemAttributes) {
        guard var existing = items[item] else {
            items[item] = attributes
            return
        }
        for category in attributes.categories where !existing.categories.contains(category) {
            existing.categories.append(category)
        }
        if let brand = attributes.brand { existing.brand = brand }
        if let price = attributes.price { existing.price = price }
        items[item] = existing
    }
}
