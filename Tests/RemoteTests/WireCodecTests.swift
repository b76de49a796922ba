import Foundation
import InterestGraph
import NIOCore
@testable import Remote
import Testing

/// The wire format: every snapshot field and every command survive a round trip; frames above
/// the limit, empty frames and garbage are refused.
@Suite struct WireCodecTests {
    /// A snapshot from a real engine on the small scenario, with a user selected.
    static func liveSnapshot() throws -> EngineSnapshot {
        var configuration = EngineConfiguration()
        configuration.speed = 0
        let engine = try Engine(configuration: configuration, source: .scenario(path: "small", seed: 3))
        engine.start()
        defer { engine.stop() }
        let busy = try #require(engine.waitForSnapshot(timeout: 120) { $0.statistics.events >= 2_000 && !$0.demoCandidates.isEmpty })
        engine.send(.selectUser(busy.demoCandidates[0]))
        return try #require(engine.waitForSnapshot(timeout: 120) { $0.selectedUser != nil && !$0.loss.isEmpty })
    }

    static func payload(_ frame: ByteBuffer) throws -> ByteBuffer {
        var frame = frame
        return try #require(try FrameDecoder.next(from: &frame, limit: WireProtocol.maxServerFrame))
    }

    @Test func snapshotRoundTripsEveryField() throws {
        var snapshot = try Self.liveSnapshot()
        // A diverged loss must travel too (JSON has no NaN of its own).
        snapshot.loss.append(MetricPoint(step: 99, value: .nan, events: 1))
        snapshot.message = "no user 'x'"
        let frame = try WireCodec.frame(ServerMessage.snapshot(snapshot))
        let decoded = try WireCodec.decode(ServerMessage.self, payload: try Self.payload(frame))
        guard case .snapshot(let back) = decoded else {
            Issue.record("decoded \(decoded), expected a snapshot")
            return
        }
        // Same bytes when encoded again: every field came back with its value.
        let again = try WireCodec.frame(ServerMessage.snapshot(back))
        #expect(again == frame)
        #expect(back.loss.last?.value.isNaN == true)
        #expect(back.selectedUser?.id == snapshot.selectedUser?.id)
        #expect(back.selectedUser?.recommendations.count == snapshot.selectedUser?.recommendations.count)
        #expect(back.statistics == snapshot.statistics)
        #expect(back.tunables == snapshot.tunables)
        #expect(back.sequence == snapshot.sequence)
    }

    static let commands: [EngineCommand] = [
        .pause, .resume, .togglePause, .step(events: 3), .setSpeed(0), .setSpeed(250),
        .setHyperparameter(key: "learningRate", value: 0.0125), .resetModel, .selectUser("u00042"),
        .selectItem("i7"), .complete(prefix: "u0", kind: .user), .browse(NodeRef(.item, 12)),
        .inject(user: "u1", item: "i2", action: .purchase), .forgetUser("u9"), .seek(to: 1.5e9), .shutdown,
    ]

    @Test(arguments: commands) func commandRoundTrips(_ command: EngineCommand) throws {
        let frame = try WireCodec.frame(ClientMessage.command(command))
        let decoded = try WireCodec.decode(ClientMessage.self, payload: try Self.payload(frame))
        guard case .command(let back) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(back == command)
    }

    @Test func helloCarriesTheProtocolVersion() throws {
        let frame = try WireCodec.frame(ClientMessage.hello(Hello(token: "abc", client: "test")))
        let decoded = try WireCodec.decode(ClientMessage.self, payload: try Self.payload(frame))
        guard case .hello(let hello) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(hello.protocolVersion == WireProtocol.version)
        #expect(hello.token == "abc")
    }

