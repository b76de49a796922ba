/// Item attributes already parsed, by the bytes of the row fields they came from.
///
/// Why: rows of one item repeat its attributes (`Home/Bath,Kesdera,75.99` on every view of
/// it), and parsing them again per row (splitting the category list, a `String` per part,
/// the brand, the price) and then comparing the result with the item's last set field by
/// field was a third of the delimited reader's time on `large.csv` (perf: 23 M rows, 100 k
/// items). Equal bytes parse to equal attributes, so a hit hands back the value parsed the
/// first time, sharing its category list; the graph's and loaders' comparisons of sets then
/// see the same list storage and stop at once.
///
/// A cache, not a table of record: it holds at most ``maxEntries`` keys of up to
/// ``maxKeyBytes`` bytes (a longer key is parsed per row). When full it empties in place if
/// rows found their sets in it at least as often as they added one, and otherwise stops for
/// the rest of the read (``isDisabled``): a file whose rows rarely repeat their attributes
/// (a price per purchase) pays for one filling, not for a table refilled forever. Keys are
/// compared byte for byte, never by hash alone.
///
/// **One list per distinct list.** Items share category lists (100 k items, 1,000 leaf
/// paths in the `large` scenario): the cache hands out one stored list per distinct list and
/// one brand string per distinct brand, so the retain each row's event makes lands on one of
/// a thousand hot objects, not one of a hundred thousand cold ones (perf: that retain missed
/// and was 9% of the reading thread; the engine retains the same lists when it replays).
///
/// **Sets by id.** Each set filed gets an id (1, 2, ... in filing order, never reused while
/// the cache lives, across emptyings; 0 is "no attributes"), in the cache's own ``space``:
/// the columnar stores (``CompactEvents/Builder``) take rows by that id, so a row whose set
/// was found hands over four bytes instead of retaining and releasing its list and brand,
/// and the store maps the id to its own table once per id instead of comparing sets per row.
///
/// Layout: open addressing over slots of eight words (one cache line): the first holds the
/// key's hash above its length, the other seven its bytes, zero-padded; the parsed value and
/// its id sit at the same index of parallel arrays. A lookup costs one line of keys and one value.
struct RowAttributeCache: Sendable {
    /// Key bytes a slot holds (seven words).
    static let maxKeyBytes = 56
    /// Keys held before the cache starts over (a quarter of a million item attribute sets).
    static let maxEntries = 1 << 18
    /// The byte between a key's fields: a control character, which no accepted row holds.
    static let fieldSeparator: UInt8 = 0x1F

    private static let wordsPerSlot = 8
    private var words: [UInt64] = []
    private var values: [ItemAttributes?] = []
    private var ids: [Int32] = []
    private var mask = -1
    /// The id the next set filed gets.
    private var nextID: Int32 = 1
    /// The id space of this cache's sets (``EventKeys/newSpace()``): a store that takes rows
    /// from two readers never mixes their ids.
    private(set) var space = EventKeys.newSpace()
    private(set) var count = 0
    /// Lookups that found their key since the cache last emptied.
    private var hits = 0
    /// Set when a full cache had been hit less often than filled: no more keys are kept.
    private(set) var isDisabled = false
    /// The stored category lists and brands, by value.
    private var lists: [[String]: [String]] = [:]
    private var brands: [String: String] = [:]

    /// The attributes cached for `key`'s fields, or `.none` when they were not seen (or do
    /// not fit a slot).
    /// - Complexity: O(key bytes), one slot line and one value expected.
    @inline(__always)
    mutating func attributes(for key: Key) -> ItemAttributes?? {
        guard let slot = slot(of: key) else { return .none }
        return .some(values[slot])
    }

    /// The id of the set at `slot` (0: the rows had none).
    @inline(__always)
    func setID(atSlot slot: Int) -> Int32 { ids[slot] }

    /// The set at `slot`.
    @inline(__always)
    func attributes(atSlot slot: Int) -> ItemAttributes? { values[slot] }

    /// The slot holding `key`'s fields, counting the hit; `nil` when they were not seen (or
    /// do not fit a slot). Valid until the next ``insert(_:for:)``.
    /// - Complexity: O(key bytes), one slot line expected.
    @inline(__always)
    mutating func slot(of key: Key) -> Int? {
        guard key.fits, mask >= 0 else { return nil }
        let found = words.withUnsafeBufferPointer { table -> Int? in
            var slot = key.slot & mask
            while true {
                let base = slot * Self.wordsPerSlot
                let head = table[base]
                if head == 0 { return nil }
                if head == key.head, key.matches(table, at: base + 1) { return slot }
                slot = (slot + 1) & mask
            }
        }
        guard let found else { return nil }
        hits += 1
        return found
    }

