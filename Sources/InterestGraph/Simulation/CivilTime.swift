/// UTC calendar arithmetic without Foundation's formatters, which are slow and
/// locale-dependent: simulated timestamps must print the same everywhere.
enum CivilTime {
    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number since 1970-01-01.
    static func date(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses `YYYY-MM-DD` (a trailing `T00:00:00` or `T00:00:00Z` is allowed) as UTC midnight.
    static func parseDate(_ text: String) -> Double? {
        var s = Substring(text)
        if let t = s.firstIndex(where: { $0 == "T" || $0 == " " }) {
            let rest = s[s.index(after: t)...]
            guard rest == "00:00:00" || rest == "00:00:00Z" || rest == "00:00" else { return nil }
            s = s[..<t]
        }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let back = date(days: days(year: y, month: m, day: d))
        guard back.month == m, back.day == d else { return nil }
        return Double(days(year: y, month: m, day: d)) * 86_400
    }

    /// `2024-03-01 14:05` (UTC), or with seconds.
    static func format(_ seconds: Double, withSeconds: Bool = false) -> String {
        guard seconds.isFinite else { return "-" }
        let total = Int(seconds.rounded(.down))
        let dayNumber = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let rest = total - dayNumber * 86_400
        let (y, m, d) = date(days: dayNumber)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(y)-\(two(m))-\(two(d)) \(two(rest / 3_600)):\(two(rest / 60 % 60))"
        if withSeconds { out += ":\(two(rest % 60))" }
        return out
    }

    /// Monday = 0 ... Sunday = 6 for a day number since 1970-01-01 (a Thursday).
    @inline(__always)
    static func weekday(days: Int) -> Int {
        ((days % 7) + 7 + 3) % 7
    }
}
