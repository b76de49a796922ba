/// Turns a user's events into *draws*: the distinct categories of each session.
///
/// Events within a session are not independent evidence about interests: a shopper who opens
/// a category views several items in it, and a viewed item may be clicked, carted and bought
/// (four events, one choice). Counting each event would let one curious session in a rare
/// category look like a change. A session is a run of a user's events with gaps of at most
/// ``gap`` seconds; each category counts once per session, when it first appears. Every
/// change test (``ChangeDetector`` and the baselines) reads the same draws.
///
/// Memory: ``slots`` category ids, one count and one time per user (29 bytes).
public struct SessionDraws: Sendable {
    /// Distinct categories remembered per session; a session touching more reuses slots.
    public static let slots = 4
    public let gap: Double

    private var lastTime: [Double] = []
    private var count: [UInt8] = []
    private var seen: [Int32] = []

    public init(gap: Double = HeteroGraph.sessionGap) {
        self.gap = max(gap, 0)
    }

    /// Users with storage allocated.
    public var userCapacity: Int { count.count }

    /// Seconds of the user's last event, or `nil` before their first.
    public func lastEventTime(ofUser user: Int32) -> Double? {
        let u = Int(user)
        guard u >= 0, u < lastTime.count, lastTime[u].isFinite else { return nil }
        return lastTime[u]
    }

    /// Records an event of `user` in `category` at `time`.
    /// - Returns: `true` when it is a draw (the category's first event in this session).
    /// - Complexity: O(``slots``).
    public mutating func observe(user: Int32, category: Int32, at time: Double) -> Bool {
        guard user >= 0, category >= 0, time.isFinite else { return false }
        let u = Int(user)
        if u >= count.count {
            let n = u + 1 - count.count
            lastTime.append(contentsOf: repeatElement(-.infinity, count: n))
            count.append(contentsOf: repeatElement(0, count: n))
            seen.append(contentsOf: repeatElement(-1, count: n * Self.slots))
        }
        // A late (out-of-order) event belongs to the session around the newest one.
        if !(abs(time - lastTime[u]) <= gap) && time > lastTime[u] { count[u] = 0 }
        lastTime[u] = max(lastTime[u], time)
        let base = u * Self.slots
        let n = Int(count[u])
        for k in 0..<min(n, Self.slots) where seen[base + k] == category { return false }
        seen[base + n % Self.slots] = category
        count[u] = UInt8(min(n + 1, 255))
        return true
    }

    /// Forgets the user's session.
    public mutating func forget(user: Int32) {
        let u = Int(user)
        guard u >= 0, u < count.count else { return }
        lastTime[u] = -.infinity
        count[u] = 0
    }
}
