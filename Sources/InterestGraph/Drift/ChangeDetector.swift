import Foundation

/// Settings of the per-user change test (see ``ChangeDetector``).
public struct ChangeDetectorSettings: Sendable, Hashable, Codable {
    /// Alarm threshold `h` on the CUSUM statistic, in nats. The statistic is a log-likelihood
    /// ratio, so a user whose interests stay put crosses `h` from any start with probability
    /// at most `exp(-h)` (Ville's inequality): each +1 divides the false-alarm rate by about e.
    public var threshold: Double
    /// Half-life of the short-term profile, in draws (a draw is a category's first event in a
    /// session; shoppers make two to three per session).
    public var shortHalfLife: Double
    /// Half-life of the reference profile, in seconds of event time.
    public var referenceHalfLife: Double
    /// Weight of "anything new" (uniform over the categories) in the post-change model; the
    /// rest follows the short-term profile. Larger values make a first visit to a category the
    /// user never showed interest in count more, and every familiar draw count less.
    public var novelty: Double
    /// Draws the reference must hold before the test runs (a new user, or right after a
    /// change when the short-term profile became the reference).
    public var minimumReference: Double
    /// Draws that wait before joining the reference (at most ``ChangeDetector/maximumLag``):
    /// the test compares the newest draws with a normal that has not seen them yet.
    public var referenceLag: Int

    public init(threshold: Double = 5.5, shortHalfLife: Double = 4, referenceHalfLife: Double = 28 * 86_400, novelty: Double = 0.5, minimumReference: Double = 5, referenceLag: Int = 4) {
        self.threshold = max(threshold, 0.1)
        self.shortHalfLife = max(shortHalfLife, 0.5)
        self.referenceHalfLife = max(referenceHalfLife, 3_600)
        self.novelty = min(max(novelty, 0.01), 0.99)
        self.minimumReference = max(minimumReference, 1)
        self.referenceLag = min(max(referenceLag, 0), ChangeDetector.maximumLag)
    }

    public static let `default` = ChangeDetectorSettings()
}

/// A change test per user between two category profiles on different time scales.
///
/// Each user has a *reference* profile (their normal, decaying over weeks of event time) and a
/// *short-term* profile (decaying over a few draws; see ``SessionDraws``). For every draw of
/// category `c` the test adds the log-likelihood ratio `log(p1(c) / p0(c))` to a CUSUM
/// statistic `g = max(0, g + llr)` (Page 1954), where `p0` is the reference (a category it does
/// not list gets the user's own rate of new categories, spread over the unlisted ones) and `p1`, the post-change model, mixes the
/// short-term profile *before* this draw with a uniform "anything new" part. Using the
/// profile before the draw keeps the ratio a martingale when nothing changed (the adaptive
/// CUSUM of Lorden and Pollak), so the threshold sets the false-alarm rate.
///
/// A second statistic runs the same test with a post-change model that follows the short-term
/// profile almost entirely, for shares moving between categories the user already knows; an
/// alarm is either statistic reaching the threshold.
///
/// Draws join the reference only after ``ChangeDetectorSettings/referenceLag`` later draws
/// (a small queue per user), so a change in progress does not teach the reference the new
/// interest before the test has weighed it. When a statistic reaches the threshold the change
/// is reported (time, most-lost and most-gained category, confidence) and the short-term
/// profile becomes the reference: the user's new normal, warmed up again before the next test.
///
/// Memory is flat arrays by dense user id with capped sparse profiles (the smallest entry is
/// evicted into an "other" mass): ``bytesPerUser`` bytes each (237 with the default caps, so
/// 237 MB for a million users).
public struct ChangeDetector: Sendable {
    /// Entries per profile: reference and short-term.
    public static let referenceSlots = 8
    public static let shortSlots = 6
    /// Longest reference lag, in draws.
    public static let maximumLag = 16
    /// The uniform part of the shift test's post-change model (see ``shift``).
    public static let shiftNovelty = 0.05

