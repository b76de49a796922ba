/// One key press (or mouse event) as the dashboard sees it, independent of ncurses codes.
enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl plus a letter, lower case (`.control("b")` for Ctrl-B).
    case control(Character)
    case up, down, left, right
    case home, end, pageUp, pageDown
    case enter, tab, backTab, backspace, delete, escape
    case function(Int)
    /// The terminal changed size.
    case resize
    case mouse(MouseEvent)
}

/// A mouse event in screen cells.
struct MouseEvent: Hashable, Sendable {
    enum Kind: Hashable, Sendable { case click, scrollUp, scrollDown }
    var x: Int
    var y: Int
    var kind: Kind
    init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}

extension Key {
    private static let named: [(String, Key)] = [
        ("space", .character(" ")), ("tab", .tab), ("shift-tab", .backTab), ("backtab", .backTab), ("s-tab", .backTab),
        ("enter", .enter), ("return", .enter), ("esc", .escape), ("escape", .escape),
        ("backspace", .backspace), ("bs", .backspace), ("delete", .delete), ("del", .delete),
        ("up", .up), ("down", .down), ("left", .left), ("right", .right),
        ("home", .home), ("end", .end), ("pageup", .pageUp), ("pgup", .pageUp), ("pagedown", .pageDown), ("pgdn", .pageDown),
        ("minus", .character("-")), ("plus", .character("+")),
    ]

    /// Parses a key name as written in config.toml: a single character (`"q"`, `"?"`, `"G"`),
    /// `space`, `tab`, `shift-tab`, `enter`, `esc`, `backspace`, `delete`, arrows, `home`,
    /// `end`, `pageup`, `pagedown`, `f1`...`f12`, or `ctrl-x`.
    init?(name: String) {
        if name.count == 1, let c = name.first, c != " " {
            self = .character(c)
            return
        }
        let lower = name.lowercased()
        if let k = Key.named.first(where: { $0.0 == lower })?.1 {
            self = k
            return
        }
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, c.isLetter, c.isASCII else { return nil }
            self = .control(c)
            return
        }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n) {
            self = .function(n)
            return
        }
        return nil
    }

    /// How the help overlay and hints show this key.
    func displayName(ascii: Bool) -> String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "C-" + String(c)
        case .up: return ascii ? "Up" : "↑"
        case .down: return ascii ? "Down" : "↓"
        case .left: return ascii ? "Left" : "←"
        case .right: return ascii ? "Right" : "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .enter: return ascii ? "Enter" : "⏎"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return ascii ? "Bksp" : "⌫"
        case .delete: return "Del"
        case .escape: return "Esc"
        case .function(let n): return "F\(n)"
        case .resize: return "resize"
        case .mouse: return "mouse"
        }
    }
}
