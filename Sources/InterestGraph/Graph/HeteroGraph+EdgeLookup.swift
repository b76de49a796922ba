extension HeteroGraph {
    /// Up to this many edges a user's own edge list is the index; above it, `edgeIndex`.
    ///
    /// Most users have few edges, and during a session their list is in cache, so a short
    /// scan beats a probe into a table of millions of keys (a cache and TLB miss per event),
    /// and keeping light users out of the table spares its inserts and rehashes. Heavy users
    /// keep O(1) lookups through the table.
    ///
    /// Why 64: the scan compares 16 ids per instruction (``firstIndex(of:in:)``), so 64 ids
    /// (four lines, contiguous) cost about what one probe does, and on the large shop the
    /// table then holds the 168 k edges of 2.3 k users instead of the 9.7 M edges of the 350 k
    /// users above 16: its doublings were 6% of the replay's CPU, mostly the kernel zeroing
    /// their fresh pages (docs/BENCHMARKS.md, "Batches drawn in passes").
    static let scanDegree = 64

    @inline(__always)
    static func edgeKey(user: Int32, item: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))
    }

    /// The live edge between a user and an item, if any.
    /// - Complexity: O(min(degree, ``scanDegree``)), O(1) expected for heavy users.
    @inline(__always)
    public func edgeID(user: Int32, item: Int32) -> Int32? {
        let u = Int(user)
        guard u >= 0, u < userEdges.count else { return nil }
        let at = userItems.withUnsafeBufferPointer { lists -> Int? in
            lists[u].withUnsafeBufferPointer { items -> Int? in
                guard items.count <= Self.scanDegree else { return -1 }
                return Self.firstIndex(of: item, in: items)
            }
        }
        guard let at else { return nil }
        if at < 0 { return edgeIndex[Self.edgeKey(user: user, item: item)] }
        return userEdges.withUnsafeBufferPointer { lists in lists[u].withUnsafeBufferPointer { $0[at] } }
    }

    /// The first position of `item` in `items`, sixteen ids per comparison.
    /// - Complexity: O(count / 16).
    @inline(__always)
    static func firstIndex(of item: Int32, in items: UnsafeBufferPointer<Int32>) -> Int? {
        guard let base = items.baseAddress else { return nil }
        let count = items.count
        let target = SIMD16<Int32>(repeating: item)
        var k = 0
        while k + 16 <= count {
            let found = UnsafeRawPointer(base + k).loadUnaligned(as: SIMD16<Int32>.self) .== target
            if any(found) {
                for lane in 0..<16 where found[lane] { return k + lane }
            }
            k += 16
        }
        while k < count {
            if base[k] == item { return k }
            k += 1
        }
        return nil
    }

    /// Adds a just-created edge to `edgeIndex` once its user is heavy, moving the user's whole
    /// list into the table when it first crosses ``scanDegree``.
    @inline(__always)
    mutating func indexNewEdge(_ edge: Int32, user: Int32, item: Int32) {
        let degree = userEdges[Int(user)].count
        guard degree > Self.scanDegree else { return }
        if degree == Self.scanDegree + 1 {
            for (e, i) in zip(userEdges[Int(user)], userItems[Int(user)]) { edgeIndex[Self.edgeKey(user: user, item: i)] = e }
        } else {
            edgeIndex[Self.edgeKey(user: user, item: item)] = edge
        }
    }
}
