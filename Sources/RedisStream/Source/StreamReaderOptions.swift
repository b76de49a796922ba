/// How a stream reader reads, acknowledges and rejects.
package struct StreamReaderOptions: Sendable {
    /// When an entry is acknowledged (`XACK`), which decides the delivery guarantee.
    package enum Acknowledge: Sendable {
        /// As it is handed to the engine: at-least-once (entries read but not handed out are
        /// pending in Redis and delivered again after a crash; an engine without a
        /// workspace keeps nothing across a crash anyway).
        case onDelivery
        /// Once the workspace recorder reports it logged (``SourcePositionLedger``):
        /// exactly-once effect across crashes.
        case whenLogged
    }

    /// Entries per partition per `XREADGROUP`.
    package var batch = 512
    /// How long one `XREADGROUP` waits for new entries (also the longest delay of an
    /// acknowledgement and of a stop).
    package var blockMilliseconds = 100
    /// Entries read and not yet handed out, at most.
    package var maxBuffered = 16_384
    /// Entries handed out and not yet acknowledged, at most: the engine waits when this
    /// many are outstanding. Also the resume window: after a crash, logged-but-unacknowledged
    /// entries are among the last this many logged (``resumeWindow``).
    package var maxInFlight = StreamReaderOptions.resumeWindow
    /// Pending entries idle this long in another consumer of the group are claimed
    /// (`XAUTOCLAIM`): a consumer that died is taken over.
    package var claimIdleMilliseconds = 60_000
    package var connectTimeout = 2.0
    /// How long an owned partition's claim outlives its engine's last heartbeat (the
    /// heartbeat renews it every third of this): how soon a killed engine's partitions may
    /// be taken by another engine id.
    package var claimMilliseconds = 15_000
    /// Stop once every partition has been read to its end (`ingest`); else follow forever.
    package var drain = false
    /// Stop at the first malformed entry (left pending, unacknowledged) instead of skipping it.
    package var strict = false
    /// `--map` entries: field name to event field.
    package var columnMap: [String: String] = [:]
    package var acknowledge = Acknowledge.onDelivery
    /// Source ids (`key id`) already in the workspace log: skipped (and acknowledged) when
    /// Redis delivers them again after a crash.
    package var alreadyLogged: Set<String> = []
    /// Rejected entries kept as examples.
    package var maxExamples = 10

    /// The most entries in flight, fixed so that a resumed run knows how far back to look.
    package static let resumeWindow = 65_536

    package init() {}
}

/// A malformed entry: where it is (partition key and entry id), which field, and why.
package struct StreamRejection: Sendable, Hashable, CustomStringConvertible, Error {
    package var key: String
    package var id: String
    package var field: String
    package var reason: String
    package var kind: String

    /// `shop:3 1712345678901-0 timestamp: bad timestamp 'x' ...`, like a file's `file:line:column: reason`.
    package var description: String { "\(key) \(id) \(field): \(reason)" }
}
