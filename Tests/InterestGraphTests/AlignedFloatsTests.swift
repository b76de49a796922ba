import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import InterestGraph

@Suite("Aligned float buffers")
struct AlignedFloatsTests {
    static func address(_ buffer: AlignedFloats) -> Int {
        buffer.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    }

    @Test(arguments: [1, 15, 64, 1_000, 6_571 * 64])
    func elementZeroSitsOnACacheLineAndStartsZeroed(count: Int) {
        let buffer = AlignedFloats(count: count)
        #expect(Self.address(buffer) % 64 == 0)
        #expect(buffer.count == count)
        #expect(buffer.array.allSatisfy { $0 == 0 })
    }

    /// Past `PageMapping.threshold` a table is a page mapping of its own and doubles by
    /// remapping: values survive every doubling, new elements start at zero, a copy taken
    /// before a doubling keeps its own values, and a shrink-then-grow pads with zeros again.
    @Test func aMappedTableGrowsByRemappingAndKeepsItsValues() {
        var table = AlignedFloats()
        let large = 3 * PageMapping.threshold / MemoryLayout<Float>.stride
        var snapshot: AlignedFloats?
        for k in 0..<large {
            table.append(Float(k))
            if k == PageMapping.threshold / MemoryLayout<Float>.stride { snapshot = table }
        }
        #expect(table.count == large)
        #expect(Self.address(table) % 64 == 0)
        #if os(Linux)
        #expect(table.isPageMapped)
        #endif
        #expect(!AlignedFloats(count: 16).isPageMapped)
        #expect(table.withUnsafeBufferPointer { b in (0..<large).allSatisfy { b[$0] == Float($0) } })
        let copy = try! #require(snapshot)
        table[3] = -1
        #expect(copy[3] == 3 && copy.count == PageMapping.threshold / MemoryLayout<Float>.stride + 1)
        #expect(copy.withUnsafeBufferPointer { b in (0..<b.count).allSatisfy { b[$0] == Float($0) } })
        table.resize(to: 10)
        table.resize(to: large * 2)
        #expect(table[9] == 9 && table[3] == -1)
        #expect(table.withUnsafeBufferPointer { b in (10..<b.count).allSatisfy { b[$0] == 0 } })
    }

