public import InterestGraph

/// The messages of the wire protocol: the engine contract (``EngineSnapshot`` out,
/// ``EngineCommand`` in) plus a handshake and who holds control.
///
/// Payloads are the types' synthesised `Codable` form, so a field added to the snapshot
/// travels without a codec edit; ``WireProtocol/version`` changes when a message's meaning
/// does (a client and a server of different versions refuse each other with a clear reason).
public enum WireProtocol {
    /// Bumped whenever a message changes incompatibly.
    /// Version 2: snapshots travel as the fields that changed (``SnapshotFieldCache``).
    public static let version = 2
    /// The format byte at the start of a frame's payload: JSON of a message...
    static let formatJSON: UInt8 = 1
    /// ...or a snapshot's changed fields (``WireCodec/applySnapshotFields(_:to:)``).
    static let formatSnapshotFields: UInt8 = 2
    /// Frames a server accepts from a client (commands and the hello are tiny).
    public static let maxClientFrame = 64 << 10
    /// Frames a client accepts from a server (a snapshot is tens of kilobytes).
    public static let maxServerFrame = 32 << 20
}

/// What a dashboard sends.
public enum ClientMessage: Sendable, Codable {
    /// The first frame: protocol version and, when the server asks for one, its token.
    case hello(Hello)
    /// A command for the engine; the server applies it only from the dashboard in control.
    case command(EngineCommand)
    /// Become the dashboard in control (the one in control before watches).
    case takeControl
}

public struct Hello: Sendable, Codable, Hashable {
    public var protocolVersion: Int
    public var token: String?
    /// The client's program and version, for the server's log ("driftscope 0.9").
    public var client: String

    public init(protocolVersion: Int = WireProtocol.version, token: String?, client: String) {
        self.protocolVersion = protocolVersion
        self.token = token
        self.client = client
    }
}

/// What the server sends.
public enum ServerMessage: Sendable, Codable {
    /// The handshake succeeded: this dashboard's number, the server's program and version.
    case welcome(Welcome)
    /// The connection is refused (the reason is generic for a wrong token); the server closes it.
    case refused(String)
    /// Who holds control, after every change.
    case session(Session)
}

public struct Welcome: Sendable, Codable, Hashable {
    public var protocolVersion: Int
    public var dashboard: Int
    public var server: String
}

public struct Session: Sendable, Codable, Hashable {
    public var controller: Int?
    public var dashboards: Int
}
