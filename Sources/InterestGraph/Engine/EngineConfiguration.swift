import Synchronization
import Foundation

/// Settings of a running ``Engine``.
public struct EngineConfiguration: Sendable {
    /// The model the engine runs (the best one on ml-100k by default; see docs/EVALUATION.md).
    public var model: ModelKind = .lightGCN
    /// The model's starting hyperparameters (tunable live through commands).
    public var hyperparameters = Hyperparameters()
    /// Replay speed (multiple of real time; 0 = as fast as possible).
    public var speed: Double = ReplayClock<AnyEventSource>.defaultDemoSpeed
    /// Start paused (the dashboard's `--paused`, tests).
    public var startPaused = false
    /// User selected at start; `nil` picks an active user once events flow.
    public var initialUser: String?
    /// Whether the engine selects the newest event's user whenever no user is selected (the
    /// dashboard's opening view). Engines that split a replay leave it to one of them: a
    /// dashboard shows one engine's user screens, and each selection is a user view built
    /// at every publish (3% of an engine thread on the `large` shop, for a view nobody read).
    package var selectsNewestUser = true
    /// Seconds between snapshot publishes.
    public var publishInterval: Double = 0.05
    /// Longest stretch of work between looks at the command queue, seconds.
    public var sliceSeconds: Double = 0.01
    /// Recommendations published for the selected user.
    public var recommendationCount = 20
    /// Users published for the selected item's audience.
    public var audienceCount = 20
    /// Events kept for the Events panel.
    public var recentEventCount = 64
    /// Loss points kept (thinned to half resolution when full).
    public var lossHistoryCapacity = 1_024
    /// Events in the rolling prequential window.
    public var prequentialWindow = 2_000
    /// Largest share of ingest time spent scoring events prequentially (the rest is sampled out).
    ///
    /// A tenth: an exact rank costs O(catalogue) (about 1 ms at 100k items while a replay
    /// keeps the caches busy, half of it copying changed item rows into the scoring blocks),
    /// and at a quarter ranks took an eighth of a full-speed replay's engine thread on the
    /// large shop. At a tenth that replay scores about 20 events a second instead of 55
    /// (docs/BENCHMARKS.md, "Hints ahead of the event, and a tenth for prequential scoring"); on
    /// ml-100k's small catalogue the share never binds and the count is unchanged.
    public var prequentialBudget = 0.1
    /// Largest share of the engine's CPU time that background training takes while events
    /// are waiting (a full-speed replay). Training then runs in the slices between, so
    /// ingest never stalls behind it; when the source waits (a paced replay, a pause step)
    /// training uses the idle time without limit. `nil`: ``loneTrainingShare`` for an
    /// engine alone, ``splitTrainingShare`` for engines that split a file (which also count
    /// their drawing threads, ``countsDrawingThread``).
    public var trainingShare: Double?
    /// Whether the CPU time of the thread that draws the next sampled batch
    /// (``TrainingStep/helperCPUSeconds``) counts in the training share: set for engines
    /// that split a file, whose drawing threads take their time from the other engine and
    /// the reader; an engine alone draws on a core its ingest does not use.
    public var countsDrawingThread = false
    /// The default share of an engine alone.
    public static let loneTrainingShare = 0.2
    /// The default share of engines that split a file, drawing threads counted: as many
    /// batches on the large replay as a wall-time share of 0.2 trained before batches were
    /// drawn in passes, in a tenth less time (docs/BENCHMARKS.md, "Batches drawn in passes").
    public static let splitTrainingShare = 0.1
    /// How old the cold-item serving vectors may be while the model moves, seconds (see
    /// `ServingCache.allowStaleColdTable`): rebuilding them per dashboard refresh and per
    /// prequential score is O(catalogue) each time.
    public var coldTableMaxAge = 5.0
    /// Drift history settings.
    public var history = ProfileHistory.Configuration.default
    public var drift = DriftSettings()
    /// The per-user interest change test (tunable live: threshold and time scales).
    public var changeDetection = ChangeDetectorSettings.default
    /// Makes the recorder on the engine thread (a workspace belongs to one thread); `nil`
    /// records nothing. A recorder that throws stops recording, never the engine.
    public var makeRecorder: (@Sendable () throws -> any RunRecorder)?
    /// Wall seconds between model checkpoints while recording (one is also written on exit).
    public var checkpointInterval: Double = 60
    /// Wall seconds between points of the recorded metrics timeline.
    public var metricsInterval: Double = 1
    /// Continue a recorded run instead of starting fresh.
    public var resume: ResumePlan?
    /// Engines that split a stream's users share their item rows through this (`nil`: one
    /// engine, nothing shared). See ``ItemSyncChannel``.
    package var itemSync: (any ItemSyncChannel)?
    /// With ``itemSync``: also share popularity and co-visitation counts (`serve
    /// --no-sync-counts` turns it off, to measure what they add).
    public var shareCounts = true
    /// Score exactly every S-th eligible event prequentially (protocol B sampled, S from
    /// 1) over the whole run instead of the rolling, time-budgeted window: what `serve
    /// --prequential-every` measures with, so runs of one engine and of several compare.
    public var prequentialSampleEvery: Int?
    /// One background training batch per this many ingested events, and none on idle time
    /// (`nil`: the time-based share, ``trainingShare``): a schedule that does not depend on
    /// how fast the machine is, so one engine and several that split the events compare.
    public var trainEveryEvents: Int?
    /// How background batches see the graph (`nil`: the model's default, automatic). An
    /// engine that owns partitions of a stream (`serve --own`) sets `.sampled`: the automatic
    /// switch follows the engine's own graph, so an engine holding half the users would
    /// train on whole-graph batches for twice as many events as one engine holding all of
    /// them (docs/SCALE-OUT.md §3), and a whole-graph batch's optimiser steps every item row,
    /// which would put the whole item table into every exchange.
    public var trainingMode: TrainingMode?
    /// Sampled training batches draw the next batch on the second core while this one
    /// trains (``EmbeddingModel/drawsAhead``): the engine thread spends the larger of drawing
    /// and training per batch instead of their sum. Whole-graph batches are not affected.
    public var drawsBatchesAhead = true

