import Testing
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
}
