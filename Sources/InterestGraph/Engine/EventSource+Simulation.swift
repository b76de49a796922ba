/// The shop simulator as an event source, with its ground truth.
///
/// Events carry no attributes: the catalogue (every item, including those launched later)
/// is loaded up front from ``catalogue``, whose ``ItemCatalogue/launches`` hold the later
/// items back until the replay's clock reaches their launch.
///
/// Each event carries the simulator's own user and item numbers as ``EventKeys``, as a file
/// replay's do: the engine finds the graph's ids by array lookup instead of hashing two names,
/// and asks for the rows the event will touch before it applies it (docs/ARCHITECTURE.md,
/// "A replay hashes no name per event").
public struct SimulationSource: EventSource {
    public let world: ShopWorld
    public let catalogue: ItemCatalogue
    private var simulator: ShopSimulator
    private var pending: SimulatedEvent?
    /// The key space of the world's user and item numbers (a name per number, fixed for the
    /// world, so a restart keeps it; the engine checks every keyed id against the name).
    private let keySpace = EventKeys.newSpace()
    public private(set) var position = 0

    public init(world: ShopWorld) {
        self.world = world
        catalogue = world.itemCatalogue
        simulator = ShopSimulator(world: world)
    }

    public init(scenario: Scenario) {
        self.init(world: ShopWorld(scenario: scenario))
    }

    public var name: String { "scenario \(world.scenario.name) (seed \(world.scenario.seed))" }
    public var kind: SourceStatus.Kind { .simulation }
    public var totalCount: Int? { nil }
    public var groundTruth: GroundTruth? { world.truth }
    public var warmupEnd: Double? { world.warmupEnd }

    public mutating func peekTime() -> Double? {
        if pending == nil { pending = simulator.next() }
        return pending.map { Double($0.time) }
    }

    /// - Complexity: O(log users); the id strings are shared, not built.
    public mutating func next() -> Event? {
        let compact: SimulatedEvent
        if let p = pending {
            compact = p
            pending = nil
        } else {
            guard let e = simulator.next() else { return nil }
            compact = e
        }
        position += 1
        var event = Event(
            user: world.userID(Int(compact.user)), item: world.itemID(Int(compact.item)),
            action: compact.action, timestamp: Double(compact.time),
            value: compact.action == .purchase ? Double(compact.quantity) : nil)
        event.keys = EventKeys(space: keySpace, user: Int32(compact.user), item: Int32(compact.item), attributes: 0)
        return event
    }

    public mutating func restart() {
        simulator.restart()
        pending = nil
        position = 0
    }
}
