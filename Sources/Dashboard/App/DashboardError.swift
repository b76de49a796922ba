/// Why the dashboard cannot start on this terminal, in words a user can act on.
public struct DashboardError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
