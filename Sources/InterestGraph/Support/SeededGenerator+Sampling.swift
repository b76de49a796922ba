import Foundation

extension SeededGenerator {
    /// A uniform integer in `0..<bound` by Lemire's multiply-shift (bias below 2^-32 for the
    /// bounds used here, and no division), for the negative samplers' inner loops.
    /// - Complexity: O(1).
    @inline(__always)
    mutating func index(below bound: Int) -> Int {
        let product = (next() >> 32) &* UInt64(truncatingIfNeeded: bound)
        return Int(truncatingIfNeeded: product >> 32)
    }

    /// A uniform float in `[0, 1)` with 24 random bits.
    @inline(__always)
    mutating func unitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    @inline(__always)
    mutating func unitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal deviate as a Float (see ``normal()``).
    mutating func gaussian() -> Float { Float(normal()) }

    /// A standard normal deviate (Box-Muller, one value per call: the generator's state stays
    /// the only state, which keeps runs reproducible).
    mutating func normal() -> Double {
        let u1 = max(unitDouble(), 0x1p-53)
        let u2 = unitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
