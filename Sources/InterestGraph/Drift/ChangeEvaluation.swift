import Foundation

/// Detection delay and false alarms of one detector setting against a scenario's ground truth.
public struct ChangeOperatingPoint: Sendable, Hashable, Codable {
    /// "cusum" (``ChangeDetector``), "page-hinkley" or "adwin".
    public var detector: String
    /// The swept setting's name ("threshold", "lambda", "delta") and value.
    public var parameter: String
    public var value: Double
    /// All drifting users, then abrupt and gradual drifts apart.
    public var all: ChangeLagSummary
    public var abrupt: ChangeLagSummary
    public var gradual: ChangeLagSummary
    /// Alarms on stable users (no scheduled drift, no seasonal wave).
    public var falseAlarms: Int
    /// Per 1,000 stable user-days.
    public var falseAlarmRate: Double

    enum CodingKeys: String, CodingKey {
        case detector, parameter, value, all, abrupt, gradual
        case falseAlarms = "false_alarms"
        case falseAlarmRate = "false_alarms_per_1000_user_days"
    }
}

/// Lags of the first alarm after each drift's start, from the true crossover (an alarm between
/// the start and the crossover counts as lag 0).
public struct ChangeLagSummary: Sendable, Hashable, Codable {
    public var users: Int
    public var detected: Int
    /// Detections naming one of the drift's target categories as `to` (CUSUM only).
    public var rightTarget: Int?
    /// Nearest-rank percentiles with undetected drifts as infinite lags (`nil`: not reached).
    public var medianLagHours: Double?
    public var p90LagHours: Double?
    public var medianLagEvents: Double?
    public var p90LagEvents: Double?

    enum CodingKeys: String, CodingKey {
        case users, detected
        case rightTarget = "right_target"
        case medianLagHours = "median_lag_hours"
        case p90LagHours = "p90_lag_hours"
        case medianLagEvents = "median_lag_events"
        case p90LagEvents = "p90_lag_events"
    }

    /// Writes unreached percentiles as `null` so every report has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(users, forKey: .users)
        try c.encode(detected, forKey: .detected)
        try c.encode(rightTarget, forKey: .rightTarget)
        try c.encode(medianLagHours, forKey: .medianLagHours)
        try c.encode(p90LagHours, forKey: .p90LagHours)
        try c.encode(medianLagEvents, forKey: .medianLagEvents)
        try c.encode(p90LagEvents, forKey: .p90LagEvents)
    }
}

/// How well the default detector's confidence is calibrated: its alarms in one confidence
/// range, and the share of them that were real changes.
public struct ChangeCalibrationBin: Sendable, Hashable, Codable {
    /// The range `[lower, upper)` of reported confidence (the last bin includes 1).
    public var lower: Double
    public var upper: Double
    /// Alarms on stable users (false) and on drifting users at or after their drift's start
    /// (true) in the range; alarms on users in a seasonal wave are left out (neither).
    public var alarms: Int
    public var meanConfidence: Double?
    /// Share of those alarms on a real change (`nil` without alarms).
    public var trueShare: Double?

    enum CodingKeys: String, CodingKey {
        case lower, upper, alarms
        case meanConfidence = "mean_confidence"
        case trueShare = "true_share"
    }
}

/// Why the default detector missed drifting users, or found them late: each user counts under
/// the first cause that applies, judged at their last draw before the drift's start.
public struct ChangeShortfall: Sendable, Hashable, Codable {
    /// No draw before the drift: nothing to compare the new interest with.
    public var noHistory = 0
    /// The reference held fewer than ``ChangeDetectorSettings/minimumReference`` draws: the
    /// test had not started, so the first draws of the new interest joined the reference untested.
    public var testNotStarted = 0
    /// At most ``ChangeShortfall/fewDraws`` draws in the drift's target categories after the
    /// crossover (a rare visitor, churn, or the run's end).
    public var fewDrawsAfter = 0
    /// The target's department already held more than ``ChangeShortfall/knownShare`` of the
    /// reference: a share that grows, weaker evidence than a new department.
    public var targetKnown = 0
    /// None of these: the draws were there and the statistic stayed under the threshold.
    public var other = 0

    public static let fewDraws = 2
    public static let knownShare = 0.15

    public var total: Int { noHistory + testNotStarted + fewDrawsAfter + targetKnown + other }

    enum CodingKeys: String, CodingKey {
        case noHistory = "no_history"
        case testNotStarted = "test_not_started"
        case fewDrawsAfter = "few_draws_after"
        case targetKnown = "target_known"
        case other
    }
}

