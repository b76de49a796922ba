/// A live stream source's state for the snapshot: the connection, what each partition still
/// holds unread, and the entries rejected. Plain values only (Sendable, Codable), so it can
/// cross threads and, later, a wire.
public struct StreamStatus: Sendable, Hashable, Codable {
    public enum Connection: String, Sendable, Hashable, Codable {
        case connecting, connected, reconnecting
    }

    public struct Partition: Sendable, Hashable, Codable {
        /// The Redis key (`shop:3`).
        public var key: String
        /// `k` of `NAME:k`: which of the stream's ``StreamStatus/partitionCount`` partitions
        /// this is (users are placed by FNV-1a 64 of their id mod the count).
        public var index: Int
        /// Entries in the stream not yet delivered to the consumer group; `nil` when the
        /// server cannot tell.
        public var lag: Int?
        /// Entries this reader has taken from the partition since it started.
        public var read: Int

        public init(key: String, index: Int, lag: Int?, read: Int) {
            self.key = key
            self.index = index
            self.lag = lag
            self.read = read
        }
    }

    public var connection: Connection = .connecting
    /// Why the last connection attempt or command failed ("Connection refused").
    public var lastError: String?
    /// Reconnection attempts since the connection was lost (0 while connected).
    public var attempts = 0
    /// Times the connection was lost and re-established since the reader started.
    public var reconnects = 0
    /// The partitions this engine reads, in index order: all of the stream's, or the ones it
    /// owns when engines share the stream.
    public var partitions: [Partition] = []
    /// How many partitions the stream has in all (`NAME:0 ... NAME:N-1`), owned here or not;
    /// a dashboard over several engines routes a user to the engine reading their partition.
    public var partitionCount = 0
    /// Entries read but not yet handed to the engine.
    public var buffered = 0
    /// Entries handed to the engine and not yet acknowledged (waiting to be logged).
    public var unacknowledged = 0
    /// Malformed entries skipped, and the newest one as `key id field: reason`.
    public var rejected = 0
    public var lastRejection: String?

    public init() {}

    /// Lag summed over partitions (`nil` when any partition's is unknown).
    public var totalLag: Int? {
        var sum = 0
        for p in partitions {
            guard let lag = p.lag else { return nil }
            sum += lag
        }
        return sum
    }
}
