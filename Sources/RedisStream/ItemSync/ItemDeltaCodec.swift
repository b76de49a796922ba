import InterestGraph

/// The binary form of an ``ItemDeltaBatch`` in a `NAME:items` entry's `items` field, all
/// little-endian: `DSI1`, dimension (u32), rows (u32), since and at (f64 wall seconds), then
/// per row its item id (u16 length, UTF-8 bytes), then every row's ego delta (f32 ×
/// dimension each). The engine id and the sequence number are the
/// entry's `engine` and `seq` fields.
enum ItemDeltaCodec {
    static let magic: [UInt8] = Array("DSI1".utf8)

    static func encode(_ batch: ItemDeltaBatch) -> [UInt8] {
        var out = magic
        out.reserveCapacity(28 + batch.items.reduce(0) { $0 + 2 + $1.utf8.count } + 4 * batch.ego.count)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt32(batch.dimension))
        put(UInt32(batch.items.count))
        put(batch.since.bitPattern)
        put(batch.at.bitPattern)
        for item in batch.items {
            let bytes = Array(item.utf8.prefix(Int(UInt16.max)))
            put(UInt16(bytes.count))
            out.append(contentsOf: bytes)
        }
        for v in batch.ego { put(v.bitPattern) }
        return out
    }

    /// - Returns: `nil` for bytes that are not a whole batch (another writer's entry).
    static func decode(_ bytes: ArraySlice<UInt8>, engine: String, sequence: UInt64) -> ItemDeltaBatch? {
        var p = bytes.startIndex
        func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard bytes.endIndex - p >= size else { return nil }
            var v: T = 0
            for k in 0..<size { v |= T(bytes[p + k]) << (8 * k) }
            p += size
            return v
        }
        guard bytes.count >= 4, Array(bytes.prefix(4)) == magic else { return nil }
        p += 4
        guard let d32 = take(UInt32.self), let n32 = take(UInt32.self), let since = take(UInt64.self), let at = take(UInt64.self) else { return nil }
        let d = Int(d32), n = Int(n32)
        guard d > 0, d <= 4_096 else { return nil }
        var items: [String] = []
        items.reserveCapacity(n)
        for _ in 0..<n {
            guard let length = take(UInt16.self), bytes.endIndex - p >= Int(length) else { return nil }
            items.append(String(decoding: bytes[p..<(p + Int(length))], as: UTF8.self))
            p += Int(length)
        }
        guard bytes.endIndex - p == 4 * n * d else { return nil }
        var ego = [Float](repeating: 0, count: n * d)
        for k in 0..<(n * d) { ego[k] = Float(bitPattern: take(UInt32.self)!) }
        return ItemDeltaBatch(engine: engine, sequence: sequence, since: Double(bitPattern: since), at: Double(bitPattern: at),
                              dimension: d, items: items, ego: ego)
    }
}
