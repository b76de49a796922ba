import Foundation
import InterestGraph
import NIOCore
import Synchronization

/// The server's shared state: connected clients, who holds control, the latest encoded
/// snapshot. Confined to one event loop (every method runs there), hence no locks, and
/// `@unchecked Sendable` only so NIO's `@Sendable` initialisers can hold it.
final class ServerHub: @unchecked Sendable {
    let engine: any EngineConnection
    let options: ServerOptions
    let loop: any EventLoop
    let log: @Sendable (String) -> Void
    /// Read by other threads (``EngineServer/statistics()``), written here.
    let statistics = Mutex(ServerStatistics())

    private var links: [ObjectIdentifier: ClientLink] = [:]
    private var nextDashboard = 1
    private var controller: Int?
    private var latestSequence: UInt64?
    private var latestFrame: ByteBuffer?
    private var poller: RepeatedTask?

    init(engine: any EngineConnection, options: ServerOptions, loop: any EventLoop, log: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.options = options
        self.loop = loop
        self.log = log
    }

    func startPolling() {
        let interval = TimeAmount.nanoseconds(Int64(options.pollInterval * 1e9))
        poller = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in poll() }
    }

    // MARK: Snapshots

    /// Encodes the engine's snapshot once when it is new and offers it to every dashboard.
    /// - Complexity: O(dashboards) per new snapshot, plus one encoding.
    func poll() {
        // Nobody attached: nothing to encode (a dashboard that attaches gets a fresh one).
        guard links.values.contains(where: { $0.dashboard != nil }) else {
            latestSequence = nil
            latestFrame = nil
            return
        }
        let snapshot = engine.snapshot()
        guard snapshot.sequence != latestSequence else { return }
        latestSequence = snapshot.sequence
        let started = ProcessInfo.processInfo.systemUptime
        guard let frame = try? WireCodec.frame(ServerMessage.snapshot(snapshot)) else { return }
        let seconds = ProcessInfo.processInfo.systemUptime - started
        latestFrame = frame
        statistics.withLock {
            $0.snapshotsEncoded += 1
            $0.encodeSeconds += seconds
            $0.lastSnapshotBytes = frame.readableBytes
        }
        for link in links.values where link.dashboard != nil { link.offer(snapshot: frame) }
    }

    // MARK: Connections

    /// A new connection: refused at once above ``ServerOptions/maxConnections``.
    func connected(_ link: ClientLink) -> Bool {
        guard links.count < options.maxConnections else {
            statistics.withLock { $0.refused += 1 }
            return false
        }
        links[ObjectIdentifier(link)] = link
        statistics.withLock { $0.connections = links.count }
        return true
    }

    func disconnected(_ link: ClientLink) {
        guard links.removeValue(forKey: ObjectIdentifier(link)) != nil else { return }
        statistics.withLock { $0.connections = links.count }
        guard let dashboard = link.dashboard else { return }
        let remaining = links.values.compactMap(\.dashboard).sorted()
        statistics.withLock { $0.dashboards = remaining.count }
        if controller == dashboard {
            // The longest-attached dashboard takes over, so the engine is never left without one.
            controller = remaining.first
        }
        log("dashboard \(dashboard) detached (\(remaining.count) attached" + (controller.map { ", dashboard \($0) in control)" } ?? ")"))
        broadcastSession()
    }

    /// Checks a hello; returns the refusal to send, or nil when the dashboard is in.
    func hello(_ hello: Hello, from link: ClientLink) -> String? {
        if let token = options.token, !TokenFile.matches(hello.token, token) {
            // One generic answer: nothing tells a guesser how close it came.
            statistics.withLock { $0.refused += 1 }
            log("refused a connection (authentication failed)")
            return "refused"
        }
        guard hello.protocolVersion == WireProtocol.version else {
            statistics.withLock { $0.refused += 1 }
            log("refused \(hello.client): protocol \(hello.protocolVersion), this server speaks \(WireProtocol.version)")
            return "protocol version \(hello.protocolVersion) is not supported: this server (\(options.serverName)) speaks version \(WireProtocol.version)"
        }
        let attached = links.values.filter { $0.dashboard != nil }.count
        guard attached < options.maxDashboards else {
            statistics.withLock { $0.refused += 1 }
            return "too many dashboards attached (\(attached))"
        }
        let dashboard = nextDashboard
        nextDashboard += 1
        link.dashboard = dashboard
        if controller == nil { controller = dashboard }
        statistics.withLock { $0.dashboards = attached + 1 }
        log("dashboard \(dashboard) attached (\(hello.client)\(controller == dashboard ? ", in control" : ", watching"))")
        link.send(try? WireCodec.frame(ServerMessage.welcome(Welcome(protocolVersion: WireProtocol.version, dashboard: dashboard, server: options.serverName))))
        broadcastSession()
        if let latestFrame { link.offer(snapshot: latestFrame) } else { poll() }
        return nil
    }

    // MARK: Control

    func command(_ command: EngineCommand, from link: ClientLink) {
        guard let dashboard = link.dashboard, link.allowCommand(now: ProcessInfo.processInfo.systemUptime, rate: options.commandsPerSecond) else {
            statistics.withLock { $0.commandsDropped += 1 }
            return
        }
        // Only the dashboard in control changes the engine; closing a dashboard never stops it.
        guard dashboard == controller, command != .shutdown else {
            statistics.withLock { $0.commandsDropped += 1 }
            return
        }
        statistics.withLock { $0.commands += 1 }
        engine.send(command)
    }

    func takeControl(_ link: ClientLink) {
        guard let dashboard = link.dashboard, dashboard != controller,
              link.allowCommand(now: ProcessInfo.processInfo.systemUptime, rate: options.commandsPerSecond) else { return }
        log("dashboard \(dashboard) took control" + (controller.map { " from dashboard \($0)" } ?? ""))
        controller = dashboard
        broadcastSession()
    }

    private func broadcastSession() {
        let dashboards = links.values.filter { $0.dashboard != nil }.count
        guard let frame = try? WireCodec.frame(ServerMessage.session(Session(controller: controller, dashboards: dashboards))) else { return }
        for link in links.values where link.dashboard != nil { link.offer(session: frame) }
    }

    func closeAll() {
        poller?.cancel()
        for link in links.values { link.channel.close(promise: nil) }
    }
}

