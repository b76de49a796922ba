import Foundation
import InterestGraph
@testable import Remote
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real engine served on a Unix socket in a temporary directory, with real clients.
@Suite(.serialized) struct EngineServerTests {
    struct Served {
        let engine: Engine
        let server: EngineServer
        let endpoint: Endpoint
        let directory: URL

        func stop() {
            server.stop()
            engine.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func serve(_ options: ServerOptions = ServerOptions(), tcp: Bool = false) throws -> Served {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ds-srv-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = EngineConfiguration()
        configuration.speed = 0
        let engine = try Engine(configuration: configuration, source: .scenario(path: "small", seed: 5))
        let server = EngineServer(engine: engine, options: options, log: { _ in })
        let endpoint = try server.start(tcp ? .tcp(host: "127.0.0.1", port: 0) : .unix(path: directory.appendingPathComponent("e.sock").path))
        engine.start()
        return Served(engine: engine, server: server, endpoint: endpoint, directory: directory)
    }

    /// Polls `condition` until it holds (a deadline, never a fixed sleep).
    static func eventually(_ what: String, timeout: Double = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func socketIsPrivate() throws {
        let served = try Self.serve()
        defer { served.stop() }
        guard case .unix(let path) = served.endpoint else { return }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        // A second server does not take over a live socket.
        let other = EngineServer(engine: served.engine, options: ServerOptions(), log: { _ in })
        #expect(throws: EngineServer.Failure.self) { try other.start(served.endpoint) }
    }

    @Test func controllerCommandsReachTheEngineAndEveryoneSeesThem() throws {
        let served = try Self.serve()
        defer { served.stop() }
        let first = try RemoteEngine.connect(to: served.endpoint, token: nil)
        defer { first.close() }
        let second = try RemoteEngine.connect(to: served.endpoint, token: nil)
        defer { second.close() }
        try Self.eventually("roles") { first.attachment?.role == .controller && second.attachment?.role == .watcher && second.attachment?.dashboards == 2 }
        #expect(first.attachment?.controller == first.attachment?.dashboard)

        // Both receive the engine's snapshots.
        try Self.eventually("snapshots") { first.snapshot().statistics.events > 0 && second.snapshot().statistics.events > 0 }

        // The controller pauses and changes the learning rate: the watcher sees both.
        let lr = try #require(first.snapshot().tunables.first { $0.key == "learning_rate" })
        let wanted = lr.value * 2
        first.send(.pause)
        first.send(.setHyperparameter(key: "learning_rate", value: wanted))
        try Self.eventually("the watcher sees the pause and the new rate") {
            let s = second.snapshot()
            return s.isPaused && abs((s.tunables.first { $0.key == "learning_rate" }?.value ?? 0) - wanted) < 1e-12
        }

        // The watcher's commands are dropped: the engine stays paused.
        second.send(.resume)
        second.send(.shutdown)
        try Self.eventually("the watcher's commands dropped") { served.server.statistics().commandsDropped >= 2 }
        first.send(.step(events: 1))
        let stepped = served.engine.snapshot().statistics.events
        try Self.eventually("the step") { served.engine.snapshot().statistics.events > stepped }
        #expect(served.engine.snapshot().isPaused)

        // Control is handed over: the watcher takes it, the former controller watches.
        second.requestControl()
        try Self.eventually("control handed over") { second.attachment?.role == .controller && first.attachment?.role == .watcher }
        second.send(.resume)
        try Self.eventually("the new controller resumes") { !first.snapshot().isPaused }

        // A controller that leaves hands control to the one still attached; the engine goes on.
        second.close()
        try Self.eventually("control back to the one left") { first.attachment?.role == .controller && first.attachment?.dashboards == 1 }
        let before = first.snapshot().sequence
        try Self.eventually("the engine still publishing") { first.snapshot().sequence > before }
    }

    @Test func wrongTokenGetsOneGenericRefusal() throws {
        var options = ServerOptions()
        options.token = String(repeating: "ab", count: 32)
        let served = try Self.serve(options, tcp: true)
        defer { served.stop() }
        for wrong in [nil, "nope", String(repeating: "ab", count: 31) + "ac"] {
            #expect {
                _ = try RemoteEngine.connect(to: served.endpoint, token: wrong)
            } throws: { error in
                "\(error)" == RemoteEngine.Failure.refused("refused").description
            }
        }
        let right = try RemoteEngine.connect(to: served.endpoint, token: options.token)
        defer { right.close() }
        try Self.eventually("the right token gets snapshots") { right.snapshot().statistics.events > 0 }
        #expect(served.server.statistics().refused == 3)
    }

    @Test func garbageAndSilentClientsAreClosedWhileADashboardKeepsRunning() throws {
        var options = ServerOptions()
        options.handshakeTimeout = 0.3
        let served = try Self.serve(options)
        defer { served.stop() }
        let dashboard = try RemoteEngine.connect(to: served.endpoint, token: nil)
        defer { dashboard.close() }
        guard case .unix(let path) = served.endpoint else { return }

        // An HTTP request, a huge length prefix, a valid frame of junk JSON, and silence.
        let http = try RawSocket(path: path)
        http.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(http.readUntilClosed() <= 64, "at most one short refusal before the close")
        let huge = try RawSocket(path: path)
        huge.write([0x7f, 0xff, 0xff, 0xff, 1])
        #expect(huge.readUntilClosed() <= 64)
        let junk = try RawSocket(path: path)
        let body = [UInt8(1)] + Array("{\"hello\":{\"oops\":1}}".utf8)
        junk.write([0, 0, 0, UInt8(body.count)] + body)
        #expect(junk.readUntilClosed() <= 64)
        let silent = try RawSocket(path: path)
        #expect(silent.readUntilClosed() == 0, "closed after the handshake timeout")

        // The attached dashboard never noticed.
        let before = dashboard.snapshot().sequence
        try Self.eventually("the dashboard still receiving") { dashboard.snapshot().sequence > before }
        #expect(dashboard.attachment?.role == .controller)
    }

    @Test func aReaderThatNeverReadsCostsBoundedMemoryAndStallsNobody() throws {
        var options = ServerOptions()
        options.highWaterMark = 64 << 10
        let served = try Self.serve(options)
        defer { served.stop() }
        guard case .unix(let path) = served.endpoint else { return }
        // A client that says hello and then never reads.
        let stuck = try RawSocket(path: path, receiveBuffer: 4096)
        let hello = try WireCodec.frame(ClientMessage.hello(Hello(token: nil, client: "stuck")))
        stuck.write(Array(hello.readableBytesView))
        let dashboard = try RemoteEngine.connect(to: served.endpoint, token: nil)
        defer { dashboard.close() }
        try Self.eventually("snapshots held back for the stuck reader") { served.server.statistics().snapshotsCoalesced >= 5 }
        let received = dashboard.statistics().snapshotsReceived
        try Self.eventually("the other dashboard still receiving") { dashboard.statistics().snapshotsReceived > received + 5 }
        // The engine keeps publishing (the scenario may have run out of events by now).
        let sequence = served.engine.snapshot().sequence
        try Self.eventually("the engine still publishing") { served.engine.snapshot().sequence > sequence + 5 }
        _ = stuck
    }
}
