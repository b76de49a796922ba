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
        for r in 0..<rows { syncItemBlock(row: r) }
        // Every block changed: pack the screen now (O(items * d), like the copy above).
        refreshItemScreen()
        finalsStamp = ServingStamp.next()
    }

    /// Copies one item's final row into ``itemBlocks`` and notes the row as changed for
    /// other engines (``markItemChanged(_:)``; every change to an item row passes here).
    /// - Complexity: O(dimension).
    @inline(__always)
    mutating func syncItemBlock(row r: Int) {
        markItemChanged(r)
        copyItemBlock(row: r)
    }

    /// Copies one item's final row into ``itemBlocks`` (growing it when the item is new).
    /// - Complexity: O(dimension).
    @inline(__always)
    mutating func copyItemBlock(row r: Int) {
        // Every change to a final item row comes through here or rebuildItemBlocks (and the
        // mutations of user rows and sessions run in the same calls), so this one stamp
        // invalidates the serving caches.
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