    public init() {}
}

/// Where the engine's events come from.
public enum SourceSpecification: Sendable {
    /// The shop simulator on a scenario file (`nil`: the bundled default scenario).
    case scenario(path: String?, seed: UInt64?)
    /// A dataset file, directory or name (`ml-100k`) replayed in time order, from its first
    /// events while the rest is still being read (``StreamingReplaySource``).
    case dataset(String)
    /// Events already in memory (tests, scripts).
    case events(name: String, events: [Event], catalogue: ItemCatalogue)
    /// A source made outside the engine module (a live stream): `open` is called once, by
    /// ``Engine/init(configuration:source:)``, and may throw (a server that cannot be reached).
    case custom(name: String, open: @Sendable () throws -> AnyEventSource)

    /// A dataset read whole before its first event is replayed (``CompactReplaySource``; the
    /// same events, in the same order, as ``dataset(_:)``, which streams), telling `progress`
    /// (bytes read, bytes in all, on the reading thread) how the reading goes.
    public static func dataset(_ pathOrName: String, progress: @escaping @Sendable (Int64, Int64) -> Void) -> SourceSpecification {
        .custom(name: pathOrName) { try openDataset(pathOrName, options: ReadOptions(progress: progress)) }
    }

    static func openDataset(_ pathOrName: String, options: ReadOptions = .init()) throws -> AnyEventSource {
        // Compact columns, not an `Event` array: a 23 M-event log is 0.7 GB instead of 3.5.
        let source = try CompactReplaySource(pathOrName: pathOrName, options: options)
        guard source.totalCount ?? 0 > 0 else { throw EngineError(message: "\(pathOrName): no events to replay") }
        return AnyEventSource(source)
    }

    /// Opens the source, failing with a readable error before any thread starts.
    func open() throws -> AnyEventSource {
        switch self {
        case .scenario(let path, let seed):
            var scenario = try Scenario.load(path ?? "default")
            if let seed { scenario.seed = seed }
            return AnyEventSource(SimulationSource(scenario: scenario))
        case .dataset(let pathOrName):
            // Streamed: the replay starts while the file is still being read.
            let source = try StreamingReplaySource(pathOrName: pathOrName)
            return AnyEventSource(source)
        case .events(let name, let events, let catalogue):
            return AnyEventSource(ArrayEventSource(name: name, events: events, catalogue: catalogue))
        case .custom(_, let open):
            return try open()
        }
    }
}

