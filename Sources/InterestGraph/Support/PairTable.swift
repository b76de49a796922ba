/// An open-addressing hash map from a pair of dense ids to an `Int32`, for the co-occurrence
/// index's hot path.
///
/// Linear probing over a power-of-two table with a multiplicative (Fibonacci) hash: one
/// multiply and usually one cache line per lookup, several times cheaper than `Dictionary`
/// with its per-process seeded SipHash. Grows at half load; entries are never removed one
/// by one (rows are replaced wholesale with ``removeAll(keepingCapacity:)`` semantics).
struct PairTable: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// The value stored for `(a, b)`, if any.
    /// - Complexity: O(1) expected.
    @inline(__always)
    func value(_ a: Int32, _ b: Int32) -> Int32? {
        let key = Self.key(a, b)
        var s = slot(for: key)
        return keys.withUnsafeBufferPointer { k in
            while true {
                let stored = k[s]
                if stored == key { return values[s] }
                if stored == Self.empty { return nil }
                s = (s &+ 1) & mask
            }
        }
    }

    /// Stores `value` for `(a, b)`, replacing any previous value.
    /// - Complexity: O(1) expected, amortised over growth.
    @inline(__always)
    mutating func set(_ a: Int32, _ b: Int32, _ value: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(a, b)
        var s = slot(for: key)
        while true {
            let stored = keys[s]
            if stored == key {
                values[s] = value
                return
            }
            if stored == Self.empty {
                keys[s] = key
                values[s] = value
                count += 1
                return
            }
            s = (s &+ 1) & mask
        }
    }

    /// Removes `(a, b)` (backward-shift deletion keeps probe chains intact).
    mutating func remove(_ a: Int32, _ b: Int32) {
        let key = Self.key(a, b)
        var s = slot(for: key)
        while keys[s] != key {
            if keys[s] == Self.empty { return }
            s = (s &+ 1) & mask
        }
        var hole = s
        var next = (hole &+ 1) & mask
        while keys[next] != Self.empty {
            let home = slot(for: keys[next])
            // Move the entry back if its home is not in the (cyclic) range (hole, next].
            let distanceToNext = (next &- home) & mask
            let distanceToHole = (next &- hole) & mask
            if distanceToNext >= distanceToHole {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next &+ 1) & mask
        }
        keys[hole] = Self.empty
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for k in oldKeys.indices where oldKeys[k] != Self.empty {
            let key = oldKeys[k]
            var s = slot(for: key)
            while keys[s] != Self.empty { s = (s &+ 1) & mask }
            keys[s] = key
            values[s] = oldValues[k]
            count += 1
        }
    }
}
