/// A fast seeded hash of short byte strings (ids, a row's attribute fields) for the file
/// loaders' own tables.
///
/// Why not `Hasher`: SipHash costs 20-odd nanoseconds for an 8-byte id, and the reading
/// thread of a large replay hashes two names and a row's attribute fields per row (perf:
/// `Hasher` was 5% of that thread). This folds each eight-byte word into the state with one
/// full-width multiply (wyhash's mixing step). The seed is drawn per process, so a crafted
/// file cannot choose which of its ids collide; the tables still compare every key in full.
enum LoaderHash {
    /// - Complexity: O(bytes), one multiply per eight bytes.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h = seed ^ UInt64(truncatingIfNeeded: n)
        var k = 0
        while k + 8 <= n {
            h = fold(h ^ bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self), multiplier)
            k += 8
        }
        if k < n {
            var tail: UInt64 = 0
            for j in k..<n { tail |= UInt64(bytes[j]) << (8 * UInt64(j - k)) }
            h = fold(h ^ tail, multiplier)
        }
        return fold(h ^ 0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB)
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    private static let seed = UInt64.random(in: 1...UInt64.max)
    /// Odd, and never 0 whatever the seed.
    private static let multiplier = (0x9E37_79B9_7F4A_7C15 ^ (seed << 1)) | 1
}