    /// A mapped table's zeros are the kernel's: creating or growing one writes nothing, so
    /// its pages are touched (and, on a virtual machine, paid for) only where values go.
    @Test func aMappedTablesZerosAreNotWritten() throws {
        #if os(Linux)
        let elements = 16 * PageMapping.threshold / MemoryLayout<Float>.stride  // 64 MiB
        var table = AlignedFloats(count: elements)
        #expect(table.isPageMapped)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        func residentBytes(_ table: AlignedFloats) -> Int {
            let bytes = (table.count * MemoryLayout<Float>.stride + page - 1) / page * page
            var vector = [UInt8](repeating: 0, count: bytes / page)
            let start = UnsafeMutableRawPointer(mutating: table.baseAddress)
            guard mincore(start, bytes, &vector) == 0 else { return -1 }
            return vector.reduce(0) { $0 + Int($1 & 1) } * page
        }
        let fresh = residentBytes(table)
        #expect(fresh >= 0 && fresh <= 4 << 20, "a fresh 64 MiB table is \(fresh) bytes resident")
        table[0] = 1
        table[elements - 1] = 2
        table.resize(to: elements * 2)  // by remapping; the new half is not written either
        let grown = residentBytes(table)
        #expect(grown >= 0 && grown <= 8 << 20, "grown to 128 MiB: \(grown) bytes resident")
        // The values and the zeros are what they should be (reading maps zero pages: last).
        #expect(table[0] == 1 && table[elements - 1] == 2 && table[elements] == 0 && table[2 * elements - 1] == 0)
        // A shrink keeps written values past the new end in memory: growing again zeroes them.
        table.resize(to: 1)
        table.resize(to: elements)
        #expect(table[0] == 1 && table[elements - 1] == 0)
        #endif
    }

    /// The shim under the growth: a mapping grown by `mremap` keeps its bytes and reads
    /// zeros past them (Linux; elsewhere nothing is mapped).
    @Test func aMappingGrownByRemapKeepsItsBytes() throws {
        #if os(Linux)
        let first = try #require(PageMapping.map(bytes: PageMapping.threshold))
        let words = first.bytes / MemoryLayout<UInt64>.stride
        let old = first.address.bindMemory(to: UInt64.self, capacity: words)
        for k in 0..<words { old[k] = UInt64(k) &* 0x9E37_79B9_7F4A_7C15 }
        let grown = try #require(PageMapping.remap(first.address, from: first.bytes, toAtLeast: 4 * first.bytes))
        defer { PageMapping.unmap(grown.address, bytes: grown.bytes) }
        #expect(grown.bytes >= 4 * first.bytes)
        let new = grown.address.bindMemory(to: UInt64.self, capacity: grown.bytes / MemoryLayout<UInt64>.stride)
        #expect((0..<words).allSatisfy { new[$0] == UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        #expect((words..<(grown.bytes / MemoryLayout<UInt64>.stride)).allSatisfy { new[$0] == 0 })
        #else
        #expect(PageMapping.map(bytes: PageMapping.threshold) == nil)
        #endif
    }

    @Test func copiesAreIndependentValues() {
        var a = AlignedFloats(count: 32)
        a.withUnsafeMutableBufferPointer { for k in $0.indices { $0[k] = Float(k) } }
        var b = a
        #expect(Self.address(a) == Self.address(b), "a copy shares storage until written")
        b.withUnsafeMutableBufferPointer { $0[3] = -1 }
        #expect(a.array[3] == 3)
        #expect(b.array[3] == -1)
        #expect(Self.address(b) % 64 == 0)
        #expect(Array(b.array[4...]) == Array(a.array[4...]))
    }

    @Test func resizeKeepsThePrefixAndPadsWithZeros() {
        var a = AlignedFloats(count: 20)
        a.withUnsafeMutableBufferPointer { for k in $0.indices { $0[k] = Float(k + 1) } }
        let before = a
        a.resize(to: 1_000)
        #expect(a.count == 1_000)
        #expect(Array(a.array[0..<20]) == (1...20).map(Float.init))
        #expect(a.array[20...].allSatisfy { $0 == 0 })
        #expect(Self.address(a) % 64 == 0)
        #expect(before.count == 20 && before.array == (1...20).map(Float.init), "the old copy is untouched")
        a.resize(to: 5)
        #expect(a.array == [1, 2, 3, 4, 5])
    }

    /// Records (a graph edge's state) sit on their own cache line from element 0, grow by
    /// appending without moving what is there, and new slots read as all-zero records.
    @Test func recordsStayOnTheirCacheLinesThroughAppends() {
        var states = AlignedBuffer<EdgeState>()
        #expect(MemoryLayout<EdgeState>.stride == 32)
        for k in 0..<1_000 {
            states.append(EdgeState(value: Float(k), count: UInt32(k), time: Double(k) * 2, first: Double(k), lastAction: UInt8(k % 5), actions: UInt8(k % 31)))
            let base = states.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
            #expect(base % 64 == 0)
        }
        #expect(states.count == 1_000)
        #expect(states.indices.allSatisfy { states[$0].count == UInt32($0) && states[$0].time == Double($0) * 2 && states[$0].actions == UInt8($0 % 31) })
        let copy = states
        states[7].value = -1
        #expect(copy[7].value == 7, "an append-grown buffer is still copied on write")
        states.appendZeros(3)
        #expect(states[1_002] == EdgeState(value: 0, count: 0, time: 0, first: 0, lastAction: 0, actions: 0))
    }
}
