/// Terminal display width of characters and strings (columns, not characters): CJK and
/// emoji take two columns, combining marks none. Needed wherever text is clipped or aligned.
enum DisplayWidth {
    /// East Asian Wide and Fullwidth ranges, plus the emoji blocks terminals draw two columns wide.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
        0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F,
        0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
        0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5,
        0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728,
        0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
        0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E,
        0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
        0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Columns one grapheme cluster takes: 0, 1 or 2.
    static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        let first = scalars.first!
        let v = first.value
        if v < 0x7F { return v < 0x20 ? 0 : 1 }
        if v < 0x300 { return v == 0xAD || (v >= 0x7F && v < 0xA0) ? 0 : 1 }
        // An emoji presentation selector makes a text-default symbol (❤) two columns wide.
        if scalars.count > 1, scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return 0
        default:
            break
        }
        if v == 0x200B { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        guard v >= 0x1100 else { return false }
        var lo = 0
        var hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// Columns a string takes.
    static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for c in text { total += of(c) }
        return total
    }

    /// The longest prefix of `text` that fits in `columns`, and its width.
    static func prefix(_ text: some StringProtocol, fitting columns: Int) -> (Substring, Int) {
        let s = Substring(text)
        var used = 0
        var end = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            let w = of(s[i])
            if used + w > columns { break }
            used += w
            i = s.index(after: i)
            end = i
        }
        return (s[s.startIndex..<end], used)
    }

    /// `text` clipped to `columns`, ending in `ellipsis` when something was cut.
    static func truncate(_ text: String, to columns: Int, ellipsis: Character = "…") -> String {
        guard columns > 0 else { return "" }
        let width = of(text)
        if width <= columns { return text }
        let (head, _) = prefix(text, fitting: columns - of(ellipsis))
        return String(head) + String(ellipsis)
    }

    /// `text` clipped from the left, keeping its end ("…› b › c").
    static func truncateLeading(_ text: String, to columns: Int, ellipsis: Character = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var kept: [Character] = []
        var used = of(ellipsis)
        for c in text.reversed() {
            let w = of(c)
            if used + w > columns { break }
            used += w
            kept.append(c)
        }
        return String(ellipsis) + String(kept.reversed())
    }

    /// A category path fitted to `columns`, keeping its most specific part: "Electronics/Phones"
    /// becomes "Elec…/Phones" or "…/Phones" rather than "Electronics…", which would hide the
    /// part that tells rows apart. Text without a "/" is truncated as usual.
    static func truncatePath(_ text: String, to columns: Int, ellipsis: Character = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        guard let slash = text.lastIndex(of: "/"), slash != text.startIndex else { return truncate(text, to: columns, ellipsis: ellipsis) }
        let leaf = String(text[text.index(after: slash)...])
        let tail = String(ellipsis) + "/" + leaf
        let room = columns - of(tail)
        // A head of fewer than three characters says nothing; drop it instead.
        if room >= 3 {
            let (head, _) = prefix(text[..<slash], fitting: room)
            return String(head) + tail
        }
        if of(tail) <= columns { return tail }
        return truncate(leaf, to: columns, ellipsis: ellipsis)
    }

    /// `text` padded with spaces (or clipped) to exactly `columns`.
    static func pad(_ text: String, to columns: Int, alignment: Alignment = .left, ellipsis: Character = "…") -> String {
        let clipped = truncate(text, to: columns, ellipsis: ellipsis)
        let gap = columns - of(clipped)
        guard gap > 0 else { return clipped }
        switch alignment {
        case .left: return clipped + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + clipped
        case .center: return String(repeating: " ", count: gap / 2) + clipped + String(repeating: " ", count: gap - gap / 2)
        }
    }
}

/// Horizontal alignment inside a span of columns.
enum Alignment: Sendable, Hashable {
    case left, right, center
}
