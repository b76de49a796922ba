/// Conversions between Unix time and proleptic Gregorian calendar dates, in UTC.
///
/// Readers parse ISO-8601 timestamps byte by byte and the CLI prints time spans; both need the
/// calendar arithmetic without paying for `DateFormatter` on every row. The day-count formulas
/// are Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for every representable year.
public enum CivilTime {
    /// Days since 1970-01-01 for a calendar date (month 1...12, day 1...31).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The calendar date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DDThh:mm:ssZ` for a Unix time, rounded down to the second.
    public static func iso8601(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return String(seconds) }
        let whole = Int(seconds.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y >= 0 && y < 10_000 ? String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
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
        let back = civilFromDays(daysFromCivil(year: y, month: m, day: d))
        guard back.month == m, back.day == d else { return nil }
        return Double(daysFromCivil(year: y, month: m, day: d)) * 86_400
    }

    /// `2024-03-01 14:05` (UTC), or with seconds.
    public static func format(_ seconds: Double, withSeconds: Bool = false) -> String {
        guard seconds.isFinite else { return "-" }
        let total = Int(seconds.rounded(.down))
        let dayNumber = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let rest = total - dayNumber * 86_400
        let (y, m, d) = civilFromDays(dayNumber)
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
