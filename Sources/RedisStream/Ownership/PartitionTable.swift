/// What `driftscope partitions` shows: per partition of a stream, its length, the group's
/// lag and the engine that owns it now.
package enum PartitionTable {
    package struct Row: Sendable, Hashable {
        package var partition: Int
        package var key: String
        /// `XLEN`.
        package var length: Int
        /// Entries not yet delivered to the URL's group (`nil`: unknown, or no such group).
        package var lag: Int?
        package var owner: PartitionClaims.Owner
    }

    /// Reads every partition of the stream (`partitions=` of the URL, else the keys that exist).
    /// - Throws: ``RedisError`` when the server cannot be read.
    package static func read(_ url: StreamURL, timeout: Double = 2) throws -> [Row] {
        let redis = try RedisConnection(host: url.host, port: url.port, timeout: timeout)
        let count = try url.partitions ?? StreamFeed.discoverPartitions(url, redis)
        let owners = try PartitionClaims.owners(redis, url: url, count: count)
        return try (0..<count).map { k in
            let key = url.key(partition: k)
            let exists = try redis.exists(key)
            return Row(partition: k, key: key, length: exists ? try redis.length(stream: key) : 0,
                       lag: exists ? try? redis.lag(stream: key, group: url.group) : nil, owner: owners[k])
        }
    }
}
