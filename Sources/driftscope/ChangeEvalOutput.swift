import Foundation
import InterestGraph

/// The text form of ``ChangeEvaluationReport``: the detector beside the baselines at the same
/// false-alarm budget, abrupt and gradual drifts apart, then the delay-versus-false-alarm curve.
enum ChangeEvalOutput {
    static func render(_ r: ChangeEvaluationReport) -> String {
        let s = r.settings
        var out = "change detection: scenario \(r.scenario) (seed \(r.seed)), \(Format.count(r.events)) events, \(Format.count(r.draws)) draws, "
        out += "\(r.detector.all.users) drifting users (\(r.detector.abrupt.users) abrupt, \(r.detector.gradual.users) gradual), "
        out += "\(Format.count(r.stableUsers)) stable users over \(Format.count(Int(r.stableUserDays.rounded()))) user-days\n"
        out += "detector: mixture CUSUM threshold \(Format.number(s.threshold)) nats, new-interest share \(Format.number(s.novelty)), "
        out += "reference half-life \(Format.number(s.referenceHalfLife / 86_400)) d, lag \(s.referenceLag) draws, short half-life \(Format.number(s.shortHalfLife)) draws\n\n"
        var rows = [["detector", "setting", "detected", "right to", "median lag", "p90 lag", "median ev", "p90 ev", "FA/1000 user-days"]]
        func add(_ p: ChangeOperatingPoint, _ label: String, _ part: KeyPath<ChangeOperatingPoint, ChangeLagSummary> = \.all) {
            row(p[keyPath: part], label, "\(p.parameter) \(value(p))", Format.fixed(p.falseAlarmRate, 2))
        }
        func row(_ l: ChangeLagSummary, _ label: String, _ setting: String, _ falseAlarms: String) {
            rows.append([
                label, setting, "\(l.detected)/\(l.users)", l.rightTarget.map { "\($0)/\(l.users)" } ?? "-",
                hours(l.medianLagHours), hours(l.p90LagHours), events(l.medianLagEvents), events(l.p90LagEvents), falseAlarms,
            ])
        }
        row(r.firstEventBound.all, "first event (bound)", "-", "-")
        add(r.detector, "CUSUM (default)")
        if let ph = r.matched("page-hinkley") { add(ph, "Page-Hinkley") }
        if let ad = r.matched("adwin") { add(ad, "ADWIN") }
        for (name, part, bound) in [("abrupt", \ChangeOperatingPoint.abrupt, r.firstEventBound.abrupt), ("gradual", \ChangeOperatingPoint.gradual, r.firstEventBound.gradual)] {
            row(bound, "  \(name): first event", "-", "-")
            add(r.detector, "  \(name): CUSUM", part)
            if let ph = r.matched("page-hinkley") { add(ph, "  \(name): Page-Hinkley", part) }
            if let ad = r.matched("adwin") { add(ad, "  \(name): ADWIN", part) }
        }
        out += Format.table(rows)
        out += "\nbaselines at their setting with the most false alarms not above the detector's rate.\n"
        out += "lag: from the true crossover (new interest becomes the true favourite) to the first alarm after the drift's start (0 if before the crossover);\n"
        out += "ev: the user's events in that time; right to: the alarm named a category the user moved to; FA: alarms on users with no scheduled change;\n"
        out += "first event (bound): an ideal detector alarming on the user's first event after the crossover (no detector can be faster).\n\n"
        out += "delay versus false alarms (threshold sweep)\n"
        var curve = [["detector", "setting", "detected", "median lag", "p90 lag", "FA/1000 user-days"]]
        for p in r.curve {
            curve.append([p.detector, "\(p.parameter) \(value(p))", "\(p.all.detected)/\(p.all.users)", hours(p.all.medianLagHours),
                          hours(p.all.p90LagHours), Format.fixed(p.falseAlarmRate, 2)])
        }
        out += Format.table(curve)
        out += "\nconfidence calibration (default detector; alarms on stable users are false, on drifting users from their drift's start true)\n"
        var bins = [["confidence", "alarms", "mean confidence", "real changes"]]
        for b in r.calibration {
            bins.append(["\(Format.fixed(b.lower, 2))-\(Format.fixed(b.upper, 2))", "\(b.alarms)", b.meanConfidence.map { Format.fixed($0, 3) } ?? "-",
                         b.trueShare.map { Format.fixed($0, 3) } ?? "-"])
        }
        out += Format.table(bins)
        let late = "later than \(Format.number(r.lateAfterHours)) h"
        out += "\nwhy drifts were missed or found \(late) (default detector; the first cause that applies, at the user's last draw before the drift)\n"
        var causes = [["cause", "missed", late]]
        for (label, path) in [
            ("no draw before the drift", \ChangeShortfall.noHistory),
            ("test not started (reference under \(Format.number(s.minimumReference)) draws)", \.testNotStarted),
            ("at most \(ChangeShortfall.fewDraws) draws in the new interest after the crossover", \.fewDrawsAfter),
            ("its department already over \(Int(ChangeShortfall.knownShare * 100))% of the reference", \.targetKnown),
            ("none of these (evidence under the threshold)", \.other),
        ] {
            causes.append([label, "\(r.missed[keyPath: path])", "\(r.late[keyPath: path])"])
        }
        causes.append(["all", "\(r.missed.total)", "\(r.late.total)"])
        out += Format.table(causes)
        return out
    }

    static func value(_ p: ChangeOperatingPoint) -> String {
        p.value < 0.01 ? String(format: "%.0e", p.value) : String(format: "%g", p.value)
    }

    static func hours(_ h: Double?) -> String { h.map { Format.number($0) + " h" } ?? "not reached" }
    static func events(_ e: Double?) -> String { e.map { Format.number($0) } ?? "-" }
}
