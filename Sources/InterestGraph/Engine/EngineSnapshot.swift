/// An immutable picture of the engine, published at most every ~50 ms for readers such as
/// the dashboard. Everything a panel shows comes from here; readers never touch the engine.
public struct EngineSnapshot: Sendable, Codable {
    /// Increments with every publish, so a reader can tell when something changed.
    public var sequence: UInt64 = 0

    // MARK: Source and clock

    public var source = SourceStatus()
    /// The graph clock (seconds since the epoch, sim time for the simulator).
    public var clock: Double = 0
    public var isPaused = false

    // MARK: Counters

    public var statistics = GraphStatistics(users: 0, items: 0, categories: 0, brands: 0, entities: 0, edges: 0, userItemEdges: 0, events: 0, firstTimestamp: nil, lastTimestamp: nil)
    /// Events ingested per wall-clock second, averaged over the last second or so.
    public var eventsPerSecond: Double = 0
    /// Model updates (online steps + batch samples) per wall-clock second.
    public var updatesPerSecond: Double = 0
    /// Counts the event-rate measurements (one per ~1 s window): histories of the rates
    /// take one sample when it changes, not one per snapshot (20 copies of each value).
    public var rateSamples: Int = 0
    public var trainingStep = 0
    /// Fractional epochs over the replay buffer.
    public var epoch: Double = 0

    // MARK: Training

    /// Recent batch losses, oldest first (bounded).
    public var loss: [MetricPoint] = []
    /// Rolling prequential (test-then-learn) metrics over the last scored events.
    public var prequential = PrequentialStatus()
    public var prequentialHistory: [PrequentialPoint] = []
    /// Every tunable value with its current setting and range.
    public var tunables: [Tunable] = []
    /// Hyperparameter changes and divergence-guard actions, oldest first.
    public var changes: [ChangeRecord] = []

    // MARK: Events

    /// The last events, newest last (bounded).
    public var recentEvents: [EventLine] = []

    // MARK: Interest changes

    /// The latest detected interest changes, newest first (bounded; see ``ChangeTracker``).
    public var interestChanges: [NamedInterestChange] = []
    /// Changes detected since the start.
    public var changesDetected = 0
    /// The answer to the last ``EngineCommand/listDormant(factor:)``.
    public var dormant: DormantListView?

    // MARK: Selection

    public var selectedUser: UserView?
    public var audience: AudienceView?
    public var neighbourhood: NeighbourhoodView?

    /// The engine's answer to the last command that needed one ("no user 'x'"), if any.
    public var message: String?
    /// Counts the engine's answers: a reader shows ``message`` again when this changes, so a
    /// repeated answer ("no user 'x'" twice) is seen twice.
    public var messageCount: Int = 0

    /// Users worth a look, most interesting first (highest current drift score among users
    /// with enough history); the dashboard's demo tour and its first selection use them.
    public var demoCandidates: [String] = []

    /// Ids matching the last ``EngineCommand/complete(prefix:kind:)``, if one was asked.
    public var completion: IdCompletion?

    public init() {}
}

public struct SourceStatus: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case simulation, replay, idle, stream }
    public var kind: Kind = .idle
    /// "scenario default.toml (seed 7)" or "ml-100k".
    public var name = ""
    /// Multiple of real time; 0 = as fast as possible.
    public var speed: Double = 1
    public var position = 0
    /// Total events when known (replay).
    public var total: Int?
    public var isFinished = false
    /// A live stream's connection, lag per partition and rejected entries; `nil` for files
    /// and the simulator.
    public var stream: StreamStatus?
    public init() {}
}

public struct MetricPoint: Sendable, Hashable, Codable {
    public var step: Int
    public var value: Float
    /// Events the graph had ingested then: the axis another run's curves align on.
    public var events: Int
    public init(step: Int, value: Float, events: Int = 0) {
        self.step = step
        self.value = value
        self.events = events
    }
}

public struct PrequentialStatus: Sendable, Hashable, Codable {
    public var hitRate10: Double = 0
    public var mrr: Double = 0
    /// Events scored in the rolling window / in total.
    public var windowCount = 0
    public var scored = 0
    public init() {}
}

public struct PrequentialPoint: Sendable, Hashable, Codable {
    public var step: Int
    public var hitRate10: Float
    public var mrr: Float
    /// Events the graph had ingested then (see ``MetricPoint/events``).
    public var events: Int
    public init(step: Int, hitRate10: Float, mrr: Float, events: Int = 0) {
        self.step = step
        self.hitRate10 = hitRate10
        self.mrr = mrr
        self.events = events
    }
}

