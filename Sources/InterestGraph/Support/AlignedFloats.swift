/// A growable `Float` buffer whose first element sits on a 64-byte boundary, with value
/// semantics (copy on write), for the tables the SIMD kernels stream through: the propagation
/// buffers, the embedding tables (``EmbeddingTable``) and the Adam moments.
///
/// It is a `RandomAccessCollection` and `MutableCollection` of `Float`, so rows can be sliced
/// and compared like an array's; hot loops still go through the buffer pointers.
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
            let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(capacity, 1) * MemoryLayout<Float>.stride, alignment: AlignedFloats.alignment)
            pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(capacity, 1))
        }

        deinit { pointer.deallocate() }
    }

    /// The alignment of element 0, in bytes: one cache line, one AVX-512 register.
    static let alignment = 64

    private var storage: Storage
    /// Number of elements.
    private(set) var count: Int

    /// `count` copies of `value` (zeros by default).
    init(repeating value: Float = 0, count: Int) {
        storage = Storage(capacity: count)
        self.count = count
        storage.pointer.initialize(repeating: value, count: count)
    }

    /// The elements of `elements`, aligned.
    init(_ elements: some Collection<Float>) {
        let n = elements.count
        storage = Storage(capacity: n)
        count = n
        var k = 0
        for value in elements {
            (storage.pointer + k).initialize(to: value)
            k += 1
        }
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
            makeUnique(capacity: Swift.max(newCount, storage.capacity * 2))
        } else {
            makeUnique(capacity: storage.capacity)
        }
        if newCount > count { (storage.pointer + count).initialize(repeating: 0, count: newCount - count) }
        count = newCount
    }

    /// Appends `count` zeros.
    mutating func appendZeros(_ count: Int) {
        resize(to: self.count + Swift.max(0, count))
    }

    /// Overwrites `range` with `elements`, which must have `range.count` elements (tables are
    /// restored row for row; nothing here changes a buffer's length).
    mutating func replaceSubrange(_ range: Range<Int>, with elements: some Collection<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count && elements.count == range.count,
                     "AlignedFloats.replaceSubrange: \(elements.count) elements for \(range) of \(count)")
        makeUnique(capacity: storage.capacity)
        var k = range.lowerBound
        for value in elements {
            storage.pointer[k] = value
            k += 1
        }
    }

    /// The address of element 0, for reading only. Valid while this value, or a copy
    /// sharing its storage, is alive and not resized.
    var baseAddress: UnsafePointer<Float> { UnsafePointer(storage.pointer) }

    /// The address of element 0 after making the storage unique, for kernels that write
    /// several buffers at once (nested `withUnsafeMutableBufferPointer` closures would be 15 deep).
    ///
    /// The pointer stays valid until this value is next copied and then written, resized, or
    /// destroyed; callers use it within one call and keep no copy of the buffer meanwhile.
    mutating func uniqueBaseAddress() -> UnsafeMutablePointer<Float> {
        makeUnique(capacity: storage.capacity)
        return storage.pointer
    }

    private mutating func makeUnique(capacity: Int) {
        guard !isKnownUniquelyReferenced(&storage) || capacity != storage.capacity else { return }
        let copy = Storage(capacity: capacity)
        copy.pointer.initialize(from: storage.pointer, count: count)
        storage = copy
    }
}

extension AlignedFloats: RandomAccessCollection, MutableCollection {
    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Float {
        get {
            precondition(position >= 0 && position < count, "AlignedFloats index \(position) out of 0..<\(count)")
            return withUnsafeBufferPointer { $0[position] }
        }
        set {
            precondition(position >= 0 && position < count, "AlignedFloats index \(position) out of 0..<\(count)")
            withUnsafeMutableBufferPointer { $0[position] = newValue }
        }
    }
}

extension AlignedFloats: Hashable {
    static func == (a: AlignedFloats, b: AlignedFloats) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        withUnsafeBufferPointer { for value in $0 { hasher.combine(value) } }
    }
}
