/// The log writer's copy of one of the graph's interners: dense id to the name's UTF-8
/// bytes, kept in one flat buffer. The writer reads a name once per id (``LogNameWriter``
/// caches the number it gets).
///
/// Updated from ``InternedSlice`` changes in stream order, on the writer thread only.
struct NameTable: Sendable {
    /// Every name's bytes, back to back.
    private var bytes: [UInt8] = []
    /// Start of id `k`'s bytes in `bytes`, and their length (0 once cleared).
    private var starts: [Int] = []
    private var lengths: [Int] = []

    var count: Int { starts.count }

    /// Renames ids `first...`: drops every known id from `first` on, pads with empty names
    /// up to `first`, then appends `names` (ids `first ..< first + names.count`).
    /// - Complexity: O(bytes of `names`), plus O(dropped ids) after a graph rebuild.
    mutating func rename(from first: Int, with names: [String]) {
        let first = max(0, first)
        if first < starts.count {
            let cut = starts[first]
            // Dropped names may belong to a forgotten graph: leave no copy behind.
            for k in cut..<bytes.count { bytes[k] = 0 }
            bytes.removeSubrange(cut...)
            starts.removeSubrange(first...)
            lengths.removeSubrange(first...)
        }
        while starts.count < first {
            starts.append(bytes.count)
            lengths.append(0)
        }
        for name in names {
            starts.append(bytes.count)
            bytes.append(contentsOf: name.utf8)
            lengths.append(bytes.count - starts[starts.count - 1])
        }
    }

    /// Erases the name of `id` (a forgotten user): its bytes are zeroed, the id names "".
    mutating func clear(_ id: Int32) {
        let k = Int(id)
        guard k >= 0, k < starts.count else { return }
        for b in starts[k]..<(starts[k] + lengths[k]) { bytes[b] = 0 }
        lengths[k] = 0
    }

    /// The name of `id` as a string (tests, error messages).
    func name(_ id: Int32) -> String? {
        let k = Int(id)
        guard k >= 0, k < starts.count else { return nil }
        return String(decoding: bytes[starts[k]..<(starts[k] + lengths[k])], as: UTF8.self)
    }
}
