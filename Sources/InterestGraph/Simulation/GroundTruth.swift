/// What the simulator knows and a model has to find out: each user's true interest mixture
/// over categories at any time, and the list of scheduled drifts.
///
/// A mixture is `exploration / C` on every category plus the user's latent interests, then
/// moved by the user's drift (a share of the `from` mass slides to `to`, linearly for gradual
/// drifts) and blended with seasonal waves (the department's categories take a share that
/// ramps up, holds and ramps down).
public struct GroundTruth: Sendable {
    /// Category names, "Department/Category", in the order of every dense share vector.
    public let categoryNames: [String]
    /// User ids in simulator order.
    public let userIDs: [String]
    /// Every scheduled change: one entry per drifted user, one per seasonal wave.
    public let drifts: [DriftEvent]

    let exploration: Double
    let interestStride: Int
    /// `interestCategory[u * stride + j]`, -1 for unused slots.
    let interestCategory: [Int32]
    let interestWeight: [Double]
    /// Index into `userDrifts` per user, or -1.
    let userDrift: [Int32]
    let userDrifts: [UserDrift]
    /// Bit `s` set when the user takes part in season `s`.
    let userSeasons: [UInt64]
    let seasons: [SeasonWave]
    let userIndex: [String: Int32]

    struct UserDrift: Sendable {
        var user: Int32
        var start: Double
        var end: Double
        var from: [Int32]
        var to: [Int32]
        var toWeight: [Double]
        var amount: Double
        var crossover: Double
        /// The category the user should come to prefer (`to[0]`).
        var target: Int32 { to[0] }

        /// 0 before the start, 1 after the end, linear in between (a step for abrupt drifts).
        @inline(__always)
        func progress(at t: Double) -> Double {
            if t < start { return 0 }
            if t >= end { return 1 }
            return (t - start) / (end - start)
        }
    }

    struct SeasonWave: Sendable {
        var categories: [Int32]
        var start: Double
        var end: Double
        var peak: Double

        /// The department's share at `t`: a ramp over the first and last quarter, flat between.
        @inline(__always)
        func strength(at t: Double) -> Double {
            guard t > start, t < end else { return 0 }
            let x = (t - start) / (end - start)
            return peak * min(1, x / 0.25, (1 - x) / 0.25)
        }
    }

    public var categoryCount: Int { categoryNames.count }

    /// The user's true category shares at `t` (dense, summing to 1), or `nil` for an unknown id.
    public func shares(ofUser id: String, at t: Double) -> [Double]? {
        guard let u = userIndex[id] else { return nil }
        return shares(ofUserIndex: Int(u), at: t)
    }

    /// The user's true category shares at `t` by simulator index.
    public func shares(ofUserIndex u: Int, at t: Double) -> [Double] {
        var out = [Double](repeating: 0, count: categoryCount)
        out.withUnsafeMutableBufferPointer { fill(user: u, at: t, into: $0) }
        return out
    }

    /// Dense shares by category name, for display.
    public func namedShares(ofUser id: String, at t: Double) -> [String: Double]? {
        guard let s = shares(ofUser: id, at: t) else { return nil }
        var out: [String: Double] = [:]
        for (c, v) in s.enumerated() where v > 0 { out[categoryNames[c]] = v }
        return out
    }

    /// The scheduled per-user drift of `id`, if any.
    public func drift(ofUser id: String) -> DriftEvent? {
        guard let u = userIndex[id], userDrift[Int(u)] >= 0 else { return nil }
        return drifts.first { $0.user == id }
    }

    /// Writes the mixture of user `u` at `t` into `out` (length ``categoryCount``).
    /// - Complexity: O(C + interests + drift and season sizes); no allocation.
    func fill(user u: Int, at t: Double, into out: UnsafeMutableBufferPointer<Double>) {
        let base = exploration / Double(out.count)
        for c in out.indices { out[c] = base }
        let rest = 1 - exploration
        for j in 0..<interestStride {
            let c = interestCategory[u * interestStride + j]
            if c >= 0 { out[Int(c)] += rest * interestWeight[u * interestStride + j] }
        }
        let d = userDrift[u]
        if d >= 0 {
            let drift = userDrifts[Int(d)]
            let p = drift.progress(at: t) * drift.amount
            if p > 0 {
                var moved = 0.0
                for c in drift.from {
                    let take = out[Int(c)] * p
                    out[Int(c)] -= take
                    moved += take
                }
                for (k, c) in drift.to.enumerated() { out[Int(c)] += moved * drift.toWeight[k] }
            }
        }
        var bits = userSeasons[u]
        while bits != 0 {
            let s = bits.trailingZeroBitCount
            bits &= bits - 1
            let wave = seasons[s]
            let strength = wave.strength(at: t)
            guard strength > 0 else { continue }
            for c in out.indices { out[c] *= 1 - strength }
            let part = strength / Double(wave.categories.count)
            for c in wave.categories { out[Int(c)] += part }
        }
    }
}

/// One scheduled change in the simulated world.
public struct DriftEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case gradual, abrupt, seasonal
    }

    public var kind: Kind
    public var label: String
    /// The drifting user, or `nil` for a seasonal wave.
    public var user: String?
    /// Seconds since the epoch.
    public var start: Double
    public var end: Double
    /// Categories losing interest (empty for a seasonal wave).
    public var from: [String]
    /// Categories gaining interest, the main one first.
    public var to: [String]
    /// Share of the `from` mass that moves, or a wave's peak share.
    public var amount: Double
    /// When `to.first` becomes the user's true top category (per-user drifts).
    public var crossover: Double?
    /// Users affected (1 for a per-user drift).
    public var affectedUsers: Int

    public init(kind: Kind, label: String, user: String?, start: Double, end: Double, from: [String], to: [String], amount: Double, crossover: Double?, affectedUsers: Int) {
        self.kind = kind
        self.label = label
        self.user = user
        self.start = start
        self.end = end
        self.from = from
        self.to = to
        self.amount = amount
        self.crossover = crossover
        self.affectedUsers = affectedUsers
    }
}
