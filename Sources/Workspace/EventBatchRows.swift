import Foundation
import InterestGraph

/// Cuts a stream of encoded events into `event_batches` rows of at most `limit` events:
/// opens a row (format byte, count placeholder) at its first event, writes each event's
/// position gap, and closes the row with its count once full or at the end.
///
/// ```swift
/// var rows = EventBatchRows(limit: EventLog.maxBatch)
/// rows.beginEvent(at: position)      // then write the event's body into rows.writer
/// rows.endEvent()
/// let batches = rows.finish()
/// ```
struct EventBatchRows: ~Copyable {
    var writer: ByteWriter
    /// The names written in the open row so far (format 2 writes a name once per row, then
    /// its number), per kind: users, items, labels (categories and brands).
    var users = RowNames()
    var items = RowNames()
    var labels = RowNames()
    /// The previous event's timestamp in the open row, when it was a whole number (0 at the
    /// row's start): whole timestamps are written as the difference.
    var previousTime: Int64 = 0
    /// The attributes last written for each item of the open row, by the item's number:
    /// the same again is one flag byte.
    var itemAttributes: [ItemAttributes?] = []
    private let limit: Int
    /// The first row's `first_position` when it must differ from its first event's
    /// (a `forget` rewrite keeps the row's range).
    private var base: Int64?
    private var count = 0
    private var first: Int64 = 0
    private var previous: Int64 = 0
    private var rows: [EventLog.EncodedBatch] = []

    init(limit: Int, base: Int64? = nil) {
        self.limit = max(1, limit)
        self.base = base
        writer = ByteWriter(capacity: Self.rowCapacity(limit))
    }

    /// About 32 bytes per event, up to a few thousand events: rows grow past it if needed.
    private static func rowCapacity(_ limit: Int) -> Int {
        32 * min(limit, 4_096) + EventBatchCodec.headerSize
    }

    /// Starts the event at `position` (strictly above the previous one).
    @inline(__always)
    mutating func beginEvent(at position: Int64) {
        if count == 0 {
            writer.byte(EventBatchCodec.format)
            writer.uint32(0)
            first = base ?? position
            base = nil
            previous = first - 1
        }
        writer.varint(UInt64(position - previous - 1))
        previous = position
    }

    /// Ends the event begun last; closes the row when it is full.
    @inline(__always)
    mutating func endEvent() {
        count += 1
        if count == limit { closeRow() }
    }

    private mutating func closeRow() {
        guard count > 0 else { return }
        users.startRow()
        items.startRow()
        labels.startRow()
        previousTime = 0
        itemAttributes.removeAll(keepingCapacity: true)
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

/// One kind of name in a format-2 event batch row: which names the row has written, and the
/// number each got (their order in the row).
struct RowNames {
    private(set) var count: UInt32 = 0
    private var byName: [String: UInt32] = [:]

    /// A new row: nothing written yet.
    mutating func startRow() {
        count = 0
        byName.removeAll(keepingCapacity: true)
    }

    /// Writes `name` as its number, or whole the first time in this row; returns the number.
    /// - Complexity: one hash lookup (the string path: tests and `forget` rewrites).
    @inline(__always) @discardableResult
    mutating func write(_ name: String, to writer: inout ByteWriter) -> UInt32 {
        if let number = byName[name] {
            writer.varint(UInt64(number) << 1)
            return number
        }
        byName[name] = count
        count += 1
        writer.newName(name)
        return count - 1
    }
}