/// A value the user can tune live, described as data so the dashboard needs no knowledge
/// of the model's types.
public struct Tunable: Sendable, Hashable, Codable {
    public var key: String
    public var label: String
    public var value: Double
    public var minimum: Double
    public var maximum: Double
    /// Multiplicative steps (learning rate, L2) move by `step` as a factor; additive ones add it.
    public var step: Double
    public var isMultiplicative: Bool
    /// printf-style format for display, such as "%.4f" or "%.0f".
    public var format: String
    /// Takes effect only after a model reset (embedding size).
    public var needsReset: Bool
    public init(key: String, label: String, value: Double, minimum: Double, maximum: Double, step: Double, isMultiplicative: Bool, format: String, needsReset: Bool = false) {
        self.key = key
        self.label = label
        self.value = value
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.isMultiplicative = isMultiplicative
        self.format = format
        self.needsReset = needsReset
    }
}

public struct ChangeRecord: Sendable, Hashable, Codable {
    public enum Origin: String, Sendable, Hashable, Codable { case user, divergenceGuard, reset }
    public var step: Int
    /// Wall-clock time of the change.
    public var time: Double
    public var key: String
    public var oldValue: Double
    public var newValue: Double
    public var origin: Origin
    /// Human-readable note ("loss was NaN: rolled back to step 1200, learning rate halved").
    public var note: String
    public init(step: Int, time: Double, key: String, oldValue: Double, newValue: Double, origin: Origin, note: String) {
        self.step = step
        self.time = time
        self.key = key
        self.oldValue = oldValue
        self.newValue = newValue
        self.origin = origin
        self.note = note
    }
}

public struct EventLine: Sendable, Hashable, Codable {
    public var timestamp: Double
    public var user: String
    public var item: String
    public var action: Action
    /// The item's first category, when known.
    public var category: String?
    public init(timestamp: Double, user: String, item: String, action: Action, category: String?) {
        self.timestamp = timestamp
        self.user = user
        self.item = item
        self.action = action
        self.category = category
    }
}

/// Everything the dashboard shows about the selected user.
public struct UserView: Sendable, Hashable, Codable {
    public var id: String
    public var events: Int
    public var lastSeen: Double?
    public var dormancy: Dormancy?
    /// Category shares now, largest first.
    public var interests: [ShareLine]
    /// Category shares one drift window ago, for "now vs then".
    public var interestsBefore: [ShareLine]
    /// Ground truth for simulated users: their true mixture now.
    public var trueInterests: [ShareLine]?
    public var drift: DriftView
    public var recommendations: [RecommendationLine]
    /// The user's graph node, so the dashboard can browse its neighbourhood when it becomes
    /// the selected user (`nil` when the engine does not say).
    public var node: NodeRef?
    public init(id: String, events: Int, lastSeen: Double?, dormancy: Dormancy?, interests: [ShareLine], interestsBefore: [ShareLine], trueInterests: [ShareLine]?, drift: DriftView, recommendations: [RecommendationLine], node: NodeRef? = nil) {
        self.id = id
        self.events = events
        self.lastSeen = lastSeen
        self.dormancy = dormancy
        self.interests = interests
        self.interestsBefore = interestsBefore
        self.trueInterests = trueInterests
        self.drift = drift
        self.recommendations = recommendations
        self.node = node
    }
}

public struct ShareLine: Sendable, Hashable, Codable {
    public var name: String
    public var share: Double
    public init(name: String, share: Double) {
        self.name = name
        self.share = share
    }
}

/// A user's interest history: category shares per time bucket and drift scores.
public struct DriftView: Sendable, Hashable, Codable {
    /// Row labels of the heatmap (the categories that matter for this user).
    public var categories: [String]
    /// Bucket end times, oldest first.
    public var bucketTimes: [Double]
    /// `shares[row][bucket]` in 0...1.
    public var shares: [[Float]]
    /// True shares for simulated users, same layout, or empty.
    public var trueShares: [[Float]]
    /// Jensen-Shannon drift score per bucket (0...1), same length as `bucketTimes`.
    public var scores: [Float]
    /// Buckets flagged as change points.
    public var changePoints: [Int]
    /// Current Jensen-Shannon divergence between the recent and the older profile.
    public var divergence: Double
    /// Cosine shift of the user's embedding over the same window (0 = unchanged).
    public var embeddingShift: Double
    public var gained: [String]
    public var lost: [String]
    /// Interest changes the detector reported for this user, oldest first (``ChangeDetector``).
    public var detectedChanges: [NamedInterestChange] = []
    /// The change test's statistic now and its alarm threshold, in nats (0 and 0 when unknown).
    public var changeStatistic: Double = 0
    public var changeThreshold: Double = 0
    public init(categories: [String] = [], bucketTimes: [Double] = [], shares: [[Float]] = [], trueShares: [[Float]] = [], scores: [Float] = [], changePoints: [Int] = [], divergence: Double = 0, embeddingShift: Double = 0, gained: [String] = [], lost: [String] = []) {
        self.categories = categories
        self.bucketTimes = bucketTimes
        self.shares = shares
        self.trueShares = trueShares
        self.scores = scores
        self.changePoints = changePoints
        self.divergence = divergence
        self.embeddingShift = embeddingShift
        self.gained = gained
        self.lost = lost
    }
}

