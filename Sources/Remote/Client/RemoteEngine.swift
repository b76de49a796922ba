// The client side of a shared engine: what `driftscope attach` gives the dashboard in place
// of an in-process `Engine`.
public import InterestGraph
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// An engine in another process, reached through `driftscope serve`'s socket.
///
/// Conforms to ``EngineConnection`` like the local `Engine`, so the dashboard's code is the
/// same: ``snapshot()`` returns the newest snapshot received (decoded on the network thread,
/// never on the caller's), ``send(_:)`` writes a command. If the connection drops, the
/// attachment says `disconnected` and the client reconnects with a backoff (0.25 s doubling to
/// 2 s) until ``close()``.
public final class RemoteEngine: EngineConnection {
    public enum Failure: Error, CustomStringConvertible {
        /// The server said no (a wrong token reads just "refused").
        case refused(String)
        case cannotConnect(String)
        case timedOut

        public var description: String {
            switch self {
            case .refused(let reason): "the server refused the connection: \(reason)"
            case .cannotConnect(let why): why
            case .timedOut: "the server did not answer the handshake in time"
            }
        }
    }

    /// What the client has received, for `driftscope bench attach`.
    public struct Statistics: Sendable, Hashable {
        public var bytesReceived = 0
        public var snapshotsReceived = 0
        public var reconnects = 0
    }

    struct State {
        var snapshot = EngineSnapshot()
        var dashboard: Int?
        var session: Session?
        var connected = false
        var channel: (any Channel)?
        var closed = false
        var statistics = Statistics()
    }

    public let endpoint: Endpoint
    let hello: Hello
    let timeout: Double
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let state = Mutex(State())

    private init(endpoint: Endpoint, hello: Hello, timeout: Double) {
        self.endpoint = endpoint
        self.hello = hello
        self.timeout = timeout
    }

    /// Connects and completes the handshake, or throws why not (refused, nobody listening,
    /// no answer within `timeout` seconds).
    public static func connect(to endpoint: Endpoint, token: String?, client: String = "driftscope", timeout: Double = 5) throws -> RemoteEngine {
        let engine = RemoteEngine(endpoint: endpoint, hello: Hello(token: token, client: client), timeout: timeout)
        do {
            try engine.attempt().wait()
        } catch {
            engine.close()
            throw error
        }
        return engine
    }

