import Foundation
import InterestGraph

/// The binary layout of one `event_batches.data` blob: events of one run with strictly
/// increasing source positions, the first at the row's `first_position`.
///
/// The recorder writes format 3 (`EventBatchCodec+Format3.swift`: names numbered once per
/// run in `event_names`). Formats 1 and 2 are read; format 2 is still written by
/// ``encode(_:base:)`` (tests, and `forget` rewrites of format-1 and -2 rows).
///
/// Format 2 (the recorder's from 2026-12-04 to 12-05):
/// ```
/// byte     format (2)
/// u32      count (little-endian)
/// per event:
///   varint  gap: position - previous position - 1, where the "previous position" of the
///           first event is first_position - 1 (so 0 in a contiguous run; a row rewritten
///           by `forget` keeps its range and may start or end with a hole, or be empty)
///   byte    action (bits 0-2) | value (bit 3) | attributes (bit 4)
///           | whole-number timestamp (bit 5) | whole-number value (bit 6)
///   time    bit 5: zigzag varint of timestamp - previous whole timestamp in the row (0 at
///           the row's start); else f64 (little-endian)
///   value   if bit 3: zigzag varint if bit 6, else f64
///   name    user, then item: varint `length << 1 | 1` and the UTF-8 bytes the first time
///           the row names it, varint `number << 1` after (number = order of first
///           appearance in the row, per kind: users, items, labels)
///   if bit 4: byte flags: categories (bit 0) | brand (bit 1) | price (bit 2)
///           | the same as this item's last attributes in the row (bit 3, nothing follows)
///           | price in whole cents (bit 4)
///           varint n, name * n (labels)  if bit 0
///           name (label)                 if bit 1
///           price                        if bit 2: zigzag varint of cents if bit 4, else f64
/// ```
/// A format-2 row is self-contained (8,192 events at most): a user's id appears in full in
/// every row holding their events, which `forget`'s byte search relies on. Format 1 wrote
/// every name and an f64 timestamp per event: 26-27 bytes an event on ml-100k
/// (docs/BENCHMARKS.md has every format's figures).
///
/// A row per event measured several times slower than graph ingestion (docs/WORKSPACE.md);
/// batched rows cost tens of nanoseconds per event. Events given as `Event` values and as
/// interned ids (``InternedSlice``) decode to the same events.
enum EventBatchCodec {
    /// The format of rows built from `Event` values alone (``encode(_:base:)``); the
    /// recorder writes format 3 (``LogRows``).
    static let format: UInt8 = 2
    static let headerSize = 5

    /// Encodes one array relative to `base` (default: the first event's position), as tests
    /// and `forget` rewrites do; no events give an empty batch.
    static func encode(_ events: ArraySlice<RecordedEvent>, base: Int64? = nil) -> Data {
        var rows = EventBatchRows(limit: Int.max, base: base)
        events.withUnsafeBufferPointer { events in
            for k in events.indices {
                rows.beginEvent(at: events[k].position)
                append(events.baseAddress! + k, to: &rows)
                rows.endEvent()
            }
        }
        return rows.finish().first?.data ?? Data([format, 0, 0, 0, 0])
    }

    /// `value` as a whole number when it is one exactly (-0.0 and values beyond 2^53 are
    /// not): written as a zigzag varint instead of 8 bytes.
    @inline(__always)
    static func wholeNumber(_ value: Double) -> Int64? {
        guard value.magnitude < 9_007_199_254_740_992, value == value.rounded(.towardZero), value.sign == .plus || value != 0 else { return nil }
        return Int64(value)
    }

    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    /// The source position of the next event: the previous one plus one plus the varint gap.
    static func nextPosition(_ r: inout ByteReader, after position: Int64) throws -> Int64 {
        let gap = try r.varint()
        guard gap < UInt64(Int64.max) - UInt64(max(0, position)) else { throw Damaged() }
        return position + 1 + Int64(gap)
    }

    /// The time and value an event's tag announces, as formats 2 and 3 write them: bit 5, a
    /// whole-number time as a zigzag delta from the row's previous one (else a double); bit 3,
    /// a value, and bit 6 with it, a whole-number one (bit 6 alone is damage).
    static func timeAndValue(tag: UInt8, from r: inout ByteReader, previousTime: inout Int64) throws -> (Double, Double?) {
        let timestamp: Double
        if tag & (1 << 5) != 0 {
            previousTime = previousTime &+ unzigzag(try r.varint())
            timestamp = Double(previousTime)
        } else {
            timestamp = try r.double()
        }
        if tag & (1 << 3) != 0 {
            return (timestamp, tag & (1 << 6) != 0 ? Double(unzigzag(try r.varint())) : try r.double())
        }
        if tag & (1 << 6) != 0 { throw Damaged() }
        return (timestamp, nil)
    }

