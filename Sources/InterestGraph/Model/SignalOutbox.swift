import Foundation

/// Popularity and co-visitation counts an engine added since its last item exchange, for the
/// engines that hold the other users (docs/SCALE-OUT.md §2, "Popularity and co-visitation").
///
/// Counts are increments, merged by addition, as the ego-row deltas are: every engine ends
/// with the counts of every engine's users. Decayed counts are kept with a lazy global
/// reference that differs per engine, so an increment is stored as its *true* weight at the
/// outbox's own ``reference`` event time (`2^((t - reference) / halfLife)` per event at `t`)
/// and a receiver adds it as weight observed at `reference`: the sum is exact whatever each
/// side's reference is. The outbox is bounded: at most ``pairLimit`` distinct pairs per
/// exchange (new pairs past it are counted in ``droppedPairs``, not kept); popularity holds
/// one entry per distinct item of the interval.
package struct SignalOutbox: Sendable, Equatable {
    /// Event time the weights are expressed at (the first event recorded since the last take).
    package var reference = Double.nan
    /// Per item: events (undecayed) and their weight at ``reference``.
    package var popularity: [Int32: SignalTally] = [:]
    /// Per unordered item pair (`min << 32 | max`): co-visitation weight at ``reference``,
    /// added to both directions by the receiver.
    package var pairs: [UInt64: Float] = [:]
    /// Per item: the co-visitation mass (new user edges) at ``reference``.
    package var mass: [Int32: Float] = [:]
    /// Most distinct pairs kept per exchange (bounded bytes: 12 B each on the wire).
    package var pairLimit = SignalOutbox.defaultPairLimit
    /// Pairs not kept because the outbox was full, since the last take.
    package var droppedPairs = 0

    package static let defaultPairLimit = 65_536

    package struct SignalTally: Sendable, Equatable {
        package var count: UInt32
        package var weight: Float
    }

    package init() {}

    var isEmpty: Bool { popularity.isEmpty && pairs.isEmpty && mass.isEmpty && droppedPairs == 0 }

    /// The weight of one event at `t` in the outbox's units.
    @inline(__always)
    mutating func weight(at t: Double, halfLife: Double) -> Float {
        if reference.isNaN { reference = t }
        return halfLife.isFinite ? Float(exp2((t - reference) / halfLife)) : 1
    }

    /// Counts one event on `item` (MostPop, the hybrid's popularity prior).
    /// - Complexity: O(1) amortised.
    mutating func addPopularity(_ item: Int32, at t: Double, halfLife: Double) {
        let w = weight(at: t, halfLife: halfLife)
        popularity[item, default: SignalTally(count: 0, weight: 0)].count &+= 1
        popularity[item]!.weight += w
    }

    /// Counts a co-visitation of `a` and `b` (both directions), or drops it when the outbox
    /// already holds ``pairLimit`` other pairs.
    /// - Complexity: O(1) amortised.
    mutating func addPair(_ a: Int32, _ b: Int32, at t: Double, halfLife: Double) {
        let key = UInt64(UInt32(bitPattern: min(a, b))) << 32 | UInt64(UInt32(bitPattern: max(a, b)))
        let w = weight(at: t, halfLife: halfLife)
        if let index = pairs.index(forKey: key) {
            pairs.values[index] += w
        } else if pairs.count < pairLimit {
            pairs[key] = w
        } else {
            droppedPairs += 1
        }
    }

    /// Adds co-visitation mass to `item` (one new user edge).
    mutating func addMass(_ item: Int32, at t: Double, halfLife: Double) {
        mass[item, default: 0] += weight(at: t, halfLife: halfLife)
    }

    /// What was recorded since the last take, leaving the outbox empty (its limit stays).
    mutating func take() -> SignalOutbox {
        let out = self
        droppedPairs = 0
        popularity.removeAll(keepingCapacity: true)
        pairs.removeAll(keepingCapacity: true)
        mass.removeAll(keepingCapacity: true)
        reference = .nan
        return out
    }
}