/// Lags of an ideal detector, all drifting users then abrupt and gradual drifts apart.
public struct ChangeBound: Sendable, Hashable, Codable {
    public var all: ChangeLagSummary
    public var abrupt: ChangeLagSummary
    public var gradual: ChangeLagSummary
}

/// The change-detection report of `eval --scenario`.
public struct ChangeEvaluationReport: Sendable, Hashable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var events: Int
    /// Draws (a category's first event in a session) all detectors read.
    public var draws: Int
    public var stableUsers: Int
    public var stableUserDays: Double
    /// The detector's settings at the default operating point.
    public var settings: ChangeDetectorSettings
    /// The default CUSUM point, then every point of every sweep.
    public var detector: ChangeOperatingPoint
    public var curve: [ChangeOperatingPoint]
    /// The lag of an ideal detector that alarms on the user's first event after the true
    /// crossover (the floor every detector's lag is measured against).
    public var firstEventBound: ChangeBound
    /// The default detector's alarms by reported confidence (see ``ChangeCalibrationBin``).
    public var calibration: [ChangeCalibrationBin]
    /// Drifting users the default detector missed, and those it found later than
    /// ``lateAfterHours`` after the crossover, by cause.
    public var missed: ChangeShortfall
    public var late: ChangeShortfall
    public var lateAfterHours: Double

    enum CodingKeys: String, CodingKey {
        case scenario, seed, events, draws, settings, detector, curve, calibration
        case stableUsers = "stable_users"
        case stableUserDays = "stable_user_days"
        case firstEventBound = "first_event_bound"
        case missed, late
        case lateAfterHours = "late_after_hours"
    }

    /// The baseline point with the most false alarms at or below the detector's rate (the
    /// fairest comparison: the baseline gets all the false-alarm budget the detector used), or
    /// its quietest point when none is that quiet.
    public func matched(_ name: String) -> ChangeOperatingPoint? {
        let points = curve.filter { $0.detector == name }
        let within = points.filter { $0.falseAlarmRate <= detector.falseAlarmRate + 1e-12 }
        if let best = within.max(by: { ($0.falseAlarmRate, $0.all.detected) < ($1.falseAlarmRate, $1.all.detected) }) { return best }
        return points.min { $0.falseAlarmRate < $1.falseAlarmRate }
    }
}

/// Runs ``ChangeDetector`` and the Page-Hinkley and ADWIN baselines on the same per-user
/// draws of a simulated world and scores them against its ground truth.
public enum ChangeEvaluation {
    /// The swept settings: CUSUM thresholds (nats), Page-Hinkley lambdas, ADWIN deltas.
    public static let thresholds: [Double] = [4, 5, 6, 7, 8, 9, 10, 12, 14]
    public static let lambdas: [Double] = [0.5, 1, 1.5, 2, 3, 4, 6, 8]
    public static let deltas: [Double] = [0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4, 1e-6]
    /// A detection later than this after the crossover counts as late (the target median).
    public static let lateAfterHours = 36.0
    /// Edges of the calibration bins.
    public static let calibrationEdges: [Double] = [0, 0.25, 0.5, 0.75, 0.9, 1]

