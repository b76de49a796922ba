/// A growable `Float` buffer whose first element sits on a 64-byte boundary, with value
/// semantics (copy on write), for the tables the SIMD kernels stream through.
///
/// Why: `[Float]` storage starts 16 bytes into its allocation, so with rows of 64 floats every
/// 64-byte vector load straddles two cache lines. On AVX-512 that split alone made the
/// propagation kernel 1.85x slower (5.2 against 2.8 ns per nonzero, docs/BENCHMARKS.md). With
/// an aligned base and a row stride that is a multiple of 16 floats, every row, and every
/// 16-lane chunk of it, starts on its own cache line.
struct AlignedFloats: @unchecked Sendable {
    // @unchecked: the storage is only written through `withUnsafeMutableBufferPointer`, which
    // first makes it unique, exactly like Array's copy on write; shared copies are read-only.
    private final class Storage {
        let pointer: UnsafeMutablePointer<Float>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1) * MemoryLayout<Float>.stride, alignment: AlignedFloats.alignment)
            pointer = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        }

        deinit { pointer.deallocate() }
    }

    /// The alignment of element 0, in bytes: one cache line, one AVX-512 register.
    static let alignment = 64

    private var storage: Storage
    /// Number of elements.
    private(set) var count: Int

    /// `count` zeros.
    init(repeating zero: Float = 0, count: Int) {
        storage = Storage(capacity: count)
        self.count = count
        storage.pointer.initialize(repeating: zero, count: count)
    }

    init() { self.init(count: 0) }

    /// The elements as an array (for checkpoints and tests).
    var array: [Float] { withUnsafeBufferPointer { Array($0) } }

    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    @inline(__always)
    mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique(capacity: storage.capacity)
        var buffer = UnsafeMutableBufferPointer(start: storage.pointer, count: count)
        return try body(&buffer)
    }

    /// Grows (padding with zeros) or shrinks to `newCount` elements, keeping the prefix.
    /// - Complexity: amortised O(newCount - count) when growing (capacity doubles).
    mutating func resize(to newCount: Int) {
        if newCount > storage.capacity {
            makeUnique(capacity: max(newCount, storage.capacity * 2))
        } else {
            makeUnique(capacity: storage.capacity)
        }
        if newCount > count { (storage.pointer + count).initialize(repeating: 0, count: newCount - count) }
        count = newCount
    }

    private mutating func makeUnique(capacity: Int) {
        guard !isKnownUniquelyReferenced(&storage) || capacity != storage.capacity else { return }
        let copy = Storage(capacity: capacity)
        copy.pointer.initialize(from: storage.pointer, count: count)
        storage = copy
    }
}
