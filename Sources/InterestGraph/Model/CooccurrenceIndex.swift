import Foundation

/// A growable, time-decayed item-item co-occurrence matrix.
///
/// Up to ``denseLimit`` items it is a dense row-major matrix: an update is one array write and
/// accumulating a row into a score vector is a SIMD multiply-add over contiguous floats, which
/// beats any hash-based structure at catalogue sizes like ml-100k's. Beyond that it switches
/// (once) to sparse rows, parallel `[Int32]`/`[Float]` arrays with a ``PairTable`` index.
///
/// Decay is lazy and global, as in ``DecayedCounter``: new weight is scaled up by
/// `2^((t - reference) / halfLife)`, so the ratios used for ranking are exact without touching
/// old entries.
struct CooccurrenceIndex: Sendable {
    /// Largest item count kept dense (64 MB of floats).
    static let denseLimit = 4096

    private(set) var isDense = true
    /// Dense storage, `capacity * capacity` floats.
    private var dense: [Float] = []
    private var capacity = 0
    /// Sparse storage.
    private var rowItems: [[Int32]] = []
    private var rowWeights: [[Float]] = []
    /// `(a, b)` -> position of `b` in row `a` (sparse mode).
    private var slots = PairTable()
    /// Items covered.
    private(set) var itemCount = 0
    /// Sparse mode: a row that reaches `2 * rowLimit` entries by ``add(_:_:_:)`` keeps its
    /// `rowLimit` heaviest (ties: the lower item id) and drops the rest. `Int.max`: unbounded.
    ///
    /// Why: online co-occurrences add up to `degree` (ItemKNN) or `2 * window` (co-visitation)
    /// pairs per new edge, so an unbounded sparse index grows with the stream. On a 1.5M-event
    /// log with 69k items ItemKNN's rows passed 4.6 GB within a minute of the stream, and the
    /// Hybrid's co-visitation rows 2 GB. Pruning to the heaviest half keeps memory at
    /// O(items * rowLimit) and lets new strong neighbours in, at O(1) amortised per pair.
    /// Dense mode (catalogues up to ``denseLimit`` items, ml-100k) holds every pair in fixed
    /// memory and ignores this.
    var rowLimit = Int.max
    /// Per-item mass (decayed interaction count) used to normalise rows, and `1 / sqrt(mass)`.
    var mass: [Float] = []
    var inverseRootMass: [Float] = []
    var halfLife: Double
    var reference: Double = .nan

    init(halfLife: Double) {
        self.halfLife = halfLife > 0 ? halfLife : .infinity
    }

    mutating func ensureItems(_ n: Int) {
        guard n > itemCount else { return }
        mass.append(contentsOf: repeatElement(0, count: n - itemCount))
        inverseRootMass.append(contentsOf: repeatElement(0, count: n - itemCount))
        if isDense, n > Self.denseLimit { convertToSparse() }
        if isDense {
            if n > capacity { growDense(to: n) }
        } else {
            rowItems.append(contentsOf: repeatElement([], count: n - itemCount))
            rowWeights.append(contentsOf: repeatElement([], count: n - itemCount))
        }
        itemCount = n
    }

    private mutating func growDense(to n: Int) {
        let wanted = min(Self.denseLimit, max(n, capacity * 2, 64))
        let newCapacity = (wanted + 15) / 16 * 16
        var grown = [Float](repeating: 0, count: newCapacity * newCapacity)
        for a in 0..<min(itemCount, capacity) {
            for b in 0..<min(itemCount, capacity) { grown[a * newCapacity + b] = dense[a * capacity + b] }
        }
        dense = grown
        capacity = newCapacity
    }

    private mutating func convertToSparse() {
        rowItems = Array(repeating: [], count: itemCount)
        rowWeights = Array(repeating: [], count: itemCount)
        slots = PairTable()
        for a in 0..<itemCount {
            for b in 0..<itemCount where dense[a * capacity + b] != 0 {
                slots.set(Int32(a), Int32(b), Int32(rowItems[a].count))
                rowItems[a].append(Int32(b))
                rowWeights[a].append(dense[a * capacity + b])
            }
        }
        dense = []
        capacity = 0
        isDense = false
    }