    /// Remembers `attributes` as what `key`'s bytes parse to, and returns the value later
    /// lookups will hand out (its list and brand the stored ones): the row that parsed them
    /// must carry the same, or every later row's set would compare unequal by storage and
    /// fall back to comparing the strings (perf: 14% of the reading thread on the `large`
    /// scenario's long category paths); and the set's id, 0 for no attributes or when the
    /// key is not kept (too long, or the cache stopped).
    /// - Complexity: O(key bytes) amortised; the table doubles at half full and empties (or
    ///   stops) past ``maxEntries``.
    @discardableResult
    mutating func insert(_ attributes: ItemAttributes?, for key: Key) -> (id: Int32, attributes: ItemAttributes?) {
        guard key.fits, !isDisabled else { return (0, attributes) }
        if count >= Self.maxEntries {
            guard hits >= count else {
                stop()
                return (0, attributes)
            }
            empty()
        }
        let attributes = attributes.map { shared($0) }
        var id: Int32 = 0
        if attributes != nil {
            id = nextID
            nextID += 1
        }
        if (count + 1) * 2 > mask + 1 { grow() }
        words.withUnsafeMutableBufferPointer { table in
            var slot = key.slot & mask
            while table[slot * Self.wordsPerSlot] != 0 { slot = (slot + 1) & mask }
            key.store(into: table, at: slot * Self.wordsPerSlot)
            values[slot] = attributes
            ids[slot] = id
        }
        count += 1
        return (id, attributes)
    }

    /// Keeps no more keys for the rest of the read, and lets their memory go; ids handed out
    /// stay unique (the space and the next id are kept).
    private mutating func stop() {
        words = []
        values = []
        ids = []
        mask = -1
        lists = [:]
        brands = [:]
        count = 0
        hits = 0
        isDisabled = true
    }

    /// Forgets every key, keeping the table's memory (no fresh pages to fault in again).
    private mutating func empty() {
        words.withUnsafeMutableBufferPointer { table in
            for k in table.indices { table[k] = 0 }
        }
        for k in values.indices { values[k] = nil }
        for k in ids.indices { ids[k] = 0 }
        lists.removeAll(keepingCapacity: true)
        brands.removeAll(keepingCapacity: true)
        count = 0
        hits = 0
    }

    /// `attributes` with its category list and brand replaced by the stored equal ones.
    private mutating func shared(_ attributes: ItemAttributes) -> ItemAttributes {
        var result = attributes
        if !result.categories.isEmpty {
            if let known = lists[result.categories] {
                result.categories = known
            } else {
                lists[result.categories] = result.categories
            }
        }
        if let brand = result.brand {
            if let known = brands[brand] {
                result.brand = known
            } else {
                brands[brand] = brand
            }
        }
        return result
    }

    private mutating func grow() {
        let capacity = max(1024, (mask + 1) * 2)
        var grown = [UInt64](repeating: 0, count: capacity * Self.wordsPerSlot)
        var grownValues = [ItemAttributes?](repeating: nil, count: capacity)
        var grownIDs = [Int32](repeating: 0, count: capacity)
        let newMask = capacity - 1
        for slot in 0...max(0, mask) where mask >= 0 {
            let base = slot * Self.wordsPerSlot
            let head = words[base]
            guard head != 0 else { continue }
            var target = Int(truncatingIfNeeded: head >> 8) & newMask
            while grown[target * Self.wordsPerSlot] != 0 { target = (target + 1) & newMask }
            for k in 0..<Self.wordsPerSlot { grown[target * Self.wordsPerSlot + k] = words[base + k] }
            grownValues[target] = values[slot]
            grownIDs[target] = ids[slot]
        }
        words = grown
        values = grownValues
        ids = grownIDs
        mask = newMask
    }

    /// A row's attribute fields as one key: their bytes joined with ``fieldSeparator`` in
    /// seven words, and its hash. Built on the stack, once per row.
    struct Key {
        /// The hash (with its low byte replaced by the length + 1, so never 0).
        fileprivate(set) var head: UInt64 = 0
        fileprivate var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
        /// Where the key's probe starts (the hash above the length byte), before masking.
        fileprivate var slot: Int { Int(truncatingIfNeeded: head >> 8) }
        /// Whether the joined fields fit ``maxKeyBytes``.
        private(set) var fits = true

        /// The key of up to three fields (an absent column is an empty field).
        init(_ first: FieldBytes, _ second: FieldBytes, _ third: FieldBytes) {
            let length = first.count + second.count + third.count + 2
            guard length <= RowAttributeCache.maxKeyBytes else {
                fits = false
                return
            }
            withUnsafeMutableBytes(of: &bytes) { out in
                let base = out.baseAddress!
                var at = 0
                @inline(__always) func append(_ part: FieldBytes) {
                    if let start = part.baseAddress, part.count > 0 {
                        base.advanced(by: at).copyMemory(from: start, byteCount: part.count)
                        at += part.count
                    }
                }
                append(first)
                out[at] = RowAttributeCache.fieldSeparator
                at += 1
                append(second)
                out[at] = RowAttributeCache.fieldSeparator
                at += 1
                append(third)
            }
            let hash = withUnsafeBytes(of: bytes) { LoaderHash.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            head = (hash & ~0xFF) | UInt64(length + 1)
        }

        /// Whether `table[base ..< base + 7]` holds these bytes.
        @inline(__always)
        fileprivate func matches(_ table: UnsafeBufferPointer<UInt64>, at base: Int) -> Bool {
            table[base] == bytes.0 && table[base + 1] == bytes.1 && table[base + 2] == bytes.2 && table[base + 3] == bytes.3
                && table[base + 4] == bytes.4 && table[base + 5] == bytes.5 && table[base + 6] == bytes.6
        }

        fileprivate func store(into table: UnsafeMutableBufferPointer<UInt64>, at base: Int) {
            table[base] = head
            table[base + 1] = bytes.0
            table[base + 2] = bytes.1
            table[base + 3] = bytes.2
            table[base + 4] = bytes.3
            table[base + 5] = bytes.4
            table[base + 6] = bytes.5
            table[base + 7] = bytes.6
        }
    }
}
