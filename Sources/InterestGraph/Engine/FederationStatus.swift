/// One dashboard over several engines that each own some partitions of a stream
/// (`driftscope attach A,B,C,D`): who they are, which partitions each reads, which of them is
/// reachable now, and which one answers the user screens. Plain values, for the status line.
public struct FederationStatus: Sendable, Hashable, Codable {
    public struct Member: Sendable, Hashable, Codable {
        /// "A", "B", ...: the engine's place in the `attach` list.
        public var name: String
        public var endpoint: String
        /// The partitions the engine reads, as its last snapshot said (kept while it is down,
        /// so the dashboard can say which partitions went with it).
        public var partitions: [Int]
        public var isConnected: Bool

        public init(name: String, endpoint: String, partitions: [Int], isConnected: Bool) {
            self.name = name
            self.endpoint = endpoint
            self.partitions = partitions
            self.isConnected = isConnected
        }
    }

    public var members: [Member]
    /// The stream's partition count (0 until an engine has said, or for engines without a
    /// partitioned stream).
    public var partitionCount: Int
    /// The index in ``members`` of the engine that answers the selected user's screens.
    public var answering: Int?

    public init(members: [Member], partitionCount: Int, answering: Int?) {
        self.members = members
        self.partitionCount = partitionCount
        self.answering = answering
    }

    /// The engines whose connection is lost.
    public var down: [Member] { members.filter { !$0.isConnected } }

    /// Partitions of the stream that no attached engine reads (attaching some of the engines
    /// only): their users cannot be shown.
    public var unattached: [Int] {
        let read = Set(members.flatMap(\.partitions))
        return (0..<partitionCount).filter { !read.contains($0) }
    }
}

extension FederationStatus.Member {
    /// "engine B (partitions 2,3)", or "engine B" when it reads no partitioned stream.
    public var label: String {
        partitions.isEmpty ? "engine \(name)" : "engine \(name) (\(FederationStatus.partitionWord(partitions)) \(FederationStatus.list(partitions)))"
    }
}

extension FederationStatus {
    /// "2,3": partition numbers as the status line and messages print them.
    public static func list(_ partitions: [Int]) -> String { partitions.map(String.init).joined(separator: ",") }

    static func partitionWord(_ partitions: [Int]) -> String { partitions.count == 1 ? "partition" : "partitions" }

    /// "partitions 2,3 down (B)", one clause per engine that is down ("engine C down" when it
    /// never said which partitions it reads); `nil` when every engine is connected.
    public var downText: String? {
        let clauses = down.map { m in
            m.partitions.isEmpty ? "engine \(m.name) down" : "\(Self.partitionWord(m.partitions)) \(Self.list(m.partitions)) down (\(m.name))"
        }
        return clauses.isEmpty ? nil : clauses.joined(separator: "; ")
    }

    /// "partitions 4,5 not attached"; `nil` when the attached engines read every partition.
    public var unattachedText: String? {
        let missing = unattached
        return missing.isEmpty ? nil : "\(Self.partitionWord(missing)) \(Self.list(missing)) not attached"
    }
}
