import Foundation
import Synchronization
import Testing
@testable import Dashboard
@testable import InterestGraph

/// A dashboard attached to a shared engine: the watcher's keys send nothing and say why, the
/// take-control key asks the connection, the status line says who holds control.
@Suite("Shared engine (attach)")
struct AttachmentTests {
    /// A fixture engine that is shared: its attachment is set by the test.
    final class SharedConnection: EngineConnection {
        private let state = Mutex((attachment: EngineAttachment?.none, commands: [EngineCommand](), requests: 0))
        let fixture = FixtureEngineConnection(FixtureSnapshots.busy())

        func snapshot() -> EngineSnapshot { fixture.snapshot() }
        func send(_ command: EngineCommand) { state.withLock { $0.commands.append(command) } }
        var attachment: EngineAttachment? { state.withLock { $0.attachment } }
        func requestControl() { state.withLock { $0.requests += 1 } }

        var commands: [EngineCommand] { state.withLock { $0.commands } }
        var requests: Int { state.withLock { $0.requests } }
        func set(_ role: EngineAttachment.Role) {
            state.withLock { $0.attachment = EngineAttachment(role: role, dashboard: 2, controller: role == .controller ? 2 : 1, dashboards: 2, endpoint: "unix:/tmp/e.sock") }
        }
    }

    static func loop(_ terminal: MemoryTerminal, _ connection: SharedConnection) -> DashboardLoop<MemoryTerminal, SharedConnection> {
        let clock = LoopTests.Clock()
        return DashboardLoop(terminal: terminal, connection: connection, library: ThemeLibrary(directories: []), screenshotDirectory: NSTemporaryDirectory(),
                             framesPerSecond: 20, now: { clock.now += 0.05; return clock.now }, wallClock: { 1_709_294_403 }, shouldStop: { false })
    }

    @Test func watcherKeysSendNothingAndTheControlKeyAsks() {
        let connection = SharedConnection()
        connection.set(.watcher)
        let terminal = MemoryTerminal(width: 120, height: 40, keys: [.character(" ")])
        var loop = Self.loop(terminal, connection)
        var state = LoopTests.startState()
        loop.run(&state, maxIterations: 3)
        #expect(connection.commands.isEmpty, "a watcher sent \(connection.commands)")
        #expect(terminal.text.contains("◇ WATCHING 2/2"))
        #expect(terminal.text.contains("press C to take control"))

        terminal.keys = [.character("C")]
        loop.run(&state, maxIterations: 3)
        #expect(connection.requests == 1)

        // Control granted: the same key now pauses the engine.
        connection.set(.controller)
        terminal.keys = [.character(" ")]
        loop.run(&state, maxIterations: 3)
        #expect(connection.commands == [.togglePause])
        #expect(terminal.text.contains("◆ CONTROL 2/2"))

        connection.set(.disconnected)
        loop.run(&state, maxIterations: 2)
        #expect(terminal.text.contains("✕ DISCONNECTED"))
    }

    @Test func anEngineInThisProcessAlwaysHasControl() {
        var state = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        var out: [EngineCommand] = []
        state.perform(.takeControl, FixtureSnapshots.busy(), &out)
        #expect(out.isEmpty)
        #expect(!state.controlRequested)
        #expect(state.message?.text.contains("always has control") == true)
        #expect(state.commandsAllowed([.pause], fromKey: true) == [.pause])
    }
}