/// What a resumed run starts from: the logged events (replayed into graph and model), the
/// source position to continue from, and the last model checkpoint.
public struct ResumePlan: Sendable {
    /// Events the source had handed out when the log ends; the source skips this many.
    public var sourcePosition: Int64
    /// Calls `body` with every logged event, in pages of numbers (``LoggedEventPage``) and
    /// the names they stand for, in position order.
    package var replay: @Sendable (_ body: (LoggedEventPage, LoggedEventNames) throws -> Void) throws -> Void
    /// The checkpoint to load, possibly still being read (``PendingCheckpoint``).
    public var checkpoint: PendingCheckpoint?

    package init(sourcePosition: Int64, pendingCheckpoint: PendingCheckpoint?, replay: @escaping @Sendable (_ body: (LoggedEventPage, LoggedEventNames) throws -> Void) throws -> Void) {
        self.sourcePosition = sourcePosition
        self.checkpoint = pendingCheckpoint
        self.replay = replay
    }

    /// A plan over events held in memory (`events[k]` at position `k`), numbered here.
    package init(sourcePosition: Int64, checkpoint: ModelCheckpoint?, events: [Event]) {
        self.init(sourcePosition: sourcePosition, pendingCheckpoint: checkpoint.map(PendingCheckpoint.init(loaded:)), events: events)
    }

    /// A plan over events held in memory (`events[k]` at position `k`), numbered here.
    package init(sourcePosition: Int64, pendingCheckpoint: PendingCheckpoint?, events: [Event]) {
        self.init(sourcePosition: sourcePosition, pendingCheckpoint: pendingCheckpoint) { body in
            var numbering = EventNumbering()
            var page = LoggedEventPage()
            for (k, event) in events.enumerated() { numbering.append(event, at: Int64(k), to: &page) }
            try body(page, numbering.names)
        }
    }
}

/// A checkpoint read on a thread of its own while the engine replays the log before it.
///
/// At a million users a checkpoint is a gigabyte of tables: reading it took seconds before
/// the engine started, and the plan kept it for the whole run. What the replay needs first,
/// where the checkpoint is and whether it holds final tables, is known at once; the tables
/// are waited for where they are loaded, and handed out once (``take()``), so nothing keeps
/// them after they are in the model.
public final class PendingCheckpoint: Sendable {
    /// Events of the log the checkpoint covers.
    public let sourcePosition: Int64
    /// Whether it holds the final tables (``EmbeddingModel/hasFinals(_:)``).
    public let hasFinals: Bool
    private let state: Mutex<Result<ModelCheckpoint?, EngineError>?>
    private let ready = DispatchSemaphore(value: 0)

    /// A checkpoint already in memory.
    public init(loaded checkpoint: ModelCheckpoint) {
        sourcePosition = checkpoint.sourcePosition
        hasFinals = EmbeddingModel.hasFinals(checkpoint.tables.keys)
        state = Mutex(.success(checkpoint))
        ready.signal()
    }

    /// Starts `load` on a new thread. `tableNames` are the checkpoint's, read with its row.
    public init(sourcePosition: Int64, tableNames: some Sequence<String>, load: @escaping @Sendable () throws -> ModelCheckpoint?) {
        self.sourcePosition = sourcePosition
        hasFinals = EmbeddingModel.hasFinals(tableNames)
        state = Mutex(nil)
        let thread = Thread { [self] in
            let result: Result<ModelCheckpoint?, EngineError>
            do { result = .success(try load()) } catch { result = .failure(EngineError(message: "\(error)")) }
            state.withLock { $0 = result }
            ready.signal()
        }
        thread.name = "driftscope.checkpoint"
        thread.start()
    }

    /// Waits for the read, then hands the checkpoint out and forgets it (`nil` after the
    /// first call, or when the run has none).
    public func take() -> Result<ModelCheckpoint?, EngineError> {
        ready.wait()
        defer { ready.signal() }
        return state.withLock { state in
            defer { state = .success(nil) }
            return state ?? .success(nil)
        }
    }
}

public struct EngineError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
