import Foundation

/// A sparse, growable, time-decayed item-item co-occurrence matrix.
///
/// Row `a` lists the items seen together with `a` and their accumulated weight. Rows are
/// parallel `[Int32]`/`[Float]` arrays (fast to scan when scoring), and a pair index finds an
/// existing entry in O(1) when a new co-occurrence arrives. Decay is lazy and global, as in
/// ``DecayedCounter``: new weight is scaled up by `2^((t - reference) / halfLife)`, so the
/// ratios used for ranking are exact without touching old entries.
struct CooccurrenceIndex: Sendable {
    var rowItems: [[Int32]] = []
    var rowWeights: [[Float]] = []
    /// `(a, b)` -> position of `b` in row `a`.
    var slots = PairTable()
    /// Per-item mass (decayed interaction count) used to normalise rows, and `1 / sqrt(mass)`.
    var mass: [Float] = []
    var inverseRootMass: [Float] = []
    var halfLife: Double
    var reference: Double = .nan

    init(halfLife: Double) {
        self.halfLife = halfLife > 0 ? halfLife : .infinity
    }

    var pairCount: Int { slots.count }

    mutating func ensureItems(_ n: Int) {
        while rowItems.count < n {
            rowItems.append([])
            rowWeights.append([])
            mass.append(0)
            inverseRootMass.append(0)
        }
    }

    /// The multiplier that new weight observed at `t` gets (renormalising first if needed).
    mutating func scale(at t: Double) -> Float {
        guard halfLife.isFinite else { return 1 }
        if reference.isNaN { reference = t }
        var exponent = (t - reference) / halfLife
        if exponent > 60 {
            renormalise(to: t)
            exponent = 0
        }
        return Float(exp2(exponent))
    }

    private mutating func renormalise(to t: Double) {
        let factor = Float(exp2(-(t - reference) / halfLife))
        for a in rowWeights.indices {
            rowWeights[a].withUnsafeMutableBufferPointer { row in
                for k in row.indices { row[k] *= factor }
            }
            mass[a] *= factor
            inverseRootMass[a] = mass[a] > 0 ? 1 / mass[a].squareRoot() : 0
        }
        reference = t
    }

    /// Adds `weight` to the (directed) pair `a -> b`.
    /// - Complexity: O(1) amortised (one hash lookup).
    @inline(__always)
    mutating func add(_ a: Int32, _ b: Int32, _ weight: Float) {
        let need = Int(max(a, b)) + 1
        if need > rowItems.count { ensureItems(need) }
        if let slot = slots.value(a, b) {
            rowWeights[Int(a)][Int(slot)] += weight
        } else {
            slots.set(a, b, Int32(rowItems[Int(a)].count))
            rowItems[Int(a)].append(b)
            rowWeights[Int(a)].append(weight)
        }
    }

    /// Adds mass to an item.
    @inline(__always)
    mutating func addMass(_ a: Int32, _ weight: Float) {
        if Int(a) >= mass.count { ensureItems(Int(a) + 1) }
        mass[Int(a)] += weight
        inverseRootMass[Int(a)] = mass[Int(a)] > 0 ? 1 / mass[Int(a)].squareRoot() : 0
    }

    /// Recomputes every `1 / sqrt(mass)` (after setting `mass` directly).
    mutating func refreshInverseRootMass() {
        for a in mass.indices { inverseRootMass[a] = mass[a] > 0 ? 1 / mass[a].squareRoot() : 0 }
    }

    /// Replaces row `a` wholesale (used after a full fit that kept only the top neighbours).
    mutating func setRow(_ a: Int32, items: [Int32], weights: [Float]) {
        if Int(a) >= rowItems.count { ensureItems(Int(a) + 1) }
        for b in rowItems[Int(a)] { slots.remove(a, b) }
        rowItems[Int(a)] = items
        rowWeights[Int(a)] = weights
        for (k, b) in items.enumerated() { slots.set(a, b, Int32(k)) }
    }

    /// Adds `coefficient * weight(a -> b) / mass(a)^alpha` to `scores[b]` for every `b` in row
    /// `a`. The caller divides by `mass(b)^(1 - alpha)` once at the end
    /// (``normalise(_:alpha:)``), giving cosine similarity at `alpha = 0.5`.
    /// - Complexity: O(length of row a).
    @inline(__always)
    func accumulate(row a: Int32, coefficient: Float, alpha: Float, into scores: UnsafeMutableBufferPointer<Float>) {
        let ai = Int(a)
        guard ai < rowItems.count else { return }
        let m = mass[ai]
        guard m > 0 else { return }
        let c = coefficient * (alpha == 0.5 ? inverseRootMass[ai] : 1 / powf(m, alpha))
        rowItems[ai].withUnsafeBufferPointer { items in
            rowWeights[ai].withUnsafeBufferPointer { weights in
                for k in items.indices {
                    let b = Int(items[k])
                    if b < scores.count { scores[b] += c * weights[k] }
                }
            }
        }
    }

    /// Divides each accumulated score by `mass(b)^(1 - alpha)`.
    /// - Complexity: O(items).
    func normalise(_ scores: UnsafeMutableBufferPointer<Float>, alpha: Float) {
        let beta = 1 - alpha
        if beta == 0.5 {
            inverseRootMass.withUnsafeBufferPointer { inverse in
                let n = min(inverse.count, scores.count)
                for b in 0..<n { scores[b] *= inverse[b] }
            }
            return
        }
        mass.withUnsafeBufferPointer { mass in
            let n = min(mass.count, scores.count)
            for b in 0..<n where scores[b] != 0 {
                let m = mass[b]
                scores[b] = m > 0 ? scores[b] / powf(m, beta) : 0
            }
        }
    }
}
