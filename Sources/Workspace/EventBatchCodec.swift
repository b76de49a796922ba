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
/// this layout costs tens of nanoseconds per event and keeps logging within budget.
enum EventBatchCodec {
    static let format: UInt8 = 1
    static let headerSize = 5

    /// Encodes up to `limit` events taken from `parts` starting at `cursor` (part index,
    /// element index), advancing the cursor. Positions must be strictly increasing across
    /// the parts. Returns the blob and its first and last positions and count.
    /// - Complexity: O(bytes written); the only allocation is the output buffer.
    static func encode(
        _ parts: [ArraySlice<RecordedEvent>], cursor: inout (part: Int, index: Int), limit: Int, base: Int64? = nil
    ) -> (data: Data, first: Int64, last: Int64, count: Int)? {
        var w = ByteWriter(capacity: 32 * min(limit, 4096) + headerSize)
        w.byte(format)
        w.uint32(0)
        var count = 0
        var first: Int64 = 0
        var previous: Int64 = 0
        while count < limit, cursor.part < parts.count {
            let part = parts[cursor.part]
            if cursor.index >= part.endIndex || cursor.index < part.startIndex {
                cursor.part += 1
                cursor.index = cursor.part < parts.count ? parts[cursor.part].startIndex : 0
                continue
            }
            part.withUnsafeBufferPointer { events in
                var k = cursor.index - part.startIndex
                while k < events.count, count < limit {
                    let position = events[k].position
                    if count == 0 {
                        first = base ?? position
                        previous = first - 1
                    }
                    w.varint(UInt64(position - previous - 1))
                    previous = position
                    append(events.baseAddress! + k, to: &w)
                    count += 1
                    k += 1
                }
                cursor.index = part.startIndex + k
            }
        }
        guard count > 0 else { return nil }
        w.setUInt32(UInt32(count), at: 1)
        return (w.data(), first, previous, count)
    }

    /// Encodes one array relative to `base` (default: the first event's position), as tests
    /// and `forget` rewrites do; no events give an empty batch.
    static func encode(_ events: ArraySlice<RecordedEvent>, base: Int64? = nil) -> Data {
        var cursor = (part: 0, index: events.startIndex)
        return encode([events], cursor: &cursor, limit: Int.max, base: base)?.data ?? Data([format, 0, 0, 0, 0])
    }

    /// Reads the event's fields in place: copying the whole `Event` out first measured as
    /// the single largest cost of encoding (a wide copy and a store-forwarding stall).
    @inline(__always)
    static func append(_ recorded: UnsafePointer<RecordedEvent>, to w: inout ByteWriter) {
        let action = recorded.pointee.event.action
        let value = recorded.pointee.event.value
        var tag = action.rawValue
        if value != nil { tag |= 1 << 3 }
        let hasAttributes = recorded.pointee.event.attributes != nil
        if hasAttributes, let a = recorded.pointee.event.attributes {
            if !a.categories.isEmpty { tag |= 1 << 4 }
            if a.brand != nil { tag |= 1 << 5 }
            if a.price != nil { tag |= 1 << 6 }
        }
        w.byte(tag)
        w.double(recorded.pointee.event.timestamp)
        if let value { w.double(value) }
        w.string(recorded.pointee.event.user)
        w.string(recorded.pointee.event.item)
        if hasAttributes, let a = recorded.pointee.event.attributes {
            if !a.categories.isEmpty {
                w.varint(UInt64(a.categories.count))
                for c in a.categories { w.string(c) }
            }
            if let b = a.brand { w.string(b) }
            if let p = a.price { w.double(p) }
        }
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
