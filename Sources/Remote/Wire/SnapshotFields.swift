import Foundation
public import InterestGraph
public import NIOCore

/// Snapshots on the wire as the fields that changed: what a dashboard receives after its
/// first, full snapshot.
///
/// A snapshot is 45-145 KB of JSON, but between two publishes only a few of its fields change
/// (counters, rates, the newest losses and events); the prequential history, the tunables and
/// most selections stay put. Encoding the whole value for every publish cost the server 2-8 ms
/// and each dashboard as much again to decode, on the path of every key's round trip.
///
/// The server keeps every field's latest encoding and the publish at which it last changed
/// (``SnapshotFieldCache``); a dashboard that last received publish `v` gets exactly the fields
/// changed after `v`, so a dashboard that skipped publishes (a slow reader keeps only the
/// newest) still ends up with the same value as one that read them all. A fresh dashboard gets
/// every field.
///
/// The bounded histories (losses, prequential points, recent events, changes) grow at the end
/// and drop their oldest entries: a dashboard one change behind gets only how many entries to
/// drop and the new ones, not the whole list again.
///
/// Frame payload (after the 4-byte length): format byte ``WireProtocol/formatSnapshotFields``,
/// a field count (UInt16), then per field its number in ``SnapshotField/all`` (UInt8), a kind
/// (UInt8: 0 the whole value, 1 a history's update), its length (UInt32) and its bytes: the
/// value's JSON, or for an update the entries to drop from the front (UInt32) and the JSON of
/// those to append. Field numbers are positions in that table, so both sides must run the
/// same protocol version.
public struct SnapshotField: Sendable {
    public let name: String
    /// Whether the field differs between two snapshots.
    let differs: @Sendable (EngineSnapshot, EngineSnapshot) -> Bool
    /// The field's JSON.
    let encode: @Sendable (EngineSnapshot, JSONEncoder) throws -> Data
    /// Decodes the field's JSON into a snapshot.
    let apply: @Sendable (inout EngineSnapshot, JSONDecoder, Data) throws -> Void
    /// For a history: the update from the first snapshot's value to the second's (entries to
    /// drop from the front, JSON of those appended), or nil when it is not one.
    let update: (@Sendable (EngineSnapshot, EngineSnapshot, JSONEncoder) throws -> (drop: Int, appended: Data)?)?
    /// Applies an update made by ``update``.
    let applyUpdate: (@Sendable (inout EngineSnapshot, JSONDecoder, Int, Data) throws -> Void)?

    static func field<Value: Codable & Equatable & Sendable>(_ name: String, _ path: any WritableKeyPath<EngineSnapshot, Value> & Sendable) -> SnapshotField {
        SnapshotField(
            name: name,
            differs: { $0[keyPath: path] != $1[keyPath: path] },
            encode: { try $1.encode($0[keyPath: path]) },
            apply: { snapshot, decoder, data in snapshot[keyPath: path] = try decoder.decode(Value.self, from: data) },
            update: nil,
            applyUpdate: nil
        )
    }

    /// A bounded history, oldest first: new entries at the end, the oldest dropped.
    static func history<Element: Codable & Equatable & Sendable>(_ name: String, _ path: any WritableKeyPath<EngineSnapshot, [Element]> & Sendable) -> SnapshotField {
        SnapshotField(
            name: name,
            differs: { $0[keyPath: path] != $1[keyPath: path] },
            encode: { try $1.encode($0[keyPath: path]) },
            apply: { snapshot, decoder, data in snapshot[keyPath: path] = try decoder.decode([Element].self, from: data) },
            update: { old, new, encoder in
                let before = old[keyPath: path], after = new[keyPath: path]
                guard let drop = historyOverlap(before, after) else { return nil }
                return (drop, try encoder.encode(Array(after[(before.count - drop)...])))
            },
            applyUpdate: { snapshot, decoder, drop, data in
                let appended = try decoder.decode([Element].self, from: data)
                guard drop <= snapshot[keyPath: path].count else {
                    throw WireCodec.Failure.malformed("\(name): drop \(drop) of \(snapshot[keyPath: path].count) entries")
                }
                snapshot[keyPath: path].removeFirst(drop)
                snapshot[keyPath: path].append(contentsOf: appended)
            }
        )
    }

