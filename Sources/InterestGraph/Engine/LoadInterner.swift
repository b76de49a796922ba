/// A file load's names (users, items) to dense ids, in a hash table whose slot for a name
/// can be asked for before the name is interned.
///
/// Why not a `[String: Int32]` (``Interner``): at a million users its lookup is two or three
/// misses (the bucket's word, the key, the value, in separate arrays) that nothing can ask
/// for ahead, and the reading thread of a large replay spent a third of its time there
/// (perf, `_RawDictionaryStorage.find` and its callers). Here a slot holds the name itself,
/// its id and its hash on one 32-byte half line, so a lookup is one line, and
/// ``prefetch(hash:)`` asks for it while earlier rows are interned
/// (``CompactEvents/Builder`` interns each row a few rows after it arrives).
///
/// Names compare as strings (a short id, up to 15 bytes, compares as two words): two names
/// get one id exactly when they are equal.
struct LoadInterner: Sendable {
    /// One slot: empty while `id < 0`. 32 bytes, so no slot straddles two cache lines.
    private struct Slot: Sendable {
        var name = ""
        var id: Int32 = -1
        var hash: UInt32 = 0
        var padding: UInt64 = 0
    }

    /// Names by id, in order of first meeting.
    private(set) var names: [String] = []
    private var slots: [Slot] = Array(repeating: Slot(), count: 16)
    private var mask = 15

    var count: Int { names.count }

    /// The name of `id`.
    func name(_ id: Int32) -> String { names[Int(id)] }

    /// The hash the table files `name` under: Swift's own string hash (seeded per process,
    /// like a `Dictionary`'s), so names that are equal as strings, canonically equivalent
    /// spellings included, hash alike and get one id, as in ``Interner``.
    /// - Complexity: O(length of the name).
    @inline(__always)
    static func hash(_ name: String) -> UInt64 {
        UInt64(bitPattern: Int64(name.hashValue))
    }

    /// Asks the cache for the slot a name of this hash is looked up at first.
    /// - Complexity: O(1), one hint.
    @inline(__always)
    func prefetch(hash: UInt64) {
        Prefetch.readElement(of: slots, at: Int(truncatingIfNeeded: hash) & mask)
    }

    /// The id of `name` (whose ``hash(_:)`` is `hash`), added when new.
    /// - Complexity: O(1) expected; the table doubles when half full (O(count) then).
    @inline(__always)
    mutating func intern(_ name: String, hash: UInt64) -> (id: Int32, isNew: Bool) {
        let short = UInt32(truncatingIfNeeded: hash >> 32)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.id < 0 { break }
            if slot.hash == short, slot.name == name { return (slot.id, false) }
            index = (index + 1) & mask
        }
        let id = Int32(names.count)
        names.append(name)
        slots[index] = Slot(name: name, id: id, hash: short)
        if names.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// `intern(name, hash: hash(name))`.
    mutating func intern(_ name: String) -> (id: Int32, isNew: Bool) {
        intern(name, hash: Self.hash(name))
    }

    /// Doubles the table and files every name again.
    private mutating func grow() {
        let capacity = slots.count * 2
        var grown = [Slot](repeating: Slot(), count: capacity)
        let newMask = capacity - 1
        for (k, name) in names.enumerated() {
            let hash = Self.hash(name)
            var index = Int(truncatingIfNeeded: hash) & newMask
            while grown[index].id >= 0 { index = (index + 1) & newMask }
            grown[index] = Slot(name: name, id: Int32(k), hash: UInt32(truncatingIfNeeded: hash >> 32))
        }
        slots = grown
        mask = newMask
    }
}