    /// The tag byte (with `tagBits` or'ed in) and the timestamp and value after it: shared
    /// by formats 2 and 3.
    @inline(__always)
    static func appendHead(
        action: Action, timestamp: Double, value: Double?, hasAttributes: Bool, tagBits: UInt8 = 0,
        to writer: inout ByteWriter, previousTime: inout Int64
    ) {
        var tag = action.rawValue | tagBits
        let time = wholeNumber(timestamp)
        let whole = value.flatMap(wholeNumber)
        if value != nil { tag |= 1 << 3 }
        if hasAttributes { tag |= 1 << 4 }
        if time != nil { tag |= 1 << 5 }
        if whole != nil { tag |= 1 << 6 }
        writer.byte(tag)
        if let time {
            writer.varint(zigzag(time &- previousTime))
            previousTime = time
        } else {
            writer.double(timestamp)
        }
        if let whole { writer.varint(zigzag(whole)) } else if let value { writer.double(value) }
    }

    /// `price` in whole cents when `cents / 100` gives back exactly the same double (75.99
    /// does: both are the double nearest 75.99).
    @inline(__always)
    static func cents(_ price: Double) -> Int64? {
        let c = (price * 100).rounded()
        guard c.magnitude < 9_007_199_254_740_992, let whole = wholeNumber(c),
              (Double(whole) / 100).bitPattern == price.bitPattern else { return nil }
        return whole
    }

    /// Equal down to the price's bits (0.0 and -0.0 are equal doubles, not the same bytes).
    @inline(__always)
    static func sameBits(_ a: ItemAttributes, _ b: ItemAttributes) -> Bool {
        a.price?.bitPattern == b.price?.bitPattern && a.brand == b.brand && a.categories == b.categories
    }

    /// The attribute flags and fields (bit 4 of the tag said they follow) of the item the
    /// row numbers `item`: one flag byte when the row gave it the same ones last time (a
    /// shop's export repeats category, brand and price on every row).
    static func append(attributes a: ItemAttributes, item: UInt32, to rows: inout EventBatchRows) {
        let k = Int(item)
        if k < rows.itemAttributes.count, let last = rows.itemAttributes[k], sameBits(last, a) {
            rows.writer.byte(1 << 3)
            return
        }
        if k >= rows.itemAttributes.count { rows.itemAttributes.append(contentsOf: repeatElement(nil, count: k + 1 - rows.itemAttributes.count)) }
        rows.itemAttributes[k] = a
        let cents = a.price.flatMap(cents)
        var flags: UInt8 = 0
        if !a.categories.isEmpty { flags |= 1 }
        if a.brand != nil { flags |= 2 }
        if a.price != nil { flags |= 4 }
        if cents != nil { flags |= 1 << 4 }
        rows.writer.byte(flags)
        if !a.categories.isEmpty {
            rows.writer.varint(UInt64(a.categories.count))
            for c in a.categories { rows.labels.write(c, to: &rows.writer) }
        }
        if let b = a.brand { rows.labels.write(b, to: &rows.writer) }
        if let cents { rows.writer.varint(zigzag(cents)) } else if let p = a.price { rows.writer.double(p) }
    }

    @inline(__always)
    static func hasAttributes(_ a: ItemAttributes?) -> Bool {
        guard let a else { return false }
        return !a.categories.isEmpty || a.brand != nil || a.price != nil
    }

    /// Reads the event's fields in place: copying the whole `Event` out first measured as
    /// the single largest cost of encoding (a wide copy and a store-forwarding stall).
    @inline(__always)
    static func append(_ recorded: UnsafePointer<RecordedEvent>, to rows: inout EventBatchRows) {
        let attributes = recorded.pointee.event.attributes
        let attributed = hasAttributes(attributes)
        appendHead(action: recorded.pointee.event.action, timestamp: recorded.pointee.event.timestamp,
                   value: recorded.pointee.event.value, hasAttributes: attributed, to: &rows.writer, previousTime: &rows.previousTime)
        rows.users.write(recorded.pointee.event.user, to: &rows.writer)
        let item = rows.items.write(recorded.pointee.event.item, to: &rows.writer)
        if attributed, let attributes { append(attributes: attributes, item: item, to: &rows) }
    }

    struct Damaged: Error {}

