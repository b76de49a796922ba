/// The screening copy of the item table: an exact top-K in half the bytes.
///
/// Scoring every item for one user streams the whole final item table (100k items at
/// dimension 64: 25.6 MB), and at that size the scan is bound by memory bandwidth, not by
/// arithmetic. ``itemScreen`` holds the same blocks rounded to bfloat16 (8 significant
/// bits), two dimensions per 32-bit lane, so a first pass reads 12.8 MB; the items that pass
/// could reach the top-K within the rounding's error bound are then scored again from the
/// float blocks, with the same kernel the unscreened path uses, so the answer is the same
/// list with the same scores (``Recommender/screenedTopItems(user:k:excludeSeen:graph:admits:)``).
///
/// Why bfloat16 and not IEEE half: widening it is a mask or a 16-bit shift of a 32-bit lane
/// (one instruction each, no conversion unit, no call), it keeps the float exponent range
/// (no overflow or underflow to think about), and packing two dimensions in one lane means no
/// 16-to-32-bit widening either.
extension EmbeddingModel {
    /// Relative error of one screened product, `|q_d v_d - q_d bf16(v_d)| <= 2^-8 |q_d v_d|`
    /// (round to nearest, 8 significant bits), plus a margin for the float rounding of both
    /// 64-term sums (each within about `18 * 2^-24` of its exact value, relative to
    /// `sum |q_d v_d|`): see ``screeningErrorBound(query:)``.
    static let screenRelativeError: Float = 0.00390625 + 0.00001

    /// bfloat16 bits of `value`, rounded to nearest even (finite values; a value that rounds
    /// past the largest float becomes infinity, which ``itemNormBound`` then reports).
    @inline(__always)
    static func bfloat16Bits(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16
    }

    /// The float a bfloat16 stands for.
    @inline(__always)
    static func float(bfloat16 bits: UInt32) -> Float { Float(bitPattern: bits << 16) }

    /// Notes that block `b`'s float rows changed: the screen is packed again by the next
    /// ``refreshItemScreen()``, not now. An online step changes a few item rows per event, and
    /// packing each at once (32 scattered lane writes a row) cost 5% of a full-speed replay.
    /// - Complexity: O(1).
    @inline(__always)
    mutating func markScreenStale(block b: Int) {
        if b >= screenBlockIsStale.count {
            screenBlockIsStale.append(contentsOf: repeatElement(false, count: b + 1 - screenBlockIsStale.count))
        }
        if !screenBlockIsStale[b] {
            screenBlockIsStale[b] = true
            staleScreenBlocks.append(Int32(b))
        }
    }

    /// Packs every stale block of ``itemBlocks`` into ``itemScreen`` and raises
    /// ``itemNormBound`` to their rows' norms. Serving calls it before a query (the engine
    /// before its recommendations); a model with stale blocks is scored directly.
    ///
    /// Lane `r % 16` of pair `p` of block `r / 16` holds `bf16(v[2p]) << 16 | bf16(v[2p + 1])`.
    /// - Complexity: O(stale blocks * 16 * dimension), reading and writing whole blocks.
    mutating func refreshItemScreen() {
        flushItemBlocks()
        guard !staleScreenBlocks.isEmpty else { return }
        let pairs = stride / 2
        let used = (dimension + 1) / 2
        let blockFloats = Self.blockRows * stride
        let needed = (itemBlocks.count / blockFloats) * Self.blockRows * pairs
        if itemScreen.count < needed { itemScreen.resize(to: needed) }
        var bound = itemNormBound
        itemBlocks.withUnsafeBufferPointer { blocks in
            itemScreen.withUnsafeMutableBufferPointer { screen in
                // Bit patterns stored through raw memory: the lanes are never read as floats.
                let lanes = UnsafeMutableRawPointer(screen.baseAddress!)
                for b in staleScreenBlocks {
                    let block = Int(b)
                    guard (block + 1) * blockFloats <= blocks.count else { continue }
                    let source = blocks.baseAddress! + block * blockFloats
                    let target = lanes + block * Self.blockRows * pairs * 4
                    var squares = SIMD16<Float>()
                    for p in 0..<used {
                        let even = VectorKernels.load(source, 2 * p * Self.blockRows)
                        let odd = VectorKernels.load(source, (2 * p + 1) * Self.blockRows)
                        squares += even * even + odd * odd
                        let packed = Self.bfloat16Bits(even) &<< 16 | Self.bfloat16Bits(odd)
                        target.storeBytes(of: packed, toByteOffset: p * 64, as: SIMD16<UInt32>.self)
                    }
                    let norm = squares.max().squareRoot()
                    if !(norm <= bound) { bound = norm.isFinite ? norm : .infinity }
                    screenBlockIsStale[block] = false
                }
            }
        }
        itemNormBound = bound
        staleScreenBlocks.removeAll(keepingCapacity: true)
    }