public struct RecommendationLine: Sendable, Hashable, Codable {
    public var item: String
    public var title: String?
    public var score: Float
    public var category: String?
    /// "you purchased X -> same brand -> Y", or "similar to X you viewed".
    public var explanation: String
    /// Positions moved up (positive) or down since the previous refresh; `nil` = new in the list.
    public var rankChange: Int?
    /// Set when the user went on to interact with this item after it was recommended (replay).
    public var hit: Bool
    public init(item: String, title: String?, score: Float, category: String?, explanation: String, rankChange: Int?, hit: Bool) {
        self.item = item
        self.title = title
        self.score = score
        self.category = category
        self.explanation = explanation
        self.rankChange = rankChange
        self.hit = hit
    }
}

public struct AudienceView: Sendable, Hashable, Codable {
    public var item: String
    public var title: String?
    public var users: [AudienceLine]
    public init(item: String, title: String?, users: [AudienceLine]) {
        self.item = item
        self.title = title
        self.users = users
    }
}

public struct AudienceLine: Sendable, Hashable, Codable {
    public var user: String
    public var score: Float
    /// The user's top category, for context.
    public var topInterest: String?
    public init(user: String, score: Float, topInterest: String?) {
        self.user = user
        self.score = score
        self.topInterest = topInterest
    }
}

/// The graph around one node, for browsing.
public struct NeighbourhoodView: Sendable, Hashable, Codable {
    public var center: NodeLine
    public var rows: [NeighbourLine]
    public init(center: NodeLine, rows: [NeighbourLine]) {
        self.center = center
        self.rows = rows
    }
}

public struct NodeLine: Sendable, Hashable, Codable {
    public var node: NodeRef
    public var name: String
    /// A title or extra detail ("Toy Story (1995)", "312 items").
    public var detail: String?
    public init(node: NodeRef, name: String, detail: String?) {
        self.node = node
        self.name = name
        self.detail = detail
    }
}

public struct NeighbourLine: Sendable, Hashable, Codable {
    public var target: NodeLine
    /// Action name for user-item edges, "category", "brand", a KG relation...
    public var relation: String
    public var strength: Double
    /// Seconds since the edge was last reinforced (user-item edges), else nil.
    public var age: Double?
    public var count: Int
    public init(target: NodeLine, relation: String, strength: Double, age: Double?, count: Int) {
        self.target = target
        self.relation = relation
        self.strength = strength
        self.age = age
        self.count = count
    }
}

/// The dashboard's view of a running engine: latest snapshot out, commands in.
/// The real `Engine` conforms; tests use a fixed snapshot.
public protocol EngineConnection: AnyObject, Sendable {
    /// The latest published snapshot. Never blocks on the engine's work.
    func snapshot() -> EngineSnapshot
    /// Queues a command. Never blocks.
    func send(_ command: EngineCommand)
    /// Who holds control when several dashboards share one engine (`driftscope attach`);
    /// `nil` for an engine in this process (see ``EngineAttachment``).
    var attachment: EngineAttachment? { get }
    /// Asks to become the dashboard in control (a shared engine); does nothing otherwise.
    func requestControl()
    /// Calls `observer` after every snapshot this connection publishes, on the publishing
    /// thread (so it must return at once, e.g. by scheduling work elsewhere), for as long as
    /// the connection lives. Returns false when the connection cannot tell, and the caller
    /// polls ``snapshot()`` instead.
    func whenPublished(_ observer: @escaping @Sendable () -> Void) -> Bool
}

extension EngineConnection {
    /// Not observable: callers poll.
    public func whenPublished(_ observer: @escaping @Sendable () -> Void) -> Bool { false }
}

/// Ids that start with a prefix: what the dashboard's `/` prompt suggests as you type.
public struct IdCompletion: Sendable, Hashable, Codable {
    /// Matches published at most.
    public static let limit = 8

    public var prefix: String
    public var kind: NodeKind
    /// The first matches in id order (byte-wise, so "u10" before "u9"), at most ``limit``.
    public var matches: [String]
    /// How many ids match.
    public var total: Int

    public init(prefix: String, kind: NodeKind, matches: [String], total: Int) {
        self.prefix = prefix
        self.kind = kind
        self.matches = matches
        self.total = total
    }
}
