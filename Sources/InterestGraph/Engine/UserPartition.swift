/// A share of a shop's users: those whose id hashes to `index` of `count` partitions.
///
/// One rule everywhere users are split: `publish` places a user's events on stream partition
/// ``index(ofUser:partitions:)``, `serve --own` reads partitions, a dashboard over several
/// engines routes a user's commands by it, and engines that split a replayed file in one
/// process (``StreamingReplaySource/partitioned(pathOrName:format:options:partitions:)``)
/// take their users by it. The hash is FNV-1a 64 of the id's UTF-8 bytes
/// (``TemporalGroundTruth/userHash(_:)``): stable across runs, machines and languages.
public struct UserPartition: Sendable, Hashable {
    public var index: Int
    public var count: Int

    public init(index: Int, of count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "partition \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// The partition `user` belongs to among `count`.
    /// - Complexity: O(length of the id).
    public static func index(ofUser user: String, partitions count: Int) -> Int {
        Int(TemporalGroundTruth.userHash(user) % UInt64(max(1, count)))
    }

    /// Whether `user` is in this partition.
    public func contains(user: String) -> Bool {
        Self.index(ofUser: user, partitions: count) == index
    }
}
