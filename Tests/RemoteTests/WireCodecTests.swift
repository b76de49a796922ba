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
        // Three loss points at least: the history tests below drop two and move on by one
        // (a fast engine can select the user before its third batch).
        return try #require(engine.waitForSnapshot(timeout: 120) { $0.selectedUser != nil && $0.loss.count >= 3 })
    }

    static func payload(_ frame: ByteBuffer) throws -> ByteBuffer {
        var frame = frame
        return try #require(try FrameDecoder.next(from: &frame, limit: WireProtocol.maxServerFrame))
    }

    /// The snapshot as one JSON document, to compare two snapshots field by field.
    static func json(_ snapshot: EngineSnapshot) throws -> Data {
        try WireCodec.makeEncoder().encode(snapshot)
    }

    /// What a dashboard ends up with after applying `frames` to an empty snapshot.
    static func received(_ frames: [ByteBuffer]) throws -> EngineSnapshot {
        var snapshot = EngineSnapshot()
        for frame in frames { try WireCodec.applySnapshotFields(try payload(frame), to: &snapshot) }
        return snapshot
    }

    @Test func snapshotRoundTripsEveryField() throws {
        var snapshot = try Self.liveSnapshot()
        // A diverged loss must travel too (JSON has no NaN of its own).
        snapshot.loss.append(MetricPoint(step: 99, value: .nan, events: 1))
        snapshot.message = "no user 'x'"
        var cache = SnapshotFieldCache()
        let changed = try cache.take(snapshot)
        #expect(changed == SnapshotField.all.count)
        let back = try Self.received([try #require(cache.frame(since: nil))])
        // Same JSON: every field came back with its value.
        #expect(try Self.json(back) == Self.json(snapshot))
        #expect(back.loss.last?.value.isNaN == true)
        #expect(back.selectedUser?.id == snapshot.selectedUser?.id)
        #expect(back.sequence == snapshot.sequence)
    }

    /// A stored property added to the snapshot and not to the wire table would never reach
    /// an attached dashboard.
    @Test func theWireTableNamesEveryStoredField() {
        let stored = Mirror(reflecting: EngineSnapshot()).children.compactMap(\.label)
        #expect(SnapshotField.all.map(\.name) == stored)
    }

    /// A live snapshot taken into a fresh field cache, and the full frame a new dashboard gets.
    static func primedCache() throws -> (first: EngineSnapshot, cache: SnapshotFieldCache, full: ByteBuffer) {
        let first = try liveSnapshot()
        var cache = SnapshotFieldCache()
        try cache.take(first)
        return (first, cache, try #require(cache.frame(since: nil)))
    }

    @Test func aPublishSendsOnlyTheFieldsThatChanged() throws {
        let (first, primed, full) = try Self.primedCache()
        var cache = primed
        var second = first
        second.sequence += 1
        second.isPaused.toggle()
        second.message = "paused"
        let changed = try cache.take(second)
        #expect(changed == 3)
        let delta = try #require(cache.frame(since: 1))
        #expect(delta.readableBytes < 200, "a pause travels as three small fields, not \(full.readableBytes) bytes")
        #expect(try Self.json(Self.received([full, delta])) == Self.json(second))
        // Up to date: nothing to send.
        #expect(cache.frame(since: cache.version) == nil)
        try cache.take(second)
        #expect(cache.frame(since: 2) == nil)
    }

    /// A slow reader skips publishes; the fields it gets next still bring it to the newest value.
    @Test func aDashboardThatSkippedPublishesCatchesUp() throws {
        let (first, primed, full) = try Self.primedCache()
        var cache = primed
        var second = first
        second.sequence += 1
        second.recentEvents.removeFirst()
        second.loss.removeFirst(2)
        second.loss.append(MetricPoint(step: 1_000_000, value: 0.25, events: 9))
        try cache.take(second)
        var third = second
        third.sequence += 1
        third.tunables[0].value *= 2
        try cache.take(third)
        let catchUp = try #require(cache.frame(since: 1))
        #expect(try Self.json(Self.received([full, catchUp])) == Self.json(third))
        // One that read the second publish gets only what the third changed.
        #expect(try #require(cache.frame(since: 2)).readableBytes < catchUp.readableBytes)
    }

    /// A history that moved on by a few entries travels as those entries.
    @Test func aHistoryTravelsAsItsNewEntries() throws {
        let (first, primed, full) = try Self.primedCache()
        var cache = primed
        #expect(first.loss.count >= 3)
        var second = first
        second.loss.removeFirst()
        second.loss.append(MetricPoint(step: 1_000_000, value: 0.25, events: 9))
        try cache.take(second)
        let update = try #require(cache.frame(since: 1))
        #expect(update.readableBytes < 120, "one loss point, not the whole history (\(update.readableBytes) bytes)")
        #expect(try Self.json(Self.received([full, update])) == Self.json(second))
        // A history cleared (a model reset) travels whole.
        var third = second
        third.loss = [MetricPoint(step: 1, value: 0.7, events: 1)]
        try cache.take(third)
        #expect(try Self.json(Self.received([full, update, try #require(cache.frame(since: 2))])) == Self.json(third))
    }

    @Test(arguments: [
        ([1, 2, 3], [2, 3, 4], 1), ([1, 2, 3], [1, 2, 3, 4], 0), ([1, 2, 3], [3], 2), ([], [5], 0),
        ([1, 2, 3], [4, 5], nil), ([1, 2, 3], [2, 4], nil), ([1, 1, 2], [1, 2, 7], 1),
    ] as [([Int], [Int], Int?)])
    func historyOverlap(_ before: [Int], _ after: [Int], _ drop: Int?) {
        #expect(SnapshotField.historyOverlap(before, after) == drop)
    }

    @Test func aBrokenFieldsFrameIsRefused() throws {
        let frame = try Self.primedCache().full
        var snapshot = EngineSnapshot()
        // Cut short: the last field's bytes are missing.
        let cut = ByteBuffer(bytes: Array(try Self.payload(frame).readableBytesView.dropLast(3)))
        #expect(throws: WireCodec.Failure.self) { try WireCodec.applySnapshotFields(cut, to: &snapshot) }
        // A field number this side does not know.
        var unknown = ByteBuffer()
        unknown.writeInteger(WireProtocol.formatSnapshotFields)
        unknown.writeInteger(UInt16(1))
        unknown.writeInteger(UInt8(SnapshotField.all.count))
        unknown.writeInteger(UInt8(0))
        unknown.writeInteger(UInt32(2))
        unknown.writeString("{}")
        #expect(throws: WireCodec.Failure.malformed("unknown snapshot field \(SnapshotField.all.count)")) {
            try WireCodec.applySnapshotFields(unknown, to: &snapshot)
        }
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
