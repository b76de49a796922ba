#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// An open-addressing hash map from a user-item key (`user << 32 | item`) to an edge id.
///
/// Replaces `[UInt64: Int32]` on the ingest hot path: Fibonacci hashing instead of seeded
/// SipHash, key and value in one 16-byte slot so a lookup touches one cache line, linear
/// probing, and backward-shift deletion so removals leave no tombstones. The load factor stays
/// at or below 1/2, so a probe sequence is short (about 1.5 slots for a hit).
///
/// **Growth without a pause.** At a million users the table reaches 64 M slots (1 GiB), and
/// doubling it at once (filling the new table, then rehashing every key) stopped the engine
/// thread for seconds in the middle of a replay: the dashboard froze and perf put a tenth
/// of the late replay on the new table's page faults. So a full table is drained, not copied:
/// the new table comes from `calloc` (an empty slot is all-zero bytes, stored keys are
/// complemented, so a fresh mapping is an empty table with nothing written), a background
/// job asks the kernel to fault its pages in on the other core (`MADV_POPULATE_WRITE`), and
/// every insert moves the next ``migrationStride`` slots of the old table across. Inserts go
/// to the new table; lookups try the new table, then the old one's unmoved part. The old
/// table is never reshuffled while it drains (a removal there leaves a tombstone), so "slot
/// index below the drain point" means "already moved", exactly. Draining `S` slots takes `S /
/// migrationStride` inserts, well before the new table (of `2 S` slots) is half full again
/// after `S / 2` more. Results never depend on where a drain stands (tests compare with a
/// dictionary through several growths).
struct EdgeIndex: Sendable {
    /// One slot: `stored` is the key's complement (`0`: empty, `1`: removed while draining).
    fileprivate struct Slot {
        var stored: UInt64
        var value: Int32
    }

    /// A power-of-two array of slots in zeroed memory, shared between copies of the index
    /// until one writes (copy on write, as `Array`).
    ///
    /// @unchecked Sendable: the slots are written only through a uniquely referenced table
    /// (``EdgeIndex/makeUnique()``); shared tables are only read.
    fileprivate final class Table: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Slot>
        let count: Int

        /// `count` empty slots. `calloc` hands out a fresh mapping's zero pages as they are,
        /// so a table of a gigabyte costs nothing until its lines are used.
        init(count: Int) {
            self.count = count
            guard let raw = calloc(count, MemoryLayout<Slot>.stride) else { fatalError("EdgeIndex: out of memory for \(count) slots") }
            slots = raw.bindMemory(to: Slot.self, capacity: count)
        }

        func copy() -> Table {
            let table = Table(count: count)
            table.slots.update(from: slots, count: count)
            return table
        }

        /// Asks the kernel, on another thread, to fault the table's pages in (zeroed, as they
        /// are): the first inserts into a new table of hundreds of megabytes would otherwise
        /// take each page fault on the engine thread. A hint: contents never change, and a
        /// range freed meanwhile only makes the call fail.
        func populateInBackground() {
            #if os(Linux)
            let bytes = count * MemoryLayout<Slot>.stride
            guard bytes >= 4 << 20 else { return }
            let address = UInt(bitPattern: slots)
            DispatchQueue.global(qos: .utility).async {
                // Whole pages inside the block only: its first and last pages may hold
                // other allocations, which populating would not harm but need not touch.
                let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
                let start = (address + page - 1) & ~(page - 1)
                let end = (address + UInt(bytes)) & ~(page - 1)
                guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
                // MADV_POPULATE_WRITE (Linux 5.14); older kernels say EINVAL and nothing happens.
                _ = madvise(pointer, Int(end - start), 23)
            }
            #endif
        }

