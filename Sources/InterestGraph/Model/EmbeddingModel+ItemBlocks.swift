extension EmbeddingModel {
    /// Items per block of the transposed item table.
    static let blockRows = 16

    /// Rebuilds ``itemBlocks``, the final item table transposed in blocks of 16 items
    /// (`block[dimension][16]`), from ``finalItems``.
    ///
    /// Scoring all items against one query is then 16 dot products at a time with plain SIMD
    /// multiply-adds and no horizontal sums, which dominate the row-major kernel.
    /// - Complexity: O(items * dimension).
    mutating func rebuildItemBlocks() {
        let rows = finalItems.rows
        let blocks = (rows + Self.blockRows - 1) / Self.blockRows
        let count = blocks * Self.blockRows * stride
        if itemBlocks.count != count { itemBlocks = AlignedFloats(count: count) }
        // The norm bound restarts from the rows as they are now: it only ever grows between rebuilds.
        itemNormBound = 0
        for r in 0..<rows {
            markItemChanged(r)
            copyItemBlock(row: r)
        }
        // Every row was copied just now: nothing is pending any more.
        for r in pendingItemRows where Int(r) < itemRowIsPending.count { itemRowIsPending[Int(r)] = false }
        pendingItemRows.removeAll(keepingCapacity: true)
        // Every block changed: pack the screen now (O(items * d), like the copy above).
        refreshItemScreen()
        finalsStamp = ServingStamp.next()
    }

    /// Notes that item `r`'s final row changed: for other engines (``markItemChanged(_:)``;
    /// every change to an item row passes here), for the serving caches (a new
    /// ``finalsStamp``), and for ``itemBlocks``, which copies the row later, in
    /// ``flushItemBlocks()``, not now.
    ///
    /// Why later: the row's 64 dimensions are 64 cache lines of its transposed block, and
    /// writing them (and asking for them ahead) at every event kept the line-fill buffers
    /// full: the instructions after the block prefetch held a third of the engine's own
    /// samples in a full-speed replay of the large shop (docs/BENCHMARKS.md, "Item blocks
    /// copied when read"). Rows are copied when the engine serves or ranks (it flushes first),
    /// when the screen is packed, or once ``pendingItemRowLimit`` rows wait; a popular item
    /// changed by many events in between is copied once, and rows of one block together.
    /// Until then every reader of the blocks scores a pending row from ``finalItems`` exactly
    /// as the block kernel would (``scorePendingItemRows(query:rows:into:)``).
    /// - Complexity: O(1) amortised (O(``pendingItemRowLimit`` * dimension) when it flushes).
    @inline(__always)
    mutating func syncItemBlock(row r: Int) {
        markItemChanged(r)
        deferItemBlockCopy(row: r)
    }

    /// The block side of ``syncItemBlock(row:)``: a new ``finalsStamp`` and the row's copy
    /// into ``itemBlocks`` left for ``flushItemBlocks()``, without marking the row changed
    /// for other engines (a delta received from them, ``applyItemDelta(row:ego:)``).
    /// - Complexity: O(1) amortised.
    @inline(__always)
    mutating func deferItemBlockCopy(row r: Int) {
        finalsStamp = ServingStamp.next()
        // The row's block must exist for the kernels that scan every block (its lanes are
        // rescored from the row until the flush).
        let needed = (r / Self.blockRows + 1) * Self.blockRows * stride
        if itemBlocks.count < needed { itemBlocks.resize(to: needed) }
        if r >= itemRowIsPending.count {
            itemRowIsPending.append(contentsOf: repeatElement(false, count: max(r + 1, 2 * itemRowIsPending.count) - itemRowIsPending.count))
        }
        if !itemRowIsPending[r] {
            itemRowIsPending[r] = true
            pendingItemRows.append(Int32(r))
            if pendingItemRows.count >= Self.pendingItemRowLimit { flushItemBlocks() }
        }
    }

    /// Rows that may wait for ``flushItemBlocks()`` at most: bounds what a reader of an
    /// unflushed model rescores (about a millisecond) and the flags' traffic.
    ///
    /// Why this many: a flush writes 64 lines of every block that holds a waiting row, so
    /// its cost follows the blocks touched, not the rows. At 4,096 the two engines of the
    /// large shop's replay (100k items: 6,250 blocks) flushed several times a second from
    /// the online steps and the other engine's deltas alone, each flush spread over half the
    /// blocks; at 16,384 a flush covers most blocks once for four times the rows, and the
    /// replay ran 8% faster (docs/BENCHMARKS.md, "Rows wait longer for their blocks").
    /// 65,536 gained nothing more while the engine flushed before each prequential rank; since
    /// ranks score from the rows (``scoreFromRows(user:into:)``) only serving flushes (twice a
    /// second) and this limit, and at 65,536 the flushes' share of an engine thread fell from
    /// 4.8% to 2.2% (docs/BENCHMARKS.md, "Fewer lines per draw, ids across the item exchange,
    /// ranks from the rows"). A scan that finds rows waiting rescores them from their rows: at
    /// most 65,536 rows, 16 MB read, a few milliseconds.
    static let pendingItemRowLimit = 65536

    /// Copies every pending row (``syncItemBlock(row:)``) into ``itemBlocks``, in row order
    /// so rows of one block share its lines. The stamp stays: the rows' values did not change.
    /// - Complexity: O(pending rows * dimension).
    mutating func flushItemBlocks() {
        guard !pendingItemRows.isEmpty else { return }
        let stamp = finalsStamp
        pendingItemRows.sort()
        for r in pendingItemRows {
            itemRowIsPending[Int(r)] = false
            copyItemBlock(row: Int(r))
        }
        pendingItemRows.removeAll(keepingCapacity: true)
        finalsStamp = stamp
    }

    /// Whether ``itemBlocks`` holds every final item row as it is now.
    var itemBlocksAreCurrent: Bool { pendingItemRows.isEmpty }

    /// `out[r]` for every pending row `r < rows`, as ``scoreBlocks(_:dimension:stride:query:rows:into:)``
    /// computes it from a flushed block: sixteen pending rows at a time go into the lanes of
    /// a scratch block and the same kernel runs on it (lanes never mix, so each float result
    /// is the same bit for bit as from its own block, and a scan with rows pending costs
    /// one block per sixteen of them, not one each).
    /// - Complexity: O(pending rows * dimension).
    func scorePendingItemRows(query: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        guard !pendingItemRows.isEmpty else { return }
        let stride = self.stride, dimension = self.dimension, lanes = Self.blockRows
        withPendingScratch { scratch in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: lanes) { targets in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: lanes) { scores in
                    finalItems.storage.withUnsafeBufferPointer { source in
                        var filled = 0
                        func scoreFilled() {
                            Self.scoreBlocks(UnsafePointer(scratch), dimension: dimension, stride: stride, query: query, rows: filled, into: scores.baseAddress!)
                            for lane in 0..<filled { out[targets[lane]] = scores[lane] }
                            filled = 0
                        }
                        // Rows scattered over the table, each a miss: ask for them a few ahead.
                        let ahead = Self.pendingRowPrefetchDistance
                        for (k, r) in pendingItemRows.enumerated() where Int(r) < rows {
                            if k + ahead < pendingItemRows.count {
                                let next = Int(pendingItemRows[k + ahead])
                                if next < rows { Prefetch.read(source.baseAddress! + next * stride, count: stride) }
                            }
                            let row = source.baseAddress! + Int(r) * stride
                            for d in 0..<dimension { scratch[d * lanes + filled] = row[d] }
                            targets[filled] = Int(r)
                            filled += 1
                            if filled == lanes { scoreFilled() }
                        }
                        if filled > 0 { scoreFilled() }
                    }
                }
            }
        }
    }

    /// Pending rows ahead of the one being rescored whose lines are asked for.
    static let pendingRowPrefetchDistance = 8

    /// A zeroed scratch block (16 rows) for ``scorePendingRow(_:scratch:query:into:)``.
    func withPendingScratch(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        let count = Self.blockRows * stride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { scratch in
            let base = scratch.baseAddress!
            base.initialize(repeating: 0, count: count)
            body(base)
        }
    }

    /// Scores final item row `r` through lane 0 of `scratch` (see ``scorePendingItemRows(query:rows:into:)``).
    @inline(__always)
    func scorePendingRow(_ r: Int, scratch: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let stride = self.stride, dimension = self.dimension
        finalItems.storage.withUnsafeBufferPointer { source in
            let row = source.baseAddress! + r * stride
            for d in 0..<dimension { scratch[d * Self.blockRows] = row[d] }
        }
        Self.scoreBlocks(UnsafePointer(scratch), dimension: dimension, stride: stride, query: query, rows: 1, into: out)
    }

    /// Copies one item's final row into ``itemBlocks`` (growing it when the item is new).
    /// - Complexity: O(dimension).
    @inline(__always)
    mutating func copyItemBlock(row r: Int) {
        // Every change to a final item row comes through here, ``syncItemBlock(row:)`` or
        // rebuildItemBlocks (and the mutations of user rows and sessions run in the same
        // calls), so this one stamp invalidates the serving caches.
        finalsStamp = ServingStamp.next()
        let stride = self.stride
        let needed = (r / Self.blockRows + 1) * Self.blockRows * stride
        if itemBlocks.count < needed {
            itemBlocks.resize(to: needed)
        }
        let base = (r / Self.blockRows) * Self.blockRows * stride + r % Self.blockRows
        let dimension = self.dimension
        finalItems.storage.withUnsafeBufferPointer { source in
            itemBlocks.withUnsafeMutableBufferPointer { blocks in
                let row = source.baseAddress! + r * stride
                // Checked once: the resize above made the row's block (base - r % 16 ..< that
                // + 16 * stride) exist; unchecked, each of the 64 scattered stores is a store,
                // not a compare, a branch and an overflow check.
                precondition(base + (dimension - 1) * Self.blockRows < blocks.count && r < source.count / max(stride, 1))
                let out = blocks.baseAddress! + base
                for d in 0..<dimension { out[d * Self.blockRows] = row[d] }
            }
        }
        markScreenStale(block: r / Self.blockRows)
    }

    /// `out[r] = query · f_r` for the first `rows` items, from the transposed blocks.
    /// - Complexity: O(rows * dimension), SIMD16 multiply-adds only.
    @inline(__always)
    func scoreItemBlocks(query: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        itemBlocks.withUnsafeBufferPointer { blocks in
            guard let base = blocks.baseAddress else { return }
            Self.scoreBlocks(base, dimension: dimension, stride: stride, query: query, rows: rows, into: out)
        }
        scorePendingItemRows(query: query, rows: rows, into: out)
    }

    /// `out[r] = query · row r` for the first `rows` rows of a table transposed in blocks of
    /// 16 rows (`block[stride][16]`, as ``itemBlocks``): the kernel every serving scan uses
    /// (items, cold items, users).
    /// - Complexity: O(rows * dimension), SIMD16 multiply-adds only, no allocation.
    @inline(__always)
    static func scoreBlocks(
        _ base: UnsafePointer<Float>, dimension: Int, stride: Int, query: UnsafePointer<Float>, rows: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let blockSize = Self.blockRows * stride
        var r = 0
        var block = base
        while r < rows {
            // Four accumulators: four independent multiply-add chains hide their latency.
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var d = 0
            while d &+ 3 < dimension {
                a0 = VectorKernels.multiplyAdd(a0, SIMD16<Float>(repeating: query[d]), VectorKernels.load(block, d &* 16))
                a1 = VectorKernels.multiplyAdd(a1, SIMD16<Float>(repeating: query[d &+ 1]), VectorKernels.load(block, (d &+ 1) &* 16))
                a2 = VectorKernels.multiplyAdd(a2, SIMD16<Float>(repeating: query[d &+ 2]), VectorKernels.load(block, (d &+ 2) &* 16))
                a3 = VectorKernels.multiplyAdd(a3, SIMD16<Float>(repeating: query[d &+ 3]), VectorKernels.load(block, (d &+ 3) &* 16))
                d &+= 4
            }
            while d < dimension {
                a0 = VectorKernels.multiplyAdd(a0, SIMD16<Float>(repeating: query[d]), VectorKernels.load(block, d &* 16))
                d &+= 1
            }
            storeBlockScores((a0 + a1) + (a2 + a3), into: out, at: r, rows: rows)
            r &+= 16
            block += blockSize
        }
    }

    /// Writes the 16 scores of the block starting at row `r`, or only those below `rows`.
    @inline(__always)
    static func storeBlockScores(_ sum: SIMD16<Float>, into out: UnsafeMutablePointer<Float>, at r: Int, rows: Int) {
        if r + 16 <= rows {
            VectorKernels.store(sum, out, r)
        } else {
            for k in 0..<(rows - r) { out[r + k] = sum[k] }
        }
    }
}
