import Foundation
import Testing
@testable import InterestGraph

/// The per-user change test (``ChangeDetector``), its session draws, the scalar baselines and
/// the evaluation against the simulator's ground truth.
@Suite("Change detection")
struct ChangeDetectionTests {
    /// Draws one category from `mixture` (category id, weight).
    static func draw(_ mixture: [(Int32, Double)], _ rng: inout SeededGenerator) -> Int32 {
        var r = Double(rng.next() >> 11) / Double(1 << 53) * mixture.reduce(0) { $0 + $1.1 }
        for (c, w) in mixture {
            r -= w
            if r < 0 { return c }
        }
        return mixture.last!.0
    }

    @Test func aCategoryCountsOncePerSession() {
        var draws = SessionDraws(gap: 1_800)
        let results = [
            draws.observe(user: 0, category: 3, at: 0),
            draws.observe(user: 0, category: 3, at: 60),  // same session
            draws.observe(user: 0, category: 4, at: 120),
            draws.observe(user: 1, category: 3, at: 130),  // another user
            draws.observe(user: 0, category: 3, at: 120 + 1_801),  // a new session
        ]
        #expect(results == [true, false, true, true, true])
        #expect(draws.lastEventTime(ofUser: 0) == 1_921)
        #expect(draws.lastEventTime(ofUser: 5) == nil)
    }

    @Test func aMoveToANewCategoryIsReportedAndBecomesTheNewNormal() {
        var detector = ChangeDetector(settings: ChangeDetectorSettings(threshold: 8), categoryCount: 40)
        var rng = SeededGenerator(seed: 1)
        var t = 0.0
        // 80 draws of a stable mixture: no alarm.
        for _ in 0..<80 {
            t += 8 * 3_600
            let change = detector.observeDraw(user: 7, category: Self.draw([(1, 0.6), (2, 0.3), (3, 0.1)], &rng), at: t)
            #expect(change == nil)
        }
        // The user moves to category 9 (most of 1's share goes there).
        var change: InterestChange?
        var drawsToAlarm = 0
        while change == nil && drawsToAlarm < 20 {
            t += 8 * 3_600
            drawsToAlarm += 1
            change = detector.observeDraw(user: 7, category: Self.draw([(9, 0.6), (2, 0.3), (3, 0.1)], &rng), at: t)
        }
        let found = try! #require(change)
        #expect(drawsToAlarm <= 6)
        #expect(found.to == 9)
        #expect(found.from == 1)
        #expect(found.user == 7)
        #expect(found.confidence > 0.99 && found.confidence < 1)
        #expect(detector.changeCount(ofUser: 7) == 1)
        // The new mixture is now normal: no further alarm.
        for _ in 0..<80 {
            t += 8 * 3_600
            let again = detector.observeDraw(user: 7, category: Self.draw([(9, 0.6), (2, 0.3), (3, 0.1)], &rng), at: t)
            #expect(again == nil)
        }
        #expect(detector.profiles(ofUser: 7).reference.first?.0 == 9)
    }

    /// 300 users, 120 draws each from a fixed mixture of three interests plus 5% exploration
    /// over 40 categories. Ville's inequality bounds a stable user's chance of reaching `h`
    /// from each excursion above 0 by exp(-h), so at most about `draws * exp(-h)` alarms.
    static func stableAlarms(threshold: Double) -> Int {
        var detector = ChangeDetector(settings: ChangeDetectorSettings(threshold: threshold), categoryCount: 40)
        var rng = SeededGenerator(seed: 2)
        var alarms = 0
        for u in 0..<300 {
            let a = Int32(u % 40), b = Int32((u * 7 + 3) % 40), c = Int32((u * 13 + 5) % 40)
            var t = 0.0
            for _ in 0..<120 {
                t += 10 * 3_600
                let explore = rng.next() % 20 == 0
                let category = explore ? Int32(rng.next() % 40) : Self.draw([(a, 0.55), (b, 0.3), (c, 0.15)], &rng)
                if detector.observeDraw(user: Int32(u), category: category, at: t) != nil { alarms += 1 }
            }
        }
        return alarms
    }

    @Test func theThresholdBoundsFalseAlarms() {
        let low = Self.stableAlarms(threshold: 5.5), high = Self.stableAlarms(threshold: 8)
        #expect(Double(low) <= 36_000 * exp(-5.5), "\(low) false alarms at 5.5 nats")
        #expect(Double(high) <= 36_000 * exp(-8), "\(high) false alarms at 8 nats")
        #expect(high < low)
    }

    @Test func aHigherThresholdNeverAlarmsEarlier() {
        var low = ChangeDetector(settings: ChangeDetectorSettings(threshold: 4), categoryCount: 30)
        var high = ChangeDetector(settings: ChangeDetectorSettings(threshold: 9), categoryCount: 30)
        var rng = SeededGenerator(seed: 3)
        var firstLow: Int?, firstHigh: Int?
        for k in 0..<200 {
            let mixture: [(Int32, Double)] = k < 100 ? [(1, 0.7), (2, 0.3)] : [(5, 0.5), (6, 0.2), (2, 0.3)]
            let c = Self.draw(mixture, &rng)
            if low.observeDraw(user: 0, category: c, at: Double(k) * 3_600) != nil, firstLow == nil { firstLow = k }
            if high.observeDraw(user: 0, category: c, at: Double(k) * 3_600) != nil, firstHigh == nil { firstHigh = k }
        }
        let l = try! #require(firstLow), h = try! #require(firstHigh)
        #expect(h >= l)
        #expect(h >= 100)
    }

