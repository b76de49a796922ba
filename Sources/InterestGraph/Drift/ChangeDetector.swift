import Foundation

/// Settings of the per-user change test (see ``ChangeDetector``).
public struct ChangeDetectorSettings: Sendable, Hashable, Codable {
    /// Alarm threshold `h` on the test statistic, in nats. The statistic is the log of a
    /// likelihood ratio, so a user whose draws follow their reference crosses `h` from any
    /// restart with probability at most `exp(-h)` (Ville's inequality); in practice the
    /// reference is itself an estimate, so the measured rate is what docs/EVALUATION.md shows.
    public var threshold: Double
    /// Half-life of the short-term profile, in draws (a draw is a category's first event in a
    /// session). It names the change (from, to) and becomes the reference after one.
    public var shortHalfLife: Double
    /// Half-life of the reference profile, in seconds of event time. Long (120 days): the
    /// reference is the user's whole recent history, so a rare but genuine interest stays in it
    /// (a 28-day reference forgot them and called their return a change; see docs/EVALUATION.md).
    public var referenceHalfLife: Double
    /// Share `s` a new interest takes in the post-change model (the rest keeps the reference's
    /// shares). Larger values weigh a draw in the new interest more and every familiar draw
    /// less (each costs `log(1 - s)`).
    public var novelty: Double
    /// Draws the reference must hold before the test runs (a new user, or right after a
    /// change when the short-term profile became the reference). Once reached, the test keeps
    /// running through quiet spells.
    public var minimumReference: Double
    /// Draws that wait before joining the reference (at most ``ChangeDetector/maximumLag``, and
    /// at most half the reference's mass): the test compares the newest draws with a
    /// normal that has not seen them yet.
    public var referenceLag: Int

    public init(threshold: Double = 6, shortHalfLife: Double = 4, referenceHalfLife: Double = 120 * 86_400, novelty: Double = 0.4, minimumReference: Double = 5, referenceLag: Int = 8) {
        self.threshold = max(threshold, 0.1)
        self.shortHalfLife = max(shortHalfLife, 0.5)
        self.referenceHalfLife = max(referenceHalfLife, 3_600)
        self.novelty = min(max(novelty, 0.01), 0.99)
        self.minimumReference = max(minimumReference, 1)
        self.referenceLag = min(max(referenceLag, 0), ChangeDetector.maximumLag)
    }

    public static let `default` = ChangeDetectorSettings()
}

/// A change test per user: a mixture likelihood-ratio CUSUM of the user's draws under "a new
/// interest appeared somewhere in the category tree" against their reference profile.
///
/// Each user has a *reference* profile (their normal, decaying over weeks of event time) and a
/// *short-term* profile (decaying over a few draws; see ``SessionDraws``). A draw of category
/// `c` has probability `p0(c)` under the reference, smoothed as a Dirichlet posterior
/// predictive: `p0(c) = (m_c + a b(c)) / (M + a)` with ``priorDraws`` `a`, where the backoff
/// `b(c)` spreads half of its mass over the categories of departments the user already shops
/// in (by the department's share) and half uniformly, and `a` grows to the user's own
/// (decayed) count of draws that were new to the reference when they joined it, so that a
/// habitual explorer's next new category is no surprise. So a new category next to familiar ones
/// surprises less than one in a department the user never visited, and a short history is
/// uncertain in proportion to its length.
///
/// The post-change model says a new interest took a share `s` (``ChangeDetectorSettings/novelty``)
/// of the user's draws: `p1(x) = (1 - s) p0(x) + s q_d(x)`, where the interest lies in one
/// department `d` (prior `1 / departments`) and `q_d` is the Dirichlet predictive of the
/// draws in `d` since the test last restarted (uniform over `d`'s categories before any).
/// The statistic is the log of the mixture over departments of the likelihood ratios,
/// `g = log sum_d pi_d prod (p1_d(x) / p0(x))`, restarted when it falls to 0 (Page's CUSUM
/// with a mixture alternative). Evidence therefore adds up per draw, and concentrates: two
/// draws in one new department count far more than two anywhere, a second draw in the same new
/// category more still. A move towards a category the user already knows is the same test
/// with a larger `p0`. Each familiar draw costs `log(1 - s)`.
///
/// Draws join the reference only after ``ChangeDetectorSettings/referenceLag`` later draws
/// (a small queue per user; fewer while the reference is young), so a change in progress does
/// not teach the reference the new interest before the test has weighed it. When `g` reaches
/// the threshold the change is reported (time, most-lost category, the new interest's most
/// drawn category, confidence) and the short-term profile becomes the reference: the user's
/// new normal, weighed as one draw until the reference has learned enough of it to test again.
///
/// Memory is one fixed-size record per user by dense user id (``UserState``), with capped
/// sparse profiles (the smallest entry is evicted): ``bytesPerUser`` bytes each (416 with the
/// default caps and the session record, so 416 MB for a million users). Cost per draw is
/// O(slots), independent of the catalogue and of the user count.
///
/// Why one record: a draw reads and writes nearly every field of its user. As twenty arrays
/// by user id that was twenty cache misses per draw at a million users (perf: the detector's
/// stalls and the prefetch hints queued behind them), and each array doubled and copied
/// itself as users arrived. The record is six cache lines, side by side, in a buffer that
/// grows by remapping its pages (``AlignedBuffer``).
public struct ChangeDetector: Sendable {
    /// Entries per profile: reference and short-term. The reference holds 16: a household
    /// with eight genuine interests and a habit of trying things (the grocery look-alike of
    /// docs/EVALUATION.md) kept evicting a real interest for the latest one-off with 8, and
    /// met it again as "new".
    public static let referenceSlots = 16
    public static let shortSlots = 6
    /// Departments and categories the running test tracks per user (the weakest give way,
    /// which only lowers the statistic: dropping a term of the mixture is conservative).
    public static let testDepartments = 4
    public static let testCategories = 6
    /// Longest reference lag, in draws.
    public static let maximumLag = 16
    /// Prior strength `a` of the reference's Dirichlet smoothing, in draws.
    public static let priorDraws = 4.0
    /// Share of the backoff that follows the user's departments (the rest is uniform).
    public static let departmentBackoff = 0.5
    /// Prior strength of the new interest's category predictive inside its department.
    public static let interestPrior = 1.0