    @Test func partialFramesWaitForTheRest() throws {
        let frame = try WireCodec.frame(ClientMessage.takeControl)
        var partial = ByteBuffer(bytes: Array(frame.readableBytesView.prefix(frame.readableBytes - 1)))
        #expect(try FrameDecoder.next(from: &partial, limit: 1024) == nil)
        var short = ByteBuffer(bytes: [0, 0])
        #expect(try FrameDecoder.next(from: &short, limit: 1024) == nil)
        var two = frame
        two.writeImmutableBuffer(frame)
        #expect(try FrameDecoder.next(from: &two, limit: 1024) != nil)
        #expect(try FrameDecoder.next(from: &two, limit: 1024) != nil)
        #expect(two.readableBytes == 0)
    }

    @Test func oversizedFrameIsRefusedBeforeItIsRead() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(WireProtocol.maxClientFrame + 1))
        buffer.writeBytes([1, 2, 3])
        #expect(throws: WireCodec.Failure.frameTooLarge(length: WireProtocol.maxClientFrame + 1, limit: WireProtocol.maxClientFrame)) {
            try FrameDecoder.next(from: &buffer, limit: WireProtocol.maxClientFrame)
        }
        // An HTTP request read as a length prefix is ~1.2 GB: refused the same way.
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")
        #expect(throws: WireCodec.Failure.self) { try FrameDecoder.next(from: &http, limit: WireProtocol.maxClientFrame) }
        var empty = ByteBuffer(bytes: [0, 0, 0, 0])
        #expect(throws: WireCodec.Failure.emptyFrame) { try FrameDecoder.next(from: &empty, limit: 1024) }
    }

    @Test func garbagePayloadsAreRefused() throws {
        #expect(throws: WireCodec.Failure.unknownFormat(7)) { try WireCodec.decode(ClientMessage.self, payload: ByteBuffer(bytes: [7, 123, 125])) }
        #expect(throws: WireCodec.Failure.self) { try WireCodec.decode(ClientMessage.self, payload: ByteBuffer(bytes: [1] + Array("{\"nope\":{}}".utf8))) }
        #expect(throws: WireCodec.Failure.self) { try WireCodec.decode(ClientMessage.self, payload: ByteBuffer(bytes: [1, 0xff, 0xfe])) }
        #expect(throws: WireCodec.Failure.emptyFrame) { try WireCodec.decode(ClientMessage.self, payload: ByteBuffer()) }
    }

    @Test func endpointsParse() throws {
        #expect(try Endpoint(parsing: "unix:/tmp/a.sock") == .unix(path: "/tmp/a.sock"))
        #expect(try Endpoint(parsing: "/tmp/a.sock") == .unix(path: "/tmp/a.sock"))
        #expect(try Endpoint(parsing: "tcp:127.0.0.1:7070") == .tcp(host: "127.0.0.1", port: 7070))
        #expect(try Endpoint(parsing: "localhost:80") == .tcp(host: "localhost", port: 80))
        #expect(try Endpoint(parsing: "tcp:7070") == .tcp(host: "127.0.0.1", port: 7070), "loopback unless told otherwise")
        #expect(try Endpoint(parsing: "tcp:[::1]:7070") == .tcp(host: "::1", port: 7070))
        #expect(try Endpoint(parsing: "tcp:[::1]:7070").description == "tcp:[::1]:7070")
        #expect(try Endpoint(parsing: "tcp:0.0.0.0:1").isLoopback == false)
        for bad in ["unix:", "tcp:host", "host:99999", ":80", "nothing"] {
            #expect(throws: Endpoint.ParseError.self, "\(bad)") { try Endpoint(parsing: bad) }
        }
    }

    @Test func tokenFileIsPrivateAndRefusedWhenOpen() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("token").path
        let token = try TokenFile.readOrCreate(path: path)
        #expect(token.count == 64)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try TokenFile.readOrCreate(path: path) == token, "an existing token is kept")
        #expect(TokenFile.matches(token, token))
        #expect(!TokenFile.matches(String(token.dropLast()) + "x", token))
        #expect(!TokenFile.matches(nil, token))
        #expect(!TokenFile.matches(token + "0", token))
        chmod(path, 0o644)
        #expect(throws: TokenFile.Failure.self) { try TokenFile.read(path: path) }
    }
}
