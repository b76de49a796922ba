import Foundation

/// Per-item counts that decay with a half-life, updated in O(1) per event.
///
/// Rather than decaying every entry on every event, additions are scaled *up* by
/// `2^((t - reference) / halfLife)`: all entries share one implicit factor, so relative
/// order is exact at all times and the true value is `stored * 2^(-(now - reference) / halfLife)`.
/// When the scale grows large the whole array is renormalised once (O(n), rare).
struct DecayedCounter: Sendable {
    var values: [Float] = []
    /// Events per entry, undecayed.
    var counts: [Int32] = []
    var halfLife: Double
    /// Time at which stored values are true values.
    var reference: Double = .nan
    var now: Double = -.infinity

    init(halfLife: Double) {
        self.halfLife = halfLife > 0 ? halfLife : .infinity
    }

    mutating func ensureCount(_ n: Int) {
        if values.count < n {
            values.append(contentsOf: repeatElement(0, count: n - values.count))
            counts.append(contentsOf: repeatElement(0, count: n - counts.count))
        }
    }

    /// Adds `weight` to `index` at time `t`.
    /// - Complexity: O(1) amortised.
    @inline(__always)
    mutating func add(_ index: Int, weight: Float = 1, at t: Double) {
        accumulate(index, events: 1, weight: weight, at: t)
    }

    /// Adds another engine's `count` events on `index`, of true weight `weight` at event
    /// time `t` (``SignalOutbox``): exact whatever the two counters' references are.
    /// - Complexity: O(1) amortised.
    mutating func merge(_ index: Int, count: UInt32, weight: Float, at t: Double) {
        guard weight.isFinite, weight >= 0, t.isFinite else { return }
        accumulate(index, events: Int32(truncatingIfNeeded: count), weight: weight, at: t)
    }

    /// `events` more on `index` and `weight` at time `t`, stored relative to the reference
    /// (moved forward first when the scale would overflow).
    @inline(__always)
    private mutating func accumulate(_ index: Int, events: Int32, weight: Float, at t: Double) {
        if index >= values.count { ensureCount(index + 1) }
        if reference.isNaN { reference = t }
        if t > now { now = t }
        counts[index] &+= events
        guard halfLife.isFinite else {
            values[index] += weight
            return
        }
        var exponent = (t - reference) / halfLife
        if exponent > 60 {
            renormalise(to: t)
            exponent = 0
        }
        values[index] += weight * Float(exp2(exponent))
    }

    /// Moves the reference to `t`, rescaling every stored value.
    mutating func renormalise(to t: Double) {
        guard halfLife.isFinite, !reference.isNaN else { return }
        let factor = Float(exp2(-(t - reference) / halfLife))
        values.withUnsafeMutableBufferPointer { buffer in
            for k in buffer.indices { buffer[k] *= factor }
        }
        reference = t
    }

    /// The decayed value of `index` at the latest time seen.
    func value(_ index: Int) -> Float {
        guard index < values.count else { return 0 }
        guard halfLife.isFinite, !reference.isNaN else { return values[index] }
        return values[index] * Float(exp2(-(now - reference) / halfLife))
    }

    /// Changes the half-life, keeping today's decayed values.
    mutating func setHalfLife(_ newValue: Double) {
        let h = newValue > 0 ? newValue : .infinity
        guard h != halfLife else { return }
        if halfLife.isFinite, !reference.isNaN, now.isFinite { renormalise(to: now) }
        halfLife = h
    }
}