    /// bfloat16 bits of 16 floats at once (``bfloat16Bits(_:)`` lane by lane).
    @inline(__always)
    static func bfloat16Bits(_ values: SIMD16<Float>) -> SIMD16<UInt32> {
        let bits = unsafeBitCast(values, to: SIMD16<UInt32>.self)
        return (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
    }

    /// Whether ``itemScreen`` is packed from the current float rows and covers the first
    /// `rows` items.
    func screenCovers(rows: Int) -> Bool {
        let blocks = (rows + Self.blockRows - 1) / Self.blockRows
        return staleScreenBlocks.isEmpty && itemBlocksAreCurrent && itemScreen.count >= blocks * Self.blockRows * (stride / 2)
            && itemBlocks.count >= blocks * Self.blockRows * stride
    }

    /// How far a screened score may be from the float score of the same item, for any item:
    /// `(2^-8 + margin) * |q| * max |v|`, by Cauchy-Schwarz on `sum |q_d| |v_d - bf16(v_d)|`.
    /// Infinite when a row was not finite (the caller then scores exactly).
    func screeningErrorBound(query: UnsafePointer<Float>) -> Float {
        let norm = VectorKernels.squaredNorm(query, stride).squareRoot()
        guard norm.isFinite, itemNormBound.isFinite else { return .infinity }
        // 1% on top for the rounding of the bound's own arithmetic; the tiny absolute term
        // covers rows whose entries are subnormal.
        return Self.screenRelativeError * 1.01 * norm * itemNormBound + 1e-30
    }

    /// `out[r] ≈ query · f_r` for the first `rows` items from the bfloat16 blocks, within
    /// ``screeningErrorBound(query:)`` of what ``scoreItemBlocks(query:rows:into:)`` writes.
    /// - Complexity: O(rows * dimension), SIMD16 masks, shifts and multiply-adds; half the
    ///   bytes of the float scan.
    func screenItemBlocks(query: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        itemScreen.withUnsafeBufferPointer { screen in
            guard let base = screen.baseAddress else { return }
            Self.screenBlocks(UnsafeRawPointer(base), pairs: (dimension + 1) / 2, stride: stride, query: query, rows: rows, into: out)
        }
    }

    /// The float scores of the 16 items of block `block` (fewer for the last block of
    /// `rows`), computed exactly as ``scoreItemBlocks(query:rows:into:)`` computes them.
    /// - Complexity: O(16 * dimension).
    func scoreItemBlock(_ block: Int, query: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        let first = block * Self.blockRows
        let count = min(Self.blockRows, rows - first)
        guard count > 0 else { return }
        itemBlocks.withUnsafeBufferPointer { blocks in
            Self.scoreBlocks(blocks.baseAddress! + first * stride, dimension: dimension, stride: stride, query: query, rows: count, into: out)
        }
        // Rows not yet copied into the block (``syncItemBlock(row:)``): scored from their rows.
        guard !itemBlocksAreCurrent else { return }
        for r in first..<(first + count) where r < itemRowIsPending.count && itemRowIsPending[r] {
            withPendingScratch { scorePendingRow(r, scratch: $0, query: query, into: out + (r - first)) }
        }
    }

    /// The screening kernel: like ``scoreBlocks(_:dimension:stride:query:rows:into:)`` over
    /// lanes that each carry two bfloat16 dimensions (high half: even, low half: odd).
    /// - Complexity: O(rows * pairs), no allocation.
    @inline(__always)
    static func screenBlocks(
        _ base: UnsafeRawPointer, pairs: Int, stride: Int, query: UnsafePointer<Float>, rows: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let blockBytes = Self.blockRows * (stride / 2) * 4
        let high = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        var r = 0
        var block = base
        while r < rows {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var p = 0
            while p &+ 1 < pairs {
                let x0 = block.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<UInt32>.self)
                let x1 = block.loadUnaligned(fromByteOffset: (p &+ 1) &* 64, as: SIMD16<UInt32>.self)
                a0 = VectorKernels.multiplyAdd(a0, SIMD16<Float>(repeating: query[2 &* p]), unsafeBitCast(x0 & high, to: SIMD16<Float>.self))
                a1 = VectorKernels.multiplyAdd(a1, SIMD16<Float>(repeating: query[2 &* p &+ 1]), unsafeBitCast(x0 &<< 16, to: SIMD16<Float>.self))
                a2 = VectorKernels.multiplyAdd(a2, SIMD16<Float>(repeating: query[2 &* p &+ 2]), unsafeBitCast(x1 & high, to: SIMD16<Float>.self))
                a3 = VectorKernels.multiplyAdd(a3, SIMD16<Float>(repeating: query[2 &* p &+ 3]), unsafeBitCast(x1 &<< 16, to: SIMD16<Float>.self))
                p &+= 2
            }
            if p < pairs {
                let x0 = block.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<UInt32>.self)
                a0 = VectorKernels.multiplyAdd(a0, SIMD16<Float>(repeating: query[2 &* p]), unsafeBitCast(x0 & high, to: SIMD16<Float>.self))
                a1 = VectorKernels.multiplyAdd(a1, SIMD16<Float>(repeating: query[2 &* p &+ 1]), unsafeBitCast(x0 &<< 16, to: SIMD16<Float>.self))
            }
            storeBlockScores((a0 + a1) + (a2 + a3), into: out, at: r, rows: rows)
            r &+= 16
            block += blockBytes
        }
    }
}
