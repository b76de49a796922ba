import Testing
@testable import Dashboard
@testable import InterestGraph

@Suite("Key map")
struct KeymapTests {
    @Test func everyActionHasOneBindingWithKeys() {
        let map = Keymap.defaults
        for action in KeyAction.allCases {
            let bindings = map.bindings.filter { $0.action == action }
            #expect(bindings.count == 1, "\(action.rawValue) has \(bindings.count) bindings")
            #expect(!(bindings.first?.keys.isEmpty ?? true), "\(action.rawValue) has no key")
            #expect(!(bindings.first?.help.isEmpty ?? true), "\(action.rawValue) has no help text")
        }
        #expect(map.bindings.count == KeyAction.allCases.count)
    }

    @Test func defaultsHaveNoConflicts() {
        #expect(Keymap.defaults.conflicts().isEmpty)
    }

    @Test func everyKeyResolvesToItsActionInItsContext() {
        let map = Keymap.defaults
        for b in map.bindings {
            for key in b.keys {
                #expect(map.action(for: key, in: b.context) == b.action, "\(key) in \(b.context)")
            }
        }
    }

    @Test func panelBindingsShadowGlobalOnes() {
        let map = Keymap.defaults
        #expect(map.action(for: .character("+"), in: .global) == .faster)
        #expect(map.action(for: .character("+"), in: .hyperparameters) == .increase)
        #expect(map.action(for: .right, in: .hyperparameters) == .increase)
        #expect(map.action(for: .right, in: .global) == .enter)
        #expect(map.action(for: .character("a"), in: .recommendations) == .audience)
        #expect(map.action(for: .character("a"), in: .global) == nil)
    }

    @Test("help overlay lists every binding with its keys, and nothing else")
    func helpMatchesKeymap() {
        let size = GridSize(width: 120, height: 40)
        var state = FixtureSnapshots.state(size: size)
        // Attached to a shared engine, so the take-control key is listed too.
        state.attachment = EngineAttachment(role: .watcher, dashboard: 2, controller: 1, dashboards: 2, endpoint: "unix:/tmp/x")
        let theme = try! ThemeLibrary(directories: []).theme(named: "dark")
        let ctx = RenderContext(snapshot: FixtureSnapshots.busy(), state: state, theme: theme, layout: Layout.compute(size: size, state: state))
        var keyWidth = 0
        let lines = HelpOverlay.lines(ctx, keyWidth: &keyWidth).map { $0.map(\.text).joined() }
        let bindingLines = lines.filter { line in Keymap.defaults.bindings.contains { line.hasSuffix("  " + $0.help) } }
        #expect(bindingLines.count == Keymap.defaults.bindings.count)
        for b in Keymap.defaults.bindings {
            let keys = b.keys.map { $0.displayName(ascii: false) }.joined(separator: " ")
            #expect(lines.contains { $0.hasPrefix(keys) && $0.hasSuffix(b.help) }, "help lacks \(b.action.rawValue)")
        }
        for context in KeyContext.allCases { #expect(lines.contains(context.title)) }

        // With the engine in this process the take-control key means nothing: not listed.
        state.attachment = nil
        let local = RenderContext(snapshot: FixtureSnapshots.busy(), state: state, theme: theme, layout: Layout.compute(size: size, state: state))
        let localLines = HelpOverlay.lines(local, keyWidth: &keyWidth).map { $0.map(\.text).joined() }
        #expect(!localLines.contains { $0.hasSuffix(Keymap.defaults.binding(for: .takeControl)!.help) })
    }

    @Test("key names", arguments: [
        ("space", Key.character(" ")), ("q", .character("q")), ("G", .character("G")), ("?", .character("?")),
        ("shift-tab", .backTab), ("S-Tab", .backTab), ("enter", .enter), ("Esc", .escape), ("backspace", .backspace),
        ("pagedown", .pageDown), ("ctrl-b", .control("b")), ("C-f", .control("f")), ("f5", .function(5)), ("minus", .character("-")),
    ])
    func keyNames(_ name: String, _ key: Key) {
        #expect(Key(name: name) == key)
    }

    @Test("bad key names", arguments: ["", "hyper-x", "f13", "ctrl-1", "spacebar"])
    func badKeyNames(_ name: String) {
        #expect(Key(name: name) == nil)
    }

    @Test func configRebindsKeys() {
        let text = """
        theme = "light"

        [keys]
        pause = ["space", "p"]
        quit = "x"
        """
        let config = DashboardConfig.parse(text, file: "config.toml")
        #expect(config.messages.isEmpty)
        #expect(config.theme == "light")
        #expect(config.keymap.action(for: .character("p"), in: .global) == .pause)
        #expect(config.keymap.action(for: .character("x"), in: .global) == .quit)
        #expect(config.keymap.action(for: .character("q"), in: .global) == nil)
        // The help overlay is built from the same map, so it shows the new keys.
        #expect(config.keymap.binding(for: .pause)?.keys == [.character(" "), .character("p")])
    }

    @Test func reducerUsesReboundKeys() {
        var state = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        state.keymap = DashboardConfig.parse("[keys]\nquit = \"x\"\n", file: "c").keymap
        #expect(!DashboardState.reduce(state, .character("q"), FixtureSnapshots.busy()).0.shouldQuit)
        #expect(DashboardState.reduce(state, .character("x"), FixtureSnapshots.busy()).0.shouldQuit)
    }

    @Test("config errors name line and column and fall back to the defaults", arguments: [
        ("[keys]\npuase = \"p\"\n", "config.toml:2:1: unknown action 'puase'"),
        ("[keys]\npause = [\"space\", \"hyperspace\"]\n", "config.toml:2:19: unknown key name 'hyperspace'"),
        ("[keys]\npause = 3\n", "config.toml:2:9: 'pause': expected a key name"),
        ("[keys]\npause = \"q\"\n", "key 'q' is bound to both"),
        ("[keys\npause = \"q\"\n", "config.toml:1:6: expected ']'"),
        ("colour = \"red\"\n", "config.toml:1: unknown key 'colour'"),
        ("fps = 500\n", "'fps' must be between 1 and 60"),
    ])
    func configErrors(_ text: String, _ expected: String) {
        let config = DashboardConfig.parse(text, file: "config.toml")
        #expect(config.messages.count == 1)
        #expect(config.messages.first?.contains(expected) == true, "\(config.messages)")
        #expect(config.keymap.action(for: .character("q"), in: .global) == .quit)
        #expect(config.keymap.action(for: .character(" "), in: .global) == .pause)
    }
}
