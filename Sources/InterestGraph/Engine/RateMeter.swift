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
    private(set) var elements: [Element] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        elements.reserveCapacity(capacity)
    }

    /// Appends; when full, drops every other old element so long histories stay visible at a
    /// coarser resolution rather than being cut off.
    mutating func append(_ element: Element, thinning: Bool = false) {
        if elements.count >= capacity {
            if thinning {
                var kept: [Element] = []
                kept.reserveCapacity(capacity)
                for (i, e) in elements.enumerated() where i % 2 == 0 { kept.append(e) }
                elements = kept
            } else {
                elements.removeFirst(elements.count - capacity + 1)
            }
        }
        elements.append(element)
    }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    mutating func removeAll(where shouldRemove: (Element) -> Bool) { elements.removeAll(where: shouldRemove) }
}
