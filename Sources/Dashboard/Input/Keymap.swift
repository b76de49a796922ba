/// One row of the key map: an action, its keys, the help text, and where it applies.
struct KeyBinding: Sendable {
    var action: KeyAction
    var keys: [Key]
    var help: String
    var context: KeyContext
}

/// The key map: ONE table that drives both input handling and the `?` help overlay, so the
/// two can never disagree. Rebindable from config.toml (see ``Keymap/applying(_:file:)``).
struct Keymap: Sendable {
    private(set) var bindings: [KeyBinding]
    private var lookup: [KeyContext: [Key: KeyAction]] = [:]

    init(bindings: [KeyBinding]) {
        self.bindings = bindings
        rebuild()
    }

    private mutating func rebuild() {
        lookup = [:]
        for b in bindings {
            for k in b.keys { lookup[b.context, default: [:]][k] = b.action }
        }
    }

    /// The action for `key`: a binding of the focused panel's context wins over a global one.
    func action(for key: Key, in context: KeyContext) -> KeyAction? {
        if context != .global, let a = lookup[context]?[key] { return a }
        return lookup[.global]?[key]
    }

    func binding(for action: KeyAction) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    /// The first key of an action, as shown in hints ("⏎", "a").
    func primaryKey(_ action: KeyAction, ascii: Bool) -> String {
        binding(for: action)?.keys.first?.displayName(ascii: ascii) ?? "?"
    }

    /// Two actions in one context sharing a key, as messages (empty when the map is sound).
    func conflicts() -> [String] {
        var seen: [KeyContext: [Key: KeyAction]] = [:]
        var out: [String] = []
        for b in bindings {
            for k in b.keys {
                if let other = seen[b.context]?[k], other != b.action {
                    out.append("key '\(k.displayName(ascii: true))' is bound to both '\(other.rawValue)' and '\(b.action.rawValue)'")
                }
                seen[b.context, default: [:]][k] = b.action
            }
        }
        return out
    }

    /// Replaces the keys of one action.
    mutating func rebind(_ action: KeyAction, to keys: [Key]) {
        guard let i = bindings.firstIndex(where: { $0.action == action }) else { return }
        bindings[i].keys = keys
        rebuild()
    }

    static let defaults = Keymap(bindings: [
        KeyBinding(action: .help, keys: [.character("?")], help: "show or hide this help", context: .global),
        KeyBinding(action: .quit, keys: [.character("q")], help: "quit (restores the terminal)", context: .global),
        KeyBinding(action: .cancel, keys: [.escape], help: "close a prompt, the help or the zoom", context: .global),
        KeyBinding(action: .focusNext, keys: [.tab], help: "focus the next panel", context: .global),
        KeyBinding(action: .focusPrevious, keys: [.backTab], help: "focus the previous panel", context: .global),
        KeyBinding(action: .focusTraining, keys: [.character("1")], help: "focus Training", context: .global),
        KeyBinding(action: .focusDrift, keys: [.character("2")], help: "focus Interest drift", context: .global),
        KeyBinding(action: .focusRecommendations, keys: [.character("3")], help: "focus Recommendations", context: .global),
        KeyBinding(action: .focusNeighbourhood, keys: [.character("4")], help: "focus Neighbourhood", context: .global),
        KeyBinding(action: .focusHyperparameters, keys: [.character("5")], help: "focus Hyperparameters", context: .global),
        KeyBinding(action: .focusEvents, keys: [.character("6")], help: "focus Events", context: .global),
        KeyBinding(action: .up, keys: [.up, .character("k")], help: "move up", context: .global),
        KeyBinding(action: .down, keys: [.down, .character("j")], help: "move down", context: .global),
        KeyBinding(action: .pageUp, keys: [.pageUp, .control("b")], help: "page up", context: .global),
        KeyBinding(action: .pageDown, keys: [.pageDown, .control("f")], help: "page down", context: .global),
        KeyBinding(action: .top, keys: [.character("g"), .home], help: "go to the first row", context: .global),
        KeyBinding(action: .bottom, keys: [.character("G"), .end], help: "go to the last row", context: .global),
        KeyBinding(action: .enter, keys: [.enter, .right, .character("l")], help: "open: follow edge, audience, event's user", context: .global),
        KeyBinding(action: .back, keys: [.backspace, .left, .character("h")], help: "back along the trail, or leave the audience", context: .global),
        KeyBinding(action: .selectUser, keys: [.character("u")], help: "make the highlighted user the selected one", context: .global),
        KeyBinding(action: .search, keys: [.character("/")], help: "find a user or item by id (Tab: user/item)", context: .global),
        KeyBinding(action: .pause, keys: [.character(" ")], help: "pause or resume the engine", context: .global),
        KeyBinding(action: .step, keys: [.character(".")], help: "single step (one event, one batch)", context: .global),
        KeyBinding(action: .faster, keys: [.character("+"), .character("=")], help: "replay faster", context: .global),
        KeyBinding(action: .slower, keys: [.character("-"), .character("_")], help: "replay slower", context: .global),
        KeyBinding(action: .zoom, keys: [.character("f")], help: "zoom the focused panel", context: .global),
        KeyBinding(action: .inject, keys: [.character("i")], help: "inject an event for the selected user", context: .global),
        KeyBinding(action: .theme, keys: [.character("t")], help: "next colour theme", context: .global),
        KeyBinding(action: .screenshot, keys: [.character("s")], help: "save the screen (SVG, HTML, text)", context: .global),
        KeyBinding(action: .resetModel, keys: [.character("R")], help: "reset the model (asks first)", context: .global),
        KeyBinding(action: .compare, keys: [.character("c")], help: "overlay another run in Training (cycles)", context: .global),
        KeyBinding(action: .bookmark, keys: [.character("b")], help: "bookmark the selected user, with a note", context: .global),
        KeyBinding(action: .nextBookmark, keys: [.character("'")], help: "jump to the next bookmarked user (cycles)", context: .global),
        KeyBinding(action: .takeControl, keys: [.character("C")], help: "take control of a shared engine (attach)", context: .global),
        KeyBinding(action: .whoChanged, keys: [.character("w")], help: "who changed: recent interest changes, dormant users", context: .global),
        KeyBinding(action: .saveAudience, keys: [.character("a")], help: "save the listed users as an audience file", context: .changes),
        KeyBinding(action: .audience, keys: [.character("a")], help: "show or hide the item's audience", context: .recommendations),
        KeyBinding(action: .increase, keys: [.right, .character("l"), .character("+"), .character("=")], help: "increase the highlighted value", context: .hyperparameters),
        KeyBinding(action: .decrease, keys: [.left, .character("h"), .character("-"), .character("_")], help: "decrease the highlighted value", context: .hyperparameters),
    ])
}
