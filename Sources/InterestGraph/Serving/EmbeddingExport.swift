/// A trained model's user and item embeddings with their ids and labels, ready to write as
/// TensorBoard Projector TSV files or NumPy `.npy` arrays.
///
/// Users are the live users the model has rows for; items are the live items with a serving
/// vector (their final embedding, or the side-information estimate for items without
/// interactions, see ``ColdItemVectors``). Items with neither are left out.
///
/// ```swift
/// guard let export = EmbeddingExport(model: model, graph: graph) else { return }  // baselines: nil
/// try export.projectorVectors().write(toFile: "vectors.tsv", atomically: true, encoding: .utf8)
/// try Data(EmbeddingExport.npy(rows: export.users.count, dimension: export.dimension, values: export.userVectors))
///     .write(to: URL(fileURLWithPath: "users.npy"))
/// ```
public struct EmbeddingExport: Sendable {
    public struct Row: Sendable, Hashable {
        public var id: String
        public var kind: NodeKind
        /// The item title ("" for users and untitled items).
        public var title: String
        /// The item's first category, or the user's top interest ("" when none).
        public var category: String
    }

    public let dimension: Int
    public private(set) var users: [Row] = []
    public private(set) var items: [Row] = []
    /// Row-major, `users.count * dimension` values.
    public private(set) var userVectors: [Float] = []
    /// Row-major, `items.count * dimension` values.
    public private(set) var itemVectors: [Float] = []

    /// The embeddings of an embedding model (`nil` for MostPop and ItemKNN, which have none).
    public init?(model: Recommender, graph: HeteroGraph) {
        guard let embedding = model.embedding else { return nil }
        dimension = embedding.dimension
        let stride = embedding.stride
        for u in 0..<min(graph.userCapacity, embedding.finalUsers.rows) where graph.isLive(user: Int32(u)) {
            users.append(Row(id: graph.name(of: NodeRef(.user, Int32(u))), kind: .user, title: "",
                             category: graph.profile(ofUser: Int32(u)).categories.first?.name ?? ""))
            userVectors.append(contentsOf: embedding.finalUsers.storage[(u * stride)..<(u * stride + dimension)])
        }
        var cold = ColdItemVectors(model: embedding, graph: graph)
        for i in 0..<graph.itemCapacity where graph.isLive(item: Int32(i)) {
            guard let v = cold.vector(for: Int32(i)) else { continue }
            let item = Int32(i)
            items.append(Row(id: graph.name(of: NodeRef(.item, item)), kind: .item, title: graph.title(ofItem: item) ?? "",
                             category: graph.categories(ofItem: item).first.map { graph.name(of: NodeRef(.category, $0)) } ?? ""))
            itemVectors.append(contentsOf: v.prefix(dimension))
        }
    }

    // MARK: TensorBoard Projector

    /// `vectors.tsv`: one row per user, then one per item; values tab-separated, no header.
    public func projectorVectors() -> String {
        var out = ""
        out.reserveCapacity((users.count + items.count) * dimension * 11)
        for table in [userVectors, itemVectors] {
            var k = 0
            while k < table.count {
                for d in 0..<dimension {
                    if d > 0 { out += "\t" }
                    out += "\(table[k + d])"
                }
                out += "\n"
                k += dimension
            }
        }
        return out
    }

    /// `metadata.tsv`: a header `id kind title category`, then one row per vector, in order.
    /// Tabs and line breaks inside values become spaces (the format has no quoting).
    public func projectorMetadata() -> String {
        func clean(_ s: String) -> String {
            String(s.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        }
        var out = "id\tkind\ttitle\tcategory\n"
        for row in users + items {
            out += "\(clean(row.id))\t\(row.kind)\t\(clean(row.title))\t\(clean(row.category))\n"
        }
        return out
    }

    // MARK: NumPy

    /// A NumPy `.npy` file (format 1.0): little-endian `float32`, C order, shape
    /// `(rows, dimension)`; the header is padded with spaces to a multiple of 64 bytes.
    public static func npy(rows: Int, dimension: Int, values: [Float]) -> [UInt8] {
        precondition(values.count == rows * dimension, "npy: \(values.count) values for shape (\(rows), \(dimension))")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        // magic (6) + version (2) + length (2) + header + "\n" must be a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values {
            let bits = v.bitPattern  // bytes taken low first: little-endian on any host
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return bytes
    }

    /// One id per line, in row order (`users.txt`, `items.txt` beside the `.npy` files).
    public static func idList(_ rows: [Row]) -> String {
        rows.map { $0.id + "\n" }.joined()
    }
}
