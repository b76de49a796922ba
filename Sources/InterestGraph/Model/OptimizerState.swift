import Foundation

/// Adam moments for one embedding table (SGD needs none).
struct OptimizerState: Sendable, Hashable {
    /// First and second moments, one per parameter, aligned like the tables they follow.
    var first = AlignedFloats()
    var second = AlignedFloats()

    mutating func ensure(_ count: Int) {
        if first.count < count { first.resize(to: count) }
        if second.count < count { second.resize(to: count) }
    }

    mutating func reset() {
        first = AlignedFloats()
        second = AlignedFloats()
    }
}

enum OptimizerKernels {
    /// The per-step constants of Adam, computed once per batch (two `pow` calls) rather than
    /// once per chunk of rows.
    struct AdamStep: Sendable {
        let alpha: Float
        let epsilon: Float

        /// Bias correction folded into the rate and epsilon:
        /// `p -= lr * (m / c1) / (sqrt(v / c2) + eps) = (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2))`.
        init(learningRate: Float, step: Int) {
            let correction1 = 1 - Float(pow(Double(adamBeta1), Double(step)))
            let correction2 = 1 - Float(pow(Double(adamBeta2), Double(step)))
            let rootC2 = correction2.squareRoot()
            alpha = learningRate * rootC2 / correction1
            epsilon = 1e-8 * rootC2
        }
    }

    static let adamBeta1: Float = 0.9
    static let adamBeta2: Float = 0.999

    /// One Adam step over `count` floats: `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g²`,
    /// `p -= lr * m̂ / (sqrt(v̂) + eps)` with bias correction folded into `lr` and `eps`.
    /// Returns whether every updated parameter is finite (checked in the same pass).
    /// - Complexity: O(count), vectorised.
    @inline(__always)
    @discardableResult
    static func adam(
        parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        first m: UnsafeMutablePointer<Float>, second v: UnsafeMutablePointer<Float>,
        count: Int, step: AdamStep
    ) -> Bool {
        let b1 = adamBeta1
        let b2 = adamBeta2
        let alpha = SIMD16<Float>(repeating: step.alpha)
        let epsilon = SIMD16<Float>(repeating: step.epsilon)
        let vb1 = SIMD16<Float>(repeating: b1), vc1 = SIMD16<Float>(repeating: 1 - b1)
        let vb2 = SIMD16<Float>(repeating: b2), vc2 = SIMD16<Float>(repeating: 1 - b2)
        var k = 0
        var check = SIMD16<Float>()
        while k < count {
            let grad = VectorKernels.load(g, k)
            let mk = vb1 * VectorKernels.load(UnsafePointer(m), k) + vc1 * grad
            let vk = vb2 * VectorKernels.load(UnsafePointer(v), k) + vc2 * grad * grad
            VectorKernels.store(mk, m, k)
            VectorKernels.store(vk, v, k)
            let update = alpha * mk / (vk.squareRoot() + epsilon)
            let next = VectorKernels.load(UnsafePointer(p), k) - update
            VectorKernels.store(next, p, k)
            check += next * 0  // NaN exactly when a value is NaN or infinite
            k += 16
        }
        return check.sum() == 0
    }

    /// `p -= lr * g`.
    @inline(__always)
    @discardableResult
    static func sgd(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, count: Int, learningRate: Float) -> Bool {
        VectorKernels.axpy(-learningRate, g, p, count)
        return VectorKernels.allFinite(UnsafePointer(p), count)
    }
}
