import InterestGraph
import NIOCore

/// One dashboard's connection on the server: the handshake (with its deadline), then commands
/// and take-control requests; anything malformed closes the connection.
final class ServerClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let hub: ServerHub
    private var link: ClientLink?
    private var deadline: Scheduled<Void>?
    /// Refused: whatever else the peer sends is ignored until the connection closes.
    private var closing = false

    init(hub: ServerHub) { self.hub = hub }

    func channelActive(context: ChannelHandlerContext) {
        let link = ClientLink(channel: context.channel, hub: hub)
        guard hub.connected(link) else {
            context.close(promise: nil)
            return
        }
        self.link = link
        let channel = context.channel
        let hub = self.hub
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(hub.options.handshakeTimeout * 1e9))) {
            hub.log("closed a connection that did not finish the handshake in time")
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if let link { hub.disconnected(link) }
        link = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        link?.writable()
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let link, !closing else { return }
        let payload = unwrapInboundIn(data)
        let message: ClientMessage
        do {
            message = try WireCodec.decode(ClientMessage.self, payload: payload)
        } catch {
            refuse(context, link, because: "\(error)")
            return
        }
        switch message {
        case .hello(let hello):
            guard link.dashboard == nil else { return }
            deadline?.cancel()
            if let refusal = hub.hello(hello, from: link) { refuse(context, link, reason: refusal) }
        case .command(let command):
            guard link.dashboard != nil else { return refuse(context, link, because: "a command before the hello") }
            hub.command(command, from: link)
        case .takeControl:
            guard link.dashboard != nil else { return refuse(context, link, because: "take-control before the hello") }
            hub.takeControl(link)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        // A frame above the limit is a protocol error worth a log line; a reset socket is
        // just a dashboard going away.
        if let link, error is WireCodec.Failure { refuse(context, link, because: "\(error)") } else { context.close(promise: nil) }
    }

    /// Closes a connection that broke the protocol. Before the handshake the peer learns only
    /// "refused"; an attached dashboard is told what was wrong.
    private func refuse(_ context: ChannelHandlerContext, _ link: ClientLink, because problem: String) {
        hub.log((link.dashboard.map { "dashboard \($0)" } ?? "a connection") + ": \(problem); closing it")
        refuse(context, link, reason: link.dashboard == nil ? "refused" : problem)
    }

    private func refuse(_ context: ChannelHandlerContext, _ link: ClientLink, reason: String) {
        deadline?.cancel()
        closing = true
        let channel = context.channel
        guard let frame = try? WireCodec.frame(ServerMessage.refused(reason)) else { return channel.close(promise: nil) }
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }
}
