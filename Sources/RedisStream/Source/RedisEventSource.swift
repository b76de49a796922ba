package import InterestGraph

/// A user-partitioned Redis stream as the engine's ``EventSource``.
///
/// Events are handed out as they arrive (a live stream has no end: `peekTime()` is `nil`
/// while nothing waits, and the engine polls again), in arrival order, which keeps each
/// partition's, and so each user's, order. Entries carry no catalogue up front: category,
/// brand and price come on the entries.
///
/// ```swift
/// let feed = try StreamFeed.open(url: try StreamURL(parsing: "redis://127.0.0.1/shop"), options: .init())
/// let engine = try Engine(configuration: configuration, source: .custom(name: "redis://127.0.0.1:6379/shop") {
///     AnyEventSource(RedisEventSource(feed: feed))
/// })
/// ```
package struct RedisEventSource: EventSource {
    package let feed: StreamFeed
    package private(set) var position = 0
    /// Taken from the feed by `peekTime()` (already registered at `position`).
    private var head: StreamFeed.Ready?

    package init(feed: StreamFeed) {
        self.feed = feed
    }

    package var name: String { feed.url.streamAddress }
    package var kind: SourceStatus.Kind { .stream }
    package var catalogue: ItemCatalogue { ItemCatalogue() }
    package var totalCount: Int? { nil }
    package var streamStatus: StreamStatus? { feed.status }

    package mutating func peekTime() -> Double? {
        if head == nil { head = feed.take(position: Int64(position)) }
        return head?.event.timestamp
    }

    /// - Complexity: O(1) amortised (a locked pop from memory; never a network call).
    package mutating func next() -> Event? {
        let taken = head ?? feed.take(position: Int64(position))
        head = nil
        guard let taken else { return nil }
        position += 1
        return taken.event
    }

    /// A stream cannot be rewound: the group's read position lives in Redis.
    package mutating func restart() {}

    /// The log already holds `count` events: positions go on from there (Redis keeps what
    /// was read, and a resumed reader skips the pending entries the log holds).
    package mutating func skipLogged(_ count: Int64) {
        position = Int(count)
    }

    package func close() { feed.stop() }
}
