/// Replays events held in memory (read from a file by any reader), in time order.
///
/// Events are sorted by timestamp once, stably, so events with equal timestamps keep the
/// order the file gave them.
public struct ArrayEventSource: EventSource {
    public let name: String
    public let catalogue: ItemCatalogue
    public let events: [Event]
    public private(set) var position = 0

    public init(name: String, events: [Event], catalogue: ItemCatalogue = ItemCatalogue()) {
        self.name = name
        self.catalogue = catalogue
        var sorted = true
        for k in events.indices.dropFirst() where events[k].timestamp < events[k - 1].timestamp {
            sorted = false
            break
        }
        if sorted {
            self.events = events
        } else {
            // Sort indices with the index as tie-break: stable whatever the algorithm.
            let order = events.indices.sorted { a, b in
                events[a].timestamp != events[b].timestamp ? events[a].timestamp < events[b].timestamp : a < b
            }
            self.events = order.map { events[$0] }
        }
    }

    public var kind: SourceStatus.Kind { .replay }
    public var totalCount: Int? { events.count }

    public mutating func peekTime() -> Double? {
        position < events.count ? events[position].timestamp : nil
    }

    public mutating func next() -> Event? {
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events[position]
    }

    public mutating func restart() { position = 0 }
}
