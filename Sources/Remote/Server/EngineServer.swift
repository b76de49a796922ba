// The server side of a shared engine: listens on a Unix socket or TCP, lets dashboards in
// (handshake, token), fans the engine's snapshots out, and takes commands from the one in control.
public import InterestGraph
import Foundation
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a server treats its clients. The defaults bound what any client can cost.
public struct ServerOptions: Sendable {
    /// Required in every hello when set (always set for TCP by `driftscope serve`).
    public var token: String?
    /// Dashboards attached at once; one more is refused.
    public var maxDashboards = 16
    /// Connections at once, handshaking ones included; one more is closed at once.
    public var maxConnections = 32
    /// A connection that has not said a valid hello by then is closed.
    public var handshakeTimeout = 5.0
    /// How often the engine's published snapshot is checked when the engine cannot say
    /// when it publishes (an in-process `Engine` says so, and is never polled).
    public var pollInterval = 0.005
    /// Commands per second a dashboard may send (a burst of as many); more are dropped.
    public var commandsPerSecond = 100.0
    /// Bytes queued for one dashboard above which snapshots are held back (only the newest
    /// one waits until the socket drains): a slow reader costs at most this plus one snapshot.
    public var highWaterMark = 1 << 20
    /// This program and version, sent in the welcome.
    public var serverName = "driftscope"

    public init(token: String? = nil) { self.token = token }
}

/// What a server has done, for logs and `driftscope bench attach`.
public struct ServerStatistics: Sendable, Hashable {
    public var dashboards = 0
    public var connections = 0
    /// Snapshots encoded (once each, whatever the number of dashboards).
    public var snapshotsEncoded = 0
    public var encodeSeconds = 0.0
    /// Bytes of snapshot frames sent (the changed fields), all dashboards together.
    public var snapshotBytesSent = 0
    /// Snapshot frames written, and those replaced by a newer one for a slow reader.
    public var snapshotsSent = 0
    public var snapshotsCoalesced = 0
    public var bytesSent = 0
    public var refused = 0
    public var commands = 0
    public var commandsDropped = 0
}

/// Serves one engine to many dashboards (`driftscope serve`).
///
/// All client state lives on one event loop ([`ServerHub`]); the engine is only ever asked for
/// its latest snapshot (a copy under its lock) and given commands (a queue append), so no
/// client, however slow or hostile, can make the engine wait.
public final class EngineServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let hub: ServerHub
    private let listener = Mutex<(any Channel)?>(nil)
    private let socketPath = Mutex<String?>(nil)

    public init(engine: any EngineConnection, options: ServerOptions, log: @escaping @Sendable (String) -> Void) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        hub = ServerHub(engine: engine, options: options, loop: group.next(), log: log)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds `endpoint` and starts serving; returns where it listens (the real port for port 0).
    ///
    /// A Unix socket is created with mode 0600 (the umask is narrowed around the bind, so it is
    /// never reachable by others, not even for a moment); an existing live socket is not taken over.
    public func start(_ endpoint: Endpoint) throws -> Endpoint {
        let hub = self.hub
        let options = hub.options
        func configure(_ bootstrap: ServerBootstrap) -> ServerBootstrap {
            bootstrap
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .childChannelOption(ChannelOptions.writeBufferWaterMark,
                                    value: ChannelOptions.Types.WriteBufferWaterMark(low: options.highWaterMark / 2, high: options.highWaterMark))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limit: WireProtocol.maxClientFrame)))
                        try channel.pipeline.syncOperations.addHandler(ServerClientHandler(hub: hub))
                    }
                }
        }
        let channel: any Channel
        let bound: Endpoint
        switch endpoint {
        case .unix(let path):
            try Self.checkFree(path, group: group)
            let old = umask(0o177)
            defer { umask(old) }
            do {
                channel = try configure(ServerBootstrap(group: group)).bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            } catch {
                throw Failure(description: "cannot listen on unix:\(path): \(error)")
            }
            chmod(path, 0o600)
            socketPath.withLock { $0 = path }
            bound = endpoint
        case .tcp(let host, let port):
            do {
                channel = try configure(ServerBootstrap(group: group))
                    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: host, port: port).wait()
            } catch {
                throw Failure(description: "cannot listen on tcp:\(host):\(port): \(error)")
            }
            bound = .tcp(host: host, port: channel.localAddress?.port ?? port)
        }
        listener.withLock { $0 = channel }
        hub.startWatching()
        return bound
    }

    /// Stops listening, closes every dashboard's connection, and removes the Unix socket.
    /// The engine is not touched: whoever started it stops it.
    public func stop() {
        guard let channel = listener.withLock({ c -> (any Channel)? in defer { c = nil }; return c }) else { return }
        let hub = self.hub
        try? channel.close().wait()
        try? hub.loop.submit { hub.closeAll() }.wait()
        try? group.syncShutdownGracefully()
        if let path = socketPath.withLock({ $0 }) { unlink(path) }
    }

    public func statistics() -> ServerStatistics { hub.statistics.withLock { $0 } }

    /// Refuses to take over a socket another server still answers on; a stale one is replaced.
    private static func checkFree(_ path: String, group: MultiThreadedEventLoopGroup) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure(description: "\(path) exists and is not a socket; choose another --listen path")
        }
        if let live = try? ClientBootstrap(group: group).connectTimeout(.seconds(1)).connect(unixDomainSocketPath: path).wait() {
            try? live.close().wait()
            throw Failure(description: "another server is listening on unix:\(path)")
        }
    }
}
