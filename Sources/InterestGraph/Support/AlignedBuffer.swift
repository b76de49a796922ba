/// The `Float` tables the SIMD kernels stream through: the propagation buffers, the embedding
/// tables (``EmbeddingTable``) and the Adam moments.
///
/// Why aligned: `[Float]` storage starts 16 bytes into its allocation, so with rows of 64
/// floats every 64-byte vector load straddles two cache lines. On AVX-512 that split alone
/// made the propagation kernel 1.85x slower (5.2 against 2.8 ns per nonzero,
/// docs/BENCHMARKS.md). With an aligned base and a row stride that is a multiple of 16
/// floats, every row, and every 16-lane chunk of it, starts on its own cache line.
typealias AlignedFloats = AlignedBuffer<Float>

/// A growable buffer of plain values whose first element sits on a 64-byte boundary, with
/// value semantics (copy on write). For `Float` tables (``AlignedFloats``) and for records
/// that must not straddle cache lines (a graph edge's 32-byte ``EdgeState``: in an `Array`,
/// whose elements start 32 bytes into a 16-byte-aligned allocation, every other record
/// would span two lines).
///
/// It is a `RandomAccessCollection` and `MutableCollection`, so rows can be sliced and
/// compared like an array's; hot loops still go through the buffer pointers. New elements
/// (``init(count:)``, ``resize(to:)``, ``appendZeros(_:)``) are all-zero bytes: `0` for
/// numbers, and the documented empty value for records.
///
/// A large buffer's page mapping (``PageMapping``) comes from the kernel zeroed, so zeros
/// there are not written: its pages are touched only when a value is. Why: on a virtual
/// machine the first touch of a page costs far more than the write (the host backs it then:
/// 0.2 to 2 GB/s against 20 GB/s for memory already touched), and tables that grow with the
/// users (per-user histories whose later slots most users never reach) paid for every zero.
struct AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: the storage is only written through `withUnsafeMutableBufferPointer`, which
    // first makes it unique, exactly like Array's copy on write; shared copies are read-only.
    private final class Storage {
        private(set) var pointer: UnsafeMutablePointer<Element>
        private(set) var capacity: Int
        /// Bytes of this storage's own page mapping (``PageMapping``), or 0 when it came
        /// from the allocator.
        private(set) var mappedBytes: Int
        /// Every element at this index or later is known to be zero bytes: past the largest
        /// count the buffer ever had, on a mapping (the kernel's zeroed pages, and the ones
        /// `mremap` adds). `Int.max` for the allocator's memory (nothing known).
        var knownZeroFrom: Int

        init(capacity: Int) {
            self.capacity = capacity
            let bytes = Swift.max(capacity, 1) * MemoryLayout<Element>.stride
            if let mapping = PageMapping.map(bytes: bytes) {
                mappedBytes = mapping.bytes
                knownZeroFrom = 0
                pointer = mapping.address.bindMemory(to: Element.self, capacity: Swift.max(capacity, 1))
            } else {
                mappedBytes = 0
                knownZeroFrom = .max
                let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Swift.max(AlignedBuffer.alignment, MemoryLayout<Element>.alignment))
                pointer = raw.bindMemory(to: Element.self, capacity: Swift.max(capacity, 1))
            }
        }

        /// Grows a mapped storage to `newCapacity` by remapping its pages (no copy, no new
        /// page touched); `false` when it is not mapped or the kernel says no.
        func growInPlace(to newCapacity: Int) -> Bool {
            guard mappedBytes > 0,
                  let moved = PageMapping.remap(UnsafeMutableRawPointer(pointer), from: mappedBytes, toAtLeast: newCapacity * MemoryLayout<Element>.stride)
            else { return false }
            pointer = moved.address.bindMemory(to: Element.self, capacity: newCapacity)
            mappedBytes = moved.bytes
            capacity = newCapacity
            return true
        }

        /// Elements below `end` may now hold values (they are within the count).
        @inline(__always)
        func noteWritten(through end: Int) {
            if end > knownZeroFrom { knownZeroFrom = end }
        }

        deinit {
            if mappedBytes > 0 {
                PageMapping.unmap(UnsafeMutableRawPointer(pointer), bytes: mappedBytes)
            } else {
                pointer.deallocate()
            }
        }
    }

    /// The alignment of element 0, in bytes: one cache line, one AVX-512 register.
    static var alignment: Int { 64 }

    private var storage: Storage
    /// Number of elements.
    private(set) var count: Int

    /// `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        storage = Storage(capacity: count)
        self.count = count
        storage.pointer.initialize(repeating: value, count: count)
        storage.noteWritten(through: count)
    }

    /// `count` all-zero elements (on a fresh mapping, nothing is written: see the type).
    init(count: Int) {
        storage = Storage(capacity: count)
        self.count = 0
        growZeroed(to: count)
    }

    /// The elements of `elements`, aligned.
    init(_ elements: some Collection<Element>) {
        let n = elements.count
        storage = Storage(capacity: n)
        count = n
        var k = 0
        for value in elements {
            (storage.pointer + k).initialize(to: value)
            k += 1
        }
        storage.noteWritten(through: n)
    }

    init() { self.init(count: 0) }

    /// The elements as an array (for checkpoints and tests).
    var array: [Element] { withUnsafeBufferPointer { Array($0) } }

    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    @inline(__always)
    mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R) rethrows -> R {
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
        if newCount > count { growZeroed(to: newCount) } else { count = newCount }
    }

    /// Sets `count` to `newCount` (more than `count`, within capacity, storage unique), the
    /// new elements zero: written only below ``Storage/knownZeroFrom``.
    @inline(__always)
    private mutating func growZeroed(to newCount: Int) {
        let written = Swift.min(newCount, storage.knownZeroFrom)
        if written > count { Self.zero(storage.pointer + count, count: written - count) }
        storage.noteWritten(through: newCount)
        count = newCount
    }

    /// Appends `count` zeros.
    mutating func appendZeros(_ count: Int) {
        resize(to: self.count + Swift.max(0, count))
    }

    /// Appends one element.
    /// - Complexity: amortised O(1) (capacity doubles).
    @inline(__always)
    mutating func append(_ element: Element) {
        let n = count
        if n == storage.capacity || !isKnownUniquelyReferenced(&storage) {
            makeUnique(capacity: n == storage.capacity ? Swift.max(16, n * 2) : storage.capacity)
        }
        (storage.pointer + n).initialize(to: element)
        count = n + 1
        storage.noteWritten(through: n + 1)
    }

    @inline(__always)
    private static func zero(_ start: UnsafeMutablePointer<Element>, count: Int) {
        guard count > 0 else { return }
        UnsafeMutableRawPointer(start).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<Element>.stride)
    }

    /// Overwrites `range` with `elements`, which must have `range.count` elements (tables are
    /// restored row for row; nothing here changes a buffer's length).
    mutating func replaceSubrange(_ range: Range<Int>, with elements: some Collection<Element>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count && elements.count == range.count,
                     "AlignedBuffer.replaceSubrange: \(elements.count) elements for \(range) of \(count)")
        makeUnique(capacity: storage.capacity)
        var k = range.lowerBound
        for value in elements {
            storage.pointer[k] = value
            k += 1
        }
    }

    /// Whether the storage is a page mapping of its own (``PageMapping``: large tables on
    /// Linux), which grows without copying.
    var isPageMapped: Bool { storage.mappedBytes > 0 }

    /// The address of element 0, for reading only. Valid while this value, or a copy
    /// sharing its storage, is alive and not resized.
    var baseAddress: UnsafePointer<Element> { UnsafePointer(storage.pointer) }

    /// The address of element 0 after making the storage unique, for kernels that write
    /// several buffers at once (nested `withUnsafeMutableBufferPointer` closures would be 15 deep).
    ///
    /// The pointer stays valid until this value is next copied and then written, resized, or
    /// destroyed; callers use it within one call and keep no copy of the buffer meanwhile.
    mutating func uniqueBaseAddress() -> UnsafeMutablePointer<Element> {
        makeUnique(capacity: storage.capacity)
        return storage.pointer
    }

    private mutating func makeUnique(capacity: Int) {
        let unique = isKnownUniquelyReferenced(&storage)
        guard !unique || capacity != storage.capacity else { return }
        // A large table of our own grows by remapping: no copy of its gigabyte, and its new
        // pages are touched as rows arrive instead of all at once (that copy stalled a replay
        // for up to a second at each doubling).
        if unique, capacity > storage.capacity, storage.growInPlace(to: capacity) { return }
        let copy = Storage(capacity: capacity)
        copy.pointer.initialize(from: storage.pointer, count: count)
        copy.noteWritten(through: count)
        storage = copy
    }
}

extension AlignedBuffer: RandomAccessCollection, MutableCollection {
    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        @inline(__always) get {
            precondition(position >= 0 && position < count, "AlignedBuffer index \(position) out of 0..<\(count)")
            return storage.pointer[position]
        }
        set {
            precondition(position >= 0 && position < count, "AlignedBuffer index \(position) out of 0..<\(count)")
            withUnsafeMutableBufferPointer { $0[position] = newValue }
        }
    }
}

extension AlignedBuffer: Equatable where Element: Equatable {
    static func == (a: AlignedBuffer, b: AlignedBuffer) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

extension AlignedBuffer: Hashable where Element: Hashable {
    func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        withUnsafeBufferPointer { for value in $0 { hasher.combine(value) } }
    }
}
