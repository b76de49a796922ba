import Foundation

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
    /// One slot: empty while `id < 0`. 32 bytes, so no slot straddles two cache lines. The
    /// whole hash is kept so that doubling the table files names again without hashing them
    /// (at a million users, rehashing them at each doubling was 3% of the reading thread).
    private struct Slot: Sendable {
        var name = ""
        var id: Int32 = -1
        var padding: UInt32 = 0
        var hash: UInt64 = 0
    }

    /// Names by id, in order of first meeting.
    private(set) var names: [String] = []
    private var slots: [Slot] = Array(repeating: Slot(), count: 16)
    private var mask = 15

    var count: Int { names.count }

    /// The name of `id`.
    func name(_ id: Int32) -> String { names[Int(id)] }

    /// The hash the table files `name` under: ``LoaderHash`` of its UTF-8 bytes when they are
    /// ASCII (nearly every id: a few nanoseconds, where Swift's string hash was 5% of a large
    /// replay's reading thread), else of its canonical composition (NFC), so that names equal
    /// as strings, canonically equivalent spellings included (`"caf\u{E9}"`, `"cafe\u{301}"`;
    /// the Kelvin sign and `K`), hash alike and get one id, as in ``Interner``.
    /// - Complexity: O(length of the name).
    @inline(__always)
    static func hash(_ name: String) -> UInt64 {
        let ascii = name.utf8.withContiguousStorageIfAvailable { bytes -> UInt64? in
            for byte in bytes where byte >= 0x80 { return nil }
            return LoaderHash.hash(UnsafeRawBufferPointer(bytes))
        }
        if let ascii, let hash = ascii { return hash }
        var composed = name.precomposedStringWithCanonicalMapping
        return composed.withUTF8 { LoaderHash.hash(UnsafeRawBufferPointer($0)) }
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
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.id < 0 { break }
            if slot.hash == hash, slot.name == name { return (slot.id, false) }
            index = (index + 1) & mask
        }
        let id = Int32(names.count)
        names.append(name)
        slots[index] = Slot(name: name, id: id, hash: hash)
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
        for slot in slots where slot.id >= 0 {
            var index = Int(truncatingIfNeeded: slot.hash) & newMask
            while grown[index].id >= 0 { index = (index + 1) & newMask }
            grown[index] = slot
        }
        slots = grown
        mask = newMask
    }
}
