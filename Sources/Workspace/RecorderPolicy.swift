/// When a ``WorkspaceRecorder`` commits, where it writes, and what it keeps.
public struct RecorderPolicy: Sendable, Hashable {
    public enum Writer: Sendable, Hashable {
        /// SQLite work on a dedicated thread fed by a queue: `record(events:)` costs one
        /// locked append per slice. The default.
        case background
        /// SQLite work inside the recorder's calls, on the caller's thread.
        case inline
    }

    public var writer: Writer
    /// Commit as soon as this many events wait... (large on purpose: at full speed every
    /// commit's fixed cost, a synced WAL write, dominated the writer's CPU at 5,000)
    public var flushEvents: Int
    /// ...or once the oldest waiting event has waited this long (seconds).
    public var flushDelay: Double
    /// Backpressure: `record(events:)` blocks while this many events wait or are being
    /// written, so the log never falls further behind ingestion than this.
    public var maxQueuedEvents: Int
    /// Checkpoints kept per run (older ones are deleted when a new one is saved).
    public var checkpointsKept: Int
    /// Metrics points kept per run: when full, every second point is dropped.
    public var metricsKept: Int

    public init(
        writer: Writer = .background, flushEvents: Int = 50_000, flushDelay: Double = 0.1,
        maxQueuedEvents: Int = 200_000, checkpointsKept: Int = 3, metricsKept: Int = 2_000
    ) {
        self.writer = writer
        self.flushEvents = max(1, flushEvents)
        self.flushDelay = max(0, flushDelay)
        self.maxQueuedEvents = max(1, maxQueuedEvents)
        self.checkpointsKept = max(1, checkpointsKept)
        self.metricsKept = max(2, metricsKept)
    }

    public static let `default` = RecorderPolicy()
}
