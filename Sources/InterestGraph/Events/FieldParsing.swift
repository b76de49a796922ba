/// A field's bytes, borrowed from a reader's buffer for the duration of one row.
typealias FieldBytes = UnsafeBufferPointer<UInt8>

/// Byte-level conversions from field text to values, shared by every reader.
///
/// Readers hand over raw bytes so that numbers and timestamps never become a `String` and
/// identifiers are validated as UTF-8 once. Everything here is allocation-free except the
/// final `String` of an identifier (and identifiers of up to 15 bytes are stored inline).
enum FieldParsing {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    // MARK: Text

    /// The bytes without leading and trailing spaces and tabs.
    @inline(__always)
    static func trim(_ b: FieldBytes) -> FieldBytes {
        var lo = 0
        var hi = b.count
        while lo < hi, b[lo] == space || b[lo] == tab { lo += 1 }
        while hi > lo, b[hi - 1] == space || b[hi - 1] == tab { hi -= 1 }
        return FieldBytes(rebasing: b[lo..<hi])
    }

    /// The index of the first byte that does not start a valid UTF-8 sequence, or `nil`.
    /// - Complexity: O(n); ASCII runs are checked eight bytes at a time.
    static func firstInvalidUTF8(_ b: FieldBytes) -> Int? {
        guard let p = b.baseAddress else { return nil }
        let n = b.count
        var i = 0
        while i < n {
            if i + 8 <= n {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let c = p[i]
            if c < 0x80 {
                i += 1
                continue
            }
            func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
                i + k < n && p[i + k] >= lo && p[i + k] <= hi
            }
            switch c {
            case 0xC2...0xDF:
                guard cont(1) else { return i }
                i += 2
            case 0xE0...0xEF:
                let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
                guard cont(1, lo, hi), cont(2) else { return i }
                i += 3
            case 0xF0...0xF4:
                let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                guard cont(1, lo, hi), cont(2), cont(3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }

    /// Decodes bytes already known to be valid UTF-8.
    @inline(__always)
    static func string(_ b: FieldBytes) -> String {
        String(decoding: b, as: UTF8.self)
    }

    /// Decodes bytes as UTF-8 when valid, else as ISO-8859-1 (old MovieLens files).
    static func utf8OrLatin1(_ b: FieldBytes) -> String {
        if firstInvalidUTF8(b) == nil { return string(b) }
        var scalars = String.UnicodeScalarView()
        for byte in b { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// A short printable rendering of a field for messages: at most 40 characters, control
    /// characters and invalid bytes escaped.
    static func preview(_ b: FieldBytes) -> String {
        var out = ""
        var i = 0
        var shown = 0
        while i < b.count, shown < 40 {
            let c = b[i]
            if c >= 0x20, c < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(c))
                i += 1
            } else if c >= 0x80, let len = sequenceLength(b, at: i) {
                out += string(FieldBytes(rebasing: b[i..<(i + len)]))
                i += len
            } else {
                switch c {
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                default:
                    let hex = String(c, radix: 16, uppercase: true)
                    out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                }
                i += 1
            }
            shown += 1
        }
        if i < b.count { out += "…" }
        return out
    }

    /// Length of the valid UTF-8 sequence at `i`, or `nil`.
    private static func sequenceLength(_ b: FieldBytes, at i: Int) -> Int? {
        let c = b[i]
        let len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0
        guard len > 0, i + len <= b.count else { return nil }
        return firstInvalidUTF8(FieldBytes(rebasing: b[i..<(i + len)])) == nil ? len : nil
    }

    // MARK: Numbers

    private static let powersOfTen: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// A finite decimal number, or `nil`.
    ///
    /// Plain decimals (`-12.5`, `881250949`) are converted exactly with one division when the
    /// mantissa fits in 53 bits (Clinger's fast path); anything else (exponents, long
    /// mantissas) goes through the standard library's correctly rounded parser.
    static func double(_ raw: FieldBytes) -> Double? {
        let b = trim(raw)
        let n = b.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") {
            negative = b[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var fraction = 0
        var sawDigit = false
        var seenPoint = false
        var simple = true
        while i < n {
            let c = b[i]
            if isDigit(c) {
                sawDigit = true
                // Past 17 significant digits the fast path cannot be exact anyway.
                if mantissa < 100_000_000_000_000_000 {
                    mantissa = mantissa * 10 + UInt64(c - 0x30)
                    if seenPoint { fraction += 1 }
                } else {
                    simple = false
                }
            } else if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple {
            guard sawDigit else { return nil }
            if mantissa <= (1 << 53), fraction <= 22 {
                let v = Double(mantissa) / powersOfTen[fraction]
                return negative ? -v : v
            }
        }
        // Slow path: exponents, very long mantissas. Reject words the stdlib would accept.
        for c in b where c >= 0x41 && c != UInt8(ascii: "e") && c != UInt8(ascii: "E") { return nil }
        guard let v = Double(string(b)), v.isFinite else { return nil }
        return v
    }

    // MARK: Timestamps

    /// Seconds since the Unix epoch from epoch seconds, milliseconds, microseconds or
    /// nanoseconds (told apart by magnitude), or an ISO-8601 date-time.
    ///
    /// Magnitude thresholds: below 1e11 seconds (up to the year 5138), below 1e14
    /// milliseconds, below 1e17 microseconds, else nanoseconds. An ISO-8601 time without a
    /// zone is taken as UTC.
    static func timestamp(_ raw: FieldBytes) -> Double? {
        let b = trim(raw)
        guard !b.isEmpty else { return nil }
        if b.count >= 10, b[4] == UInt8(ascii: "-"), isDigit(b[0]) {
            return iso8601(b)
        }
        guard let x = double(b) else { return nil }
        let a = abs(x)
        if a < 1e11 { return x }
        if a < 1e14 { return x / 1e3 }
        if a < 1e17 { return x / 1e6 }
        return x / 1e9
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// `YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|±hh[:mm]]`.
    static func iso8601(_ b: FieldBytes) -> Double? {
        var i = 0
        let n = b.count
        func number(_ width: Int) -> Int? {
            guard i + width <= n else { return nil }
            var v = 0
            for k in 0..<width {
                let c = b[i + k]
                guard isDigit(c) else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < n, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month)
        else { return nil }
        var seconds = Double(CivilTime.daysFromCivil(year: year, month: month, day: day) * 86_400)
        guard i < n else { return seconds }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == space else { return nil }
        i += 1
        guard let hour = number(2), hour <= 23, expect(":"), let minute = number(2), minute <= 59 else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if i < n, b[i] == UInt8(ascii: ":") {
            i += 1
            guard let second = number(2), second <= 60 else { return nil }
            seconds += Double(second)
            if i < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var scale = 0.1
                var fractionDigits = 0
                while i < n, isDigit(b[i]) {
                    seconds += Double(b[i] - 0x30) * scale
                    scale *= 0.1
                    fractionDigits += 1
                    i += 1
                }
                guard fractionDigits > 0 else { return nil }
            }
        }
        guard i < n else { return seconds }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            return i + 1 == n ? seconds : nil
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign = b[i] == UInt8(ascii: "-") ? -1.0 : 1.0
        i += 1
        guard let offsetHours = number(2), offsetHours <= 23 else { return nil }
        var offsetMinutes = 0
        if i < n {
            _ = expect(":")
            guard let m = number(2), m <= 59 else { return nil }
            offsetMinutes = m
        }
        guard i == n else { return nil }
        return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
    }

    // MARK: Lists

    /// Splits a multi-valued field at any of `separators`, trimming parts and dropping empty ones.
    static func split(_ b: FieldBytes, separators: Separators) -> [FieldBytes] {
        var parts: [FieldBytes] = []
        var start = 0
        for i in 0...b.count where i == b.count || separators.contains(b[i]) {
            let part = trim(FieldBytes(rebasing: b[start..<i]))
            if !part.isEmpty { parts.append(part) }
            start = i + 1
        }
        return parts
    }
}

/// Up to two separator bytes for multi-valued fields.
struct Separators: Sendable {
    var first: UInt8
    var second: UInt8

    /// `|` or `;` (categories, genres and entities in CSV and JSON).
    static let list = Separators(first: UInt8(ascii: "|"), second: UInt8(ascii: ";"))
    /// A space (RecBole `token_seq`).
    static let space = Separators(first: UInt8(ascii: " "), second: UInt8(ascii: " "))

    @inline(__always)
    func contains(_ c: UInt8) -> Bool { c == first || c == second }
}

extension Separators {
    /// No splitting (RecBole `token` columns).
    static let none = Separators(first: 0, second: 0)
}
