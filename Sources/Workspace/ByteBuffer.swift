import Foundation

/// Appends little-endian binary values to a growing malloc'd buffer: the building block of
/// the blob formats (event batches, id lists). Handing the bytes over as `Data` costs no copy.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(64, capacity)
        base = malloc(self.capacity)!
    }

    deinit {
        free(base)
    }

    /// The bytes written, without copying them.
    consuming func data() -> Data {
        let (base, count) = (self.base, self.count)
        discard self
        return Data(bytesNoCopy: base, count: count, deallocator: .free)
    }

    /// Hands over the bytes written so far and starts again, empty, on a fresh buffer of
    /// `capacity` bytes: one writer serves a sequence of blobs.
    mutating func take(capacity newCapacity: Int) -> Data {
        let data = Data(bytesNoCopy: base, count: count, deallocator: .free)
        capacity = max(64, newCapacity)
        base = malloc(capacity)!
        count = 0
        return data
    }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        capacity = max(needed, capacity * 2)
        base = realloc(base, capacity)!
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        reserve(1)
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// LEB128: 7 bits per byte, low bits first; one byte below 128.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: count, as: UInt8.self)
            count += 1
            v >>= 7
        }
        base.storeBytes(of: UInt8(v), toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    mutating func uint32(_ value: UInt32) {
        reserve(4)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    /// Overwrites 4 bytes already written (a count known only at the end).
    mutating func setUInt32(_ value: UInt32, at offset: Int) {
        precondition(offset + 4 <= count)
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    mutating func double(_ value: Double) {
        reserve(8)
        base.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    /// A length-prefixed UTF-8 string.
    @inline(__always)
    mutating func string(_ value: String) {
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ bytes(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        var copy = value
        copy.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// A name's first appearance in an event batch row (format 2): varint `length << 1 | 1`,
    /// then the UTF-8 bytes (a later appearance is the varint `number << 1`).
    @inline(__always)
    mutating func newName(_ utf8: UnsafeRawBufferPointer) {
        varint(UInt64(utf8.count) << 1 | 1)
        reserve(utf8.count)
        if let source = utf8.baseAddress {
            (base + count).copyMemory(from: source, byteCount: utf8.count)
        }
        count += utf8.count
    }

    /// ``newName(_:)`` of a string's UTF-8.
    @inline(__always)
    mutating func newName(_ value: String) {
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ newName(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        var copy = value
        copy.withUTF8 { newName(UnsafeRawBufferPointer($0)) }
    }

    /// Length-prefixed bytes (what ``string(_:)`` writes for their UTF-8).
    @inline(__always)
    mutating func bytes(_ utf8: UnsafeRawBufferPointer) {
        varint(UInt64(utf8.count))
        reserve(utf8.count)
        if let source = utf8.baseAddress {
            (base + count).copyMemory(from: source, byteCount: utf8.count)
        }
        count += utf8.count
    }
}

/// Reads what ``ByteWriter`` wrote, checking every bound: a blob from disk may be damaged,
/// and a damaged blob must produce an error, never a crash.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    struct Overrun: Error {}

    @inline(__always)
    mutating func byte() throws(Overrun) -> UInt8 {
        guard offset < bytes.count else { throw Overrun() }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    mutating func varint() throws(Overrun) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw Overrun() }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func uint32() throws(Overrun) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw Overrun() }
        let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: bits)
    }

    @inline(__always)
    mutating func double() throws(Overrun) -> Double {
        guard bytes.count - offset >= 8 else { throw Overrun() }
        let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// `length` bytes as a UTF-8 string.
    @inline(__always)
    mutating func string(length: UInt64) throws(Overrun) -> String {
        guard length <= UInt64(bytes.count - offset) else { throw Overrun() }
        let n = Int(length)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
    }

    @inline(__always)
    mutating func string() throws(Overrun) -> String {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else { throw Overrun() }
        let n = Int(length)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
    }
}
