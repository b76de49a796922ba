import InterestGraph

/// The binary form of an ``ItemDeltaBatch`` in a `NAME:items` entry's `items` field, all
/// little-endian: `DSI3`, dimension (u32), rows (u32), since and at (f64 wall seconds), then
/// per row its item id (u16 length, UTF-8 bytes), then every row's ego delta (f16 ×
/// dimension each: the model rounds deltas to half precision and sends the rest later), then each row's new user edges (u32; a zero count of them when the
/// batch has none), then the announcements: their count (u32) and per announcement the
/// row's index (u32), its categories (u16 count, each a u16-length string), brand (u16
/// length, `0xFFFF` for none), price (f64, NaN for none), ego and final rows (f32 ×
/// dimension each), then the popularity and co-visitation counts (``ItemSignals``): a u8, 0
/// for none, else 1 and the reference time (f64), the items (u32 count, each a u16-length
/// string), popularity (u32 count; index u32, events u32, weight f32 each), mass (u32
/// count; index u32, weight f32 each) and pairs (u32 count; two indices u32, weight f32
/// each). A `DSI2` entry (an engine before counts were shared) is the same without the
/// counts. The engine id, its run and the sequence number are the entry's `engine`, `run`
/// and `seq` fields.
enum ItemDeltaCodec {
    static let magic: [UInt8] = Array("DSI3".utf8)
    static let previousMagic: [UInt8] = Array("DSI2".utf8)
    static let noBrand = UInt16.max

    static func encode(_ batch: ItemDeltaBatch) -> [UInt8] {
        var out = magic
        out.reserveCapacity(32 + batch.items.reduce(0) { $0 + 2 + $1.utf8.count } + 2 * batch.ego.count + batch.announced.count * (64 + 8 * batch.dimension))
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func put(string: String, limit: Int = Int(UInt16.max)) {
            let bytes = Array(string.utf8.prefix(limit))
            put(UInt16(bytes.count))
            out.append(contentsOf: bytes)
        }
        put(UInt32(batch.dimension))
        put(UInt32(batch.items.count))
        put(batch.since.bitPattern)
        put(batch.at.bitPattern)
        for item in batch.items { put(string: item) }
        for v in batch.ego { put(Float16(v).bitPattern) }
        let edges = batch.edges.count == batch.items.count ? batch.edges : []
        put(UInt32(edges.count))
        for e in edges { put(e) }
        put(UInt32(batch.announced.count))
        for a in batch.announced {
            put(UInt32(a.index))
            let categories = a.attributes.categories.prefix(Int(UInt16.max))
            put(UInt16(categories.count))
            for c in categories { put(string: c) }
            if let brand = a.attributes.brand { put(string: brand, limit: Int(noBrand) - 1) } else { put(noBrand) }
            put((a.attributes.price ?? .nan).bitPattern)
            for v in a.ego { put(v.bitPattern) }
            for v in a.final { put(v.bitPattern) }
        }
        if let s = batch.signals {
            out.reserveCapacity(out.count + 32 + s.items.reduce(0) { $0 + 2 + $1.utf8.count } + 12 * (s.popularity.count + s.pairs.count) + 8 * s.mass.count)
            out.append(1)
            put(s.reference.bitPattern)
            put(UInt32(s.items.count))
            for item in s.items { put(string: item) }
            put(UInt32(s.popularity.count))
            for p in s.popularity {
                put(p.index)
                put(p.count)
                put(p.weight.bitPattern)
            }
            put(UInt32(s.mass.count))
            for m in s.mass {
                put(m.index)
                put(m.weight.bitPattern)
            }
            put(UInt32(s.pairs.count))
            for p in s.pairs {
                put(p.a)
                put(p.b)
                put(p.weight.bitPattern)
            }
        } else {
            out.append(0)
        }
        return out
    }

