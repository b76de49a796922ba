/// The live heterogeneous interest graph: users, items, categories, brands and
/// knowledge-graph entities, with time-decayed user-item edges.
///
/// Storage is struct-of-arrays indexed by dense ids (see ``Interner``), so that models can
/// read strengths and adjacency without per-edge objects. User-item edges keep the decayed
/// strength as *(value, reference time)* and decay on read; re-weighting an edge brings the
/// value forward to the newer time first.
///
/// ```swift
/// var graph = HeteroGraph()
/// graph.apply(Event(user: "u1", item: "i9", action: .purchase, timestamp: 1_700_000_000))
/// let top = graph.neighbours(of: NodeRef(.user, 0), kind: .item)
/// ```
public struct HeteroGraph: Sendable {
    // MARK: Configuration

    public var decay: DecayPolicy
    public var actionWeights: ActionWeights

    /// The graph clock: the largest timestamp seen. Out-of-order events never move it back.
    public internal(set) var now: Double = 0

    // MARK: Identifiers

    var users = Interner()
    var items = Interner()
    var categories = Interner()
    var brands = Interner()
    var entities = Interner()
    var relations = Interner()

    // MARK: User-item edges (struct of arrays, indexed by edge id)

    var edgeUser: [Int32] = []
    var edgeItem: [Int32] = []
    /// Strength, times, count and actions of each edge, one 32-byte record on one cache line.
    var edgeStates = AlignedBuffer<EdgeState>()
    var freeEdges: [Int32] = []
    /// `user << 32 | item` to edge id, for users with more than `scanDegree` edges only
    /// (lighter users are found by scanning `userEdges`). Look edges up with `edgeID(user:item:)`.
    var edgeIndex = EdgeIndex()
    var liveEdgeCount = 0

    // MARK: Per user

    var userEdges: [[Int32]] = []
    /// The same lists' items (`userItems[u][k] == edgeItem[userEdges[u][k]]`, kept in
    /// lockstep): finding a user's edge to an item scans these contiguous ids instead of
    /// reading `edgeItem` at each listed edge, one scattered cache line per edge (the
    /// largest per-event cost of the graph at a million users). 4 bytes an edge.
    var userItems: [[Int32]] = []
    /// First/last seen and session rhythm, packed so an event touches one cache line.
    /// Its event count lives here too (in what was padding): one line less per event.
    var userActivity: [UserActivity] = []
    var userActive: [Bool] = []

    // MARK: Per item

    var itemEdges: [[Int32]] = []
    var itemCategories: [[Int32]] = []
    var itemBrand: [Int32] = []
    var itemPrice: [Float] = []
    var itemEntities: [[Int32]] = []
    /// Decayed popularity and first seen, packed like `userActivity`.
    var itemActivity: [ItemActivity] = []
    var itemEventCount: [UInt32] = []
    var itemActive: [Bool] = []
    /// The source attribute set (``EventKeys``: space << 32 | set) applied to the item last
    /// through ``apply(_:keys:)``, 0 when none or when anything else was applied since: lets
    /// a replay skip the set its rows repeat (see ``apply(_:user:isNewUser:item:isNewItem:attributeKey:)``).
    var itemAttributeKey: [UInt64] = []
    /// `itemCategories[i].first ?? -1`, flat: the engine reads it per event (the Events panel
    /// and the change detector), and the per-item list is a heap buffer of its own, a miss to
    /// memory at 100k items (3% of a replay, perf).
    var itemFirstCategory: [Int32] = []
    var itemTitles: [Int32: String] = [:]
    /// Listed items not on sale yet, latest launch first (the next one is `last`).
    var pendingLaunches: [PendingLaunch] = []

    // MARK: Side nodes

    var categoryItems: [[Int32]] = []
    var brandItems: [[Int32]] = []
    var entityItems: [[Int32]] = []
    var entityLinks: [[EntityLink]] = []
    var entityEdgeCount = 0

    /// Totals for the ingest summary.
    public internal(set) var eventsApplied = 0
    /// A fresh ``ServingStamp`` whenever the catalogue side of the graph changes (items
    /// added, launched or delisted, their categories, brands and knowledge-graph links): the
    /// key, with the model's, of cached cold-item vectors.
    var catalogueStamp = ServingStamp.next()
    public internal(set) var firstTimestamp: Double = .infinity
    public internal(set) var lastTimestamp: Double = -.infinity

    /// A session boundary: gaps longer than this count towards the user's typical gap.
    public static let sessionGap: Double = 30 * 60

    public init(decay: DecayPolicy = .default, actionWeights: ActionWeights = .default) {
        self.decay = decay
        self.actionWeights = actionWeights
    }
}

/// A user's activity: when they were first and last seen and their rhythm between sessions.
struct UserActivity: Sendable, Hashable {
    var firstSeen: Double = .infinity
    var lastSeen: Double = -.infinity
    /// Running mean of gaps between sessions (gaps over `sessionGap`), seconds; 0 when unknown.
    var typicalGap: Double = 0
    var sessionGaps: UInt32 = 0
    /// Events applied (what ``HeteroGraph/eventCount(ofUser:)`` reports); fills the
    /// record's padding, so it stays 32 bytes.
    var eventCount: UInt32 = 0
}

/// One user-item edge's running state in one 32-byte record: an event on an existing edge
/// reads and writes all of it, and a training draw reads its strength and time, where six
/// columns cost six cache lines at a million users. Kept in an ``AlignedBuffer`` so no record
/// straddles two lines. All-zero bytes (a freed or padding slot) read as an empty edge.
struct EdgeState: Sendable, Hashable, BitwiseCopyable {
    /// Strength at `time`.
    var value: Float
    /// Events on the edge.
    var count: UInt32
    /// Reference time of `value`: the latest event time on the edge.
    var time: Double
    /// Time of the edge's first event.
    var first: Double
    /// `Action.rawValue` of the latest event.
    var lastAction: UInt8
    /// Bit set of `Action.rawValue`s seen on this edge.
    var actions: UInt8
}

/// An item's decayed popularity (value at `popularityTime`) and first appearance.
struct ItemActivity: Sendable, Hashable {
    var popularityTime: Double = 0
    var firstSeen: Double = .infinity
    var popularity: Float = 0
}

/// One knowledge-graph edge as seen from an entity.
struct EntityLink: Sendable, Hashable {
    var relation: Int32
    var entity: Int32
    /// `true` when this entity is the head of the triple.
    var outgoing: Bool
}

/// What applying one event did, for the model's incremental update.
public struct EventApplication: Sendable, Hashable {
    public var user: Int32
    public var item: Int32
    public var edge: Int32
    public var weight: Float
    public var isNewUser: Bool
    public var isNewItem: Bool
    public var isNewEdge: Bool
}

/// An item of the catalogue that goes on sale at `time` (see ``ItemCatalogue/launches``).
struct PendingLaunch: Sendable, Hashable {
    var time: Double
    var item: Int32
}
