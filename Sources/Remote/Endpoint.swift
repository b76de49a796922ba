/// Where a server listens and a dashboard attaches: a Unix socket or a TCP address.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `unix:PATH`, `tcp:HOST:PORT`, `tcp:PORT` (127.0.0.1: loopback unless told
    /// otherwise), `HOST:PORT` (TCP), or a path with a `/` (Unix). IPv6 hosts go in brackets:
    /// `tcp:[::1]:7070`.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw ParseError(description: "'\(text)': expected unix:PATH") }
            self = .unix(path: path)
            return
        }
        var rest = text.hasPrefix("tcp:") ? String(text.dropFirst(4)) : text
        if !text.hasPrefix("tcp:"), rest.contains("/") {
            self = .unix(path: rest)
            return
        }
        if text.hasPrefix("tcp:"), let port = Int(rest), (0...65535).contains(port) {
            self = .tcp(host: "127.0.0.1", port: port)
            return
        }
        guard let colon = rest.lastIndex(of: ":") else {
            throw ParseError(description: "'\(text)': expected unix:PATH, tcp:HOST:PORT or HOST:PORT")
        }
        let portText = rest[rest.index(after: colon)...]
        rest = String(rest[..<colon])
        if rest.hasPrefix("["), rest.hasSuffix("]") { rest = String(rest.dropFirst().dropLast()) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ParseError(description: "'\(text)': the port must be a number from 0 to 65535, got '\(portText)'")
        }
        guard !rest.isEmpty else { throw ParseError(description: "'\(text)': missing host before ':\(port)'") }
        self = .tcp(host: rest, port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }

    public var isTCP: Bool {
        if case .tcp = self { return true }
        return false
    }

    /// Loopback addresses: the only TCP hosts reachable without leaving the machine.
    public var isLoopback: Bool {
        switch self {
        case .unix: true
        case .tcp(let host, _): host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }
}
