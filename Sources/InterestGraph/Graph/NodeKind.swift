/// The kinds of node in the heterogeneous interest graph.
public enum NodeKind: UInt8, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case user, item, category, brand, entity

    public var description: String {
        switch self {
        case .user: "user"
        case .item: "item"
        case .category: "category"
        case .brand: "brand"
        case .entity: "entity"
        }
    }
}

/// A node: its kind and its dense index within that kind.
public struct NodeRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: NodeKind
    public var index: Int32

    public init(_ kind: NodeKind, _ index: Int32) {
        self.kind = kind
        self.index = index
    }

    public var description: String { "\(kind)#\(index)" }
}
