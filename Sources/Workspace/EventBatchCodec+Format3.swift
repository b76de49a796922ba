import Foundation
import InterestGraph

/// Format 3 (written by the recorder since 2026-12-05): names are numbered once per run in
/// `event_names` (``LogNameWriter``), rows hold numbers only.
/// ```
/// byte     format (3)
/// u32      count (little-endian)
/// byte     row flags: gaps (bit 0): every event starts with its position gap; without it
///          the row is contiguous (position = first_position + index), which is what the
///          recorder writes (it starts a new row at any jump)
/// per event:
///   varint  gap (position - previous position - 1), only when the row has gaps
///   byte    action (bits 0-2) | value (bit 3) | attributes (bit 4)
///           | whole-number timestamp (bit 5) | whole-number value (bit 6)
///           | attributes: the same set as this item's last event in the row (bit 7)
///   time    as format 2 (bit 5: zigzag varint of the difference from the row's previous
///           whole timestamp; else f64)
///   value   as format 2
///   varint  user number, varint item number (the run's numbers)
///   varint  attribute set number, if bit 4 and not bit 7
/// ```
/// A row decodes with its run's names, which are committed in the row's transaction or
/// before it, so no committed row names a number the file does not hold.
extension EventBatchCodec {
    static let loggedFormat: UInt8 = 3
    static let loggedHeaderSize = 6

    static func decodeFormat3(_ r: inout ByteReader, size: Int, firstPosition: Int64, names: LogNames, body: (RecordedEvent) throws -> Bool) throws {
        let users = names.users, items = names.items, sets = names.sets
        try decodeFormat3Numbers(&r, size: size, firstPosition: firstPosition, names: names) { position, action, timestamp, value, u, i, set in
            var event = Event(user: users[Int(u)], item: items[Int(i)], action: action, timestamp: timestamp, value: value,
                              attributes: set > 0 ? sets[Int(set) - 1] : nil)
            event.keys = EventKeys(space: names.space, user: u, item: i, attributes: set)
            return try body(RecordedEvent(position: position, event: event))
        }
    }

    /// A format-3 row's events as numbers (``decodeFormat3Numbers(_:size:firstPosition:names:body:)``).
    static func decodeNumbers(_ blob: UnsafeRawBufferPointer, firstPosition: Int64, names: LogNames, body: (Int64, Action, Double, Double?, Int32, Int32, Int32) throws -> Bool) throws {
        var r = ByteReader(blob)
        do {
            guard try r.byte() == loggedFormat else { throw Damaged() }
            try decodeFormat3Numbers(&r, size: blob.count, firstPosition: firstPosition, names: names, body: body)
        } catch is ByteReader.Overrun {
            throw Damaged()
        }
    }

    /// Decodes a format-3 row into numbers: `body(position, action, timestamp, value, user,
    /// item, set)` per event, `set` the attribute set's number + 1 (0: none). Every number is
    /// checked against `names`, so a caller may index the tables without checking.
    /// - Complexity: O(events); no allocation per event.
    static func decodeFormat3Numbers(
        _ r: inout ByteReader, size: Int, firstPosition: Int64, names: LogNames,
        body: (Int64, Action, Double, Double?, Int32, Int32, Int32) throws -> Bool
    ) throws {
        let count = try r.uint32()
        // Every event takes at least 4 bytes: a cheap bound against absurd counts.
        guard Int(count) <= size / 4 else { throw Damaged() }
        let rowFlags = try r.byte()
        guard rowFlags & ~1 == 0 else { throw Damaged() }
        let gapped = rowFlags & 1 != 0
        var rowSets: [UInt32: UInt32] = [:]
        var position = firstPosition - 1
        var previousTime: Int64 = 0
        let userCount = UInt64(names.users.count), itemCount = UInt64(names.items.count), setCount = UInt64(names.sets.count)
        for _ in 0..<count {
            if gapped {
                position = try nextPosition(&r, after: position)
            } else {
                position += 1
            }
            let tag = try r.byte()
            guard let action = Action(rawValue: tag & 0x7) else { throw Damaged() }
            let (timestamp, value) = try timeAndValue(tag: tag, from: &r, previousTime: &previousTime)
            let u = try r.varint(), i = try r.varint()
            guard u < userCount, i < itemCount else { throw Damaged() }
            var setKey: Int32 = 0
            if tag & (1 << 4) != 0 {
                let set: UInt32
                if tag & (1 << 7) != 0 {
                    guard let same = rowSets[UInt32(i)] else { throw Damaged() }
                    set = same
                } else {
                    let s = try r.varint()
                    guard s < setCount, names.hasSet(Int(s)) else { throw Damaged() }
                    set = UInt32(s)
                    rowSets[UInt32(i)] = set
                }
                setKey = Int32(truncatingIfNeeded: set) &+ 1
            } else if tag & (1 << 7) != 0 {
                throw Damaged()
            }
            guard try body(position, action, timestamp, value, Int32(truncatingIfNeeded: u), Int32(truncatingIfNeeded: i), setKey) else { return }
        }
        guard r.isAtEnd else { throw Damaged() }
    }
}