    /// Where the short-term profile, the test's categories and its departments sit in the
    /// lanes of ``UserState/cats`` and ``UserState/masses`` (6 + 6 + 4 = 16 lanes).
    static let shortBase = 0
    static let testCategoryBase = shortSlots
    static let testDepartmentBase = shortSlots + testCategories

    /// One user's state: 384 bytes, six cache lines.
    struct UserState: BitwiseCopyable {
        /// The reference profile: category ids (-1 free) and their decayed masses.
        var refCat: SIMD16<Int32>
        var refMass: SIMD16<Float>
        /// A ring of ``maximumLag`` draws waiting to join the reference.
        var queue: SIMD16<Int32>
        /// Lanes from ``shortBase``: the short-term profile's categories (-1 free); from
        /// ``testCategoryBase``: the test's tracked categories (-1 free); from
        /// ``testDepartmentBase``: its tracked departments (`Int32.min` free).
        var cats: SIMD16<Int32>
        /// The same lanes: short-term masses, the tracked categories' draws, and the log-ratio
        /// each tracked department adds on top of ``base``.
        var masses: SIMD16<Float>
        /// Draws since the restart in each tracked department (lane k: department lane 12 + k).
        var testDeptDraws: SIMD4<Float>
        /// The reference's last decay (event seconds; -infinity before the first draw).
        var refTime: Double
        /// Reference total (evicted entries' mass included).
        var refTotal: Float
        /// Decayed count of draws that joined the reference in a category it did not list: the
        /// user's own rate of trying something new (the Good-Turing estimate of its missing
        /// mass), the smoothing's strength when it exceeds ``priorDraws``.
        var refNovel: Float
        var shortTotal: Float
        /// The running test's `sum log(1 - s)` since the restart.
        var base: Float
        /// The statistic after the user's last draw (nats, at least 0).
        var statistic: Float
        var changes: UInt16
        var queueHead: UInt8
        var queueCount: UInt8
        /// Whether the reference has held ``ChangeDetectorSettings/minimumReference`` draws
        /// since the user's first draw or last change. Sticky: a rare visitor's reference that
        /// decays below the mark between visits stays tested (otherwise the draws of a user
        /// who changed while away would flow into the reference untested and become their normal).
        var warm: Bool

        /// A user with no draws.
        static let empty: UserState = {
            var cats = SIMD16<Int32>(repeating: -1)
            for k in testDepartmentBase..<(testDepartmentBase + testDepartments) { cats[k] = Int32.min }
            return UserState(refCat: SIMD16(repeating: -1), refMass: .zero, queue: SIMD16(repeating: -1), cats: cats, masses: .zero,
                             testDeptDraws: .zero, refTime: -.infinity, refTotal: 0, refNovel: 0, shortTotal: 0, base: 0, statistic: 0,
                             changes: 0, queueHead: 0, queueCount: 0, warm: false)
        }()
    }

