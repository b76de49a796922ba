/// A page of logged events as numbers, in columns: what a resume replays (``ResumePlan``).
///
/// A workspace's log numbers every user, item and attribute set once per run, and its rows
/// hold only those numbers. Replaying a log of 20 M events through `Event` values built a
/// user and an item `String` and an attribute set per event, copied them twice on the way
/// and released them again: a seventh of the resume's time at a million users. A page keeps
/// the numbers; the graph looks a name up only for a number it has not met
/// (``HeteroGraph/apply(logged:at:names:keys:)``).
///
/// ```swift
/// var page = LoggedEventPage()
/// page.append(position: 0, action: .view, timestamp: 1, value: nil, user: 0, item: 3, set: 0)
/// ```
package struct LoggedEventPage: Sendable {
    package private(set) var positions: [Int64] = []
    package private(set) var actions: [Action] = []
    package private(set) var timestamps: [Double] = []
    package private(set) var values: [Double?] = []
    /// Numbers into ``LoggedEventNames/users``.
    package private(set) var users: [Int32] = []
    /// Numbers into ``LoggedEventNames/items``.
    package private(set) var items: [Int32] = []
    /// The event's attribute set, its number in ``LoggedEventNames/sets`` plus 1; 0 when
    /// the event carries none.
    package private(set) var sets: [Int32] = []

    package init() {}

    package var count: Int { positions.count }
    package var isEmpty: Bool { positions.isEmpty }

    /// - Complexity: O(1) amortised.
    @inline(__always)
    package mutating func append(position: Int64, action: Action, timestamp: Double, value: Double?, user: Int32, item: Int32, set: Int32) {
        positions.append(position)
        actions.append(action)
        timestamps.append(timestamp)
        values.append(value)
        users.append(user)
        items.append(item)
        sets.append(set)
    }

    /// Empties the page, keeping its storage for the next one.
    package mutating func removeAll() {
        positions.removeAll(keepingCapacity: true)
        actions.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        users.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        sets.removeAll(keepingCapacity: true)
    }
}

/// The names a ``LoggedEventPage``'s numbers stand for, in one key space (``EventKeys``).
package struct LoggedEventNames: Sendable {
    /// Unique per numbering: a graph's ``SourceKeyMap`` holds one space at a time.
    package let space: UInt32
    package var users: [String]
    package var items: [String]
    package var sets: [ItemAttributes?]

    package init(space: UInt32, users: [String] = [], items: [String] = [], sets: [ItemAttributes?] = []) {
        self.space = space
        self.users = users
        self.items = items
        self.sets = sets
    }

    /// The event page row `k` stands for (tests, and readers that want `Event`s back).
    package func event(_ page: LoggedEventPage, at k: Int) -> Event {
        let set = page.sets[k]
        return Event(user: users[Int(page.users[k])], item: items[Int(page.items[k])], action: page.actions[k],
                     timestamp: page.timestamps[k], value: page.values[k], attributes: set > 0 ? sets[Int(set) - 1] : nil)
    }
}

/// Numbers `Event`s into pages: for logs written before names were numbered (formats 1 and
/// 2) and for events held in memory (tests).
///
/// - Complexity: one hash lookup per name and attribute set.
package struct EventNumbering: Sendable {
    package private(set) var names = LoggedEventNames(space: EventKeys.newSpace())
    private var userNumbers: [String: Int32] = [:]
    private var itemNumbers: [String: Int32] = [:]
    private var setNumbers: [ItemAttributes: Int32] = [:]

    package init() {}

    /// Appends `event` at `position` to `page`, numbering its names when new.
    package mutating func append(_ event: Event, at position: Int64, to page: inout LoggedEventPage) {
        let user = Self.number(event.user, in: &userNumbers, list: &names.users)
        let item = Self.number(event.item, in: &itemNumbers, list: &names.items)
        var set: Int32 = 0
        if let attributes = event.attributes {
            if let n = setNumbers[attributes] {
                set = n
            } else {
                names.sets.append(attributes)
                set = Int32(names.sets.count)
                setNumbers[attributes] = set
            }
        }
        page.append(position: position, action: event.action, timestamp: event.timestamp, value: event.value, user: user, item: item, set: set)
    }

    private static func number(_ name: String, in numbers: inout [String: Int32], list: inout [String]) -> Int32 {
        if let n = numbers[name] { return n }
        let n = Int32(list.count)
        list.append(name)
        numbers[name] = n
        return n
    }
}
