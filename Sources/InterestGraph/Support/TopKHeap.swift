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
/// root is rejected with one comparison against ``threshold``, which is the common case when
/// ranking thousands of items. Order is total and deterministic: higher score first, then
/// lower index. NaN and `-infinity` scores are never kept (that is how callers exclude items).
///
/// ```swift
/// var heap = TopKHeap(capacity: 20)
/// for (item, score) in scores.enumerated() { heap.offer(Int32(item), score) }
/// let best = heap.sortedDescending()
/// ```
/// - Complexity: O(n log k) worst case for n offers, O(n) when most candidates are rejected.
public struct TopKHeap: Sendable {
    public let capacity: Int
    private var entries: [ScoredItem]

    /// The score a candidate must reach once the heap is full (`-infinity` before).
    public private(set) var threshold: Float = -.infinity

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        entries = []
        entries.reserveCapacity(self.capacity)
    }

    /// Number of pairs kept so far (at most ``capacity``).
    public var count: Int { entries.count }

    /// Empties the heap, keeping its storage.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        threshold = -.infinity
    }

    @inline(__always)
    private static func better(_ a: ScoredItem, than b: ScoredItem) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }

    /// Offers one candidate.
    /// - Complexity: O(1) when rejected, O(log k) when kept.
    @inline(__always)
    public mutating func offer(_ index: Int32, _ score: Float) {
        // Fast rejection: below the worst kept score (also false for NaN and -infinity).
        guard score >= threshold, score > -Float.infinity else { return }
        insert(ScoredItem(item: index, score: score))
    }

    private mutating func insert(_ candidate: ScoredItem) {
        let k = capacity
        if entries.count < k {
            entries.append(candidate)
            entries.withUnsafeMutableBufferPointer { heap in
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    // The root holds the worst pair: move the child up while it is worse.
                    guard Self.better(heap[parent], than: heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            }
            if entries.count == k { threshold = entries[0].score }
        } else if k > 0, Self.better(candidate, than: entries[0]) {
            entries.withUnsafeMutableBufferPointer { heap in
                heap[0] = candidate
                var parent = 0
                let n = heap.count
                while true {
                    let left = 2 * parent + 1
                    guard left < n else { break }
                    var worst = left
                    let right = left + 1
                    if right < n, Self.better(heap[left], than: heap[right]) { worst = right }
                    guard Self.better(heap[parent], than: heap[worst]) else { break }
                    heap.swapAt(parent, worst)
                    parent = worst
                }
            }
            threshold = entries[0].score
        }
    }

    /// Offers every entry of `scores` (index = position), skipping `-infinity`.
    /// - Complexity: O(n) plus O(log k) per kept candidate.
    public mutating func offer(all candidates: UnsafeBufferPointer<Float>) {
        for position in candidates.indices {
            offer(Int32(truncatingIfNeeded: position), candidates[position])
        }
    }

    /// The kept pairs, best first.
    /// - Complexity: O(k log k).
    public func sortedDescending() -> [ScoredItem] {
        entries.sorted { Self.better($0, than: $1) }
    }
}
