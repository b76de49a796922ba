import Foundation

/// Draws used by the simulator. Each one consumes a fixed number of `next()` calls where it
/// can, so that a change in one distribution does not reshuffle every later draw.
extension SeededGenerator {
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unitDouble() < p }

    /// Exponential with the given mean.
    @inline(__always)
    mutating func exponential(mean: Double) -> Double {
        -log1p(-unitDouble()) * mean
    }

    /// Log-normal with the given *mean* (not median) and log-space spread `sigma`.
    mutating func logNormal(mean: Double, sigma: Double) -> Double {
        mean * exp(sigma * normal() - sigma * sigma / 2)
    }

    /// Gamma(shape, 1) by Marsaglia-Tsang, boosted for shapes below one.
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            let u = max(unitDouble(), 0x1p-53)
            return gamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unitDouble()
            if u < 1 - 0.0331 * x * x * x * x || log(max(u, 0x1p-53)) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }

    /// A Dirichlet draw with equal concentration `alpha` over `count` components.
    mutating func dirichlet(count: Int, alpha: Double) -> [Double] {
        var w = (0..<count).map { _ in gamma(shape: alpha) }
        let sum = w.reduce(0, +)
        if sum > 0 { for i in w.indices { w[i] /= sum } } else { w = Array(repeating: 1 / Double(count), count: count) }
        return w
    }

    /// In-place Fisher-Yates shuffle with this generator's draws.
    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, index(below: i + 1))
        }
    }
}

/// Walker's alias table: O(1) draws from a fixed discrete distribution.
struct AliasTable: Sendable, Hashable {
    private var probability: [Float] = []
    private var alias: [Int32] = []

    init() {}

    /// Builds the table for non-negative `weights` (all zero gives an empty table).
    /// - Complexity: O(n).
    init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        guard n > 0, total > 0 else { return }
        var scaled = weights.map { $0 * Double(n) / total }
        probability = Array(repeating: 1, count: n)
        alias = Array(repeating: 0, count: n)
        var small: [Int] = []
        var large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { small.append(s); break }
            probability[s] = Float(scaled[s])
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Leftovers are 1 up to rounding.
        for i in small { probability[i] = 1; alias[i] = Int32(i) }
        for i in large { probability[i] = 1; alias[i] = Int32(i) }
    }

    var isEmpty: Bool { probability.isEmpty }
    var count: Int { probability.count }

    /// An index in `0..<count`; the table must not be empty.
    /// - Complexity: O(1): one draw, two array reads.
    @inline(__always)
    func sample(using rng: inout SeededGenerator) -> Int {
        let r = rng.next()
        let slot = Int(truncatingIfNeeded: ((r >> 32) &* UInt64(probability.count)) >> 32)
        let u = Float(r & 0xFF_FFFF) * 0x1p-24
        return u < probability[slot] ? slot : Int(alias[slot])
    }
}
