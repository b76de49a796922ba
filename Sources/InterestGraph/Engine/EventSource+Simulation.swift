/// The shop simulator as an event source, with its ground truth.
///
/// Events carry no attributes: the catalogue (every item, including those launched later)
/// is loaded up front from ``catalogue``, whose ``ItemCatalogue/launches`` hold the later
/// items back until the replay's clock reaches their launch.
public struct SimulationSource: EventSource {
    public let world: ShopWorld
    public let catalogue: ItemCatalogue
    private var simulator: ShopSimulator
    private var pending: SimulatedEvent?
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
        return Event(
            user: world.userID(Int(compact.user)), item: world.itemID(Int(compact.item)),
            action: compact.action, timestamp: Double(compact.time),
            value: compact.action == .purchase ? Double(compact.quantity) : nil)
    }

    public mutating func restart() {
        simulator.restart()
        pending = nil
        position = 0
    }
}
