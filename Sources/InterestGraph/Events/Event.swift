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