    /// Decodes a batch whose first event sits at `firstPosition`, calling `body` per event in
    /// order; `body` returns `false` to stop early.
    /// Format-3 rows need their run's `names` (``LogNames``); without them they are damaged.
    static func decode(_ blob: UnsafeRawBufferPointer, firstPosition: Int64, names: LogNames? = nil, body: (RecordedEvent) throws -> Bool) throws {
        var r = ByteReader(blob)
        do {
            switch try r.byte() {
            case 1: try decodeFormat1(&r, size: blob.count, firstPosition: firstPosition, body: body)
            case 2: try decodeFormat2(&r, size: blob.count, firstPosition: firstPosition, body: body)
            case 3:
                guard let names else { throw Damaged() }
                try decodeFormat3(&r, size: blob.count, firstPosition: firstPosition, names: names, body: body)
            default: throw Damaged()
            }
        } catch is ByteReader.Overrun {
            throw Damaged()
        }
    }

    /// A name in a format-2 row: new (appended to `names`) or the number of an earlier one.
    @inline(__always)
    private static func name(_ r: inout ByteReader, _ names: inout [String]) throws -> (name: String, number: Int) {
        let v = try r.varint()
        if v & 1 == 1 {
            let s = try r.string(length: v >> 1)
            names.append(s)
            return (s, names.count - 1)
        }
        guard v >> 1 < UInt64(names.count) else { throw Damaged() }
        return (names[Int(v >> 1)], Int(v >> 1))
    }

    private static func decodeFormat2(_ r: inout ByteReader, size: Int, firstPosition: Int64, body: (RecordedEvent) throws -> Bool) throws {
        let count = try r.uint32()
        // Every event takes at least 5 bytes: a cheap bound against absurd counts.
        guard Int(count) <= size / 5 else { throw Damaged() }
        var users: [String] = [], items: [String] = [], labels: [String] = []
        var itemAttributes: [ItemAttributes?] = []
        var position = firstPosition - 1
        var previousTime: Int64 = 0
        for _ in 0..<count {
            position = try nextPosition(&r, after: position)
            let tag = try r.byte()
            guard let action = Action(rawValue: tag & 0x7), tag & 0x80 == 0 else { throw Damaged() }
            let (timestamp, value) = try timeAndValue(tag: tag, from: &r, previousTime: &previousTime)
            let user = try name(&r, &users).name
            let (item, number) = try name(&r, &items)
            var attributes: ItemAttributes?
            if tag & (1 << 4) != 0 {
                let flags = try r.byte()
                if flags == 1 << 3 {
                    guard number < itemAttributes.count, let same = itemAttributes[number] else { throw Damaged() }
                    attributes = same
                } else {
                    guard flags & ~0x17 == 0, flags & 0x7 != 0, flags & 0x14 != 0x10 else { throw Damaged() }
                    var a = ItemAttributes()
                    if flags & 1 != 0 {
                        let n = try r.varint()
                        guard n <= UInt64(size) else { throw Damaged() }
                        a.categories.reserveCapacity(Int(n))
                        for _ in 0..<n { a.categories.append(try name(&r, &labels).name) }
                    }
                    if flags & 2 != 0 { a.brand = try name(&r, &labels).name }
                    if flags & 4 != 0 { a.price = flags & 0x10 != 0 ? Double(unzigzag(try r.varint())) / 100 : try r.double() }
                    if number >= itemAttributes.count { itemAttributes.append(contentsOf: repeatElement(nil, count: number + 1 - itemAttributes.count)) }
                    itemAttributes[number] = a
                    attributes = a
                }
            }
            let event = Event(user: user, item: item, action: action, timestamp: timestamp, value: value, attributes: attributes)
            guard try body(RecordedEvent(position: position, event: event)) else { return }
        }
        guard r.isAtEnd else { throw Damaged() }
    }

    /// Format 1: every name in full and an f64 timestamp per event (workspaces written
    /// before format 2; still read, never written).
    private static func decodeFormat1(_ r: inout ByteReader, size: Int, firstPosition: Int64, body: (RecordedEvent) throws -> Bool) throws {
        let count = try r.uint32()
        // Every event takes at least 12 bytes: a cheap bound against absurd counts.
        guard Int(count) <= size / 12 else { throw Damaged() }
        var position = firstPosition - 1
        for _ in 0..<count {
            position = try nextPosition(&r, after: position)
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
                    guard n <= UInt64(size) else { throw Damaged() }
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
    }

    /// Decodes a whole batch into an array.
    static func decodeAll(_ blob: Data, firstPosition: Int64, names: LogNames? = nil) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try blob.withUnsafeBytes { raw in
            try decode(raw, firstPosition: firstPosition, names: names) { out.append($0); return true }
        }
        return out
    }
}
