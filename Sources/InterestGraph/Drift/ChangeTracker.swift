/// Change detection for a stream of events: session draws (``SessionDraws``), the per-user
/// test (``ChangeDetector``) and a bounded log of the latest changes, for the engine and the
/// `changes` command.
public struct ChangeTracker: Sendable {
    /// Changes kept in the log (the oldest give way).
    public static let logCapacity = 4_096

    public private(set) var draws = SessionDraws()
    public private(set) var detector: ChangeDetector
    /// Ring of changes; `logNext` is where the next one goes once the ring is full.
    private var log: [InterestChange] = []
    private var logNext = 0
    /// Changes detected since the start (including those the log no longer holds).
    public private(set) var detected = 0

    public init(settings: ChangeDetectorSettings = .default, categoryCount: Int = 1) {
        detector = ChangeDetector(settings: settings, categoryCount: categoryCount)
        log.reserveCapacity(64)
    }

    public var settings: ChangeDetectorSettings {
        get { detector.settings }
        set { detector.settings = newValue }
    }

    /// Asks the cache for what ``observe(user:category:at:categoryCount:)`` reads for every
    /// event (the user's session record; the detector's state is read only on a draw).
    /// - Complexity: O(1).
    func prefetch(user: Int32) { draws.prefetch(user: user) }

    /// Feeds one event of `user` in `category` (the item's first category); `categoryCount`
    /// is the catalogue's size now (it grows as items arrive). Categories not registered with
    /// ``registerCategories(upTo:name:)`` count as departments of their own.
    /// - Returns: the change this event revealed, if any (also kept in the log).
    /// - Complexity: O(categories kept per user), independent of the number of users.
    @discardableResult
    public mutating func observe(user: Int32, category: Int32, at time: Double, categoryCount: Int) -> InterestChange? {
        guard draws.observe(user: user, category: category, at: time) else { return nil }
        if categoryCount > detector.categoryCount { detector.categoryCount = categoryCount }
        guard let change = detector.observeDraw(user: user, category: category, at: time) else { return nil }
        detected += 1
        if log.count < Self.logCapacity {
            log.append(change)
        } else {
            log[logNext] = change
            logNext = (logNext + 1) % Self.logCapacity
        }
        return change
    }

    /// Categories whose department the detector knows (dense ids below this).
    public var registeredCategories: Int { detector.departments.categoryCount }

    /// Registers categories by name up to dense id `count - 1`, so that each joins its
    /// department ("Baby" for "Baby/Nursery"; see ``CategoryDepartments``).
    /// - Complexity: O(new categories).
    public mutating func registerCategories(upTo count: Int, name: (Int) -> String) {
        while detector.departments.categoryCount < count { detector.departments.register(name: name(detector.departments.categoryCount)) }
    }

    /// Logged changes, newest first, at or after `since`, optionally of one user.
    /// - Complexity: O(log capacity).
    public func recent(since: Double = -.infinity, user: Int32? = nil, limit: Int = .max) -> [InterestChange] {
        var out: [InterestChange] = []
        let n = log.count
        for k in 0..<n {
            // Newest first: walk back from the slot before `logNext` (or the end).
            let index = ((log.count < Self.logCapacity ? n : logNext) - 1 - k + n) % n
            let change = log[index]
            if change.time < since { continue }
            if let user, change.user != user { continue }
            out.append(change)
            if out.count >= limit { break }
        }
        return out.sorted { $0.time != $1.time ? $0.time > $1.time : $0.user < $1.user }
    }

    /// Drops everything about a user, their logged changes included.
    public mutating func forget(user: Int32) {
        draws.forget(user: user)
        detector.forget(user: user)
        guard log.contains(where: { $0.user == user }) else { return }
        let kept = recent().filter { $0.user != user }.reversed()
        log = Array(kept)
        logNext = 0
    }
}