    public var settings: ChangeDetectorSettings
    /// Categories in the catalogue (the uniform part of both models); at least 1.
    public var categoryCount: Int

    private var refCat: [Int32] = []
    private var refMass: [Float] = []
    private var shortCat: [Int32] = []
    private var shortMass: [Float] = []
    /// Per user a ring of ``maximumLag`` draws waiting to join the reference.
    private var queue: [Int32] = []
    private var queueHead: [UInt8] = []
    private var queueCount: [UInt8] = []
    /// Per user: reference total and evicted mass, short total, statistics.
    private var refTotal: [Float] = []
    private var refOther: [Float] = []
    /// Decayed count of draws in a category the reference did not list: the user's own rate
    /// of trying something new (a Good-Turing estimate of the reference's missing mass).
    private var refNovel: [Float] = []
    private var refTime: [Double] = []
    private var shortTotal: [Float] = []
    private var statistic: [Float] = []
    /// The second test: the same reference against a post-change model that follows the
    /// short-term profile almost entirely (``shiftNovelty``), for shares moving between
    /// categories the user already knows.
    private var shift: [Float] = []
    private var changes: [UInt16] = []

    public init(settings: ChangeDetectorSettings = .default, categoryCount: Int) {
        self.settings = settings
        self.categoryCount = max(categoryCount, 1)
    }

    public static var bytesPerUser: Int {
        (referenceSlots + shortSlots) * 8 + maximumLag * 4 + 2 + 4 * 6 + 8 + 2 + SessionDraws.slots * 4 + 9
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
        refOther.append(contentsOf: repeatElement(0, count: n))
        refNovel.append(contentsOf: repeatElement(0, count: n))
        refTime.append(contentsOf: repeatElement(-.infinity, count: n))
        shortTotal.append(contentsOf: repeatElement(0, count: n))
        statistic.append(contentsOf: repeatElement(0, count: n))
        shift.append(contentsOf: repeatElement(0, count: n))
        changes.append(contentsOf: repeatElement(0, count: n))
    }

    // MARK: Testing

