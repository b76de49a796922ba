/// TOML 1.0's grammar for unquoted values: integers, floats, booleans and the four date and
/// time types. Each reader takes the whole token and accepts it exactly or returns nil, so
/// that `1e_1`, `0x` or `2021-02-30` are errors rather than whatever `Double(_:)` or a loose
/// pattern would make of them.
enum TOMLScalars {
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case 0x41...0x46: Int(c - 0x41 + 10)
        case 0x61...0x66: Int(c - 0x61 + 10)
        default: nil
        }
    }

    /// An integer, float, `inf` or `nan` (with optional sign), or nil.
    static func number(_ s: [UInt8]) -> TOMLValue? {
        guard !s.isEmpty else { return nil }
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-") {
            negative = s[0] == UInt8(ascii: "-")
            i = 1
        }
        let body = s[i...]
        if body.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
        if body.elementsEqual("nan".utf8) { return .float(.nan) }
        if body.count > 2, body.first == UInt8(ascii: "0") {
            let radix: Int? = switch body[i + 1] {
            case UInt8(ascii: "x"): 16
            case UInt8(ascii: "o"): 8
            case UInt8(ascii: "b"): 2
            default: nil
            }
            if let radix {
                // Hex, octal and binary integers take no sign.
                guard i == 0 else { return nil }
                return prefixedInteger(s[2...], radix: radix).map(TOMLValue.integer)
            }
        }
        // Decimal: an integer part without leading zeros, then an optional fraction and exponent.
        guard let integerEnd = digitRun(s, from: i), integerEnd > i else { return nil }
        if integerEnd - i > 1 && s[i] == UInt8(ascii: "0") { return nil }
        var j = integerEnd
        var isFloat = false
        if j < s.count && s[j] == UInt8(ascii: ".") {
            guard let end = digitRun(s, from: j + 1), end > j + 1 else { return nil }
            j = end
            isFloat = true
        }
        if j < s.count && (s[j] == UInt8(ascii: "e") || s[j] == UInt8(ascii: "E")) {
            var k = j + 1
            if k < s.count && (s[k] == UInt8(ascii: "+") || s[k] == UInt8(ascii: "-")) { k += 1 }
            // Unlike the integer part, the exponent may have leading zeros.
            guard let end = digitRun(s, from: k), end > k else { return nil }
            j = end
            isFloat = true
        }
        guard j == s.count else { return nil }
        let digits = String(decoding: s.lazy.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let d = Double(digits), d.isFinite else { return nil }
            return .float(d)
        }
        return Int(digits).map(TOMLValue.integer)  // nil when outside 64 bits
    }

    /// The end of `digit ( _? digit )*` starting at `start`, or nil when an underscore is not
    /// between two digits. Returns `start` when there is no digit there.
    private static func digitRun(_ s: [UInt8], from start: Int) -> Int? {
        var j = start
        while j < s.count {
            if isDigit(s[j]) {
                j += 1
            } else if s[j] == UInt8(ascii: "_") {
                guard j > start, j + 1 < s.count, isDigit(s[j + 1]) else { return nil }
                j += 1
            } else {
                break
            }
        }
        return j
    }

    private static func prefixedInteger(_ s: ArraySlice<UInt8>, radix: Int) -> Int? {
        var value = 0
        var previousWasDigit = false
        for c in s {
            if c == UInt8(ascii: "_") {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
                continue
            }
            guard let d = hexValue(c), d < radix else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (next, o2) = shifted.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            value = next
            previousWasDigit = true
        }
        return previousWasDigit ? value : nil
    }

    // MARK: Dates and times

    /// Whether a token is meant as a date or time (so it gets a date error, not a number error).
    static func looksLikeDateTime(_ s: [UInt8]) -> Bool {
        if s.contains(UInt8(ascii: ":")) { return true }
        return s.count >= 5 && s[0..<4].allSatisfy(isDigit) && s[4] == UInt8(ascii: "-")
    }

    /// A date, time or date-time in RFC 3339 form, checked against the calendar, as its
    /// canonical text (`T` and `Z` upper case, a space separator written `T`); nil if invalid.
    static func dateTime(_ s: [UInt8]) -> String? {
        var out = s
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= s.count else { return nil }
            var v = 0
            for c in s[i..<(i + width)] {
                guard isDigit(c) else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        func time() -> Bool {
            guard let hour = number(2), hour < 24, expect(":"),
                  let minute = number(2), minute < 60, expect(":"),
                  let second = number(2), second <= 60 else { return false }
            if expect(".") {
                let start = i
                while i < s.count && isDigit(s[i]) { i += 1 }
                guard i > start else { return false }
            }
            return true
        }

        if s.count >= 3 && s[2] == UInt8(ascii: ":") {
            return time() && i == s.count ? String(decoding: out, as: UTF8.self) : nil
        }
        guard let year = number(4), expect("-"), let month = number(2), (1...12).contains(month),
              expect("-"), let day = number(2), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        if i == s.count { return String(decoding: out, as: UTF8.self) }
        guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: "t") || s[i] == UInt8(ascii: " ") else { return nil }
        out[i] = UInt8(ascii: "T")
        i += 1
        guard time() else { return nil }
        if i == s.count { return String(decoding: out, as: UTF8.self) }
        if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
            out[i] = UInt8(ascii: "Z")
            i += 1
        } else {
            guard s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") else { return nil }
            i += 1
            guard let hours = number(2), hours < 24, expect(":"), let minutes = number(2), minutes < 60 else { return nil }
        }
        return i == s.count ? String(decoding: out, as: UTF8.self) : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
