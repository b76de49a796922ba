/// Each user's last `window` items, newest last, in one flat ring buffer per user.
struct RecentItems: Sendable {
    let window: Int
    private var slots: [Int32] = []
    private var counts: [Int32] = []
    private var heads: [Int32] = []

    init(window: Int) {
        self.window = max(1, window)
    }

    mutating func ensureUsers(_ n: Int) {
        if counts.count < n {
            let add = n - counts.count
            counts.append(contentsOf: repeatElement(0, count: add))
            heads.append(contentsOf: repeatElement(0, count: add))
            slots.append(contentsOf: repeatElement(-1, count: add * window))
        }
    }

    /// Appends an item to the user's ring, dropping the oldest when full.
    /// - Complexity: O(1) amortised.
    @inline(__always)
    mutating func push(user: Int32, item: Int32) {
        let u = Int(user)
        if u >= counts.count { ensureUsers(u + 1) }
        let head = Int(heads[u])
        slots[u * window + head] = item
        heads[u] = Int32((head + 1) % window)
        if Int(counts[u]) < window { counts[u] += 1 }
    }

    func count(user: Int32) -> Int {
        Int(user) < counts.count ? Int(counts[Int(user)]) : 0
    }

    /// Calls `body(item, age)` newest first (`age` 0 for the latest item).
    @inline(__always)
    func forEach(user: Int32, _ body: (Int32, Int) -> Void) {
        let u = Int(user)
        guard u < counts.count else { return }
        let n = Int(counts[u])
        var position = Int(heads[u])
        for age in 0..<n {
            position = position == 0 ? window - 1 : position - 1
            body(slots[u * window + position], age)
        }
    }

    /// Copies the user's items newest first into `buffer` (at most its count); returns how many.
    @inline(__always)
    func copy(user: Int32, into buffer: UnsafeMutableBufferPointer<Int32>) -> Int {
        let u = Int(user)
        guard u < counts.count else { return 0 }
        let n = min(Int(counts[u]), buffer.count)
        var position = Int(heads[u])
        slots.withUnsafeBufferPointer { slots in
            for age in 0..<n {
                position = position == 0 ? window - 1 : position - 1
                buffer[age] = slots[u * window + position]
            }
        }
        return n
    }

    mutating func clear(user: Int32) {
        let u = Int(user)
        guard u < counts.count else { return }
        counts[u] = 0
        heads[u] = 0
    }
}
