import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` on a free loopback port, in a temporary directory, with no
/// persistence; stopped (and the directory removed) on `deinit`. Nothing is mocked.
public final class RedisServer {
    public let port: Int
    public let directory: String
    private let process: ChildProcess.Running

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        guard let server = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Unavailable(description: "redis-server is not installed: run `make deps` (Debian package redis-server)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lastError = "no attempt"
        // A free port can be taken between the probe and the server's bind: retry.
        for _ in 0..<5 {
            let port = try Self.freePort()
            let child = try ChildProcess.spawn(URL(fileURLWithPath: server), [
                "--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--protected-mode", "yes",
            ])
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, child.isRunning {
                if (try? Self.cli(port, ["PING"]))?.stdout.hasPrefix("PONG") == true {
                    self.port = port
                    self.process = child
                    return
                }
                usleep(20_000)
            }
            lastError = child.outputSoFar
            child.send(SIGKILL)
            _ = child.wait()
        }
        throw Unavailable(description: "redis-server did not answer PING: \(lastError.suffix(300))")
    }

    deinit {
        process.send(SIGTERM)
        _ = process.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `redis://127.0.0.1:PORT/name` plus query options.
    public func url(_ name: String, _ query: String = "") -> String {
        "redis://127.0.0.1:\(port)/\(name)" + (query.isEmpty ? "" : "?" + query)
    }

    /// `redis-cli -p PORT ARGUMENTS` (installed with redis-server), for checks from tests
    /// that do not link the client.
    public func cli(_ arguments: [String]) throws -> ChildProcess.Result {
        try Self.cli(port, arguments)
    }

    static func cli(_ port: Int, _ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["redis-cli", "-h", "127.0.0.1", "-p", String(port)] + arguments)
    }

    /// A port the kernel just handed out for loopback (and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
