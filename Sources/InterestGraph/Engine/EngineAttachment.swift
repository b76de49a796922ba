/// Where a dashboard stands when it shares an engine with others (`driftscope serve` and
/// `attach`): one dashboard holds control (pause, step, speed, tuning, inject, reset, forget),
/// the others watch. An engine in the dashboard's own process has no attachment.
public struct EngineAttachment: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        /// This dashboard's commands reach the engine.
        case controller
        /// This dashboard follows what the controller does; its commands are not sent.
        case watcher
        /// The connection is lost; the client is trying again.
        case disconnected
    }

    public var role: Role
    /// This dashboard's number on the server (1, 2, ...; stable while it stays attached).
    public var dashboard: Int
    /// The number of the dashboard in control, if any.
    public var controller: Int?
    /// Dashboards attached now, this one included.
    public var dashboards: Int
    /// Where the engine runs ("unix:/run/ds.sock", "tcp:127.0.0.1:7070").
    public var endpoint: String
    /// Set when the dashboard is attached to several engines that share a partitioned stream
    /// (`driftscope attach A,B`): which engine answers the user screens, which partitions are down.
    public var federation: FederationStatus?

    public init(role: Role, dashboard: Int, controller: Int?, dashboards: Int, endpoint: String, federation: FederationStatus? = nil) {
        self.role = role
        self.dashboard = dashboard
        self.controller = controller
        self.dashboards = dashboards
        self.endpoint = endpoint
        self.federation = federation
    }
}

extension EngineConnection {
    /// An engine in this process: the dashboard always has control.
    public var attachment: EngineAttachment? { nil }
    public func requestControl() {}
}