        deinit { free(slots) }
    }

    /// Slots of the old table moved per insert while it drains.
    static let migrationStride = 8
    /// A slot emptied while its table drains: probes go on past it, the drain skips it.
    private static let removed: UInt64 = 1

    private var table: Table
    private var shift: UInt64
    /// The table being drained into `table`, or `nil`.
    private var old: Table?
    private var oldShift: UInt64 = 0
    /// Slots of `old` below this index have been moved.
    private var drained = 0
    /// Keys held, in both tables.
    private(set) var count = 0

    init() {
        table = Table(count: 16)
        shift = 64 - 4
    }

    @inline(__always)
    private static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Where `key` is in `table`, or where it would go (the end of its probe run).
    @inline(__always)
    private func probe(_ key: UInt64) -> (index: Int, found: Bool) {
        let s = table.slots, mask = table.count - 1, stored = ~key
        var i = Self.home(key, shift)
        while true {
            let k = s[i].stored
            if k == stored { return (i, true) }
            if k == 0 { return (i, false) }
            i = (i + 1) & mask
        }
    }

    /// Where `key` is in the unmoved part of `old`, if anywhere.
    @inline(__always)
    private func probeOld(_ key: UInt64) -> Int? {
        guard let old else { return nil }
        let s = old.slots, mask = old.count - 1, stored = ~key
        var i = Self.home(key, oldShift)
        while true {
            let k = s[i].stored
            if k == 0 { return nil }
            // A slot below the drain point was moved: its key is found in `table` (or was
            // removed there since), so it no longer counts here.
            if k == stored, i >= drained { return i }
            i = (i + 1) & mask
        }
    }

    /// The edge for `key`, or `nil`.
    /// - Complexity: O(1) expected (two probes while a table drains).
    @inline(__always)
    subscript(key: UInt64) -> Int32? {
        get {
            let (i, found) = probe(key)
            if found { return table.slots[i].value }
            if let j = probeOld(key) { return old!.slots[j].value }
            return nil
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
    /// - Complexity: O(1) amortised, and O(1) for every call (no call rehashes the table).
    @inline(__always)
    mutating func valueOrInsert(_ key: UInt64, _ value: Int32) -> Int32? {
        insertIfAbsent(key, value, overwrite: false)
    }

    @inline(__always)
    private mutating func insertIfAbsent(_ key: UInt64, _ value: Int32, overwrite: Bool) -> Int32? {
        makeUnique()
        if old != nil {
            drainStep()
        } else if (count + 1) * 2 > table.count {
            startGrowing(to: table.count * 2)
        }
        let (i, found) = probe(key)
        if found {
            let existing = table.slots[i].value
            if overwrite { table.slots[i].value = value }
            return existing
        }
        if let j = probeOld(key) {
            let existing = old!.slots[j].value
            if overwrite { old!.slots[j].value = value }
            return existing
        }
        table.slots[i] = Slot(stored: ~key, value: value)
        count += 1
        return nil
    }

    /// Removes `key`, shifting later members of its probe run back so lookups stay exact
    /// (in the draining table: a tombstone, so its unmoved part keeps its places).
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> Int32? {
        makeUnique()
        let (i, found) = probe(key)
        guard found else {
            guard let j = probeOld(key) else { return nil }
            let removedValue = old!.slots[j].value
            old!.slots[j] = Slot(stored: Self.removed, value: 0)
            count -= 1
            return removedValue
        }
        let s = table.slots, mask = table.count - 1
        let removedValue = s[i].value
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let k = s[j].stored
            if k == 0 { break }
            let ideal = Self.home(~k, shift)
            // Move the entry back unless its home lies cyclically in (hole, j].
            let inRange = hole <= j ? (ideal > hole && ideal <= j) : (ideal > hole || ideal <= j)
            if !inRange {
                s[hole] = s[j]
                hole = j
            }
        }
        s[hole] = Slot(stored: 0, value: 0)
        count -= 1
        return removedValue
    }

    /// Makes room for `n` keys without growing again (finishing any drain first).
    mutating func reserveCapacity(_ n: Int) {
        makeUnique()
        var size = table.count
        while n * 2 > size { size *= 2 }
        guard size > table.count else { return }
        while old != nil { drainStep() }
        startGrowing(to: size)
        while old != nil { drainStep() }
    }

    /// Starts draining the current table into a new one of `size` slots.
    private mutating func startGrowing(to size: Int) {
        old = table
        oldShift = shift
        drained = 0
        table = Table(count: size)
        table.populateInBackground()
        shift = 64 - UInt64(size.trailingZeroBitCount)
    }

    /// Moves the next ``migrationStride`` slots of `old` into `table`; drops `old` once all
    /// are moved.
    @inline(__always)
    private mutating func drainStep() {
        guard let from = old else { return }
        let end = min(drained + Self.migrationStride, from.count)
        let s = table.slots, mask = table.count - 1
        for k in drained..<end {
            let slot = from.slots[k]
            guard slot.stored > Self.removed else { continue }
            // Never already in `table`: inserts look in the unmoved part of `old` first.
            var i = Self.home(~slot.stored, shift)
            while s[i].stored != 0 { i = (i + 1) & mask }
            s[i] = slot
        }
        drained = end
        if drained == from.count { old = nil }
    }

    /// Copies shared tables before a write (value semantics).
    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        if old != nil, !isKnownUniquelyReferenced(&old) { old = old!.copy() }
    }

    /// Approximate heap bytes held.
    var byteCount: Int { (table.count + (old?.count ?? 0)) * MemoryLayout<Slot>.stride }

    /// Whether an old table is still being drained (for tests).
    var isDraining: Bool { old != nil }
}
