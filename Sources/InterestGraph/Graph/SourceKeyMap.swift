/// A source's dense keys (``EventKeys``) mapped to this graph's user and item ids: an array
/// lookup per event where ``HeteroGraph/apply(_:)`` hashes two strings.
///
/// A cache, never the truth: an entry is used only while the graph's interner still holds the
/// event's name at that id (``Interner/holds(_:at:)``; the strings are shared with the
/// source's tables, so the check is usually one word compare). A forgotten user, a delisted
/// item or a graph rebuilt from scratch therefore falls back to the hash lookup and the entry
/// is refreshed, and an engine that keeps one map over graphs that come and go stays exact.
///
/// - Complexity: 4 bytes per source user and per source item key seen.
package struct SourceKeyMap: Sendable {
    /// The key space the entries belong to (0: none yet).
    private(set) var space: UInt32 = 0
    /// Source user key -> graph user id, -1 when unknown.
    private(set) var users: [Int32] = []
    /// Source item key -> graph item id, -1 when unknown.
    private(set) var items: [Int32] = []

    package init() {}

    /// Starts over for another source's keys (a map holds one space at a time).
    mutating func adopt(_ space: UInt32) {
        guard space != self.space else { return }
        self = SourceKeyMap()
        self.space = space
    }

    @inline(__always)
    func user(_ key: Int32) -> Int32 { Int(key) < users.count && key >= 0 ? users[Int(key)] : -1 }

    @inline(__always)
    func item(_ key: Int32) -> Int32 { Int(key) < items.count && key >= 0 ? items[Int(key)] : -1 }

    /// Asks for the entries of a user key and an item key (a hint, some events before they
    /// are read: at a million users the user table is 4 MB, and each read a miss).
    /// - Complexity: O(1), two hints.
    @inline(__always)
    func prefetch(user: Int32, item: Int32) {
        Prefetch.readElement(of: users, at: Int(user))
        Prefetch.readElement(of: items, at: Int(item))
    }

    mutating func setUser(_ key: Int32, _ id: Int32) { Self.set(&users, key, id) }

    mutating func setItem(_ key: Int32, _ id: Int32) { Self.set(&items, key, id) }

    /// - Complexity: O(1) amortised (the table doubles).
    private static func set(_ table: inout [Int32], _ key: Int32, _ id: Int32) {
        let k = Int(key)
        guard k >= 0 else { return }
        if k >= table.count { table.append(contentsOf: repeatElement(-1, count: max(k + 1 - table.count, table.count))) }
        table[k] = id
    }
}
