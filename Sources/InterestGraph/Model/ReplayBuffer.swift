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
    /// `blockSums[b]` = `cumulative[b * blockSize]`, for every block start up to the count: a
    /// draw binary-searches this short table (a million entries: 4,096 sums, 32 KB, in cache)
    /// and then one block of `cumulative` (2 KB), instead of the whole table of sums (23
    /// dependent cache misses at a shop's size). It is extended on append, so nothing is built
    /// per training batch (a guide table rebuilt before each batch was O(entries) per batch:
    /// a fresh 20 MB table and a pass over 5 M sums, 5% of an engine thread).
    private var blockSums: [Double] = [0]
    static let blockSize = 256
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
        if users.count % Self.blockSize == 0 { blockSums.append(cumulative[users.count]) }
        if users.count > capacity + capacity / 4 { dropOldest(users.count - capacity) }
    }

    /// Drops the `drop` oldest entries. The sums of the rest only lose the dropped prefix's
    /// total: subtracted, not recomputed (a recomputation is an `exp2` per entry, a million
    /// of them every quarter million appends at a shop's size).
    /// - Complexity: O(n).
    private mutating func dropOldest(_ drop: Int) {
        users.removeFirst(drop)
        items.removeFirst(drop)
        times.removeFirst(drop)
        let n = users.count
        cumulative.withUnsafeMutableBufferPointer { c in
            let base = c[drop]
            for k in 0...n { c[k] = c[k + drop] - base }
        }
        cumulative.removeLast(drop)
        blockSums.removeAll(keepingCapacity: true)
        for k in Swift.stride(from: 0, through: n, by: Self.blockSize) { blockSums.append(cumulative[k]) }
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
        // Emptied in place: a fresh table per rebuild (every quarter capacity of appends) was
        // fresh memory to touch each time.
        cumulative.removeAll(keepingCapacity: true)
        cumulative.append(0)
        cumulative.reserveCapacity(times.count + 1)
        blockSums.removeAll(keepingCapacity: true)
        blockSums.append(0)
        var total = 0.0
        for t in times {
            total += weight(at: t)
            cumulative.append(total)
            if (cumulative.count - 1) % Self.blockSize == 0 { blockSums.append(total) }
        }
    }

    /// A recency-weighted random entry index: the first `k` with `cumulative[k + 1] > u * total`.
    /// - Complexity: O(log n): a binary search of ``blockSums`` and one of a block.
    func sampleIndex(using rng: inout SeededGenerator) -> Int {
        let n = users.count
        if !halfLife.isFinite { return rng.index(below: n) }
        let target = rng.unitDouble() * cumulative[n]
        // The last block whose start is at or below the target: the answer is in it, since
        // `cumulative[b * B] <= target` puts it at `b * B` or later, and the next block's
        // start above the target puts it before that start.
        var low = 0
        var high = blockSums.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if blockSums[mid] <= target { low = mid } else { high = mid - 1 }
        }
        // A target at the total (rounding) or past every positive weight finds the block that
        // starts at `n` when `n` is a multiple of the block: the answer is then the last entry,
        // as one search of all the sums gives.
        let start = min(low * Self.blockSize, max(n - 1, 0))
        return firstEntry(above: target, from: start, through: max(start, min((low + 1) * Self.blockSize, n) - 1))
    }

    /// The first `k` in `low...high` with `cumulative[k + 1] > target`, or `high`.
    @inline(__always)
    private func firstEntry(above target: Double, from low: Int, through high: Int) -> Int {
        cumulative.withUnsafeBufferPointer { c in
            var low = low, high = high
            while low < high {
                let mid = (low + high) / 2
                if c[mid + 1] > target { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    /// ``sampleIndex(using:)`` by one binary search of all the sums (tests: the two-level
    /// search must give the same entry for every draw).
    func sampleIndexSearchingAll(using rng: inout SeededGenerator) -> Int {
        let n = users.count
        if !halfLife.isFinite { return rng.index(below: n) }
        let target = rng.unitDouble() * cumulative[n]
        return firstEntry(above: target, from: 0, through: n - 1)
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
        blockSums = [0]
        reference = .nan
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