    public var settings: ChangeDetectorSettings
    /// Categories in the catalogue (the uniform part of the backoff); at least 1.
    public var categoryCount: Int
    /// The department level of the category tree (flat when empty: every category its own).
    public var departments: CategoryDepartments

    private var users = AlignedBuffer<UserState>()
    /// Draws tested and alarms raised over all users: the population's change rate, the
    /// prior (``hazard``) of the confidence an alarm reports.
    public private(set) var testedDraws = 0
    public private(set) var alarms = 0

    public init(settings: ChangeDetectorSettings = .default, categoryCount: Int, departments: CategoryDepartments = CategoryDepartments()) {
        self.settings = settings
        self.categoryCount = max(categoryCount, 1)
        self.departments = departments
    }

    public static var bytesPerUser: Int { MemoryLayout<UserState>.stride + SessionDraws.bytesPerUser }

    /// Users with storage allocated.
    public var userCapacity: Int { users.count }

    /// Makes room for user `u` (new users start ``UserState/empty``).
    /// - Complexity: amortised O(new users); the buffer grows by remapping, never copying.
    @inline(__always)
    private mutating func ensure(_ u: Int) {
        let old = users.count
        guard u >= old else { return }
        users.resize(to: u + 1)
        users.withUnsafeMutableBufferPointer { all in
            for k in old...u { all[k] = .empty }
        }
    }

    /// The read-only state of user `u` (in range).
    @inline(__always)
    private func state(_ u: Int) -> UserState { users.baseAddress[u] }

    // MARK: Confidence

    /// Prior probability, per tested draw, that a user's interests change there: the
    /// population's own alarm rate, shrunk toward one change in ``hazardPriorDraws`` draws
    /// while few draws are known (an empirical-Bayes estimate of the change rate).
    public var hazard: Double { (Double(alarms) + 1) / (Double(testedDraws) + Self.hazardPriorDraws) }
    /// Pseudo-draws of the hazard's prior (one change among them).
    public static let hazardPriorDraws = 1_000.0

    /// The posterior probability that the user's interests changed, given the statistic `g`
    /// and the per-draw hazard `h`: `h e^g / (1 - h + h e^g)`. `e^g` is the likelihood ratio of
    /// "a change at the best restart point" against "no change", a lower bound on the
    /// Shiryaev-Roberts sum over all change points, so this is a lower bound on Shiryaev's
    /// posterior under a geometric prior with rate `h`. Unlike `1 - e^-g`, it does not sit at
    /// 0.998 for every alarm: at the default threshold and the simulator's change rate an alarm
    /// is about a coin toss, at 10 nats about 0.95 (see docs/EVALUATION.md for how well it is
    /// calibrated).
    public static func posterior(statistic g: Double, hazard h: Double) -> Double {
        let rate = min(max(h, 1e-12), 0.5)
        let odds = rate / (1 - rate) * exp(min(max(g, 0), 700))
        return odds.isFinite ? odds / (1 + odds) : 1
    }

    // MARK: Testing

