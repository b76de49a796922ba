/// One ingested event as the graph's dense ids: a plain record the engine appends per event
/// without touching a string (no retain, no copy), for a ``RunRecorder`` to log.
///
/// The ids mean what the graph's interners say; an ``InternedSlice`` carries the names a
/// recorder has not seen yet, so the recorder keeps its own id-to-name tables.
public struct InternedEvent: Sendable, Hashable {
    /// The source position: events handed out by the source before this one.
    public var position: Int64
    public var timestamp: Double
    /// The event's value; meaningful only when ``hasValue`` is set.
    public var value: Double
    /// Dense user and item ids in the graph that ingested the event.
    public var user: Int32
    public var item: Int32
    public var action: Action
    public var hasValue: Bool

    public init(position: Int64, user: Int32, item: Int32, action: Action, timestamp: Double, value: Double?) {
        self.position = position
        self.timestamp = timestamp
        self.value = value ?? 0
        self.user = user
        self.item = item
        self.action = action
        self.hasValue = value != nil
    }
}

/// Item attributes carried by one event of a slice (rare in streams: kept aside).
public struct CarriedAttributes: Sendable, Hashable {
    /// Index of the event in ``InternedSlice/events``.
    public var index: Int
    public var attributes: ItemAttributes

    public init(index: Int, attributes: ItemAttributes) {
        self.index = index
        self.attributes = attributes
    }
}

/// What the engine hands a ``RunRecorder`` once per slice: the slice's events as dense ids,
/// plus the id-to-name changes since the previous slice.
///
/// A recorder applies, in this order: ``newUsers`` and ``newItems`` (ids from
/// ``firstNewUser`` / ``firstNewItem`` on are (re)named; known ids at or above them are
/// replaced, which is how a graph rebuilt from scratch starts again at id 0), then the
/// ``events`` (with their ``attributes``), then ``forgottenUsers`` (names to drop: events
/// before them in the stream still name the user; the graph never uses those ids again).
public struct InternedSlice: Sendable, Hashable {
    public var events: [InternedEvent] = []
    /// Attributes carried by some events, in event order.
    public var attributes: [CarriedAttributes] = []
    public var firstNewUser: Int32 = 0
    public var newUsers: [String] = []
    public var firstNewItem: Int32 = 0
    public var newItems: [String] = []
    public var forgottenUsers: [Int32] = []

    public init() {}

    /// No events and no name changes.
    public var isEmpty: Bool {
        events.isEmpty && newUsers.isEmpty && newItems.isEmpty && forgottenUsers.isEmpty
    }

    /// The slice as events with their names, resolved against `users` and `items` tables
    /// that the caller keeps from slice to slice (this slice's changes are applied to
    /// them). The reference decoding of the format, for tests and tools; a recorder on a hot
    /// path encodes from the ids directly.
    func resolved(users: inout [String], items: inout [String]) -> [RecordedEvent] {
        Self.rename(&users, from: Int(firstNewUser), with: newUsers)
        Self.rename(&items, from: Int(firstNewItem), with: newItems)
        var out: [RecordedEvent] = []
        out.reserveCapacity(events.count)
        var next = 0
        for (k, e) in events.enumerated() {
            var attributes: ItemAttributes?
            while next < self.attributes.count, self.attributes[next].index <= k {
                if self.attributes[next].index == k { attributes = self.attributes[next].attributes }
                next += 1
            }
            let user = Int(e.user) < users.count && e.user >= 0 ? users[Int(e.user)] : ""
            let item = Int(e.item) < items.count && e.item >= 0 ? items[Int(e.item)] : ""
            out.append(RecordedEvent(position: e.position, event: Event(
                user: user, item: item, action: e.action, timestamp: e.timestamp,
                value: e.hasValue ? e.value : nil, attributes: attributes)))
        }
        for u in forgottenUsers where u >= 0 && Int(u) < users.count { users[Int(u)] = "" }
        return out
    }

    static func rename(_ names: inout [String], from first: Int, with new: [String]) {
        let first = max(0, first)
        if first < names.count { names.removeSubrange(first...) }
        while names.count < first { names.append("") }
        names.append(contentsOf: new)
    }
}
