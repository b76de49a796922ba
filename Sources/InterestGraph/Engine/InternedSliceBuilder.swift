/// Collects ingested events as dense ids and turns them into ``InternedSlice``s, tracking
/// which of the graph's names a recorder has already been given.
///
/// ```swift
/// var builder = InternedSliceBuilder()
/// let application = graph.apply(event)
/// builder.append(application, of: event, position: position)     // per event: no strings
/// let slice = builder.take(graph: graph)                        // per slice: new names only
/// try recorder.record(slice: slice)
/// ```
///
/// Call ``willRemoveNames(graph:forgetting:)`` *before* the graph forgets a user (so names
/// interned in this slice are captured first), and ``graphWillReset()`` before replacing the
/// graph with a new one (after taking the slice built on the old one).
public struct InternedSliceBuilder: Sendable {
    private var slice = InternedSlice()
    /// Names already handed out (ids below these are known to the recorder).
    private var sentUsers = 0
    private var sentItems = 0
    /// Events per slice to reserve room for.
    public var expectedSliceSize: Int

    public init(expectedSliceSize: Int = 4_096) {
        self.expectedSliceSize = expectedSliceSize
    }

    /// Events waiting for ``take(graph:)``.
    public var count: Int { slice.events.count }

    /// Notes one event the graph has just applied.
    /// - Complexity: O(1) amortised: one append of a plain record, plus a copy of the
    ///   attributes when the event carries any.
    @inline(__always)
    public mutating func append(_ application: EventApplication, of event: Event, position: Int64) {
        if slice.events.capacity == 0 { slice.events.reserveCapacity(expectedSliceSize) }
        if let attributes = event.attributes, !attributes.isEmpty {
            slice.attributes.append(CarriedAttributes(index: slice.events.count, attributes: attributes))
        }
        slice.events.append(InternedEvent(
            position: position, user: application.user, item: application.item, action: event.action,
            timestamp: event.timestamp, value: event.value))
    }

    /// The slice so far, with the names `graph` interned since the last slice; the builder
    /// starts the next slice empty. Returns an empty slice when nothing changed.
    /// - Complexity: O(new names); the events are moved, not copied.
    public mutating func take(graph: HeteroGraph) -> InternedSlice {
        captureNames(graph)
        var taken = InternedSlice()
        swap(&taken, &slice)
        slice.firstNewUser = Int32(sentUsers)
        slice.firstNewItem = Int32(sentItems)
        return taken
    }

    /// Call before the graph forgets `user`: captures the names interned so far (the slice's
    /// events may name the user) and notes that the recorder must drop the name.
    public mutating func willRemoveNames(graph: HeteroGraph, forgetting user: Int32) {
        captureNames(graph)
        slice.forgottenUsers.append(user)
    }

    /// Call when the graph is replaced by a fresh one (ids restart at 0), after taking the
    /// slice built on the old graph: the next slice names every id from 0.
    public mutating func graphWillReset() {
        sentUsers = 0
        sentItems = 0
        slice.firstNewUser = 0
        slice.firstNewItem = 0
        slice.newUsers.removeAll()
        slice.newItems.removeAll()
        // Ids of the old graph: the renaming from 0 drops all of its names anyway.
        slice.forgottenUsers.removeAll()
    }

    private mutating func captureNames(_ graph: HeteroGraph) {
        let users = graph.users.names, items = graph.items.names
        if users.count > sentUsers {
            slice.newUsers.append(contentsOf: users[sentUsers...])
            sentUsers = users.count
        }
        if items.count > sentItems {
            slice.newItems.append(contentsOf: items[sentItems...])
            sentItems = items.count
        }
    }
}