    /// - Returns: `nil` for bytes that are not a whole batch (another writer's entry, or an
    ///   older engine's `DSI1`; a `DSI2` batch decodes without counts).
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
        func takeString(length: UInt16) -> String? {
            guard bytes.endIndex - p >= Int(length) else { return nil }
            defer { p += Int(length) }
            return String(decoding: bytes[p..<(p + Int(length))], as: UTF8.self)
        }
        func takeString() -> String? { take(UInt16.self).flatMap { takeString(length: $0) } }
        func takeFloats(_ n: Int) -> [Float]? {
            guard bytes.endIndex - p >= 4 * n else { return nil }
            var out = [Float](repeating: 0, count: n)
            for k in 0..<n { out[k] = Float(bitPattern: take(UInt32.self)!) }
            return out
        }
        guard bytes.count >= 4 else { return nil }
        let head = Array(bytes.prefix(4))
        guard head == magic || head == previousMagic else { return nil }
        p += 4
        guard let d32 = take(UInt32.self), let n32 = take(UInt32.self), let since = take(UInt64.self), let at = take(UInt64.self) else { return nil }
        let d = Int(d32), n = Int(n32)
        guard d > 0, d <= 4_096, n <= bytes.count else { return nil }
        var items: [String] = []
        items.reserveCapacity(n)
        for _ in 0..<n {
            guard let item = takeString() else { return nil }
            items.append(item)
        }
        guard bytes.endIndex - p >= 2 * n * d else { return nil }
        var ego = [Float](repeating: 0, count: n * d)
        for k in 0..<(n * d) { ego[k] = Float(Float16(bitPattern: take(UInt16.self)!)) }
        guard let e32 = take(UInt32.self), e32 == 0 || Int(e32) == n else { return nil }
        var edges: [UInt32] = []
        for _ in 0..<Int(e32) {
            guard let e = take(UInt32.self) else { return nil }
            edges.append(e)
        }
        guard let m32 = take(UInt32.self), Int(m32) <= bytes.count else { return nil }
        var announced: [ItemAnnouncement] = []
        for _ in 0..<Int(m32) {
            guard let index = take(UInt32.self), Int(index) < n, let count = take(UInt16.self) else { return nil }
            var categories: [String] = []
            for _ in 0..<count {
                guard let c = takeString() else { return nil }
                categories.append(c)
            }
            guard let brandLength = take(UInt16.self) else { return nil }
            var brand: String?
            if brandLength != noBrand {
                guard let b = takeString(length: brandLength) else { return nil }
                brand = b
            }
            guard let price = take(UInt64.self).map(Double.init(bitPattern:)), let rowEgo = takeFloats(d), let rowFinal = takeFloats(d) else { return nil }
            announced.append(ItemAnnouncement(index: Int(index), attributes: ItemAttributes(categories: categories, brand: brand, price: price.isNaN ? nil : price),
                                              ego: rowEgo, final: rowFinal))
        }
        var signals: ItemSignals?
        if head == magic {
            guard p < bytes.endIndex else { return nil }
            let present = bytes[p]
            p += 1
            if present == 1 {
                guard let reference = take(UInt64.self), let k32 = take(UInt32.self), Int(k32) <= bytes.count else { return nil }
                var names: [String] = []
                names.reserveCapacity(Int(k32))
                for _ in 0..<Int(k32) {
                    guard let name = takeString() else { return nil }
                    names.append(name)
                }
                let k = UInt32(names.count)
                var s = ItemSignals(reference: Double(bitPattern: reference), items: names)
                guard let np = take(UInt32.self), Int(np) * 12 <= bytes.endIndex - p else { return nil }
                s.popularity.reserveCapacity(Int(np))
                for _ in 0..<Int(np) {
                    guard let i = take(UInt32.self), i < k, let c = take(UInt32.self), let w = take(UInt32.self) else { return nil }
                    s.popularity.append(.init(index: i, count: c, weight: Float(bitPattern: w)))
                }
                guard let nm = take(UInt32.self), Int(nm) * 8 <= bytes.endIndex - p else { return nil }
                for _ in 0..<Int(nm) {
                    guard let i = take(UInt32.self), i < k, let w = take(UInt32.self) else { return nil }
                    s.mass.append(.init(index: i, weight: Float(bitPattern: w)))
                }
                guard let nq = take(UInt32.self), Int(nq) * 12 <= bytes.endIndex - p else { return nil }
                s.pairs.reserveCapacity(Int(nq))
                for _ in 0..<Int(nq) {
                    guard let a = take(UInt32.self), a < k, let b = take(UInt32.self), b < k, let w = take(UInt32.self) else { return nil }
                    s.pairs.append(.init(a: a, b: b, weight: Float(bitPattern: w)))
                }
                signals = s
            } else if present != 0 {
                return nil
            }
        }
        guard p == bytes.endIndex else { return nil }
        return ItemDeltaBatch(engine: engine, sequence: sequence, since: Double(bitPattern: since), at: Double(bitPattern: at),
                              dimension: d, items: items, ego: ego, announced: announced, edges: edges, signals: signals)
    }
}
