import Foundation
public import NIOCore

/// Frames on the wire: a 4-byte big-endian length, then that many bytes: one format byte
/// (``WireProtocol/formatJSON``) and the message as JSON, or (snapshots,
/// ``WireProtocol/formatSnapshotFields``) the snapshot's changed fields, each as JSON.
///
/// JSON because the snapshot's `Codable` synthesis then carries every field with no codec to
/// maintain, and a frame is readable with `jq` when debugging; a snapshot of the small
/// scenario is about 20-40 KB (docs/BENCHMARKS.md has the measured figures). Non-finite
/// floats (a NaN loss) travel as the strings "nan", "inf", "-inf".
public enum WireCodec {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The length prefix exceeds what this side accepts.
        case frameTooLarge(length: Int, limit: Int)
        case emptyFrame
        case unknownFormat(UInt8)
        /// The payload is not a message of this protocol.
        case malformed(String)

        public var description: String {
            switch self {
            case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
            case .emptyFrame: "empty frame"
            case .unknownFormat(let f): "unknown frame format \(f)"
            case .malformed(let why): "malformed message: \(why)"
            }
        }
    }

    static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        // Sorted keys: the same snapshot is the same bytes (tests, diffs of captured frames).
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// One whole frame (length prefix included) for `message`.
    public static func frame(_ message: some Encodable) throws -> ByteBuffer {
        let json = try makeEncoder().encode(message)
        var buffer = ByteBufferAllocator().buffer(capacity: json.count + 5)
        buffer.writeInteger(UInt32(json.count + 1))
        buffer.writeInteger(WireProtocol.formatJSON)
        buffer.writeBytes(json)
        return buffer
    }

    /// Decodes a frame's payload (what ``FrameDecoder`` passes on: format byte and body).
    public static func decode<Message: Decodable>(_ type: Message.Type, payload: ByteBuffer) throws -> Message {
        var payload = payload
        guard let format: UInt8 = payload.readInteger() else { throw Failure.emptyFrame }
        guard format == WireProtocol.formatJSON else { throw Failure.unknownFormat(format) }
        let body = payload.readableBytesView
        do {
            return try makeDecoder().decode(type, from: Data(body))
        } catch {
            throw Failure.malformed(String(describing: error).prefix(200).description)
        }
    }
}

/// Splits the byte stream into frame payloads, refusing a frame above `limit` before reading
/// it: a peer can never make this side buffer more than `limit` + 4 bytes.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let payload = try Self.next(from: &buffer, limit: limit) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(payload))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// The next complete frame's payload, or nil when more bytes are needed. Pure, for tests.
    public static func next(from buffer: inout ByteBuffer, limit: Int) throws -> ByteBuffer? {
        guard let length: UInt32 = buffer.getInteger(at: buffer.readerIndex) else { return nil }
        guard Int(length) <= limit else { throw WireCodec.Failure.frameTooLarge(length: Int(length), limit: limit) }
        guard length > 0 else { throw WireCodec.Failure.emptyFrame }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}
