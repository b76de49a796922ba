import Foundation

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
