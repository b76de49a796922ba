/// Maps theme colours to what a terminal can show: 256-colour terminals get the nearest xterm
/// cube or grey, 16- and 8-colour terminals the nearest ANSI colour, monochrome ones nothing.
enum ColorMapper {
    /// The xterm defaults for the 16 ANSI colours (terminals vary; these are what most ship).
    static let ansi: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    private static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The 24-bit value of a colour, or nil for the terminal default.
    static func rgb(of color: TerminalColor) -> (UInt8, UInt8, UInt8)? {
        switch color {
        case .standard: return nil
        case .rgb(let r, let g, let b): return (r, g, b)
        case .indexed(let i): return rgb(index: Int(i))
        }
    }

    /// The 24-bit value of xterm colour `index` (0...255).
    static func rgb(index: Int) -> (UInt8, UInt8, UInt8) {
        if index < 16 { return ansi[index] }
        if index >= 232 {
            let v = UInt8(8 + (index - 232) * 10)
            return (v, v, v)
        }
        let i = index - 16
        return (UInt8(cubeLevels[i / 36]), UInt8(cubeLevels[(i / 6) % 6]), UInt8(cubeLevels[i % 6]))
    }

    /// Perceptual-ish distance ("redmean"), good enough to pick among a terminal's colours.
    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let rm = (Int(a.0) + Int(b.0)) / 2
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
    }

    /// The terminal colour number for `color` on a terminal with `colors` colours:
    /// -1 means the terminal default (also used when the terminal has no colour).
    static func terminalIndex(_ color: TerminalColor, colors: Int) -> Int {
        guard colors >= 8 else { return -1 }
        switch color {
        case .standard:
            return -1
        case .indexed(let i):
            if Int(i) < colors { return Int(i) }
            if i < 16 { return Int(i) % 8 }
            return nearest(rgb(index: Int(i)), colors: colors)
        case .rgb(let r, let g, let b):
            return nearest((r, g, b), colors: colors)
        }
    }

    /// The nearest colour among the first 256, 16 or 8 of the xterm palette.
    static func nearest(_ c: (UInt8, UInt8, UInt8), colors: Int) -> Int {
        if colors >= 256 {
            // Candidates: the nearest cube point and the nearest grey; ANSI 0-15 are skipped
            // because terminals redefine them.
            func level(_ v: UInt8) -> Int {
                var best = 0
                for (i, l) in cubeLevels.enumerated() where abs(l - Int(v)) < abs(cubeLevels[best] - Int(v)) { best = i }
                return best
            }
            let cube = 16 + 36 * level(c.0) + 6 * level(c.1) + level(c.2)
            let average = (Int(c.0) + Int(c.1) + Int(c.2)) / 3
            let grey = 232 + max(0, min(23, (average - 8 + 5) / 10))
            return distance(c, rgb(index: cube)) <= distance(c, rgb(index: grey)) ? cube : grey
        }
        let count = colors >= 16 ? 16 : 8
        var best = 0
        var bestDistance = Int.max
        for i in 0..<count {
            let d = distance(c, ansi[i])
            if d < bestDistance {
                best = i
                bestDistance = d
            }
        }
        return best
    }

    /// `#rrggbb` for HTML export; nil for the terminal default.
    static func hex(_ color: TerminalColor) -> String? {
        guard let (r, g, b) = rgb(of: color) else { return nil }
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] {
            s.append(digits[Int(v >> 4)])
            s.append(digits[Int(v & 15)])
        }
        return s
    }
}
