import Foundation
import InterestGraph
@testable import Remote
import Testing

/// `attach A,B` over real sockets: two in-process servers whose engines say (by hand) which
/// partitions they read, one federation of two ``RemoteEngine``s. Commands reach the engine
/// that owns the user; a server that stops leaves its partitions down; started again on the
/// same socket it is taken back.
@Suite(.serialized) struct FederationServerTests {
    typealias Stub = FederationTests.StubEngine

    struct Served {
        let engine: Stub
        var server: EngineServer
        let endpoint: Endpoint
    }

    static func serve(_ engine: Stub, at path: String) throws -> Served {
        let server = EngineServer(engine: engine, options: ServerOptions(), log: { _ in })
        let endpoint = try server.start(.unix(path: path))
        return Served(engine: engine, server: server, endpoint: endpoint)
    }

    @Test func routesOverSocketsAndTakesBackAnEngineThatRestarts() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ds-fed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = try Self.serve(Stub(FederationTests.engine(partitions: [0, 1], users: 10)), at: directory.appendingPathComponent("a.sock").path)
        var b = try Self.serve(Stub(FederationTests.engine(partitions: [2, 3], users: 20)), at: directory.appendingPathComponent("b.sock").path)
        defer {
            a.server.stop()
            b.server.stop()
        }
        let ra = try RemoteEngine.connect(to: a.endpoint, token: nil)
        let rb = try RemoteEngine.connect(to: b.endpoint, token: nil)
        defer {
            ra.close()
            rb.close()
        }
        let f = FederatedEngine([(endpoint: a.endpoint.description, connection: ra), (endpoint: b.endpoint.description, connection: rb)])
        try EngineServerTests.eventually("both engines merged") { f.snapshot().statistics.users == 30 }
        #expect(f.attachment?.role == .controller)

        let inA = FederationTests.user(inPartition: 0), inB = FederationTests.user(inPartition: 3)
        f.send(.selectUser(inB))
        f.send(.forgetUser(inA))
        f.send(.pause)
        try EngineServerTests.eventually("the commands arrive") { a.engine.commands.count == 2 && b.engine.commands.count == 2 }
        #expect(a.engine.commands == [.forgetUser(inA), .pause])
        #expect(b.engine.commands == [.selectUser(inB), .pause])
        #expect(f.attachment?.federation?.members[1].label == "engine B (partitions 2,3)")
        #expect(f.attachment?.federation?.answering == 1)

        // B's server goes away: its partitions are down, A's figures remain.
        b.server.stop()
        try EngineServerTests.eventually("B down") { f.attachment?.federation?.downText == "partitions 2,3 down (B)" }
        #expect(f.snapshot().statistics.users == 10)

        // Started again on the same socket (what serve --resume does): the client reconnects.
        b.engine.update { $0.statistics.users = 25 }
        b = try Self.serve(b.engine, at: directory.appendingPathComponent("b.sock").path)
        try EngineServerTests.eventually("B back") { f.attachment?.federation?.downText == nil && f.snapshot().statistics.users == 35 }
        try EngineServerTests.eventually("the selected user asked for again") { b.engine.commands.suffix(1) == [.selectUser(inB)] }
    }
}
