/// Events per second over a sliding window of about one second, from monotonic wall time.
struct RateMeter: Sendable {
    private var windowStart: Double = 0
    private var countInWindow: Int = 0
    private(set) var rate: Double = 0
    /// Windows closed so far: `rate` is a new measurement whenever this changes.
    private(set) var windowsClosed = 0
    let window: Double

    init(window: Double = 1.0) {
        self.window = window
    }

    /// Counts `n` occurrences at wall time `now` (seconds).
    mutating func add(_ n: Int, at now: Double) {
        if windowStart == 0 { windowStart = now }
        countInWindow += n
        roll(at: now)
    }

    /// Closes the window when it is full; an idle meter decays to 0 after two windows.
    mutating func roll(at now: Double) {
        let elapsed = now - windowStart
        if elapsed >= window {
            rate = Double(countInWindow) / elapsed
            countInWindow = 0
            windowStart = now
            windowsClosed += 1
        }
        if elapsed >= 2 * window && countInWindow == 0 { rate = 0 }
    }
}

/// Bounded first-in-first-out buffer for histories shown on screen.
struct BoundedBuffer<Element: Sendable>: Sendable {
    /// The kept elements; without thinning, up to `capacity` dropped ones before them.
    private var storage: [Element] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    /// The last `capacity` elements (or the thinned history), oldest first.
    var elements: [Element] {
        storage.count > capacity ? Array(storage.suffix(capacity)) : storage
    }

    var last: Element? { storage.last }

    /// Appends; when full, drops every other old element so long histories stay visible at a
    /// coarser resolution rather than being cut off (`thinning`), or the oldest ones.
    ///
    /// Without thinning the oldest are dropped `capacity` at a time, once the storage holds
    /// twice the capacity: dropping one per append moved the whole buffer every time (the
    /// Events panel's 64 lines, once per ingested event; memmove was 0.5% of a replay).
    /// - Complexity: O(1) amortised without thinning.
    mutating func append(_ element: Element, thinning: Bool = false) {
        if thinning, storage.count >= capacity {
            var kept: [Element] = []
            kept.reserveCapacity(capacity)
            for (i, e) in storage.enumerated() where i % 2 == 0 { kept.append(e) }
            storage = kept
        } else if !thinning, storage.count >= 2 * capacity {
            storage.removeFirst(storage.count - capacity + 1)
        }
        storage.append(element)
    }

    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    /// Removes the matching elements among the kept ones (the dropped ones go first, so none
    /// comes back into view).
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        if storage.count > capacity { storage.removeFirst(storage.count - capacity) }
        storage.removeAll(where: shouldRemove)
    }
}