    /// Tests one draw (see ``SessionDraws``) of `category` by `user` at `time`.
    /// - Returns: the change, when this draw makes the statistic cross the threshold.
    /// - Complexity: O(profile and test slots), no allocation once the user's storage exists;
    ///   one six-line record read and written.
    public mutating func observeDraw(user: Int32, category c: Int32, at time: Double) -> InterestChange? {
        guard user >= 0, c >= 0 else { return nil }
        let u = Int(user)
        ensure(u)
        let s = settings
        let p = users.uniqueBaseAddress() + u
        // Decay the reference to `time` (events earlier than the last decay are not rewound).
        if time > p.pointee.refTime {
            if p.pointee.refTime.isFinite {
                let f = Float(exp2(-(time - p.pointee.refTime) / s.referenceHalfLife))
                p.pointee.refMass *= f
                p.pointee.refTotal *= f
                p.pointee.refNovel *= f
            }
            p.pointee.refTime = time
        }
        if !p.pointee.warm && Double(p.pointee.refTotal) >= s.minimumReference { p.pointee.warm = true }
        let warmed = p.pointee.warm
        var g = 0.0
        if warmed {
            g = test(p, c)
            p.pointee.statistic = Float(g)
            testedDraws += 1
        }
        // The short-term profile learns the draw after the test used it.
        let decay = Float(exp2(-1 / s.shortHalfLife))
        for k in Self.shortBase..<(Self.shortBase + Self.shortSlots) { p.pointee.masses[k] *= decay }
        p.pointee.shortTotal = p.pointee.shortTotal * decay + 1
        _ = Self.add(c, 1, cats: &p.pointee.cats, masses: &p.pointee.masses, base: Self.shortBase, slots: Self.shortSlots)

        guard warmed else {
            Self.learn(p, c)
            return nil
        }
        // Queue the draw; the oldest beyond the lag join the reference. The lag is at most half
        // the reference's mass: a young reference learns soon (eight draws held back from a
        // reference of six would make it sure that a category the user keeps drawing is new
        // to them), a mature one waits the full lag.
        let lag = min(s.referenceLag, Int(p.pointee.refTotal / 2))
        if Int(p.pointee.queueCount) >= Self.maximumLag { Self.learnOldestQueued(p) }
        p.pointee.queue[(Int(p.pointee.queueHead) + Int(p.pointee.queueCount)) % Self.maximumLag] = c
        p.pointee.queueCount += 1
        while Int(p.pointee.queueCount) > lag { Self.learnOldestQueued(p) }
        guard g >= s.threshold else { return nil }
        let change = InterestChange(user: user, time: time, from: Self.mostChanged(p.pointee, gained: false),
                                    to: newInterest(p.pointee) ?? Self.mostChanged(p.pointee, gained: true),
                                    confidence: Self.posterior(statistic: g, hazard: hazard))
        alarms += 1
        // The short-term profile is the new normal: its shares become the reference, weighed
        // as one draw (it is an estimate from a handful), so the test waits for the reference
        // to hold ``ChangeDetectorSettings/minimumReference`` draws of the new normal.
        let weight = 1 / max(p.pointee.shortTotal, 1)
        for k in 0..<Self.referenceSlots {
            p.pointee.refCat[k] = k < Self.shortSlots ? p.pointee.cats[Self.shortBase + k] : -1
            p.pointee.refMass[k] = k < Self.shortSlots ? p.pointee.masses[Self.shortBase + k] * weight : 0
        }
        p.pointee.refTotal = min(p.pointee.shortTotal, 1)
        p.pointee.refNovel = 0
        p.pointee.warm = false
        p.pointee.queueHead = 0
        p.pointee.queueCount = 0
        Self.restart(p)
        p.pointee.changes &+= 1
        return change
    }

    /// One draw of `c` through the running test of the user at `p`. - Returns: the statistic after it.
    @inline(__always)
    private func test(_ p: UnsafeMutablePointer<UserState>, _ c: Int32) -> Double {
        let share = settings.novelty
        let (d, size) = departments.of(c)
        // The reference's probability of `c`: Dirichlet posterior predictive with a backoff
        // that follows the user's departments.
        let total = Double(p.pointee.refTotal)
        var own = 0.0, inDepartment = 0.0
        for k in 0..<Self.referenceSlots where p.pointee.refCat[k] >= 0 {
            if p.pointee.refCat[k] == c { own = Double(p.pointee.refMass[k]) }
            if departments.of(p.pointee.refCat[k]).department == d { inDepartment += Double(p.pointee.refMass[k]) }
        }
        // A category alone in its department (a flat catalogue) learns nothing from it.
        let lean = size > 1 ? Self.departmentBackoff : 0
        let backoff = lean * (total > 0 ? inDepartment / total : 0) / Double(size) + (1 - lean) / Double(categoryCount)
        let strength = max(Self.priorDraws, Double(p.pointee.refNovel))
        let p0 = (own + strength * backoff) / (total + strength)
        // The new interest's predictive inside `d`, from the draws since the restart.
        let db = Self.testDepartmentBase
        let departmentLanes = db..<(db + Self.testDepartments)
        var slot = -1
        for k in departmentLanes where p.pointee.cats[k] == d { slot = k; break }
        if slot < 0 {
            // A free slot, or the weakest department's (its evidence is dropped: conservative).
            slot = db
            for k in departmentLanes {
                if p.pointee.cats[k] == Int32.min { slot = k; break }
                if p.pointee.masses[k] < p.pointee.masses[slot] { slot = k }
            }
            if p.pointee.cats[slot] != Int32.min { forgetCategories(p, department: p.pointee.cats[slot]) }
            p.pointee.cats[slot] = d
            p.pointee.masses[slot] = 0
            p.pointee.testDeptDraws[slot - db] = 0
        }
        let cb = Self.testCategoryBase
        var seen = 0.0
        for k in cb..<(cb + Self.testCategories) where p.pointee.cats[k] == c { seen = Double(p.pointee.masses[k]) }
        let q = (seen + Self.interestPrior / Double(size)) / (Double(p.pointee.testDeptDraws[slot - db]) + Self.interestPrior)
        let keep = log(1 - share)
        p.pointee.masses[slot] += Float(log((1 - share) + share * q / p0) - keep)
        p.pointee.testDeptDraws[slot - db] += 1
        _ = Self.add(c, 1, cats: &p.pointee.cats, masses: &p.pointee.masses, base: cb, slots: Self.testCategories)
        p.pointee.base += Float(keep)
        // g = base + log(sum over tracked departments of pi e^L + the untracked prior mass).
        let prior = 1 / Double(max(departments.count(among: categoryCount), 1))
        var top = 0.0
        for k in departmentLanes where p.pointee.cats[k] != Int32.min { top = max(top, Double(p.pointee.masses[k])) }
        var sum = 0.0, tracked = 0.0
        for k in departmentLanes where p.pointee.cats[k] != Int32.min {
            sum += prior * exp(Double(p.pointee.masses[k]) - top)
            tracked += prior
        }
        sum += max(0, 1 - tracked) * exp(-top)
        let g = Double(p.pointee.base) + top + log(sum)
        if g <= 0 {
            Self.restart(p)
            return 0
        }
        return g
    }

