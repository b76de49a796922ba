/// Receives what a running engine does, so it can be persisted and resumed.
///
/// The Workspace module implements it over SQLite; the engine only knows this protocol, so the
/// engine module never depends on a database. Methods are called on the engine thread, in
/// order; implementations batch writes into transactions. A thrown error stops recording (the
/// engine reports it through ``EngineSnapshot/message``) but never stops the engine.
public protocol RunRecorder: AnyObject {
    /// Events as ingested, in order, as the graph's dense ids with the source position each
    /// came from (0-based count of events the source had handed out before it), plus the
    /// names interned since the previous slice. Called once per engine slice (also for a
    /// slice with name changes and no events). Must return quickly: the engine thread waits.
    func record(slice: InternedSlice) throws
    /// A hyperparameter change, a divergence-guard action or a model reset.
    func record(change: ChangeRecord) throws
    /// One point of the metrics timeline (the engine calls this at a bounded rate).
    func record(metrics: RunMetricsPoint) throws
    /// A model checkpoint (periodically and on exit).
    func save(checkpoint: ModelCheckpoint) throws
    /// The run ended cleanly.
    func finish(at wallTime: Double) throws
    /// The source's item catalogue (attributes, knowledge-graph links and facts), once when
    /// recording starts: what the events alone do not say, kept so the run can be exported
    /// and read back to the same graph.
    func record(catalogue: ItemCatalogue) throws
}

extension RunRecorder {
    /// Recorders that keep no catalogue (test doubles) ignore it.
    public func record(catalogue: ItemCatalogue) throws {}
}

/// An event with its source position, as a workspace log stores and returns it.
public struct RecordedEvent: Sendable, Hashable {
    /// The source position: events handed out by the source before this one.
    public var position: Int64
    public var event: Event
    public init(position: Int64, event: Event) {
        self.position = position
        self.event = event
    }
}

public struct RunMetricsPoint: Sendable, Hashable {
    public var step: Int
    /// Wall-clock seconds since the epoch.
    public var wallTime: Double
    /// Sim time (graph clock).
    public var clock: Double
    public var loss: Float?
    public var hitRate10: Double
    public var mrr: Double
    public var eventsPerSecond: Double
    public var events: Int
    public init(step: Int, wallTime: Double, clock: Double, loss: Float?, hitRate10: Double, mrr: Double, eventsPerSecond: Double, events: Int) {
        self.step = step
        self.wallTime = wallTime
        self.clock = clock
        self.loss = loss
        self.hitRate10 = hitRate10
        self.mrr = mrr
        self.eventsPerSecond = eventsPerSecond
        self.events = events
    }
}

/// Model state at one training step: embedding tables and optimiser state as flat arrays,
/// with the ids that give their rows meaning.
public struct ModelCheckpoint: Sendable {
    public var step: Int
    public var graphClock: Double
    /// Events of the log covered by this checkpoint (source position of the next event).
    public var sourcePosition: Int64
    /// Hyperparameters as JSON.
    public var hyperparameters: [UInt8]
    /// Named tables: "user", "item", "category", ... and optimiser moments ("adam.m.user", ...).
    public var tables: [String: [Float]]
    /// External ids by dense id ("" for forgotten users), so rows can be matched on resume
    /// and erased by `forget`.
    public var userIDs: [String]
    public var itemIDs: [String]
    public init(step: Int, graphClock: Double, sourcePosition: Int64, hyperparameters: [UInt8], tables: [String: [Float]], userIDs: [String], itemIDs: [String]) {
        self.step = step
        self.graphClock = graphClock
        self.sourcePosition = sourcePosition
        self.hyperparameters = hyperparameters
        self.tables = tables
        self.userIDs = userIDs
        self.itemIDs = itemIDs
    }
}
