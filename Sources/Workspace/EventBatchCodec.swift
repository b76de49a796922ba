import Foundation
import InterestGraph

/// The binary layout of one `event_batches.data` blob: events of one run with strictly
/// increasing source positions, the first at the row's `first_position`.
///
/// ```
/// byte     format (1)
/// u32      count (little-endian)
/// per event:
///   varint  gap: position - previous position - 1, where the "previous position" of the
///           first event is first_position - 1 (so 0 in a contiguous run; a row rewritten
///           by `forget` keeps its range and may start or end with a hole, or be empty)
///   byte    action (bits 0-2) | value (bit 3) | categories (bit 4) | brand (bit 5) | price (bit 6)
///   f64     timestamp (little-endian)
///   f64     value                        if bit 3
///   string  user, string item            (varint length + UTF-8)
///   varint  n, string * n  categories    if bit 4
///   string  brand                        if bit 5
///   f64     price                        if bit 6
/// ```
///
/// A row per event measured several times slower than graph ingestion (docs/WORKSPACE.md);
/// this layout costs tens of nanoseconds per event and keeps logging within budget. Events
/// given as `Event` values and as interned ids (``InternedSlice``) encode to the same bytes.
enum EventBatchCodec {
    static let format: UInt8 = 1
    static let headerSize = 5

    /// Encodes one array relative to `base` (default: the first event's position), as tests
    /// and `forget` rewrites do; no events give an empty batch.
    static func encode(_ events: ArraySlice<RecordedEvent>, base: Int64? = nil) -> Data {
        var rows = EventBatchRows(limit: Int.max, base: base)
        events.withUnsafeBufferPointer { events in
            for k in events.indices {
                rows.beginEvent(at: events[k].position)
                append(events.baseAddress! + k, to: &rows.writer)
                rows.endEvent()
            }
        }
        return rows.finish().first?.data ?? Data([format, 0, 0, 0, 0])
    }

    /// The tag byte: action, then a flag per optional field present.
    @inline(__always)
    static func tag(action: Action, hasValue: Bool, attributes: ItemAttributes?) -> UInt8 {
        var tag = action.rawValue
        if hasValue { tag |= 1 << 3 }
        if let a = attributes {
            if !a.categories.isEmpty { tag |= 1 << 4 }
            if a.brand != nil { tag |= 1 << 5 }
            if a.price != nil { tag |= 1 << 6 }
        }
        return tag
    }

    /// The flagged attribute fields, after user and item.
    static func append(attributes a: ItemAttributes, to w: inout ByteWriter) {
        if !a.categories.isEmpty {
            w.varint(UInt64(a.categories.count))
            for c in a.categories { w.string(c) }
        }
        if let b = a.brand { w.string(b) }
        if let p = a.price { w.double(p) }
    }

    /// Reads the event's fields in place: copying the whole `Event` out first measured as
    /// the single largest cost of encoding (a wide copy and a store-forwarding stall).
    @inline(__always)
    static func append(_ recorded: UnsafePointer<RecordedEvent>, to w: inout ByteWriter) {
        let value = recorded.pointee.event.value
        w.byte(tag(action: recorded.pointee.event.action, hasValue: value != nil, attributes: recorded.pointee.event.attributes))
        w.double(recorded.pointee.event.timestamp)
        if let value { w.double(value) }
        w.string(recorded.pointee.event.user)
        w.string(recorded.pointee.event.item)
        if let a = recorded.pointee.event.attributes { append(attributes: a, to: &w) }
    }

    /// The same bytes from an interned event, its names looked up in the writer's tables.
    /// - Returns: `false` when a table has no name for the event's id (nothing sensible was
    ///   written; the caller fails the batch).
    /// - Complexity: O(bytes written): two table lookups and two copies.
    @inline(__always)
    static func append(
        _ event: UnsafePointer<InternedEvent>, attributes: ItemAttributes?, users: NameTable.Raw, items: NameTable.Raw,
        to w: inout ByteWriter
    ) -> Bool {
        let hasValue = event.pointee.hasValue
        w.byte(tag(action: event.pointee.action, hasValue: hasValue, attributes: attributes))
        w.double(event.pointee.timestamp)
        if hasValue { w.double(event.pointee.value) }
        guard users.append(event.pointee.user, to: &w), items.append(event.pointee.item, to: &w) else { return false }
        if let attributes { append(attributes: attributes, to: &w) }
        return true
    }

    struct Damaged: Error {}

    /// Decodes a batch whose first event sits at `firstPosition`, calling `body` per event in
    /// order; `body` returns `false` to stop early.
    static func decode(_ blob: UnsafeRawBufferPointer, firstPosition: Int64, body: (RecordedEvent) throws -> Bool) throws {
        var r = ByteReader(blob)
        do {
            guard try r.byte() == format else { throw Damaged() }
            let count = try r.uint32()
            // Every event takes at least 12 bytes: a cheap bound against absurd counts.
            guard Int(count) <= blob.count / 12 else { throw Damaged() }
            var position = firstPosition - 1
            for _ in 0..<count {
                let gap = try r.varint()
                guard gap < UInt64(Int64.max) - UInt64(max(0, position)) else { throw Damaged() }
                position += 1 + Int64(gap)
                let tag = try r.byte()
                guard let action = Action(rawValue: tag & 0x7), tag & 0x80 == 0 else { throw Damaged() }
                let timestamp = try r.double()
                let value = tag & (1 << 3) != 0 ? try r.double() : nil
                let user = try r.string()
                let item = try r.string()
                var attributes: ItemAttributes?
                if tag & (0x7 << 4) != 0 {
                    var a = ItemAttributes()
                    if tag & (1 << 4) != 0 {
                        let n = try r.varint()
                        guard n <= UInt64(blob.count) else { throw Damaged() }
                        a.categories.reserveCapacity(Int(n))
                        for _ in 0..<n { a.categories.append(try r.string()) }
                    }
                    if tag & (1 << 5) != 0 { a.brand = try r.string() }
                    if tag & (1 << 6) != 0 { a.price = try r.double() }
                    attributes = a
                }
                let event = Event(user: user, item: item, action: action, timestamp: timestamp, value: value, attributes: attributes)
                guard try body(RecordedEvent(position: position, event: event)) else { return }
            }
            guard r.isAtEnd else { throw Damaged() }
        } catch is ByteReader.Overrun {
            throw Damaged()
        }
    }

    /// Decodes a whole batch into an array.
    static func decodeAll(_ blob: Data, firstPosition: Int64) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try blob.withUnsafeBytes { raw in
            try decode(raw, firstPosition: firstPosition) { out.append($0); return true }
        }
        return out
    }
}