/// Cuts a stream of events into format-3 `event_batches` rows of at most `limit` events.
/// Contiguous rows (the recorder's) start a new row at any jump in positions, so they need
/// no per-event gap; a `gapped` builder (a `forget` rewrite, which keeps the row's range)
/// writes each event's gap.
///
/// ```swift
/// var rows = LogRows(limit: EventLog.maxBatch)
/// rows.append(at: position, action: ..., user: u, item: i, set: s)
/// let batches = rows.finish()
/// ```
struct LogRows: ~Copyable {
    private var writer: ByteWriter
    private var previousTime: Int64 = 0
    /// Per item number: `(stamp << 32) | set number`, the open row's last set for the item.
    private var rowSets: [UInt64] = []
    private var stamp: UInt64 = 1
    private let limit: Int
    private let gapped: Bool
    /// The first row's `first_position` when it must differ from its first event's.
    private var base: Int64?
    private var count = 0
    private var first: Int64 = 0
    private var previous: Int64 = 0
    private var rows: [EventLog.EncodedBatch] = []

    init(limit: Int, gapped: Bool = false, base: Int64? = nil) {
        self.limit = max(1, limit)
        self.gapped = gapped
        self.base = base
        writer = ByteWriter(capacity: Self.rowCapacity(limit))
    }

    /// About 16 bytes per event, up to a few thousand events: rows grow past it if needed.
    private static func rowCapacity(_ limit: Int) -> Int {
        16 * min(limit, 4_096) + EventBatchCodec.loggedHeaderSize
    }

    /// Appends one event (positions strictly increasing), its names given as numbers.
    /// - Complexity: O(1).
    @inline(__always)
    mutating func append(at position: Int64, action: Action, timestamp: Double, value: Double?, user: UInt32, item: UInt32, set: UInt32?) {
        if count > 0, !gapped, position != previous + 1 { closeRow() }
        if count == 0 {
            writer.byte(EventBatchCodec.loggedFormat)
            writer.uint32(0)
            writer.byte(gapped ? 1 : 0)
            first = base ?? position
            base = nil
            previous = first - 1
        }
        if gapped { writer.varint(UInt64(position - previous - 1)) }
        previous = position
        var same = false
        if let set {
            let k = Int(item)
            if k < rowSets.count, rowSets[k] >> 32 == stamp {
                same = UInt32(truncatingIfNeeded: rowSets[k]) == set
            } else if k >= rowSets.count {
                rowSets.append(contentsOf: repeatElement(0, count: max(k + 1 - rowSets.count, rowSets.count / 2)))
            }
            if !same { rowSets[k] = stamp << 32 | UInt64(set) }
        }
        EventBatchCodec.appendHead(action: action, timestamp: timestamp, value: value, hasAttributes: set != nil,
                                   tagBits: same ? 1 << 7 : 0, to: &writer, previousTime: &previousTime)
        writer.varint(UInt64(user))
        writer.varint(UInt64(item))
        if let set, !same { writer.varint(UInt64(set)) }
        count += 1
        if count == limit { closeRow() }
    }

    private mutating func closeRow() {
        guard count > 0 else { return }
        stamp += 1
        previousTime = 0
        writer.setUInt32(UInt32(count), at: 1)
        rows.append(EventLog.EncodedBatch(first: first, last: previous, count: count, data: writer.take(capacity: Self.rowCapacity(limit))))
        count = 0
    }

    /// Closes the last row and returns every row, in order.
    mutating func finish() -> [EventLog.EncodedBatch] {
        closeRow()
        defer { rows = [] }
        return rows
    }
}
