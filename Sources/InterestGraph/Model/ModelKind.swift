/// The models the evaluation compares and the engine can run.
public enum ModelKind: String, CaseIterable, Sendable, Codable, Hashable, CustomStringConvertible {
    /// Decayed popularity (baseline).
    case mostPop = "MostPop"
    /// Item-item cosine neighbours (baseline).
    case itemKNN = "ItemKNN"
    /// Matrix factorisation with BPR: embeddings without propagation or side information.
    case mfBPR = "MF-BPR"
    /// LightGCN-style propagation over the heterogeneous graph.
    case lightGCN = "LightGCN"
    /// LightGCN plus co-visitation and a recency prior (see ``HybridModel``).
    case hybrid = "Hybrid"

    public var description: String { rawValue }

    /// Parses a model name case-insensitively, ignoring `-` and `_` (`mf_bpr`, `lightgcn`).
    public init?(name: String) {
        func key(_ s: String) -> String { s.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " } }
        guard let match = ModelKind.allCases.first(where: { key($0.rawValue) == key(name) }) else { return nil }
        self = match
    }

    /// Whether the model learns embeddings (and so has batches, a loss and vectors).
    public var hasEmbeddings: Bool {
        switch self {
        case .mostPop, .itemKNN: false
        case .mfBPR, .lightGCN, .hybrid: true
        }
    }
}