    /// Adds one draw of `c` to the reference of the user at `p`.
    @inline(__always)
    private static func learn(_ p: UnsafeMutablePointer<UserState>, _ c: Int32) {
        if mass(of: c, cats: p.pointee.refCat, masses: p.pointee.refMass, base: 0, slots: referenceSlots) == nil { p.pointee.refNovel += 1 }
        _ = add(c, 1, cats: &p.pointee.refCat, masses: &p.pointee.refMass, base: 0, slots: referenceSlots)
        p.pointee.refTotal += 1
    }

    /// Moves the oldest draw of the queue of the user at `p` into the reference.
    private static func learnOldestQueued(_ p: UnsafeMutablePointer<UserState>) {
        learn(p, p.pointee.queue[Int(p.pointee.queueHead)])
        p.pointee.queueHead = UInt8((Int(p.pointee.queueHead) + 1) % maximumLag)
        p.pointee.queueCount -= 1
    }

    /// Starts the test of the user at `p` over (statistic 0, no evidence kept).
    private static func restart(_ p: UnsafeMutablePointer<UserState>) {
        p.pointee.base = 0
        p.pointee.statistic = 0
        for k in testDepartmentBase..<(testDepartmentBase + testDepartments) {
            p.pointee.cats[k] = Int32.min
            p.pointee.masses[k] = 0
        }
        p.pointee.testDeptDraws = .zero
        for k in testCategoryBase..<(testCategoryBase + testCategories) {
            p.pointee.cats[k] = -1
            p.pointee.masses[k] = 0
        }
    }

    /// Drops the tracked categories of a department that gave up its test slot.
    private func forgetCategories(_ p: UnsafeMutablePointer<UserState>, department d: Int32) {
        for k in Self.testCategoryBase..<(Self.testCategoryBase + Self.testCategories)
        where p.pointee.cats[k] >= 0 && departments.of(p.pointee.cats[k]).department == d {
            p.pointee.cats[k] = -1
            p.pointee.masses[k] = 0
        }
    }

    /// The most drawn category of the department with the strongest evidence, if any.
    private func newInterest(_ s: UserState) -> Int32? {
        let db = Self.testDepartmentBase
        var best = -1
        for k in db..<(db + Self.testDepartments) where s.cats[k] != Int32.min {
            if best < 0 || s.masses[k] > s.masses[best] { best = k }
        }
        guard best >= 0 else { return nil }
        var category: Int32?
        var most: Float = 0
        for k in Self.testCategoryBase..<(Self.testCategoryBase + Self.testCategories)
        where s.cats[k] >= 0 && departments.of(s.cats[k]).department == s.cats[best] {
            if s.masses[k] > most || (s.masses[k] == most && s.cats[k] < (category ?? .max)) {
                most = s.masses[k]
                category = s.cats[k]
            }
        }
        return category
    }

