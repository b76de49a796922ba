/// SIMD kernels over rows of `Float` whose length is a multiple of 16 (an ``EmbeddingTable``
/// row stride), used by every model's hot loop.
///
/// They take raw pointers so callers can hold one `withUnsafe(Mutable)BufferPointer` scope
/// around a whole loop: no bounds checks, no retain/release, no allocation per call. Rows are
/// read with unaligned SIMD loads, so any `Float` storage works. Padding lanes must be zero in
/// every operand (tables keep them zero), which makes padded and unpadded results identical.
enum VectorKernels {
    /// The lane count every stride is rounded up to.
    static let lanes = 16

    /// Rounds a dimension up to a multiple of ``lanes``.
    @inline(__always)
    static func paddedStride(_ dimension: Int) -> Int {
        (max(dimension, 1) + lanes - 1) / lanes * lanes
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ k: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + k).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ k: Int) {
        UnsafeMutableRawPointer(p + k).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// `accumulator + a * b`: one fused multiply-add instruction when the build targets a CPU
    /// with FMA (the Makefile then passes `-D DRIFTSCOPE_FMA` along with `-target-cpu`), a
    /// multiply and an add otherwise. The condition is needed because without hardware FMA,
    /// `addingProduct` is a call to libm's `fmaf` per lane, 30 times slower than the pair.
    @inline(__always)
    static func multiplyAdd(_ accumulator: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        #if DRIFTSCOPE_FMA
        accumulator.addingProduct(a, b)
        #else
        accumulator + a * b
        #endif
    }

    /// `sum(a[k] * b[k])` over `count` lanes (a multiple of 16).
    /// - Complexity: O(count).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD16<Float>()
        var acc1 = SIMD16<Float>()
        var k = 0
        while k + 32 <= count {
            acc0 = multiplyAdd(acc0, load(a, k), load(b, k))
            acc1 = multiplyAdd(acc1, load(a, k + 16), load(b, k + 16))
            k += 32
        }
        if k < count { acc0 = multiplyAdd(acc0, load(a, k), load(b, k)) }
        return (acc0 + acc1).sum()
    }

    /// `y += alpha * x`.
    /// - Complexity: O(count).
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = SIMD16<Float>(repeating: alpha)
        var k = 0
        while k < count {
            store(multiplyAdd(load(UnsafePointer(y), k), a, load(x, k)), y, k)
            k += 16
        }
    }

    /// `y = alpha * y + beta * x`.
    @inline(__always)
    static func blend(_ alpha: Float, _ y: UnsafeMutablePointer<Float>, _ beta: Float, _ x: UnsafePointer<Float>, _ count: Int) {
        let a = SIMD16<Float>(repeating: alpha)
        let b = SIMD16<Float>(repeating: beta)
        var k = 0
        while k < count {
            store(a * load(UnsafePointer(y), k) + b * load(x, k), y, k)
            k += 16
        }
    }

    /// `y *= alpha`.
    @inline(__always)
    static func scale(_ alpha: Float, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = SIMD16<Float>(repeating: alpha)
        var k = 0
        while k < count {
            store(a * load(UnsafePointer(y), k), y, k)
            k += 16
        }
    }

    /// `sum(a[k]^2)`.
    @inline(__always)
    static func squaredNorm(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
        dot(a, a, count)
    }

    /// Scores `rows` consecutive rows of a table against one query: `out[r] = dot(query, row r)`.
    ///
    /// Four rows per step share each query chunk, so the query is loaded once per four dot
    /// products; this is the kernel behind ranking all items for a user.
    /// - Complexity: O(rows * count).
    @inline(__always)
    static func gemv(
        query: UnsafePointer<Float>, table: UnsafePointer<Float>, stride: Int, rows: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var r = 0
        while r + 4 <= rows {
            let p0 = table + r * stride
            let p1 = p0 + stride
            let p2 = p1 + stride
            let p3 = p2 + stride
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var k = 0
            while k < stride {
                let q = load(query, k)
                a0 = multiplyAdd(a0, q, load(p0, k))
                a1 = multiplyAdd(a1, q, load(p1, k))
                a2 = multiplyAdd(a2, q, load(p2, k))
                a3 = multiplyAdd(a3, q, load(p3, k))
                k += 16
            }
            out[r] = a0.sum()
            out[r + 1] = a1.sum()
            out[r + 2] = a2.sum()
            out[r + 3] = a3.sum()
            r += 4
        }
        while r < rows {
            out[r] = dot(query, table + r * stride, stride)
            r += 1
        }
    }

    /// True when all `count` values (a multiple of 16) are finite.
    /// - Complexity: O(count); `x * 0` is NaN exactly for NaN and infinities.
    static func allFinite(_ p: UnsafePointer<Float>, _ count: Int) -> Bool {
        var acc = SIMD16<Float>()
        var k = 0
        while k < count {
            acc += load(p, k) * 0
            k += 16
        }
        return acc.sum() == 0
    }
}