    public static func measure(world: ShopWorld, settings: ChangeDetectorSettings = .default) -> ChangeEvaluationReport {
        let truth = world.truth
        let users = world.userCount
        let itemCategory = world.catalogue.itemCategory
        let categories = truth.categoryCount
        let end = world.scenario.end

        // Ground truth per user.
        var onset = [Double](repeating: .infinity, count: users)
        var crossover = [Double](repeating: .infinity, count: users)
        var gradual = [Bool](repeating: false, count: users)
        var targets = [[Int32]](repeating: [], count: users)
        for d in truth.userDrifts where d.crossover < end {
            let u = Int(d.user)
            onset[u] = d.start
            crossover[u] = d.crossover
            gradual[u] = d.end > d.start
            targets[u] = d.to
        }
        let drifting = (0..<users).filter { onset[$0].isFinite }
        let stable = (0..<users).map { truth.userDrift[$0] < 0 && truth.userSeasons[$0] == 0 }

        // Detectors: every sweep point gets its own state.
        let departments = CategoryDepartments(departments: world.catalogue.categoryDepartment)
        var cusums = thresholds.map { h in
            var s = settings
            s.threshold = h
            return ChangeDetector(settings: s, categoryCount: categories, departments: departments)
        }
        var defaultCusum = ChangeDetector(settings: settings, categoryCount: categories, departments: departments)
        var surprise = [SurpriseReference](repeating: SurpriseReference(), count: users * (lambdas.count + deltas.count))
        var pageHinkley = lambdas.map { l in [PageHinkleyDetector](repeating: PageHinkleyDetector(lambda: l), count: users) }
        var adwin = deltas.map { d in [ADWINDetector](repeating: ADWINDetector(delta: d), count: users) }
        let points = thresholds.count + 1 + lambdas.count + deltas.count
        // Per point and user: the first alarm at or after the onset, its event lag, its target;
        // alarms on stable users.
        var firstAlarm = [[Double]](repeating: [Double](repeating: .infinity, count: users), count: points)
        var alarmEvents = [[Int]](repeating: [Int](repeating: 0, count: users), count: points)
        var rightTarget = [[Bool]](repeating: [Bool](repeating: false, count: users), count: points)
        var falseAlarms = [Int](repeating: 0, count: points)
        // The default detector's alarms that are clearly true or false: (confidence, real change).
        var judged: [(Double, Bool)] = []

        var draws = SessionDraws()
        var firstSeen = [Double](repeating: .infinity, count: users)
        var eventsAfter = [Int](repeating: 0, count: users)
        // The first event at or after each crossover: no detector can alarm earlier.
        var firstAfter = [Double](repeating: .infinity, count: users)
        var simulator = ShopSimulator(world: world)
        var events = 0
        var drawCount = 0
        // Each drifting user's state at their last draw before the drift, and their draws in the
        // drift's targets after the crossover (the causes of ``ChangeShortfall``).
        var drawsBefore = [Int](repeating: 0, count: users)
        var testingBefore = [Bool](repeating: false, count: users)
        var targetShareBefore = [Double](repeating: 0, count: users)
        var targetDrawsAfter = [Int](repeating: 0, count: users)
        let warmUp = Float(settings.minimumReference)

        func alarm(_ point: Int, _ u: Int, _ t: Double, to: Int32?) {
            if stable[u] { falseAlarms[point] += 1; return }
            guard t >= onset[u], firstAlarm[point][u] == .infinity else { return }
            firstAlarm[point][u] = t
            alarmEvents[point][u] = t >= crossover[u] ? eventsAfter[u] : 0
            rightTarget[point][u] = to.map { targets[u].contains($0) } ?? false
        }

        while let e = simulator.next() {
            let t = Double(e.time)
            let u = Int(e.user)
            events += 1
            if firstSeen[u] == .infinity { firstSeen[u] = t }
            if t >= crossover[u] {
                eventsAfter[u] += 1
                if firstAfter[u] == .infinity { firstAfter[u] = t }
            }
            let c = itemCategory[Int(e.item)]
            guard draws.observe(user: e.user, category: c, at: t) else { continue }
            drawCount += 1
            if let change = defaultCusum.observeDraw(user: e.user, category: c, at: t) {
                alarm(0, u, t, to: change.to)
                if stable[u] || onset[u].isFinite { judged.append((change.confidence, !stable[u] && t >= onset[u])) }
            }
            if t < onset[u], let target = targets[u].first {
                drawsBefore[u] += 1
                testingBefore[u] = defaultCusum.isTesting(user: e.user)
                let department = departments.of(target).department
                targetShareBefore[u] = defaultCusum.profiles(ofUser: e.user).reference.reduce(0) { $0 + (departments.of($1.0).department == department ? $1.1 : 0) }
            }
            if t >= crossover[u] && targets[u].contains(c) { targetDrawsAfter[u] += 1 }
            for k in cusums.indices {
                if let change = cusums[k].observeDraw(user: e.user, category: c, at: t) { alarm(1 + k, u, t, to: change.to) }
            }
            for k in lambdas.indices {
                let slot = u * (lambdas.count + deltas.count) + k
                guard let x = surprise[slot].surprise(c, warmUp: warmUp) else { continue }
                if pageHinkley[k][u].add(x) != nil {
                    alarm(1 + thresholds.count + k, u, t, to: nil)
                    surprise[slot].reset()
                }
            }
            for k in deltas.indices {
                let slot = u * (lambdas.count + deltas.count) + lambdas.count + k
                guard let x = surprise[slot].surprise(c, warmUp: warmUp) else { continue }
                if adwin[k][u].add(x) {
                    alarm(1 + thresholds.count + lambdas.count + k, u, t, to: nil)
                    surprise[slot].reset()
                    adwin[k][u].reset()
                }
            }
        }

        var stableDays = 0.0
        var stableUsers = 0
        for u in 0..<users where stable[u] && firstSeen[u].isFinite {
            stableUsers += 1
            stableDays += max(0, min(end, Double(world.userChurn[u])) - firstSeen[u]) / 86_400
        }

        func summary(_ point: Int, _ members: [Int], targets: Bool) -> ChangeLagSummary {
            var hours: [Double] = []
            var lagEvents: [Double] = []
            var right = 0
            for u in members where firstAlarm[point][u].isFinite {
                hours.append(max(0, firstAlarm[point][u] - crossover[u]) / 3_600)
                lagEvents.append(Double(alarmEvents[point][u]))
                if rightTarget[point][u] { right += 1 }
            }
            let n = members.count
            return ChangeLagSummary(
                users: n, detected: hours.count, rightTarget: targets ? right : nil,
                medianLagHours: DriftLag.percentile(hours, of: n, 0.5), p90LagHours: DriftLag.percentile(hours, of: n, 0.9),
                medianLagEvents: DriftLag.percentile(lagEvents, of: n, 0.5), p90LagEvents: DriftLag.percentile(lagEvents, of: n, 0.9))
        }
        func point(_ p: Int, detector: String, parameter: String, value: Double) -> ChangeOperatingPoint {
            let cusum = detector == "cusum"
            return ChangeOperatingPoint(
                detector: detector, parameter: parameter, value: value,
                all: summary(p, drifting, targets: cusum), abrupt: summary(p, drifting.filter { !gradual[$0] }, targets: cusum),
                gradual: summary(p, drifting.filter { gradual[$0] }, targets: cusum),
                falseAlarms: falseAlarms[p], falseAlarmRate: stableDays > 0 ? Double(falseAlarms[p]) / stableDays * 1_000 : 0)
        }
        var curve: [ChangeOperatingPoint] = []
        for (k, h) in thresholds.enumerated() { curve.append(point(1 + k, detector: "cusum", parameter: "threshold", value: h)) }
        for (k, l) in lambdas.enumerated() { curve.append(point(1 + thresholds.count + k, detector: "page-hinkley", parameter: "lambda", value: l)) }
        for (k, d) in deltas.enumerated() { curve.append(point(1 + thresholds.count + lambdas.count + k, detector: "adwin", parameter: "delta", value: d)) }
        func bound(_ members: [Int]) -> ChangeLagSummary {
            let hours = members.filter { firstAfter[$0].isFinite }.map { (firstAfter[$0] - crossover[$0]) / 3_600 }
            let n = members.count
            let none = hours.map { _ in 0.0 }  // it alarms on the first event: no events of lag
            return ChangeLagSummary(users: n, detected: hours.count, rightTarget: nil,
                                    medianLagHours: DriftLag.percentile(hours, of: n, 0.5), p90LagHours: DriftLag.percentile(hours, of: n, 0.9),
                                    medianLagEvents: DriftLag.percentile(none, of: n, 0.5), p90LagEvents: DriftLag.percentile(none, of: n, 0.9))
        }
        let edges = calibrationEdges
        let calibration = (0..<(edges.count - 1)).map { k -> ChangeCalibrationBin in
            let last = k == edges.count - 2
            let members = judged.filter { $0.0 >= edges[k] && ($0.0 < edges[k + 1] || (last && $0.0 <= edges[k + 1])) }
            let n = Double(members.count)
            return ChangeCalibrationBin(lower: edges[k], upper: edges[k + 1], alarms: members.count,
                                        meanConfidence: members.isEmpty ? nil : members.reduce(0) { $0 + $1.0 } / n,
                                        trueShare: members.isEmpty ? nil : Double(members.filter(\.1).count) / n)
        }
        var missed = ChangeShortfall(), late = ChangeShortfall()
        for u in drifting {
            let lag = (firstAlarm[0][u] - crossover[u]) / 3_600
            guard !(lag <= lateAfterHours) else { continue }
            var why = lag.isFinite ? late : missed
            if drawsBefore[u] == 0 {
                why.noHistory += 1
            } else if !testingBefore[u] {
                why.testNotStarted += 1
            } else if targetDrawsAfter[u] <= ChangeShortfall.fewDraws {
                why.fewDrawsAfter += 1
            } else if targetShareBefore[u] > ChangeShortfall.knownShare {
                why.targetKnown += 1
            } else {
                why.other += 1
            }
            if lag.isFinite { late = why } else { missed = why }
        }
        return ChangeEvaluationReport(
            scenario: world.scenario.name, seed: world.scenario.seed, events: events, draws: drawCount,
            stableUsers: stableUsers, stableUserDays: stableDays, settings: settings,
            detector: point(0, detector: "cusum", parameter: "threshold", value: settings.threshold), curve: curve,
            firstEventBound: ChangeBound(all: bound(drifting), abrupt: bound(drifting.filter { !gradual[$0] }), gradual: bound(drifting.filter { gradual[$0] })),
            calibration: calibration, missed: missed, late: late, lateAfterHours: lateAfterHours)
    }
}