/// One connection, on the hub's event loop: its dashboard number once welcomed, the snapshot
/// held back while its socket is full, and its command budget.
final class ClientLink {
    let channel: any Channel
    private let hub: ServerHub
    var dashboard: Int?
    /// The newest snapshot not yet written because the client reads slowly (older ones are dropped).
    private var heldSnapshot: ByteBuffer?
    /// The same for who holds control: only the newest state matters.
    private var heldSession: ByteBuffer?
    private var budget: Double = 0
    private var budgetTime: Double = 0

    init(channel: any Channel, hub: ServerHub) {
        self.channel = channel
        self.hub = hub
    }

    /// Writes a snapshot now if the socket takes it, else keeps it as the one to write next.
    func offer(snapshot frame: ByteBuffer) {
        guard channel.isWritable else {
            if heldSnapshot != nil { hub.statistics.withLock { $0.snapshotsCoalesced += 1 } }
            heldSnapshot = frame
            return
        }
        write(frame)
    }

    /// Who holds control, now or (socket full) as soon as it drains, replacing an older one.
    func offer(session frame: ByteBuffer) {
        guard channel.isWritable else {
            heldSession = frame
            return
        }
        send(frame)
    }

    /// The socket drained: the held session and snapshot go out.
    func writable() {
        guard channel.isWritable else { return }
        if let frame = heldSession {
            heldSession = nil
            send(frame)
        }
        if let frame = heldSnapshot {
            heldSnapshot = nil
            write(frame)
        }
    }

    private func write(_ frame: ByteBuffer) {
        hub.statistics.withLock {
            $0.snapshotsSent += 1
            $0.bytesSent += frame.readableBytes
        }
        channel.writeAndFlush(frame, promise: nil)
    }

    /// A small frame written whatever the socket's state: only the welcome (once per
    /// connection) and sessions when the socket takes them.
    func send(_ frame: ByteBuffer?) {
        guard let frame else { return }
        hub.statistics.withLock { $0.bytesSent += frame.readableBytes }
        channel.writeAndFlush(frame, promise: nil)
    }

    /// A token bucket: `rate` commands a second, bursts of as many.
    func allowCommand(now: Double, rate: Double) -> Bool {
        budget = min(rate, budget + (now - budgetTime) * rate)
        budgetTime = now
        guard budget >= 1 else { return false }
        budget -= 1
        return true
    }
}
