import Foundation

/// The per-draw *surprise* the scalar baselines watch: `1 - share` of the drawn category in a
/// plain reference profile (draw counts since the user's first draw or last alarm). The
/// baselines read the same per-user draws as ``ChangeDetector`` (``SessionDraws``); only the
/// test differs. A user's interests moving away from their normal raise the mean surprise.
struct SurpriseReference: Sendable {
    private var cats: [Int32] = []
    private var counts: [Float] = []
    private(set) var total: Float = 0
    static let slots = 8

    /// The surprise of `c`, then learns it. `nil` while fewer than `warmUp` draws are known.
    mutating func surprise(_ c: Int32, warmUp: Float) -> Double? {
        var out: Double?
        if total >= warmUp {
            let share = cats.firstIndex(of: c).map { counts[$0] / total } ?? 0
            out = Double(1 - share)
        }
        total += 1
        if let k = cats.firstIndex(of: c) {
            counts[k] += 1
        } else if cats.count < Self.slots {
            cats.append(c)
            counts.append(1)
        } else if let k = counts.indices.min(by: { counts[$0] < counts[$1] }), counts[k] <= 1 {
            cats[k] = c
            counts[k] = 1
        }
        return out
    }

    mutating func reset() {
        cats.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        total = 0
    }
}

/// Page-Hinkley test for an increase of a stream's mean (Page 1954; Hinkley 1971), as in MOA
/// and river: `m += x - mean - delta`, alarm when `m - min(m) > lambda`, then start over.
struct PageHinkleyDetector: Sendable {
    var delta: Double
    var lambda: Double
    private var n = 0.0
    private var mean = 0.0
    private var m = 0.0
    private var minimum = 0.0

    init(delta: Double = 0.05, lambda: Double) {
        self.delta = delta
        self.lambda = lambda
    }

    /// Adds `x`. - Returns: the statistic `m - min(m)` when it crossed `lambda` (then resets).
    mutating func add(_ x: Double) -> Double? {
        n += 1
        mean += (x - mean) / n
        m += x - mean - delta
        minimum = min(minimum, m)
        let statistic = m - minimum
        guard statistic > lambda else { return nil }
        self = PageHinkleyDetector(delta: delta, lambda: lambda)
        return statistic
    }
}

/// ADWIN (Bifet and Gavaldà 2007): an adaptive window over a [0, 1] stream kept as an
/// exponential histogram (at most ``maxBuckets`` + 1 buckets per size), cut where an older
/// and a newer part differ in mean by more than the bound for confidence `delta`
/// (ADWIN2 as in MOA). Only cuts where the newer part has the larger mean raise an alarm.
struct ADWINDetector: Sendable {
    static let maxBuckets = 5
    /// Parts shorter than this are not compared (MOA's minimum length).
    static let minimumLength = 5.0
    var delta: Double
    /// `rows[level]`: buckets of 2^level elements, oldest first, as (sum, variance).
    private var rows: [[(sum: Double, variance: Double)]] = []
    private var width = 0.0
    private var sum = 0.0
    private var variance = 0.0

    init(delta: Double) { self.delta = delta }

    /// Adds `x`. - Returns: `true` when the window was cut with the newer part higher.
    mutating func add(_ x: Double) -> Bool {
        // Insert, keeping the running variance (Welford over buckets).
        if width > 0 {
            let mean = sum / width
            variance += width * (x - mean) * (x - mean) / (width + 1)
        }
        width += 1
        sum += x
        if rows.isEmpty { rows.append([]) }
        rows[0].append((x, 0))
        var level = 0
        while level < rows.count, rows[level].count > Self.maxBuckets + 1 {
            let a = rows[level].removeFirst()
            let b = rows[level].removeFirst()
            let n = Double(1 << level)
            let merged = (sum: a.sum + b.sum, variance: a.variance + b.variance + n * n * (a.sum / n - b.sum / n) * (a.sum / n - b.sum / n) / (2 * n))
            if level + 1 == rows.count { rows.append([]) }
            rows[level + 1].append(merged)
            level += 1
        }
        return detect()
    }

    private mutating func detect() -> Bool {
        var alarm = false
        var cut = true
        while cut, width > 2 * Self.minimumLength {
            cut = false
            // Walk from the oldest bucket: W0 grows, W1 = the rest.
            var n0 = 0.0, s0 = 0.0
            let dd = log(2 * log(width) / delta)
            let v = variance / width
            outer: for level in stride(from: rows.count - 1, through: 0, by: -1) {
                for bucket in rows[level] {
                    n0 += Double(1 << level)
                    s0 += bucket.sum
                    let n1 = width - n0
                    guard n0 >= Self.minimumLength, n1 >= Self.minimumLength else { continue }
                    let u0 = s0 / n0, u1 = (sum - s0) / n1
                    let m = 1 / (n0 - Self.minimumLength + 1) + 1 / (n1 - Self.minimumLength + 1)
                    let epsilon = (2 * m * v * dd).squareRoot() + 2.0 / 3 * dd * m
                    if abs(u0 - u1) > epsilon {
                        if u1 > u0 { alarm = true }
                        dropOldest()
                        cut = true
                        break outer
                    }
                }
            }
        }
        return alarm
    }

    private mutating func dropOldest() {
        guard let level = rows.indices.last(where: { !rows[$0].isEmpty }) else { return }
        let bucket = rows[level].removeFirst()
        let n = Double(1 << level)
        width -= n
        sum -= bucket.sum
        if width > 0 {
            let u = bucket.sum / n
            variance -= bucket.variance + n * width / (n + width) * (u - sum / width) * (u - sum / width)
            variance = max(variance, 0)
        } else {
            variance = 0
        }
        while let last = rows.last, last.isEmpty { rows.removeLast() }
    }

    mutating func reset() { self = ADWINDetector(delta: delta) }
}