    /// Tests one draw (see ``SessionDraws``) of `category` by `user` at `time`.
    /// - Returns: the change, when this draw makes the statistic cross the threshold.
    /// - Complexity: O(profile slots), no allocation once the user's storage exists.
    public mutating func observeDraw(user: Int32, category c: Int32, at time: Double) -> InterestChange? {
        guard user >= 0, c >= 0 else { return nil }
        let u = Int(user)
        ensure(u)
        let s = settings
        let categories = Double(categoryCount)
        let rb = u * Self.referenceSlots
        // Decay the reference to `time` (events earlier than the last decay are not rewound).
        if time > refTime[u] {
            if refTime[u].isFinite {
                let f = Float(exp2(-(time - refTime[u]) / s.referenceHalfLife))
                for k in 0..<Self.referenceSlots { refMass[rb + k] *= f }
                refTotal[u] *= f
                refOther[u] *= f
                refNovel[u] *= f
            }
            refTime[u] = time
        }
        let warmed = Double(refTotal[u]) >= s.minimumReference
        if warmed {
            let p0: Double
            if let r = Self.mass(of: c, cats: refCat, masses: refMass, base: rb, slots: Self.referenceSlots) {
                p0 = Double(r) / (Double(refTotal[u]) + 1)
            } else {
                // Unlisted: the user's own rate of new categories, spread over the unlisted
                // ones, so a habitual explorer's next new category is no surprise.
                var listed = 0
                for k in 0..<Self.referenceSlots where refCat[rb + k] >= 0 { listed += 1 }
                let rate = (Double(refNovel[u]) + 0.5) / (Double(refTotal[u]) + 1)
                p0 = rate / max(1, categories - Double(listed))
                refNovel[u] += 1
            }
            let sb = u * Self.shortSlots
            let st = Double(shortTotal[u])
            let sh = st > 0 ? Double(Self.mass(of: c, cats: shortCat, masses: shortMass, base: sb, slots: Self.shortSlots) ?? 0) / st : 0
            let p1 = (1 - s.novelty) * sh + s.novelty / categories
            statistic[u] = Float(max(0, Double(statistic[u]) + log(p1 / p0)))
            let q1 = (1 - Self.shiftNovelty) * sh + Self.shiftNovelty / categories
            shift[u] = Float(max(0, Double(shift[u]) + log(q1 / p0)))
        }
        // The short-term profile learns the draw after the test used it.
        let decay = Float(exp2(-1 / s.shortHalfLife))
        let sb = u * Self.shortSlots
        for k in 0..<Self.shortSlots { shortMass[sb + k] *= decay }
        shortTotal[u] = shortTotal[u] * decay + 1
        _ = Self.add(c, 1, cats: &shortCat, masses: &shortMass, base: sb, slots: Self.shortSlots)

        guard warmed else {
            if Self.mass(of: c, cats: refCat, masses: refMass, base: rb, slots: Self.referenceSlots) == nil { refNovel[u] += 1 }
            refOther[u] += Self.add(c, 1, cats: &refCat, masses: &refMass, base: rb, slots: Self.referenceSlots)
            refTotal[u] += 1
            return nil
        }
        // Queue the draw; the one it pushes out joins the reference.
        let qb = u * Self.maximumLag
        let lag = s.referenceLag
        // A lag changed live: start the queue over rather than read it with another length.
        if Int(queueCount[u]) > lag || Int(queueHead[u]) >= max(lag, 1) { clearQueue(u) }
        if lag == 0 {
            refOther[u] += Self.add(c, 1, cats: &refCat, masses: &refMass, base: rb, slots: Self.referenceSlots)
            refTotal[u] += 1
        } else {
            if Int(queueCount[u]) >= lag {
                let oldest = queue[qb + Int(queueHead[u])]
                refOther[u] += Self.add(oldest, 1, cats: &refCat, masses: &refMass, base: rb, slots: Self.referenceSlots)
                refTotal[u] += 1
                queue[qb + Int(queueHead[u])] = c
                queueHead[u] = UInt8((Int(queueHead[u]) + 1) % lag)
            } else {
                queue[qb + (Int(queueHead[u]) + Int(queueCount[u])) % lag] = c
                queueCount[u] += 1
            }
        }
        let g = Double(max(statistic[u], shift[u]))
        guard g >= s.threshold else { return nil }
        // Two tests share the false-alarm budget: either crossing `g` has probability at most
        // 2 exp(-g) for a user whose interests stayed put.
        let change = InterestChange(user: user, time: time, from: mostChanged(u, gained: false), to: mostChanged(u, gained: true),
                                    confidence: max(0, 1 - 2 * exp(-g)))
        // The short-term profile is the new normal.
        for k in 0..<Self.referenceSlots {
            refCat[rb + k] = k < Self.shortSlots ? shortCat[sb + k] : -1
            refMass[rb + k] = k < Self.shortSlots ? shortMass[sb + k] : 0
        }
        refTotal[u] = shortTotal[u]
        refOther[u] = 0
        refNovel[u] = 0
        clearQueue(u)
        statistic[u] = 0
        shift[u] = 0
        changes[u] &+= 1
        return change
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

    /// The larger of the two test statistics now (nats; the threshold raises an alarm), 0 for
    /// an unknown user.
    public func statistic(ofUser user: Int32) -> Double {
        Int(user) >= 0 && Int(user) < statistic.count ? Double(max(statistic[Int(user)], shift[Int(user)])) : 0
    }

    /// Draws the user's reference holds now (decayed), 0 for an unknown user.
    public func referenceMass(ofUser user: Int32) -> Double {
        Int(user) >= 0 && Int(user) < refTotal.count ? Double(refTotal[Int(user)]) : 0
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
        refOther[u] = 0
        refNovel[u] = 0
        refTime[u] = -.infinity
        shortTotal[u] = 0
        statistic[u] = 0
        shift[u] = 0
        changes[u] = 0
    }
}
