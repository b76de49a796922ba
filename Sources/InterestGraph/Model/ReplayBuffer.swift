import Foundation

/// Recent interactions for background training, sampled with a preference for recent ones.
///
/// Each entry's weight is `2^((t - reference) / halfLife)` (newer is heavier); prefix sums
/// are extended on append, so appending is O(1) and a draw is one binary search. When the
/// buffer exceeds its capacity by a quarter, the oldest entries are dropped and the sums
/// rebuilt (amortised O(1) per append).
struct ReplayBuffer: Sendable {
    private(set) var users: [Int32] = []
    private(set) var items: [Int32] = []
    private(set) var times: [Double] = []
    /// `cumulative[k]` = total weight of entries `0..<k` (one longer than the entries).
    private var cumulative: [Double] = [0]
    private var reference: Double = .nan
    /// `guide[b]` = the first entry whose cumulative range reaches `b * total / guide.count`:
    /// a draw starts there instead of binary-searching 80,000 sums (17 dependent cache misses,
    /// 2.4% of a training epoch). Used while `guideCount == count`; any start gives the exact
    /// answer (the draw walks to it), a current one gives it in a step or two.
    private var guide: [Int32] = []
    private var guideCount = -1
    private(set) var halfLife: Double
    var capacity: Int

    init(capacity: Int, halfLife: Double) {
        self.capacity = max(1, capacity)
        self.halfLife = halfLife > 0 ? halfLife : .infinity
    }

    var count: Int { users.count }
    var isEmpty: Bool { users.isEmpty }

    private func weight(at t: Double) -> Double {
        guard halfLife.isFinite, !reference.isNaN else { return 1 }
        return exp2(min((t - reference) / halfLife, 700))
    }

    /// Appends one interaction.
    /// - Complexity: O(1) amortised.
    mutating func append(user: Int32, item: Int32, time: Double) {
        if reference.isNaN { reference = time }
        if halfLife.isFinite, (time - reference) / halfLife > 500 { rebuild(reference: time) }
        users.append(user)
        items.append(item)
        times.append(time)
        cumulative.append(cumulative[cumulative.count - 1] + weight(at: time))
        guideCount = -1
        if users.count > capacity + capacity / 4 {
            let drop = users.count - capacity
            users.removeFirst(drop)
            items.removeFirst(drop)
            times.removeFirst(drop)
            rebuild(reference: times.max() ?? reference)
        }
    }

    /// Changes the recency preference (rebuilds the sums).
    mutating func setHalfLife(_ value: Double) {
        let h = value > 0 ? value : .infinity
        guard h != halfLife else { return }
        halfLife = h
        rebuild(reference: times.max() ?? reference)
    }

    private mutating func rebuild(reference newReference: Double) {
        reference = newReference
        guideCount = -1
        cumulative = [0]
        cumulative.reserveCapacity(times.count + 1)
        var total = 0.0
        for t in times {
            total += weight(at: t)
            cumulative.append(total)
        }
    }

    /// Builds the guide table that makes ``sampleIndex(using:)`` O(1) expected until the next
    /// change (a training batch calls it before its draws; the result is the same either way).
    /// - Complexity: O(n), nothing when the guide is current.
    mutating func prepareSampling() {
        let n = users.count
        guard halfLife.isFinite, n > 0, guideCount != n else { return }
        let total = cumulative[n]
        guide = [Int32](repeating: 0, count: n)
        var k = 0
        for b in 0..<n {
            let edge = Double(b) * total / Double(n)
            while k < n - 1 && cumulative[k + 1] <= edge { k += 1 }
            guide[b] = Int32(k)
        }
        guideCount = n
    }

    /// A recency-weighted random entry index: the first `k` with `cumulative[k + 1] > u * total`.
    /// - Complexity: O(1) expected with a current guide (``prepareSampling()``), else O(log n).
    func sampleIndex(using rng: inout SeededGenerator) -> Int {
        let n = users.count
        if !halfLife.isFinite { return rng.index(below: n) }
        let total = cumulative[n]
        let target = rng.unitDouble() * total
        if guideCount == n {
            // Start at the guide's entry and walk to the exact answer: left while the previous
            // entry already reaches the target, right while this one does not.
            return cumulative.withUnsafeBufferPointer { c in
                let position = target / total * Double(n)  // NaN when every weight underflowed
                var k = position >= 0 && position < Double(n) ? Int(guide[Int(position)]) : 0
                while k > 0 && c[k] > target { k -= 1 }
                while k < n - 1 && c[k + 1] <= target { k += 1 }
                return k
            }
        }
        // First k with cumulative[k + 1] > target.
        var low = 0
        var high = n - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid + 1] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// A uniformly random entry's item: a draw proportional to interaction counts.
    func popularItem(using rng: inout SeededGenerator) -> Int32 {
        items[rng.index(below: items.count)]
    }

    mutating func removeAll() {
        users = []
        items = []
        times = []
        cumulative = [0]
        reference = .nan
        guideCount = -1
    }

    /// Drops every entry of `user` (forgetting a user must reach the training data too).
    mutating func remove(user: Int32) {
        var keep: [Int] = []
        for k in users.indices where users[k] != user { keep.append(k) }
        guard keep.count != users.count else { return }
        users = keep.map { users[$0] }
        items = keep.map { items[$0] }
        times = keep.map { times[$0] }
        rebuild(reference: times.max() ?? reference)
    }
}
