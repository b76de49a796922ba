/// A growable table of embedding rows in one flat, 64-byte aligned buffer (``AlignedFloats``),
/// with the row stride rounded up to a multiple of 16 so every row starts on a cache line and
/// the kernels never need a scalar tail.
///
/// Padding lanes (`dimension..<stride`) are zero and stay zero: every kernel that writes rows
/// combines them from other padded rows, and gradients of zero lanes are zero.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// var table = EmbeddingTable(dimension: 64)
/// table.appendRows(100, standardDeviation: 0.1, using: &rng)
/// let v = table.vector(3)   // 64 floats
/// ```
public struct EmbeddingTable: Sendable, Hashable {
    /// Number of meaningful lanes per row.
    public let dimension: Int
    /// Floats between the starts of consecutive rows (a multiple of 16, at least `dimension`).
    public let stride: Int
    /// Number of rows.
    public private(set) var rows: Int
    /// Row-major storage, `rows * stride` floats. Aligned because the optimiser streams
    /// through whole tables every batch: with `[Float]`'s 16-byte offset every 64-byte vector
    /// access split across two cache lines.
    var storage: AlignedFloats

    /// An empty table of `dimension`-wide rows.
    public init(dimension: Int, rows: Int = 0) {
        self.dimension = max(1, dimension)
        stride = VectorKernels.paddedStride(self.dimension)
        self.rows = max(0, rows)
        storage = AlignedFloats(count: self.rows * stride)
    }

    /// Appends `count` rows drawn from N(0, standardDeviation^2) (zero when the deviation is 0).
    /// - Complexity: O(count * dimension).
    public mutating func appendRows(_ count: Int, standardDeviation: Float, using rng: inout SeededGenerator) {
        guard count > 0 else { return }
        let start = rows
        storage.appendZeros(count * stride)
        rows += count
        guard standardDeviation > 0 else { return }
        for r in start..<rows {
            let base = r * stride
            for k in 0..<dimension { storage[base + k] = rng.gaussian() * standardDeviation }
        }
    }

    /// Grows the table to at least `count` rows (new rows as in ``appendRows(_:standardDeviation:using:)``).
    public mutating func ensureRows(_ count: Int, standardDeviation: Float, using rng: inout SeededGenerator) {
        if count > rows { appendRows(count - rows, standardDeviation: standardDeviation, using: &rng) }
    }

    /// Sets a row to zero.
    /// - Complexity: O(stride), one pass (the element subscript checked uniqueness per float).
    public mutating func zeroRow(_ row: Int) {
        let base = row * stride
        precondition(row >= 0 && base + stride <= storage.count, "EmbeddingTable row \(row) out of 0..<\(rows)")
        let stride = self.stride
        storage.withUnsafeMutableBufferPointer { ($0.baseAddress! + base).update(repeating: 0, count: stride) }
    }

    /// Redraws a row from N(0, standardDeviation^2).
    public mutating func resetRow(_ row: Int, standardDeviation: Float, using rng: inout SeededGenerator) {
        zeroRow(row)
        let base = row * stride
        for k in 0..<dimension { storage[base + k] = rng.gaussian() * standardDeviation }
    }

    /// A copy of one row's `dimension` meaningful values.
    public func vector(_ row: Int) -> [Float] {
        let base = row * stride
        return Array(storage[base..<(base + dimension)])
    }

    /// Overwrites a row from `values` (extra values are ignored, missing ones are zero).
    public mutating func setVector(_ row: Int, _ values: [Float]) {
        zeroRow(row)
        let base = row * stride
        for k in 0..<min(dimension, values.count) { storage[base + k] = values[k] }
    }

    /// Sets every value to zero, keeping the shape.
    public mutating func zeroAll() {
        storage.withUnsafeMutableBufferPointer { buffer in
            for k in buffer.indices { buffer[k] = 0 }
        }
    }

    /// True when every value is finite (NaN/Inf would poison every score it touches).
    public var isFinite: Bool {
        storage.withUnsafeBufferPointer { buffer in
            var bad = false
            for value in buffer where !value.isFinite { bad = true; break }
            return !bad
        }
    }

    /// Cosine similarity of two rows (0 when either is all zeros).
    public func cosine(_ a: Int, _ b: Int) -> Float {
        storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            let pa = base + a * stride
            let pb = base + b * stride
            let dot = VectorKernels.dot(pa, pb, stride)
            let na = VectorKernels.squaredNorm(pa, stride)
            let nb = VectorKernels.squaredNorm(pb, stride)
            let denominator = (na * nb).squareRoot()
            return denominator > 0 ? dot / denominator : 0
        }
    }
}
