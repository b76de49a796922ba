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
    /// Every snapshot field's latest JSON; a dashboard gets the fields changed since the
    /// publish it last received (see ``SnapshotFieldCache``).
    private(set) var fields = SnapshotFieldCache()
    private var poller: RepeatedTask?
    /// Cleared (under its lock) before the loop shuts down, so the engine's thread never
    /// schedules onto a loop that is gone.
    private let notified = Mutex(false)

    init(engine: any EngineConnection, options: ServerOptions, loop: any EventLoop, log: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.options = options
        self.loop = loop
        self.log = log
    }

    /// Looks at the engine's snapshot as soon as it publishes one (an in-process `Engine`
    /// says when), or else every ``ServerOptions/pollInterval``.
    func startWatching() {
        notified.withLock { $0 = true }
        let observed = engine.whenPublished { [self] in
            notified.withLock { active in
                if active { loop.execute { self.poll() } }
            }
        }
        guard !observed else { return }
        notified.withLock { $0 = false }
        let interval = TimeAmount.nanoseconds(Int64(options.pollInterval * 1e9))
        poller = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in poll() }
    }

    // MARK: Snapshots

    /// Takes the engine's snapshot when it is new (re-encoding only the fields that changed)
    /// and brings every dashboard up to date.
    /// - Complexity: one equality test per field, the encoding of the changed fields, then
    ///   O(bytes of the changed fields) per dashboard.
    func poll() {
        // Nobody attached: nothing to encode (a dashboard that attaches gets a fresh one).
        guard links.values.contains(where: { $0.dashboard != nil }) else {
            latestSequence = nil
            fields = SnapshotFieldCache()
            for link in links.values { link.received = nil }
            return
        }
        let snapshot = engine.snapshot()
        guard snapshot.sequence != latestSequence else { return }
        latestSequence = snapshot.sequence
        let started = ProcessInfo.processInfo.systemUptime
        guard (try? fields.take(snapshot)) != nil else { return }
        let seconds = ProcessInfo.processInfo.systemUptime - started
        statistics.withLock {
            $0.snapshotsEncoded += 1
            $0.encodeSeconds += seconds
        }
        for link in links.values where link.dashboard != nil { link.offerSnapshot() }
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
        if latestSequence != nil { link.offerSnapshot() } else { poll() }
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
        notified.withLock { $0 = false }
        for link in links.values { link.channel.close(promise: nil) }
    }
}

/// One connection, on the hub's event loop: its dashboard number once welcomed, the snapshot
/// held back while its socket is full, and its command budget.
final class ClientLink {
    let channel: any Channel
    private let hub: ServerHub
    var dashboard: Int?
    /// The last publish this dashboard was sent (``SnapshotFieldCache/version``); nil before
    /// its first, full snapshot.
    var received: UInt64?
    /// A snapshot is due but the socket is full: when it drains, the dashboard gets every
    /// field changed since ``received`` (the publishes in between are coalesced).
    private var snapshotDue = false
    /// The same for who holds control: only the newest state matters.
    private var heldSession: ByteBuffer?
    private var budget: Double = 0
    private var budgetTime: Double = 0

    init(channel: any Channel, hub: ServerHub) {
        self.channel = channel
        self.hub = hub
    }

    /// Sends the fields changed since this dashboard's last snapshot if the socket takes
    /// them, else remembers that they are due.
    func offerSnapshot() {
        guard channel.isWritable else {
            if snapshotDue { hub.statistics.withLock { $0.snapshotsCoalesced += 1 } }
            snapshotDue = true
            return
        }
        snapshotDue = false
        guard let frame = hub.fields.frame(since: received) else { return }
        received = hub.fields.version
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
        if snapshotDue { offerSnapshot() }
    }

    private func write(_ frame: ByteBuffer) {
        hub.statistics.withLock {
            $0.snapshotsSent += 1
            $0.snapshotBytesSent += frame.readableBytes
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
