/// Turns a user's events into *draws*: the distinct categories of each session.
///
/// Events within a session are not independent evidence about interests: a shopper who opens
/// a category views several items in it, and a viewed item may be clicked, carted and bought
/// (four events, one choice). Counting each event would let one curious session in a rare
/// category look like a change. A session is a run of a user's events with gaps of at most
/// ``gap`` seconds; each category counts once per session, when it first appears. Every
/// change test (``ChangeDetector`` and the baselines) reads the same draws.
///
/// Memory: one 32-byte record per user (last event time, session count, ``slots`` category
/// ids). One record, not three arrays: this runs for every event, and at a million users each
/// array was a cache miss of its own (docs/ARCHITECTURE.md, "Per-event work").
public struct SessionDraws: Sendable {
    /// Distinct categories remembered per session; a session touching more reuses slots.
    public static let slots = 4
    public let gap: Double

    /// One user's session: 8 + 4 * 4 + 1 bytes, 32 with padding, so two share a cache line.
    private struct Session {
        var lastTime = -Double.infinity
        var seen: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
        var count: UInt8 = 0

        @inline(__always)
        func category(_ k: Int) -> Int32 {
            switch k {
            case 0: seen.0
            case 1: seen.1
            case 2: seen.2
            default: seen.3
            }
        }

        @inline(__always)
        mutating func setCategory(_ k: Int, _ c: Int32) {
            switch k {
            case 0: seen.0 = c
            case 1: seen.1 = c
            case 2: seen.2 = c
            default: seen.3 = c
            }
        }
    }

    private var sessions: [Session] = []

    /// Bytes per user (one record).
    public static var bytesPerUser: Int { MemoryLayout<Session>.stride }

    public init(gap: Double = HeteroGraph.sessionGap) {
        self.gap = max(gap, 0)
    }

    /// Users with storage allocated.
    public var userCapacity: Int { sessions.count }

    /// Seconds of the user's last event, or `nil` before their first.
    public func lastEventTime(ofUser user: Int32) -> Double? {
        let u = Int(user)
        guard u >= 0, u < sessions.count, sessions[u].lastTime.isFinite else { return nil }
        return sessions[u].lastTime
    }

    /// Asks the cache for the user's record, which ``observe(user:category:at:)`` reads and
    /// writes (a hint: nothing changes).
    /// - Complexity: O(1).
    func prefetch(user: Int32) {
        Prefetch.element(of: sessions, at: Int(user))
    }

    /// Records an event of `user` in `category` at `time`.
    /// - Returns: `true` when it is a draw (the category's first event in this session).
    /// - Complexity: O(``slots``), one record read and written.
    public mutating func observe(user: Int32, category: Int32, at time: Double) -> Bool {
        guard user >= 0, category >= 0, time.isFinite else { return false }
        let u = Int(user)
        if u >= sessions.count { sessions.append(contentsOf: repeatElement(Session(), count: u + 1 - sessions.count)) }
        let gap = self.gap
        return sessions.withUnsafeMutableBufferPointer { all in
            var s = all[u]
            defer { all[u] = s }
            // A late (out-of-order) event belongs to the session around the newest one.
            if !(abs(time - s.lastTime) <= gap) && time > s.lastTime { s.count = 0 }
            s.lastTime = max(s.lastTime, time)
            let n = Int(s.count)
            for k in 0..<min(n, Self.slots) where s.category(k) == category { return false }
            s.setCategory(n % Self.slots, category)
            s.count = UInt8(min(n + 1, 255))
            return true
        }
    }

    /// Forgets the user's session.
    public mutating func forget(user: Int32) {
        let u = Int(user)
        guard u >= 0, u < sessions.count else { return }
        sessions[u].lastTime = -.infinity
        sessions[u].count = 0
    }
}