    /// The entries to drop from the front of `before` so that what is left starts `after`
    /// (`after` = `before` minus its first `drop` entries, plus new ones), or nil when `after`
    /// is not such a continuation (a history cleared, thinned or reordered).
    /// - Complexity: O(n) per candidate start, and at most 4 candidates are tried.
    static func historyOverlap<Element: Equatable>(_ before: [Element], _ after: [Element]) -> Int? {
        guard let first = after.first else { return nil }
        var tried = 0
        for drop in before.indices where before[drop] == first {
            let kept = before.count - drop
            if kept <= after.count, before[drop...].elementsEqual(after[..<kept]) { return drop }
            tried += 1
            if tried == 4 { break }
        }
        return before.isEmpty ? 0 : nil
    }

    /// Every stored field of ``EngineSnapshot``, in wire order. `SnapshotDeltaTests` checks
    /// this against the snapshot's own `Codable` keys, so a field added there and not here
    /// fails a test instead of silently never reaching a dashboard.
    public static let all: [SnapshotField] = [
        field("sequence", \.sequence),
        field("source", \.source),
        field("clock", \.clock),
        field("isPaused", \.isPaused),
        field("statistics", \.statistics),
        field("eventsPerSecond", \.eventsPerSecond),
        field("updatesPerSecond", \.updatesPerSecond),
        field("rateSamples", \.rateSamples),
        field("trainingStep", \.trainingStep),
        field("epoch", \.epoch),
        history("loss", \.loss),
        field("prequential", \.prequential),
        history("prequentialHistory", \.prequentialHistory),
        field("tunables", \.tunables),
        history("changes", \.changes),
        history("recentEvents", \.recentEvents),
        field("interestChanges", \.interestChanges),
        field("changesDetected", \.changesDetected),
        field("dormant", \.dormant),
        field("selectedUser", \.selectedUser),
        field("audience", \.audience),
        field("neighbourhood", \.neighbourhood),
        field("message", \.message),
        field("messageCount", \.messageCount),
        field("demoCandidates", \.demoCandidates),
        field("completion", \.completion),
    ]
}

/// The server's side: each field's latest JSON and the publish (``version``) at which it last
/// changed. Lives on the server's event loop.
public struct SnapshotFieldCache {
    /// Publishes taken so far; a dashboard that has received version `v` is up to date at `v`.
    public private(set) var version: UInt64 = 0
    private var latest: EngineSnapshot?
    private var encoded: [Data]
    private var changedAt: [UInt64]
    /// For a history: the update from its value at ``previouslyChangedAt`` to its value now,
    /// for dashboards that have that value.
    private var updates: [(drop: Int, appended: Data)?]
    private var previouslyChangedAt: [UInt64]
    private let encoder = WireCodec.makeEncoder()

    public init() {
        encoded = Array(repeating: Data(), count: SnapshotField.all.count)
        changedAt = Array(repeating: 0, count: SnapshotField.all.count)
        updates = Array(repeating: nil, count: SnapshotField.all.count)
        previouslyChangedAt = Array(repeating: 0, count: SnapshotField.all.count)
    }

    /// Takes a new snapshot: re-encodes only the fields that differ from the previous one.
    /// Returns how many fields changed.
    /// - Complexity: one equality test per field (linear in the field's size, far cheaper than
    ///   encoding it) plus the encoding of the changed fields.
    @discardableResult
    public mutating func take(_ snapshot: EngineSnapshot) throws -> Int {
        version += 1
        var changed = 0
        for (k, field) in SnapshotField.all.enumerated() {
            if let latest, !field.differs(latest, snapshot) { continue }
            encoded[k] = try field.encode(snapshot, encoder)
            updates[k] = try latest.flatMap { try field.update?($0, snapshot, encoder) }
            previouslyChangedAt[k] = changedAt[k]
            changedAt[k] = version
            changed += 1
        }
        latest = snapshot
        return changed
    }

