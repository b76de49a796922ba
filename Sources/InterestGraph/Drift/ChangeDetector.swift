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
/// Memory is flat arrays by dense user id with capped sparse profiles (the smallest entry is
/// evicted): ``bytesPerUser`` bytes each (401 with the default caps, so 401 MB for a
/// million users). Cost per draw is O(slots), independent of the catalogue and of the user count.
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

    public var settings: ChangeDetectorSettings
    /// Categories in the catalogue (the uniform part of the backoff); at least 1.
    public var categoryCount: Int
    /// The department level of the category tree (flat when empty: every category its own).
    public var departments: CategoryDepartments

    private var refCat: [Int32] = []
    private var refMass: [Float] = []
    private var shortCat: [Int32] = []
    private var shortMass: [Float] = []
    /// Per user a ring of ``maximumLag`` draws waiting to join the reference.
    private var queue: [Int32] = []
    private var queueHead: [UInt8] = []
    private var queueCount: [UInt8] = []
    /// Per user: reference total (evicted entries' mass included), its last decay, short total.
    private var refTotal: [Float] = []
    private var refTime: [Double] = []
    /// Decayed count of draws that joined the reference in a category it did not list: the
    /// user's own rate of trying something new (the Good-Turing estimate of its missing mass),
    /// the smoothing's strength when it exceeds ``priorDraws``.
    private var refNovel: [Float] = []
    private var shortTotal: [Float] = []
    /// Whether the reference has held ``ChangeDetectorSettings/minimumReference`` draws since
    /// the user's first draw or last change. Sticky: a rare visitor's reference that decays
    /// below the mark between visits stays tested (otherwise the draws of a user who changed
    /// while away would flow into the reference untested and become their normal).
    private var warm: [Bool] = []
    /// The running test: `sum log(1 - s)` since the restart, and per tracked department its
    /// id, the log-ratio it adds on top, and its draws; per tracked category its id and draws.
    private var base: [Float] = []
    private var testDept: [Int32] = []
    private var testLog: [Float] = []
    private var testDeptDraws: [Float] = []
    private var testCat: [Int32] = []
    private var testCatDraws: [Float] = []
    /// The statistic after the user's last draw (nats, at least 0).
    private var statistic: [Float] = []
    private var changes: [UInt16] = []
    /// Draws tested and alarms raised over all users: the population's change rate, the
    /// prior (``hazard``) of the confidence an alarm reports.
    public private(set) var testedDraws = 0
    public private(set) var alarms = 0

    public init(settings: ChangeDetectorSettings = .default, categoryCount: Int, departments: CategoryDepartments = CategoryDepartments()) {
        self.settings = settings
        self.categoryCount = max(categoryCount, 1)
        self.departments = departments
    }

    public static var bytesPerUser: Int {
        (referenceSlots + shortSlots) * 8 + maximumLag * 4 + 2 + 4 + 8 + 4 + 4 + 1 + 4 + testDepartments * 12 + testCategories * 8 + 4 + 2 + SessionDraws.bytesPerUser
    }

    /// Users with storage allocated.
    public var userCapacity: Int { statistic.count }

    private mutating func ensure(_ u: Int) {
        guard u >= statistic.count else { return }
        let n = u + 1 - statistic.count
        refCat.append(contentsOf: repeatElement(-1, count: n * Self.referenceSlots))
        refMass.append(contentsOf: repeatElement(0, count: n * Self.referenceSlots))
        shortCat.append(contentsOf: repeatElement(-1, count: n * Self.shortSlots))
        shortMass.append(contentsOf: repeatElement(0, count: n * Self.shortSlots))
        queue.append(contentsOf: repeatElement(-1, count: n * Self.maximumLag))
        queueHead.append(contentsOf: repeatElement(0, count: n))
        queueCount.append(contentsOf: repeatElement(0, count: n))
        refTotal.append(contentsOf: repeatElement(0, count: n))
        refTime.append(contentsOf: repeatElement(-.infinity, count: n))
        refNovel.append(contentsOf: repeatElement(0, count: n))
        shortTotal.append(contentsOf: repeatElement(0, count: n))
        warm.append(contentsOf: repeatElement(false, count: n))
        base.append(contentsOf: repeatElement(0, count: n))
        testDept.append(contentsOf: repeatElement(Int32.min, count: n * Self.testDepartments))
        testLog.append(contentsOf: repeatElement(0, count: n * Self.testDepartments))
        testDeptDraws.append(contentsOf: repeatElement(0, count: n * Self.testDepartments))
        testCat.append(contentsOf: repeatElement(-1, count: n * Self.testCategories))
        testCatDraws.append(contentsOf: repeatElement(0, count: n * Self.testCategories))
        statistic.append(contentsOf: repeatElement(0, count: n))
        changes.append(contentsOf: repeatElement(0, count: n))
    }

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
    /// - Complexity: O(profile and test slots), no allocation once the user's storage exists.
    public mutating func observeDraw(user: Int32, category c: Int32, at time: Double) -> InterestChange? {
        guard user >= 0, c >= 0 else { return nil }
        let u = Int(user)
        ensure(u)
        let s = settings
        let rb = u * Self.referenceSlots
        // Decay the reference to `time` (events earlier than the last decay are not rewound).
        if time > refTime[u] {
            if refTime[u].isFinite {
                let f = Float(exp2(-(time - refTime[u]) / s.referenceHalfLife))
                for k in 0..<Self.referenceSlots { refMass[rb + k] *= f }
                refTotal[u] *= f
                refNovel[u] *= f
            }
            refTime[u] = time
        }
        if !warm[u] && Double(refTotal[u]) >= s.minimumReference { warm[u] = true }
        let warmed = warm[u]
        var g = 0.0
        if warmed {
            g = test(u, c)
            statistic[u] = Float(g)
            testedDraws += 1
        }
        // The short-term profile learns the draw after the test used it.
        let decay = Float(exp2(-1 / s.shortHalfLife))
        let sb = u * Self.shortSlots
        for k in 0..<Self.shortSlots { shortMass[sb + k] *= decay }
        shortTotal[u] = shortTotal[u] * decay + 1
        _ = Self.add(c, 1, cats: &shortCat, masses: &shortMass, base: sb, slots: Self.shortSlots)

        guard warmed else {
            learn(u, c)
            return nil
        }
        // Queue the draw; the oldest beyond the lag join the reference. The lag is at most half
        // the reference's mass: a young reference learns soon (eight draws held back from a
        // reference of six would make it sure that a category the user keeps drawing is new
        // to them), a mature one waits the full lag.
        let lag = min(s.referenceLag, Int(refTotal[u] / 2))
        if Int(queueCount[u]) >= Self.maximumLag { learnOldestQueued(u) }
        queue[u * Self.maximumLag + (Int(queueHead[u]) + Int(queueCount[u])) % Self.maximumLag] = c
        queueCount[u] += 1
        while Int(queueCount[u]) > lag { learnOldestQueued(u) }
        guard g >= s.threshold else { return nil }
        let change = InterestChange(user: user, time: time, from: mostChanged(u, gained: false), to: newInterest(u) ?? mostChanged(u, gained: true),
                                    confidence: Self.posterior(statistic: g, hazard: hazard))
        alarms += 1
        // The short-term profile is the new normal: its shares become the reference, weighed
        // as one draw (it is an estimate from a handful), so the test waits for the reference
        // to hold ``ChangeDetectorSettings/minimumReference`` draws of the new normal.
        let weight = 1 / max(shortTotal[u], 1)
        for k in 0..<Self.referenceSlots {
            refCat[rb + k] = k < Self.shortSlots ? shortCat[sb + k] : -1
            refMass[rb + k] = k < Self.shortSlots ? shortMass[sb + k] * weight : 0
        }
        refTotal[u] = min(shortTotal[u], 1)
        refNovel[u] = 0
        warm[u] = false
        clearQueue(u)
        restart(u)
        changes[u] &+= 1
        return change
    }

    /// One draw of `c` through user `u`'s running test. - Returns: the statistic after it.
    @inline(__always)
    private mutating func test(_ u: Int, _ c: Int32) -> Double {
        let share = settings.novelty
        let (d, size) = departments.of(c)
        // The reference's probability of `c`: Dirichlet posterior predictive with a backoff
        // that follows the user's departments.
        let rb = u * Self.referenceSlots
        let total = Double(refTotal[u])
        var own = 0.0, inDepartment = 0.0
        for k in rb..<(rb + Self.referenceSlots) where refCat[k] >= 0 {
            if refCat[k] == c { own = Double(refMass[k]) }
            if departments.of(refCat[k]).department == d { inDepartment += Double(refMass[k]) }
        }
        // A category alone in its department (a flat catalogue) learns nothing from it.
        let lean = size > 1 ? Self.departmentBackoff : 0
        let backoff = lean * (total > 0 ? inDepartment / total : 0) / Double(size) + (1 - lean) / Double(categoryCount)
        let strength = max(Self.priorDraws, Double(refNovel[u]))
        let p0 = (own + strength * backoff) / (total + strength)
        // The new interest's predictive inside `d`, from the draws since the restart.
        let db = u * Self.testDepartments
        var slot = -1
        for k in db..<(db + Self.testDepartments) where testDept[k] == d { slot = k; break }
        if slot < 0 {
            // A free slot, or the weakest department's (its evidence is dropped: conservative).
            slot = db
            for k in db..<(db + Self.testDepartments) {
                if testDept[k] == Int32.min { slot = k; break }
                if testLog[k] < testLog[slot] { slot = k }
            }
            if testDept[slot] != Int32.min { forgetCategories(u, department: testDept[slot]) }
            testDept[slot] = d
            testLog[slot] = 0
            testDeptDraws[slot] = 0
        }
        let cb = u * Self.testCategories
        var seen = 0.0
        for k in cb..<(cb + Self.testCategories) where testCat[k] == c { seen = Double(testCatDraws[k]) }
        let q = (seen + Self.interestPrior / Double(size)) / (Double(testDeptDraws[slot]) + Self.interestPrior)
        let keep = log(1 - share)
        testLog[slot] += Float(log((1 - share) + share * q / p0) - keep)
        testDeptDraws[slot] += 1
        _ = Self.add(c, 1, cats: &testCat, masses: &testCatDraws, base: cb, slots: Self.testCategories)
        base[u] += Float(keep)
        // g = base + log(sum over tracked departments of pi e^L + the untracked prior mass).
        let prior = 1 / Double(max(departments.count(among: categoryCount), 1))
        var top = 0.0
        for k in db..<(db + Self.testDepartments) where testDept[k] != Int32.min { top = max(top, Double(testLog[k])) }
        var sum = 0.0, tracked = 0.0
        for k in db..<(db + Self.testDepartments) where testDept[k] != Int32.min {
            sum += prior * exp(Double(testLog[k]) - top)
            tracked += prior
        }
        sum += max(0, 1 - tracked) * exp(-top)
        let g = Double(base[u]) + top + log(sum)
        if g <= 0 {
            restart(u)
            return 0
        }
        return g
    }

    /// Adds one draw of `c` to user `u`'s reference.
    @inline(__always)
    private mutating func learn(_ u: Int, _ c: Int32) {
        let rb = u * Self.referenceSlots
        if Self.mass(of: c, cats: refCat, masses: refMass, base: rb, slots: Self.referenceSlots) == nil { refNovel[u] += 1 }
        _ = Self.add(c, 1, cats: &refCat, masses: &refMass, base: u * Self.referenceSlots, slots: Self.referenceSlots)
        refTotal[u] += 1
    }

    /// Moves the oldest draw of user `u`'s queue into the reference.
    private mutating func learnOldestQueued(_ u: Int) {
        learn(u, queue[u * Self.maximumLag + Int(queueHead[u])])
        queueHead[u] = UInt8((Int(queueHead[u]) + 1) % Self.maximumLag)
        queueCount[u] -= 1
    }

    /// Starts user `u`'s test over (statistic 0, no evidence kept).
    private mutating func restart(_ u: Int) {
        base[u] = 0
        statistic[u] = 0
        for k in (u * Self.testDepartments)..<((u + 1) * Self.testDepartments) {
            testDept[k] = Int32.min
            testLog[k] = 0
            testDeptDraws[k] = 0
        }
        for k in (u * Self.testCategories)..<((u + 1) * Self.testCategories) {
            testCat[k] = -1
            testCatDraws[k] = 0
        }
    }

    /// Drops the tracked categories of a department that gave up its test slot.
    private mutating func forgetCategories(_ u: Int, department d: Int32) {
        for k in (u * Self.testCategories)..<((u + 1) * Self.testCategories) where testCat[k] >= 0 && departments.of(testCat[k]).department == d {
            testCat[k] = -1
            testCatDraws[k] = 0
        }
    }

    /// The most drawn category of the department with the strongest evidence, if any.
    private func newInterest(_ u: Int) -> Int32? {
        let db = u * Self.testDepartments
        var best = -1
        for k in db..<(db + Self.testDepartments) where testDept[k] != Int32.min {
            if best < 0 || testLog[k] > testLog[best] { best = k }
        }
        guard best >= 0 else { return nil }
        var category: Int32?
        var most: Float = 0
        for k in (u * Self.testCategories)..<((u + 1) * Self.testCategories) where testCat[k] >= 0 && departments.of(testCat[k]).department == testDept[best] {
            if testCatDraws[k] > most || (testCatDraws[k] == most && testCat[k] < (category ?? .max)) {
                most = testCatDraws[k]
                category = testCat[k]
            }
        }
        return category
    }

    private mutating func clearQueue(_ u: Int) {
        queueHead[u] = 0
        queueCount[u] = 0
    }

    /// The category whose share grew (or shrank) most from the reference to the short-term profile.
    private func mostChanged(_ u: Int, gained: Bool) -> Int32 {
        let rb = u * Self.referenceSlots
        let sb = u * Self.shortSlots
        let rt = max(refTotal[u], .leastNormalMagnitude)
        let st = max(shortTotal[u], .leastNormalMagnitude)
        var best: Int32 = -1
        var bestDelta: Float = 0
        func consider(_ c: Int32) {
            guard c >= 0 else { return }
            let r = (Self.mass(of: c, cats: refCat, masses: refMass, base: rb, slots: Self.referenceSlots) ?? 0) / rt
            let s = (Self.mass(of: c, cats: shortCat, masses: shortMass, base: sb, slots: Self.shortSlots) ?? 0) / st
            let delta = gained ? s - r : r - s
            if delta > bestDelta || (delta == bestDelta && delta > 0 && c < best) { best = c; bestDelta = delta }
        }
        if gained { for k in 0..<Self.shortSlots { consider(shortCat[sb + k]) } } else { for k in 0..<Self.referenceSlots { consider(refCat[rb + k]) } }
        return best
    }

    // MARK: Sparse profiles

    @inline(__always)
    private static func mass(of c: Int32, cats: [Int32], masses: [Float], base: Int, slots: Int) -> Float? {
        for k in 0..<slots where cats[base + k] == c { return masses[base + k] }
        return nil
    }

    /// Adds `amount` to `c`'s entry, taking a free slot or the smallest entry's when `c` is
    /// new. - Returns: the mass pushed out (the evicted entry's, or `amount` itself when every
    /// entry is larger), for the profile's "other" count.
    @inline(__always)
    private static func add(_ c: Int32, _ amount: Float, cats: inout [Int32], masses: inout [Float], base: Int, slots: Int) -> Float {
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
        Int(user) >= 0 && Int(user) < statistic.count ? Double(statistic[Int(user)]) : 0
    }

    /// Draws the user's reference holds now (decayed), 0 for an unknown user.
    public func referenceMass(ofUser user: Int32) -> Double {
        Int(user) >= 0 && Int(user) < refTotal.count ? Double(refTotal[Int(user)]) : 0
    }

    /// Whether the user's draws are tested now: their reference has held
    /// ``ChangeDetectorSettings/minimumReference`` draws since their first draw or last change
    /// (until then draws join the reference untested). `false` for an unknown user.
    public func isTesting(user: Int32) -> Bool {
        let u = Int(user)
        guard u >= 0, u < warm.count else { return false }
        return warm[u] || Double(refTotal[u]) >= settings.minimumReference
    }

    /// Changes reported for the user so far (saturating at 65,535).
    public func changeCount(ofUser user: Int32) -> Int {
        Int(user) >= 0 && Int(user) < changes.count ? Int(changes[Int(user)]) : 0
    }

    /// The reference and short-term profiles as (category, share), largest first.
    public func profiles(ofUser user: Int32) -> (reference: [(Int32, Double)], shortTerm: [(Int32, Double)]) {
        let u = Int(user)
        guard u >= 0, u < statistic.count else { return ([], []) }
        func list(_ cats: [Int32], _ masses: [Float], _ base: Int, _ slots: Int, _ total: Float) -> [(Int32, Double)] {
            guard total > 0 else { return [] }
            return (0..<slots).filter { cats[base + $0] >= 0 }.map { (cats[base + $0], Double(masses[base + $0] / total)) }.sorted { $0.1 > $1.1 }
        }
        return (list(refCat, refMass, u * Self.referenceSlots, Self.referenceSlots, refTotal[u]),
                list(shortCat, shortMass, u * Self.shortSlots, Self.shortSlots, shortTotal[u]))
    }

    /// Drops everything about a user (the "forget me" path).
    public mutating func forget(user: Int32) {
        let u = Int(user)
        guard u >= 0, u < statistic.count else { return }
        for k in 0..<Self.referenceSlots { refCat[u * Self.referenceSlots + k] = -1; refMass[u * Self.referenceSlots + k] = 0 }
        for k in 0..<Self.shortSlots { shortCat[u * Self.shortSlots + k] = -1; shortMass[u * Self.shortSlots + k] = 0 }
        clearQueue(u)
        refTotal[u] = 0
        refTime[u] = -.infinity
        refNovel[u] = 0
        warm[u] = false
        shortTotal[u] = 0
        restart(u)
        changes[u] = 0
    }
}
