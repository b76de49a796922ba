public import InterestGraph

/// One run as stored in the `runs` table.
public struct RunRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Recording, or stopped without `finish` (a crash or a kill): resumable.
        case running
        /// Ended cleanly through ``WorkspaceRecorder/finish(at:)``.
        case finished
    }

    public var id: Int64
    /// Wall-clock seconds since the epoch.
    public var startedAt: Double
    public var endedAt: Double?
    /// The last time the recorder committed anything for this run.
    public var updatedAt: Double
    public var sourceKind: SourceStatus.Kind
    /// The dataset path or name, or the scenario path.
    public var source: String
    public var seed: UInt64?
    public var codeVersion: String
    /// The hyperparameters at the start, as the JSON the engine gave.
    public var hyperparameters: [UInt8]
    public var status: Status

    /// The starting hyperparameters flattened to dotted keys with JSON-text values
    /// (`{"model": {"dim": 64}}` gives `model.dim: "64"`).
    public var settings: [String: String] { HyperparameterJSON.flatten(hyperparameters) }
}

/// A run with its final figures, for `runs list`.
public struct RunSummary: Sendable, Hashable {
    public var run: RunRecord
    /// Events in the log.
    public var loggedEvents: Int
    /// The position after the last logged event (where a resumed source continues).
    public var loggedPosition: Int64
    /// The last metrics point, if any, with the last *measured* ingest rate: a run that
    /// finished its source ends on points at 0 events/s, which says nothing about the run.
    public var final: RunMetricsPoint?
}

/// Statistics over a run's metrics timeline.
public struct MetricSummary: Sendable, Hashable {
    public var points: Int
    public var firstStep: Int
    public var lastStep: Int
    public var firstLoss: Float?
    public var lastLoss: Float?
    public var minimumLoss: Float?
    public var bestHitRate10: Double
    public var bestMRR: Double
    public var meanEventsPerSecond: Double
    public var final: RunMetricsPoint
}

/// Where a checkpoint sits, without its tables.
public struct CheckpointInfo: Sendable, Hashable {
    public var id: Int64
    public var createdAt: Double
    public var step: Int
    public var graphClock: Double
    public var sourcePosition: Int64
    /// Floats over all tables.
    public var floats: Int
    public var users: Int
    public var items: Int
}

/// Everything `runs show` prints.
public struct RunDetail: Sendable {
    public var summary: RunSummary
    public var changes: [ChangeRecord]
    public var metrics: MetricSummary?
    public var checkpoints: [CheckpointInfo]
}

/// Two runs side by side, for `runs compare`.
public struct RunComparison: Sendable {
    /// One hyperparameter's starting value in each run (JSON text; `nil` when absent).
    public struct Setting: Sendable, Hashable {
        public var key: String
        public var left: String?
        public var right: String?
        public var differs: Bool { left != right }
    }

    public var left: RunDetail
    public var right: RunDetail
    /// Every top-level and nested key (dotted) of either run's initial hyperparameters,
    /// sorted by key.
    public var settings: [Setting]
    public var differences: [Setting] { settings.filter(\.differs) }
}

/// A user worth showing again, with a note (for demos).
public struct Bookmark: Sendable, Hashable {
    public var id: Int64
    public var run: Int64?
    public var user: String
    public var note: String
    public var createdAt: Double
}

/// What ``Workspace/forget(user:)`` removed.
public struct ForgetReport: Sendable, Hashable {
    public var events: Int
    public var bookmarks: Int
    /// Checkpoints whose id lists held the user (their rows were zeroed).
    public var checkpoints: Int
    /// `false` when another connection kept the write-ahead log from being emptied: the
    /// deleted pages then stay in the `-wal` file until that connection closes.
    public var walTruncated: Bool
}

/// What `workspace info` prints.
public struct WorkspaceInfo: Sendable, Hashable {
    public var path: String
    public var schemaVersion: Int
    public var runs: Int
    public var events: Int
    public var checkpoints: Int
    public var bookmarks: Int
    public var fileBytes: Int64
    public var journalMode: String
}