    /// The category whose share grew (or shrank) most from the reference to the short-term profile.
    private static func mostChanged(_ s: UserState, gained: Bool) -> Int32 {
        let rt = max(s.refTotal, .leastNormalMagnitude)
        let st = max(s.shortTotal, .leastNormalMagnitude)
        var best: Int32 = -1
        var bestDelta: Float = 0
        func consider(_ c: Int32) {
            guard c >= 0 else { return }
            let r = (mass(of: c, cats: s.refCat, masses: s.refMass, base: 0, slots: referenceSlots) ?? 0) / rt
            let sh = (mass(of: c, cats: s.cats, masses: s.masses, base: shortBase, slots: shortSlots) ?? 0) / st
            let delta = gained ? sh - r : r - sh
            if delta > bestDelta || (delta == bestDelta && delta > 0 && c < best) { best = c; bestDelta = delta }
        }
        if gained {
            for k in shortBase..<(shortBase + shortSlots) { consider(s.cats[k]) }
        } else {
            for k in 0..<referenceSlots { consider(s.refCat[k]) }
        }
        return best
    }

    // MARK: Sparse profiles

    @inline(__always)
    private static func mass(of c: Int32, cats: SIMD16<Int32>, masses: SIMD16<Float>, base: Int, slots: Int) -> Float? {
        for k in base..<(base + slots) where cats[k] == c { return masses[k] }
        return nil
    }

    /// Adds `amount` to `c`'s entry among lanes `base..<base + slots`, taking a free slot or
    /// the smallest entry's when `c` is new. - Returns: the mass pushed out (the evicted
    /// entry's, or `amount` itself when every entry is larger), for the profile's "other" count.
    @inline(__always)
    private static func add(_ c: Int32, _ amount: Float, cats: inout SIMD16<Int32>, masses: inout SIMD16<Float>, base: Int, slots: Int) -> Float {
        var smallest = base
        for k in base..<(base + slots) {
            if cats[k] == c { masses[k] += amount; return 0 }
            if cats[k] < 0 { cats[k] = c; masses[k] = amount; return 0 }
            if masses[k] < masses[smallest] { smallest = k }
        }
        guard masses[smallest] < amount else { return amount }
        let evicted = masses[smallest]
        cats[smallest] = c
        masses[smallest] = amount
        return evicted
    }

    // MARK: Reading

    /// The test statistic after the user's last draw (nats; the threshold raises an alarm),
    /// 0 for an unknown user.
    public func statistic(ofUser user: Int32) -> Double {
        Int(user) >= 0 && Int(user) < users.count ? Double(state(Int(user)).statistic) : 0
    }

    /// Draws the user's reference holds now (decayed), 0 for an unknown user.
    public func referenceMass(ofUser user: Int32) -> Double {
        Int(user) >= 0 && Int(user) < users.count ? Double(state(Int(user)).refTotal) : 0
    }

    /// Whether the user's draws are tested now: their reference has held
    /// ``ChangeDetectorSettings/minimumReference`` draws since their first draw or last change
    /// (until then draws join the reference untested). `false` for an unknown user.
    public func isTesting(user: Int32) -> Bool {
        let u = Int(user)
        guard u >= 0, u < users.count else { return false }
        let s = state(u)
        return s.warm || Double(s.refTotal) >= settings.minimumReference
    }

    /// Changes reported for the user so far (saturating at 65,535).
    public func changeCount(ofUser user: Int32) -> Int {
        Int(user) >= 0 && Int(user) < users.count ? Int(state(Int(user)).changes) : 0
    }

    /// The reference and short-term profiles as (category, share), largest first.
    public func profiles(ofUser user: Int32) -> (reference: [(Int32, Double)], shortTerm: [(Int32, Double)]) {
        let u = Int(user)
        guard u >= 0, u < users.count else { return ([], []) }
        let s = state(u)
        func list(_ cats: SIMD16<Int32>, _ masses: SIMD16<Float>, _ base: Int, _ slots: Int, _ total: Float) -> [(Int32, Double)] {
            guard total > 0 else { return [] }
            return (base..<(base + slots)).filter { cats[$0] >= 0 }.map { (cats[$0], Double(masses[$0] / total)) }.sorted { $0.1 > $1.1 }
        }
        return (list(s.refCat, s.refMass, 0, Self.referenceSlots, s.refTotal),
                list(s.cats, s.masses, Self.shortBase, Self.shortSlots, s.shortTotal))
    }

    /// Drops everything about a user (the "forget me" path).
    public mutating func forget(user: Int32) {
        let u = Int(user)
        guard u >= 0, u < users.count else { return }
        users.withUnsafeMutableBufferPointer { all in all[u] = .empty }
    }
}