    @Test func profilesStayWithinTheirSlots() {
        var detector = ChangeDetector(categoryCount: 500)
        for k in 0..<400 { _ = detector.observeDraw(user: 3, category: Int32(k % 200), at: Double(k) * 600) }
        let profiles = detector.profiles(ofUser: 3)
        #expect(profiles.reference.count <= ChangeDetector.referenceSlots)
        #expect(profiles.shortTerm.count <= ChangeDetector.shortSlots)
        #expect(profiles.shortTerm.reduce(0) { $0 + $1.1 } <= 1.0001)
        #expect(detector.userCapacity == 4)
        detector.forget(user: 3)
        #expect(detector.profiles(ofUser: 3).reference.isEmpty)
        #expect(detector.statistic(ofUser: 3) == 0)
    }

    @Test func theTrackerKeepsTheLatestChangesNewestFirst() {
        var tracker = ChangeTracker(categoryCount: 20)
        var t = 0.0
        // Two users settle, then both move; each move is one logged change.
        for user: Int32 in [0, 1] {
            for k in 0..<40 {
                t += 7_200
                tracker.observe(user: user, category: Int32(k % 2), at: t, categoryCount: 20)
            }
        }
        for user: Int32 in [0, 1] {
            for _ in 0..<10 {
                t += 7_200
                tracker.observe(user: user, category: 12, at: t, categoryCount: 20)
            }
        }
        let recent = tracker.recent()
        #expect(recent.map(\.user) == [1, 0])
        #expect(recent.allSatisfy { $0.to == 12 })
        #expect(tracker.detected == 2)
        #expect(tracker.recent(user: 0).count == 1)
        #expect(tracker.recent(since: recent[0].time).map(\.user) == [1])
        tracker.forget(user: 1)
        #expect(tracker.recent().map(\.user) == [0])
    }

    @Test func pageHinkleyAndADWINSeeARiseInTheMean() {
        var ph = PageHinkleyDetector(lambda: 2)
        var adwin = ADWINDetector(delta: 0.01)
        var rng = SeededGenerator(seed: 4)
        var phAlarm: Int?, adwinAlarm: Int?
        for k in 0..<400 {
            let noise = Double(rng.next() % 100) / 1_000
            let x = (k < 200 ? 0.2 : 0.7) + noise
            if ph.add(x) != nil, phAlarm == nil { phAlarm = k }
            if adwin.add(x), adwinAlarm == nil { adwinAlarm = k }
        }
        let p = try! #require(phAlarm), a = try! #require(adwinAlarm)
        #expect(p >= 200 && p < 220)
        #expect(a >= 200 && a < 240)
    }

    @Test func theReferenceSurpriseIsOneMinusTheShare() {
        var reference = SurpriseReference()
        let values = [reference.surprise(1, warmUp: 2), reference.surprise(1, warmUp: 2), reference.surprise(1, warmUp: 2), reference.surprise(2, warmUp: 2)]
        #expect(values == [nil, nil, 0, 1])
    }

    @Test func onTheSmallScenarioTheDetectorFindsTheDriftsAndBeatsTheBaselines() throws {
        let report = ChangeEvaluation.measure(world: ShopWorld(scenario: try Scenario.load("small")))
        let d = report.detector
        #expect(d.all.users == d.abrupt.users + d.gradual.users)
        #expect(d.all.users >= 50)
        // Measured: 39 of 65 at 0 false alarms over 5,263 stable user-days (docs/EVALUATION.md).
        #expect(Double(d.all.detected) >= 0.5 * Double(d.all.users))
        #expect(Double(try #require(d.all.rightTarget)) >= 0.9 * Double(d.all.detected))
        #expect(d.falseAlarmRate <= 1.5)
        #expect(report.stableUserDays > 1_000)
        // At the detector's false-alarm budget, each baseline detects fewer drifts or later.
        for name in ["page-hinkley", "adwin"] {
            let b = try #require(report.matched(name))
            #expect(b.falseAlarmRate <= d.falseAlarmRate || b == report.curve.filter { $0.detector == name }.min { $0.falseAlarmRate < $1.falseAlarmRate })
            let bMedian = b.all.medianLagHours ?? .infinity
            #expect(b.all.detected < d.all.detected || bMedian > (d.all.medianLagHours ?? .infinity), "\(name) at \(b.value)")
        }
        // The sweep: a higher threshold gives fewer false alarms.
        let cusum = report.curve.filter { $0.detector == "cusum" }
        #expect(cusum.first!.falseAlarms >= cusum.last!.falseAlarms)
    }
}