    /// The frame bringing a dashboard that has received `version` (nil: nothing yet) up to
    /// date: the fields changed since, or nil when none did.
    /// - Complexity: O(bytes of the changed fields); no encoding.
    public func frame(since received: UInt64?) -> ByteBuffer? {
        guard latest != nil else { return nil }
        // (field, the history update to send instead of the whole value)
        var fields: [(Int, (drop: Int, appended: Data)?)] = []
        for k in changedAt.indices {
            guard let received else {
                fields.append((k, nil))
                continue
            }
            guard changedAt[k] > received else { continue }
            fields.append((k, received >= previouslyChangedAt[k] ? updates[k] : nil))
        }
        guard !fields.isEmpty else { return nil }
        let bytes = fields.reduce(0) { sum, f in sum + 6 + (f.1.map { 4 + $0.appended.count } ?? encoded[f.0].count) }
        var buffer = ByteBufferAllocator().buffer(capacity: bytes + 7)
        buffer.writeInteger(UInt32(bytes + 3))
        buffer.writeInteger(WireProtocol.formatSnapshotFields)
        buffer.writeInteger(UInt16(fields.count))
        for (k, update) in fields {
            buffer.writeInteger(UInt8(k))
            if let update {
                buffer.writeInteger(UInt8(1))
                buffer.writeInteger(UInt32(4 + update.appended.count))
                buffer.writeInteger(UInt32(update.drop))
                buffer.writeBytes(update.appended)
            } else {
                buffer.writeInteger(UInt8(0))
                buffer.writeInteger(UInt32(encoded[k].count))
                buffer.writeBytes(encoded[k])
            }
        }
        return buffer
    }
}

extension WireCodec {
    /// Applies a snapshot-fields payload (format byte included) to `snapshot`.
    /// - Throws: ``Failure/malformed(_:)`` for an unknown field number, a truncated payload or
    ///   a field that does not decode; `snapshot` may then be partly updated.
    public static func applySnapshotFields(_ payload: ByteBuffer, to snapshot: inout EngineSnapshot) throws {
        var payload = payload
        guard let format: UInt8 = payload.readInteger() else { throw Failure.emptyFrame }
        guard format == WireProtocol.formatSnapshotFields else { throw Failure.unknownFormat(format) }
        guard let count: UInt16 = payload.readInteger() else { throw Failure.malformed("no field count") }
        let decoder = makeDecoder()
        for _ in 0..<count {
            guard let k: UInt8 = payload.readInteger(), let kind: UInt8 = payload.readInteger(),
                  let length: UInt32 = payload.readInteger(), var body = payload.readSlice(length: Int(length)) else {
                throw Failure.malformed("truncated snapshot field")
            }
            guard Int(k) < SnapshotField.all.count else { throw Failure.malformed("unknown snapshot field \(k)") }
            let field = SnapshotField.all[Int(k)]
            do {
                switch kind {
                case 0:
                    try field.apply(&snapshot, decoder, Data(body.readableBytesView))
                case 1:
                    guard let applyUpdate = field.applyUpdate, let drop: UInt32 = body.readInteger() else {
                        throw Failure.malformed("not a history update")
                    }
                    try applyUpdate(&snapshot, decoder, Int(drop), Data(body.readableBytesView))
                default:
                    throw Failure.malformed("unknown field kind \(kind)")
                }
            } catch {
                throw Failure.malformed("snapshot field \(field.name): " + String(describing: error).prefix(160))
            }
        }
        guard payload.readableBytes == 0 else { throw Failure.malformed("\(payload.readableBytes) bytes after the last snapshot field") }
    }

    /// The format byte of a payload, without consuming it.
    public static func format(of payload: ByteBuffer) -> UInt8? {
        payload.getInteger(at: payload.readerIndex)
    }
}
