/// An open-addressing hash map from a user-item key (`user << 32 | item`) to an edge id.
///
/// Replaces `[UInt64: Int32]` on the ingest hot path: Fibonacci hashing instead of seeded
/// SipHash, key and value in one 16-byte slot so a lookup touches one cache line, linear
/// probing, and backward-shift deletion so removals leave no tombstones. The load factor stays
/// at or below 1/2, so a probe sequence is short (about 1.5 slots for a hit).
struct EdgeIndex: Sendable {
    private struct Slot: Sendable {
        var key: UInt64
        var value: Int32
    }

    /// No valid key has both halves at `UInt32.max` (ids are non-negative `Int32`s).
    private static let empty = UInt64.max

    private var slots: [Slot]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        slots = Array(repeating: Slot(key: Self.empty, value: 0), count: 16)
        shift = 64 - 4
    }

    private var mask: Int { slots.count - 1 }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The edge for `key`, or `nil`.
    /// - Complexity: O(1) expected.
    @inline(__always)
    subscript(key: UInt64) -> Int32? {
        get {
            slots.withUnsafeBufferPointer { s in
                var i = home(key)
                let mask = s.count - 1
                while true {
                    let k = s[i].key
                    if k == key { return s[i].value }
                    if k == Self.empty { return nil }
                    i = (i + 1) & mask
                }
            }
        }
        set {
            if let newValue {
                _ = insertIfAbsent(key, newValue, overwrite: true)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Looks `key` up and, when absent, inserts `value` in the same probe.
    /// - Returns: the existing value, or `nil` when `value` was inserted.
    /// - Complexity: O(1) amortised.
    @inline(__always)
    mutating func valueOrInsert(_ key: UInt64, _ value: Int32) -> Int32? {
        insertIfAbsent(key, value, overwrite: false)
    }

    @inline(__always)
    private mutating func insertIfAbsent(_ key: UInt64, _ value: Int32, overwrite: Bool) -> Int32? {
        if (count + 1) * 2 > slots.count { grow(to: slots.count * 2) }
        let start = home(key)
        let (found, existing) = slots.withUnsafeMutableBufferPointer { s -> (Bool, Int32) in
            var i = start
            let mask = s.count - 1
            while true {
                let k = s[i].key
                if k == key {
                    let old = s[i].value
                    if overwrite { s[i].value = value }
                    return (true, old)
                }
                if k == Self.empty {
                    s[i] = Slot(key: key, value: value)
                    return (false, 0)
                }
                i = (i + 1) & mask
            }
        }
        if found { return existing }
        count += 1
        return nil
    }

    /// Removes `key`, shifting later members of its probe run back so lookups stay exact.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> Int32? {
        let mask = self.mask
        var i = home(key)
        while true {
            let k = slots[i].key
            if k == Self.empty { return nil }
            if k == key { break }
            i = (i + 1) & mask
        }
        let removed = slots[i].value
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let k = slots[j].key
            if k == Self.empty { break }
            let ideal = home(k)
            // Move the entry back unless its home lies cyclically in (hole, j].
            let inRange = hole <= j ? (ideal > hole && ideal <= j) : (ideal > hole || ideal <= j)
            if !inRange {
                slots[hole] = slots[j]
                hole = j
            }
        }
        slots[hole] = Slot(key: Self.empty, value: 0)
        count -= 1
        return removed
    }

    /// Makes room for `n` keys without rehashing.
    mutating func reserveCapacity(_ n: Int) {
        var size = slots.count
        while n * 2 > size { size *= 2 }
        if size > slots.count { grow(to: size) }
    }

    private mutating func grow(to size: Int) {
        let old = slots
        slots = Array(repeating: Slot(key: Self.empty, value: 0), count: size)
        shift = 64 - UInt64(size.trailingZeroBitCount)
        let shift = self.shift
        slots.withUnsafeMutableBufferPointer { s in
            let mask = size - 1
            for slot in old where slot.key != Self.empty {
                var i = Int(truncatingIfNeeded: (slot.key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                while s[i].key != Self.empty { i = (i + 1) & mask }
                s[i] = slot
            }
        }
    }

    /// Approximate heap bytes held.
    var byteCount: Int { slots.count * MemoryLayout<Slot>.stride }
}
