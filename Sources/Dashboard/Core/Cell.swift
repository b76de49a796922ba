/// A colour as a theme resolves it: the terminal's own default, one of the 256 indexed
/// colours (0-15 are the terminal's ANSI palette), or a 24-bit colour mapped at draw time.
enum TerminalColor: Hashable, Sendable {
    case standard
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

/// Text attributes, independent of ncurses bit values (the terminal layer maps them).
struct TextAttributes: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let bold = TextAttributes(rawValue: 1 << 0)
    static let dim = TextAttributes(rawValue: 1 << 1)
    static let italic = TextAttributes(rawValue: 1 << 2)
    static let underline = TextAttributes(rawValue: 1 << 3)
    static let reverse = TextAttributes(rawValue: 1 << 4)

    static let names: [(String, TextAttributes)] = [
        ("bold", .bold), ("dim", .dim), ("italic", .italic), ("underline", .underline), ("reverse", .reverse),
    ]
}

/// Foreground, background and attributes of one cell.
struct CellStyle: Hashable, Sendable {
    var foreground: TerminalColor
    var background: TerminalColor
    var attributes: TextAttributes

    init(foreground: TerminalColor = .standard, background: TerminalColor = .standard, attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    static let plain = CellStyle()

    /// The same style with another foreground colour.
    func with(foreground color: TerminalColor) -> CellStyle {
        var s = self
        s.foreground = color
        return s
    }

    /// The same style with extra attributes.
    func adding(_ extra: TextAttributes) -> CellStyle {
        var s = self
        s.attributes.formUnion(extra)
        return s
    }
}

/// One terminal cell. A wide character (CJK, emoji) occupies its cell with `width == 2`
/// and the cell to its right with `width == 0` (a continuation, never drawn on its own).
struct Cell: Hashable, Sendable {
    var character: Character
    var width: UInt8
    var style: CellStyle

    init(_ character: Character = " ", width: UInt8 = 1, style: CellStyle = .plain) {
        self.character = character
        self.width = width
        self.style = style
    }

    var isContinuation: Bool { width == 0 }
}