    /// Closes the connection. The engine keeps running on the server.
    public func close() {
        let channel = state.withLock { s -> (any Channel)? in
            s.closed = true
            return s.channel
        }
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    public func statistics() -> Statistics { state.withLock { $0.statistics } }

    /// Polls the received snapshots (every half millisecond) until `condition` holds or
    /// `timeout` seconds pass; for scripts, tests and `driftscope bench attach`.
    public func waitUntil(timeout: Double, _ condition: (EngineSnapshot) -> Bool) -> Bool {
        let deadline = ProcessInfo.processInfo.systemUptime + timeout
        repeat {
            if condition(snapshot()) { return true }
            Thread.sleep(forTimeInterval: 0.0005)
        } while ProcessInfo.processInfo.systemUptime < deadline
        return condition(snapshot())
    }

    // MARK: EngineConnection

    public func snapshot() -> EngineSnapshot { state.withLock { $0.snapshot } }

    public func send(_ command: EngineCommand) { write(.command(command)) }

    public func requestControl() { write(.takeControl) }

    public var attachment: EngineAttachment? {
        state.withLock { s in
            guard let dashboard = s.dashboard else { return nil }
            let role: EngineAttachment.Role = !s.connected ? .disconnected : (s.session?.controller == dashboard ? .controller : .watcher)
            return EngineAttachment(role: role, dashboard: dashboard, controller: s.session?.controller,
                                    dashboards: s.session?.dashboards ?? 1, endpoint: endpoint.description)
        }
    }

    private func write(_ message: ClientMessage) {
        guard let channel = state.withLock({ $0.connected ? $0.channel : nil }),
              let frame = try? WireCodec.frame(message) else { return }
        channel.writeAndFlush(frame, promise: nil)
    }

    // MARK: Connecting

    /// One connection attempt: succeeds when the server welcomes this client.
    private func attempt() -> EventLoopFuture<Void> {
        let loop = group.next()
        let welcomed = loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Int64(timeout * 1e9)))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limit: WireProtocol.maxServerFrame)))
                    try channel.pipeline.syncOperations.addHandler(RemoteEngineHandler(engine: self, welcomed: welcomed))
                }
            }
        let connecting: EventLoopFuture<any Channel>
        switch endpoint {
        case .unix(let path): connecting = bootstrap.connect(unixDomainSocketPath: path)
        case .tcp(let host, let port): connecting = bootstrap.connect(host: host, port: port)
        }
        let endpoint = self.endpoint, hello = self.hello, timeout = self.timeout
        connecting.whenComplete { [self] result in
            switch result {
            case .failure(let error):
                welcomed.fail(Failure.cannotConnect("cannot connect to \(endpoint): \(error) (is driftscope serve running there?)"))
            case .success(let channel):
                state.withLock { $0.channel = channel }
                if let frame = try? WireCodec.frame(ClientMessage.hello(hello)) { channel.writeAndFlush(frame, promise: nil) }
                loop.scheduleTask(in: .nanoseconds(Int64(timeout * 1e9))) {
                    welcomed.fail(Failure.timedOut)
                }
                welcomed.futureResult.whenFailure { _ in channel.close(promise: nil) }
            }
        }
        return welcomed.futureResult
    }

    /// Called by the handler when an established connection ends.
    func connectionLost() {
        let closed = state.withLock { s -> Bool in
            s.connected = false
            s.channel = nil
            return s.closed
        }
        if !closed { reconnect(after: 0.25) }
    }

    private func reconnect(after delay: Double) {
        group.next().scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { [self] in
            guard !state.withLock({ $0.closed }) else { return }
            attempt().whenComplete { [self] result in
                switch result {
                case .success: state.withLock { $0.statistics.reconnects += 1 }
                case .failure: reconnect(after: min(delay * 2, 2))
                }
            }
        }
    }
}

/// Reads the server's frames into the client's state.
final class RemoteEngineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let engine: RemoteEngine
    private let welcomed: EventLoopPromise<Void>
    private var isWelcomed = false

    init(engine: RemoteEngine, welcomed: EventLoopPromise<Void>) {
        self.engine = engine
        self.welcomed = welcomed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        let bytes = payload.readableBytes + 4
        do {
            if WireCodec.format(of: payload) == WireProtocol.formatSnapshotFields {
                // Only this thread writes the snapshot, so decoding onto a copy outside the
                // lock loses nothing; readers keep getting the previous one meanwhile.
                var snapshot = engine.snapshot()
                try WireCodec.applySnapshotFields(payload, to: &snapshot)
                engine.state.withLock {
                    $0.snapshot = snapshot
                    $0.statistics.bytesReceived += bytes
                    $0.statistics.snapshotsReceived += 1
                }
            } else {
                receive(try WireCodec.decode(ServerMessage.self, payload: payload), context: context)
            }
        } catch {
            // A newer or older server whose messages this build cannot read: say so, stop.
            welcomed.fail(RemoteEngine.Failure.refused("cannot read the server's message (\(error)); is it the same driftscope version?"))
            context.close(promise: nil)
        }
    }

    private func receive(_ message: ServerMessage, context: ChannelHandlerContext) {
        switch message {
        case .welcome(let welcome):
            isWelcomed = true
            engine.state.withLock {
                $0.dashboard = welcome.dashboard
                $0.connected = true
                $0.channel = context.channel
            }
            welcomed.succeed(())
        case .refused(let reason):
            welcomed.fail(RemoteEngine.Failure.refused(reason))
        case .session(let session):
            engine.state.withLock { $0.session = session }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isWelcomed {
            engine.connectionLost()
        } else {
            welcomed.fail(RemoteEngine.Failure.cannotConnect("the server closed the connection during the handshake"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
