/// When people shop: a daily curve (quiet at night, a lunchtime bump, an evening peak) and a
/// weekly one (busier at the weekend), both averaging 1, in UTC.
enum SessionRhythm {
    static let hourly: [Double] = normalised([
        0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.55, 0.80, 0.90, 0.95, 1.00,
        1.15, 1.00, 0.95, 0.95, 1.00, 1.15, 1.40, 1.70, 1.90, 1.80, 1.30, 0.60,
    ])
    /// Monday first.
    static let weekly: [Double] = normalised([0.95, 0.92, 0.95, 0.98, 1.05, 1.12, 1.03])
    static let peak: Double = hourly.max()! * weekly.max()!

    private static func normalised(_ v: [Double]) -> [Double] {
        let mean = v.reduce(0, +) / Double(v.count)
        return v.map { $0 / mean }
    }

    /// The session-start intensity multiplier at `t` (seconds since the epoch).
    @inline(__always)
    static func multiplier(at t: Double) -> Double {
        let seconds = Int(t)
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let hour = (seconds - day * 86_400) / 3_600
        return hourly[hour] * weekly[CivilTime.weekday(days: day)]
    }

    /// The next session start after `t` for a user with `perDay` sessions a day on average,
    /// by thinning a Poisson process at the peak rate.
    static func nextSession(after t: Double, perDay: Double, rng: inout SeededGenerator) -> Double {
        let meanGap = 86_400 / (perDay * peak)
        var s = t
        while true {
            s += rng.exponential(mean: meanGap)
            if rng.unitDouble() * peak < multiplier(at: s) { return s }
        }
    }
}
