import Foundation

/// `Float` arrays as little-endian IEEE-754 bytes, bit for bit (NaN payloads included).
enum FloatBlob {
    static func encode(_ values: [Float]) -> Data {
        #if _endian(big)
        let swapped = values.map { $0.bitPattern.littleEndian }
        return swapped.withUnsafeBytes { Data($0) }
        #else
        return values.withUnsafeBytes { Data($0) }
        #endif
    }

    /// `nil` when the byte count is not a multiple of 4.
    static func decode(_ data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        var values = [Float](repeating: 0, count: data.count / 4)
        values.withUnsafeMutableBytes { out in data.withUnsafeBytes { out.copyMemory(from: $0) } }
        #if _endian(big)
        for k in values.indices { values[k] = Float(bitPattern: UInt32(littleEndian: values[k].bitPattern)) }
        #endif
        return values
    }
}

/// A list of strings as `varint count` then `varint length + UTF-8` each (ids may hold any
/// character, so no separator would do).
enum StringListBlob {
    static func encode(_ strings: [String]) -> Data {
        var w = ByteWriter(capacity: strings.count * 8 + 8)
        w.varint(UInt64(strings.count))
        for s in strings { w.string(s) }
        return w.data()
    }

    /// `nil` when the blob is damaged.
    static func decode(_ data: Data) -> [String]? {
        data.withUnsafeBytes { raw -> [String]? in
            var r = ByteReader(raw)
            do {
                let count = try r.varint()
                guard count <= UInt64(raw.count) else { return nil }
                var out: [String] = []
                out.reserveCapacity(Int(count))
                for _ in 0..<count { out.append(try r.string()) }
                return r.isAtEnd ? out : nil
            } catch {
                return nil
            }
        }
    }
}

extension StringListBlob {
    /// The number of strings, read from the leading varint only (0 when damaged).
    static func count(_ data: Data) -> Int {
        data.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            return (try? r.varint()).map { Int(clamping: $0) } ?? 0
        }
    }
}
