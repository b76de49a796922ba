import Foundation

/// MostPop: every user gets the items with the highest decayed interaction count.
///
/// The baseline every table shows. With an infinite half-life it is the classic all-time
/// popularity ranking; with a finite one it favours what is popular *now*, which on a
/// temporal split is a much stronger baseline. Each event counts 1 (implicit feedback).
public struct PopularityModel: Sendable {
    var counter: DecayedCounter
    /// The counts to send to the engines holding the other users (`nil`: not shared).
    var signals: SignalOutbox?

    public init(halfLife: Double) {
        counter = DecayedCounter(halfLife: halfLife)
    }

    /// Rebuilds the counts from every event the graph has applied, in time order.
    /// - Parameter events: the training events as `(item, time)`, any order.
    mutating func fit(items: [Int32], times: [Double], itemCount: Int) {
        counter = DecayedCounter(halfLife: counter.halfLife)
        counter.ensureCount(itemCount)
        let order = times.indices.sorted { times[$0] < times[$1] || (times[$0] == times[$1] && $0 < $1) }
        for k in order { counter.add(Int(items[k]), at: times[k]) }
    }

    /// Counts one event.
    /// - Complexity: O(1).
    @inline(__always)
    mutating func observe(item: Int32, at time: Double) {
        counter.add(Int(item), at: time)
        signals?.addPopularity(item, at: time, halfLife: counter.halfLife)
    }

    /// Writes each item's decayed count at the latest event time into `scores`.
    /// - Complexity: O(items).
    func score(into scores: UnsafeMutableBufferPointer<Float>) {
        let factor = currentFactor
        counter.values.withUnsafeBufferPointer { values in
            let n = min(values.count, scores.count)
            for k in 0..<n { scores[k] = values[k] * factor }
            if n < scores.count { for k in n..<scores.count { scores[k] = 0 } }
        }
    }

    /// The multiplier from stored values to decayed counts at the latest event time.
    var currentFactor: Float {
        guard counter.halfLife.isFinite, !counter.reference.isNaN else { return 1 }
        return Float(exp2(-(counter.now - counter.reference) / counter.halfLife))
    }

    /// The decayed count of `item` at the latest event time.
    public func popularity(ofItem item: Int32) -> Float { counter.value(Int(item)) }
}
