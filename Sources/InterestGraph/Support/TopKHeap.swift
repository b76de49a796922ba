/// An item and its score, as returned by top-K queries.
public struct ScoredItem: Sendable, Hashable {
    /// Dense item id in the ``HeteroGraph``.
    public var item: Int32
    public var score: Float

    public init(item: Int32, score: Float) {
        self.item = item
        self.score = score
    }
}

/// Keeps the `k` best `(index, score)` pairs offered to it, without sorting everything.
///
/// A bounded min-heap whose root is the worst pair kept: a candidate that does not beat the
/// root is rejected with one comparison, which is the common case when ranking thousands of
/// items. Order is total and deterministic: higher score first, then lower index. NaN and
/// `-infinity` scores are never kept (that is how callers exclude items).
///
/// ```swift
/// var heap = TopKHeap(capacity: 20)
/// for (item, score) in scores.enumerated() { heap.offer(Int32(item), score) }
/// let best = heap.sortedDescending()
/// ```
/// - Complexity: O(n log k) worst case for n offers, O(n) when most candidates are rejected.
public struct TopKHeap: Sendable {
    public let capacity: Int
    private var scores: [Float]
    private var indices: [Int32]

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        scores = []
        indices = []
        scores.reserveCapacity(self.capacity)
        indices.reserveCapacity(self.capacity)
    }

    /// Number of pairs kept so far (at most ``capacity``).
    public var count: Int { scores.count }

    /// Empties the heap, keeping its storage.
    public mutating func removeAll() {
        scores.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        threshold = -.infinity
    }

    @inline(__always)
    private static func better(_ s1: Float, _ i1: Int32, than s2: Float, _ i2: Int32) -> Bool {
        s1 > s2 || (s1 == s2 && i1 < i2)
    }

    /// The score a candidate must beat once the heap is full (`-infinity` before).
    public private(set) var threshold: Float = -.infinity

    /// Offers one candidate.
    /// - Complexity: O(1) when rejected, O(log k) when kept.
    @inline(__always)
    public mutating func offer(_ index: Int32, _ score: Float) {
        // Fast rejection: below the worst kept score (also false for NaN and -infinity).
        guard score >= threshold, score > -Float.infinity else { return }
        if scores.count < capacity {
            scores.append(score)
            indices.append(index)
            siftUp(scores.count - 1)
            if scores.count == capacity { threshold = scores[0] }
        } else if capacity > 0, Self.better(score, index, than: scores[0], indices[0]) {
            scores[0] = score
            indices[0] = index
            siftDown(0)
            threshold = scores[0]
        }
    }

    /// Offers every entry of `scores` (index = position), skipping `-infinity`.
    /// - Complexity: O(n) plus O(log k) per kept candidate.
    public mutating func offer(all candidates: UnsafeBufferPointer<Float>) {
        for position in candidates.indices {
            offer(Int32(truncatingIfNeeded: position), candidates[position])
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            // The root holds the worst pair: move the child up while it is worse than its parent.
            guard Self.better(scores[parent], indices[parent], than: scores[child], indices[child]) else { return }
            scores.swapAt(parent, child)
            indices.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = scores.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var worst = left
            let right = left + 1
            if right < n, Self.better(scores[left], indices[left], than: scores[right], indices[right]) { worst = right }
            guard Self.better(scores[parent], indices[parent], than: scores[worst], indices[worst]) else { return }
            scores.swapAt(parent, worst)
            indices.swapAt(parent, worst)
            parent = worst
        }
    }

    /// The kept pairs, best first.
    /// - Complexity: O(k log k).
    public func sortedDescending() -> [ScoredItem] {
        var out = (0..<scores.count).map { ScoredItem(item: indices[$0], score: scores[$0]) }
        out.sort { Self.better($0.score, $0.item, than: $1.score, $1.item) }
        return out
    }
}
