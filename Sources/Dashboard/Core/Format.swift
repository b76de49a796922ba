import Foundation

/// Number, time and duration formatting for the panels: fixed width where columns align,
/// grouping for big counts, and UTC clock times computed here so output is deterministic.
enum Format {
    /// `value` with `digits` decimals; "–" for NaN or infinity (a diverged loss stays visible).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
        return String(format: "%.\(digits)f", value)
    }

    static func fixed(_ value: Float, _ digits: Int) -> String { fixed(Double(value), digits) }

    /// A printf-style format with one floating-point argument ("%.4f", "%.0f", "%g").
    static func printf(_ format: String, _ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        // Only a format with exactly one floating-point conversion is safe to hand to
        // String(format:) with a Double; anything else falls back to three digits.
        guard isSingleFloatFormat(format) else { return short(value) }
        return String(format: format, value)
    }

    /// True for formats like "%.4f", "%8.2e", "%g%%": one conversion, and it takes a double.
    static func isSingleFloatFormat(_ format: String) -> Bool {
        let chars = Array(format)
        var conversions = 0
        var i = 0
        while i < chars.count {
            guard chars[i] == "%" else { i += 1; continue }
            i += 1
            guard i < chars.count else { return false }
            if chars[i] == "%" { i += 1; continue }
            while i < chars.count, "-+ #0123456789.".contains(chars[i]) { i += 1 }
            guard i < chars.count, "eEfFgGaA".contains(chars[i]) else { return false }
            conversions += 1
            i += 1
        }
        return conversions == 1
    }

    /// 12,345 — thousands grouped with commas.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// 950, 12.3k, 4.56M — for rates and counts in tight columns.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        let a = abs(value)
        if a < 1000 { return a < 10 && a != a.rounded() ? fixed(value, 1) : fixed(value, 0) }
        if a < 1_000_000 { return fixed(value / 1000, a < 10_000 ? 2 : 1) + "k" }
        if a < 1_000_000_000 { return fixed(value / 1_000_000, a < 10_000_000 ? 2 : 1) + "M" }
        return fixed(value / 1_000_000_000, 2) + "G"
    }

    /// Three significant digits, for axis labels and scores ("0.0123", "1.25", "142").
    static func short(_ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        let a = abs(value)
        if a == 0 { return "0" }
        if a >= 1000 { return compact(value) }
        if a >= 100 { return fixed(value, 0) }
        if a >= 10 { return fixed(value, 1) }
        if a >= 1 { return fixed(value, 2) }
        if a >= 0.01 { return fixed(value, 3) }
        return String(format: "%.1e", value)
    }

    /// A column of numbers with the same number of decimals, chosen so the largest shows
    /// `significant` digits: [10.9, 9.447, 0.85] -> ["10.9", "9.4", "0.9"]. Columns of scores
    /// and strengths line up on the decimal point and never need more than five cells
    /// (past 9,999 they switch to 12.3k; below 0.001 to 1.2e-04).
    static func column(_ values: [Double], significant: Int = 3) -> [String] {
        let largest = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
        if largest >= 10_000 { return values.map(compact) }
        if largest > 0 && largest < 0.001 { return values.map(short) }
        let integerDigits = largest >= 1 ? Int(log10(largest)) + 1 : 0
        let decimals = max(0, min(3, significant - integerDigits))
        return values.map { $0.isFinite ? fixed($0, decimals) : fixed($0, 0) }
    }

    /// A fixed-point string without its trailing zeros ("1.00000" -> "1", "0.0500" -> "0.05");
    /// exponent forms keep their digits, and zero is just "0".
    static func dropTrailingZeros(_ text: String) -> String {
        if let v = Double(text), v == 0 { return "0" }
        guard text.contains("."), !text.contains("e"), !text.contains("E") else { return text }
        var t = Substring(text)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return String(t)
    }

    /// 2, 10, 0.5 — a step or factor without trailing zeros.
    static func trimmed(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return dropTrailingZeros(short(value))
    }

    /// 42s, 7m, 3h, 12d, 2y — an age or idle time.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86_400 { return "\(Int(seconds / 3600))h" }
        if seconds < 86_400 * 365 { return "\(Int(seconds / 86_400))d" }
        return "\(Int(seconds / (86_400 * 365)))y"
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// 2024-03-01 12:00:03 (UTC) for a clock in seconds since the epoch.
    static func dateTime(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let t = Int(seconds.rounded(.down))
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let rest = t - days * 86_400
        let (y, m, d) = civil(days)
        return "\(y)-\(two(m))-\(two(d)) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
    }

    /// 12:00:03 (UTC) for a clock in seconds since the epoch.
    static func timeOfDay(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let t = Int(seconds.rounded(.down))
        let rest = ((t % 86_400) + 86_400) % 86_400
        return "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
    }

    /// 41% — a share in 0...1.
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        return "\(Int((share * 100).rounded()))%"
    }

    /// ×1, ×0.5, ×20, or "max" — replay speed.
    static func speed(_ speed: Double) -> String {
        if speed <= 0 { return "max" }
        if speed == speed.rounded() { return "×\(Int(speed))" }
        return "×" + short(speed)
    }
}