    /// Number of nonzero pairs (O(items^2) in dense mode; for tests and statistics).
    var pairCount: Int {
        isDense ? dense.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } : slots.count
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
        if isDense {
            dense.withUnsafeMutableBufferPointer { d in
                for k in d.indices { d[k] *= factor }
            }
        } else {
            for a in rowWeights.indices {
                rowWeights[a].withUnsafeMutableBufferPointer { row in
                    for k in row.indices { row[k] *= factor }
                }
            }
        }
        for a in mass.indices { mass[a] *= factor }
        refreshInverseRootMass()
        reference = t
    }

    /// Adds `weight` to the (directed) pair `a -> b`.
    /// - Complexity: O(1) amortised (an array write when dense, one hash probe when sparse).
    @inline(__always)
    mutating func add(_ a: Int32, _ b: Int32, _ weight: Float) {
        let need = Int(max(a, b)) + 1
        if need > itemCount { ensureItems(need) }
        if isDense {
            dense[Int(a) * capacity + Int(b)] += weight
        } else if let slot = slots.value(a, b) {
            rowWeights[Int(a)][Int(slot)] += weight
        } else {
            if rowLimit < Int.max / 2, rowItems[Int(a)].count >= 2 * rowLimit { prune(row: Int(a)) }
            slots.set(a, b, Int32(rowItems[Int(a)].count))
            rowItems[Int(a)].append(b)
            rowWeights[Int(a)].append(weight)
        }
    }

    /// Keeps the ``rowLimit`` heaviest entries of sparse row `a` (ties: the lower item id), in
    /// their stored order.
    /// - Complexity: O(row log row), once per `rowLimit` additions to the row.
    private mutating func prune(row a: Int) {
        let items = rowItems[a]
        let weights = rowWeights[a]
        let order = items.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && items[$0] < items[$1]) }
        for k in order[rowLimit...] { slots.remove(Int32(a), items[k]) }
        let kept = order.prefix(rowLimit).sorted()
        rowItems[a] = kept.map { items[$0] }
        rowWeights[a] = kept.map { weights[$0] }
        for (k, b) in rowItems[a].enumerated() { slots.set(Int32(a), b, Int32(k)) }
    }

    /// The stored weight of `a -> b`.
    func weight(_ a: Int32, _ b: Int32) -> Float {
        guard Int(a) < itemCount, Int(b) < itemCount else { return 0 }
        if isDense { return dense[Int(a) * capacity + Int(b)] }
        guard let slot = slots.value(a, b) else { return 0 }
        return rowWeights[Int(a)][Int(slot)]
    }

    /// Adds another engine's co-visitation of `a` and `b` (both directions), of true weight
    /// `weight` at event time `t` (``SignalOutbox``).
    /// - Complexity: O(1) amortised.
    mutating func merge(_ a: Int32, _ b: Int32, weight: Float, at t: Double) {
        guard weight.isFinite, weight > 0, a >= 0, b >= 0, a != b else { return }
        let w = weight * scale(at: t)
        add(a, b, w)
        add(b, a, w)
    }

    /// Adds another engine's mass of `a`, of true weight `weight` at event time `t`.
    mutating func mergeMass(_ a: Int32, weight: Float, at t: Double) {
        guard weight.isFinite, weight > 0, a >= 0 else { return }
        addMass(a, weight * scale(at: t))
    }

    /// Adds mass to an item.
    @inline(__always)
    mutating func addMass(_ a: Int32, _ weight: Float) {
        if Int(a) >= itemCount { ensureItems(Int(a) + 1) }
        mass[Int(a)] += weight
        inverseRootMass[Int(a)] = mass[Int(a)] > 0 ? 1 / mass[Int(a)].squareRoot() : 0
    }

    /// Recomputes every `1 / sqrt(mass)` (after setting `mass` directly).
    mutating func refreshInverseRootMass() {
        for a in mass.indices { inverseRootMass[a] = mass[a] > 0 ? 1 / mass[a].squareRoot() : 0 }
    }

    /// Replaces row `a` wholesale (used after a full fit that kept only the top neighbours).
    mutating func setRow(_ a: Int32, items: [Int32], weights: [Float]) {
        if Int(a) >= itemCount { ensureItems(Int(a) + 1) }
        if let top = items.max(), Int(top) >= itemCount { ensureItems(Int(top) + 1) }
        if isDense {
            let base = Int(a) * capacity
            for b in 0..<capacity { dense[base + b] = 0 }
            for (b, w) in zip(items, weights) { dense[base + Int(b)] = w }
            return
        }
        for b in rowItems[Int(a)] { slots.remove(a, b) }
        rowItems[Int(a)] = items
        rowWeights[Int(a)] = weights
        for (k, b) in items.enumerated() { slots.set(a, b, Int32(k)) }
    }

    /// Adds `coefficient * weight(a -> b) / mass(a)^alpha` to `scores[b]` for every `b` in row
    /// `a`. The caller divides by `mass(b)^(1 - alpha)` once at the end
    /// (``normalise(_:alpha:)``), giving cosine similarity at `alpha = 0.5`.
    /// - Complexity: O(items) SIMD when dense, O(row length) when sparse.
    @inline(__always)
    func accumulate(row a: Int32, coefficient: Float, alpha: Float, into scores: UnsafeMutableBufferPointer<Float>) {
        let ai = Int(a)
        guard ai >= 0, ai < itemCount else { return }
        let m = mass[ai]
        guard m > 0 else { return }
        let c = coefficient * (alpha == 0.5 ? inverseRootMass[ai] : 1 / powf(m, alpha))
        if isDense {
            let n = min(itemCount, scores.count)
            dense.withUnsafeBufferPointer { d in
                let row = d.baseAddress! + ai * capacity
                let out = scores.baseAddress!
                let vc = SIMD16<Float>(repeating: c)
                var b = 0
                while b + 16 <= n {
                    VectorKernels.store(VectorKernels.load(UnsafePointer(out), b) + vc * VectorKernels.load(row, b), out, b)
                    b += 16
                }
                while b < n {
                    out[b] += c * row[b]
                    b += 1
                }
            }
            return
        }
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
                if n < scores.count { for b in n..<scores.count { scores[b] = 0 } }
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
