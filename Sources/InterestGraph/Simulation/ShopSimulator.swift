import Foundation

/// One simulated interaction in compact form: dense user and item indices into the world.
/// ``ShopWorld/userID(_:)`` and ``ShopWorld/itemID(_:)`` give the external ids.
public struct SimulatedEvent: Sendable, Hashable {
    /// Seconds since the epoch.
    public var time: Int64
    public var user: Int32
    public var item: Int32
    public var action: Action
    /// Units bought, for purchases (1 otherwise).
    public var quantity: UInt8
}

/// Plays a ``ShopWorld`` out as a time-ordered stream of interactions.
///
/// Each user alternates between idle time and sessions. Session starts follow the user's own
/// rate shaped by ``SessionRhythm``; a session picks up to three focus categories from the
/// user's *true mixture at that moment* (so drifts and seasons show up in behaviour), then
/// views items (price tier by the user's price sensitivity, item by Zipf popularity among
/// launched items) and moves some of them down the funnel view -> click -> cart -> purchase.
/// Consumable purchases may come back as a repeat purchase days later. Users arrive at their
/// arrival time and stop for good at their churn time.
///
/// Events come out in (time, user) order, with a min-heap holding each live user's next
/// event, so the stream can be consumed lazily without materialising it.
/// - Complexity: O(log live users) per event, plus O(categories) per session start.
public struct ShopSimulator: Sendable {
    public let world: ShopWorld
    private var rng: SeededGenerator
    private var heap: [Pending] = []
    private let end: Int64

    // Per user session state.
    private var phase: [Phase]
    private var viewsLeft: [Int32]
    private var focus: [Int32]  // 3 per user
    private var currentItem: [Int32]
    /// The last item viewed, so a session does not open the same page twice in a row.
    private var lastItem: [Int32]
    private var boosted: [Bool]
    private var repeatItem: [Int32]
    /// The last four purchases per user (a ring): nobody buys the same sofa twice in a month.
    private var recentPurchases: [Int32]
    private var repeatDue: [Int64]

    // Items on sale by (category, tier), with alias tables over their popularity.
    private var shelves: [[Int32]]
    private var shelfTables: [AliasTable]
    private var nextLaunch: Int
    private var mixture: [Double]

    // Hot per-item and per-user facts, copied out of the world so the event loop reads flat
    // arrays instead of walking nested structs (each hop costs a retain/release pair).
    private let itemConsumable: [Bool]
    private let itemLaunch: [Int64]
    private let userChurn: [Int64]
    private let userRate: [Double]
    private let userSensitivity: [Float]

    private let click: Double
    private let cart: Double
    private let purchase: Double
    private let repeatProbability: Double
    private let repeatMean: Double
    private let viewsMean: Double

    /// Events produced so far.
    public private(set) var produced = 0

    private enum Phase: UInt8 { case sessionStart, view, click, cart, purchase }

    private struct Pending {
        var time: Int64
        var user: Int32
        @inline(__always)
        static func < (a: Pending, b: Pending) -> Bool { a.time != b.time ? a.time < b.time : a.user < b.user }
    }

    public init(world: ShopWorld) {
        self.world = world
        let scenario = world.scenario
        rng = ShopWorld.generator(seed: scenario.seed, .events)
        end = Int64(scenario.end)
        let users = world.userCount
        phase = Array(repeating: .sessionStart, count: users)
        viewsLeft = Array(repeating: 0, count: users)
        focus = Array(repeating: 0, count: users * 3)
        currentItem = Array(repeating: -1, count: users)
        lastItem = Array(repeating: -1, count: users)
        boosted = Array(repeating: false, count: users)
        repeatItem = Array(repeating: -1, count: users)
        recentPurchases = Array(repeating: -1, count: users * 4)
        repeatDue = Array(repeating: .max, count: users)
        mixture = Array(repeating: 0, count: world.catalogue.categoryCount)
        click = scenario.funnel.click
        cart = scenario.funnel.cart
        purchase = scenario.funnel.purchase
        repeatProbability = scenario.funnel.repeatProbability
        repeatMean = scenario.funnel.repeatDays * 86_400
        viewsMean = scenario.users.viewsPerSession

        let catalogue = world.catalogue
        itemConsumable = catalogue.itemCategory.map { catalogue.departmentIsConsumable[catalogue.categoryDepartment[Int($0)]] }
        itemLaunch = catalogue.itemLaunch
        userChurn = world.userChurn
        userRate = world.userSessionRate
        userSensitivity = world.userPriceSensitivity
        shelves = Array(repeating: [], count: catalogue.categoryCount * 3)
        shelfTables = Array(repeating: AliasTable(), count: catalogue.categoryCount * 3)
        nextLaunch = catalogue.initialItemCount
        for i in 0..<catalogue.initialItemCount {
            shelves[Int(catalogue.itemCategory[i]) * 3 + Int(catalogue.itemTier[i])].append(Int32(i))
        }
        for s in shelves.indices { rebuildShelf(s) }

        heap.reserveCapacity(users)
        for u in 0..<users {
            let first: Double
            if u < world.initialUserCount {
                first = SessionRhythm.nextSession(after: scenario.start, perDay: world.userSessionRate[u], rng: &rng)
            } else {
                first = Double(world.userArrival[u])
            }
            let t = Int64(first)
            if t < end && t < world.userChurn[u] { heap.append(Pending(time: t, user: Int32(u))) }
        }
        heap.sort(by: <)  // a sorted array is a valid heap
    }

    /// Starts the same world over from its first event (same seed, same stream).
    public mutating func restart() {
        self = ShopSimulator(world: world)
    }

    // MARK: Stream

    /// The next event in time order, or `nil` at the end of the run.
    /// - Complexity: O(log u) for u users with a pending event.
    public mutating func next() -> SimulatedEvent? {
        while !heap.isEmpty {
            let top = heap[0]
            let u = Int(top.user)
            let t = top.time
            if phase[u] == .sessionStart {
                startSession(u, at: t)
            }
            while nextLaunch < itemLaunch.count && itemLaunch[nextLaunch] <= t {
                launch(nextLaunch)
                nextLaunch += 1
            }
            var event = SimulatedEvent(time: t, user: top.user, item: 0, action: .view, quantity: 1)
            let nextTime: Int64
            switch phase[u] {
            case .sessionStart, .view:
                var item = currentItem[u] >= 0 && boosted[u] ? currentItem[u] : pickItem(u)
                if item == lastItem[u] && !boosted[u] { item = pickItem(u) }
                currentItem[u] = item
                lastItem[u] = item
                event.item = item
                viewsLeft[u] -= 1
                if rng.unitDouble() < (boosted[u] ? 0.9 : click) {
                    phase[u] = .click
                    nextTime = t + 5 + Int64(rng.index(below: 40))
                } else {
                    nextTime = afterItem(u, at: t)
                }
            case .click:
                event.item = currentItem[u]
                event.action = .click
                if rng.unitDouble() < (boosted[u] ? 0.8 : cart) {
                    phase[u] = .cart
                    nextTime = t + 20 + Int64(rng.index(below: 120))
                } else {
                    nextTime = afterItem(u, at: t)
                }
            case .cart:
                event.item = currentItem[u]
                event.action = .cart
                if rng.unitDouble() < (boosted[u] ? 0.85 : purchase) && !ownsDurable(u, currentItem[u]) {
                    phase[u] = .purchase
                    nextTime = t + 30 + Int64(rng.index(below: 300))
                } else {
                    nextTime = afterItem(u, at: t)
                }
            case .purchase:
                let item = currentItem[u]
                event.item = item
                event.action = .purchase
                for k in stride(from: 3, to: 0, by: -1) { recentPurchases[u * 4 + k] = recentPurchases[u * 4 + k - 1] }
                recentPurchases[u * 4] = item
                if itemConsumable[Int(item)] {
                    if rng.unitDouble() < 0.3 { event.quantity = 2 + UInt8(rng.index(below: 2)) }
                    if rng.unitDouble() < repeatProbability {
                        repeatItem[u] = item
                        repeatDue[u] = t + Int64(rng.exponential(mean: repeatMean))
                    }
                }
                nextTime = afterItem(u, at: t)
            }
            if nextTime < end && nextTime < userChurn[u] {
                heap[0].time = nextTime
                siftDown(0)
            } else {
                removeTop()
            }
            produced += 1
            return event
        }
        return nil
    }

    /// Fills `buffer` with up to `limit` events (replacing its contents); returns the count.
    @discardableResult
    public mutating func next(into buffer: inout [SimulatedEvent], limit: Int) -> Int {
        buffer.removeAll(keepingCapacity: true)
        while buffer.count < limit, let e = next() { buffer.append(e) }
        return buffer.count
    }

    // MARK: Sessions

    private mutating func startSession(_ u: Int, at t: Int64) {
        // Focus categories drawn from the true mixture now: drift shows up in behaviour.
        mixture.withUnsafeMutableBufferPointer { world.truth.fill(user: u, at: Double(t), into: $0) }
        sampleFocus(u)
        let p = 1 / max(viewsMean, 1)
        let extra = p >= 1 ? 0 : Int(log(max(rng.unitDouble(), 0x1p-53)) / log(1 - p))
        viewsLeft[u] = Int32(1 + min(extra, 200))
        phase[u] = .view
        boosted[u] = false
        currentItem[u] = -1
        if repeatItem[u] >= 0 && repeatDue[u] <= t {
            // A consumable running out: the session opens with it, and it is likely bought.
            currentItem[u] = repeatItem[u]
            boosted[u] = true
            repeatItem[u] = -1
            repeatDue[u] = .max
        }
    }

    /// A recent purchase of a durable item: a cart that ends without buying it again.
    @inline(__always)
    private func ownsDurable(_ u: Int, _ item: Int32) -> Bool {
        if itemConsumable[Int(item)] { return false }
        for k in 0..<4 where recentPurchases[u * 4 + k] == item { return true }
        return false
    }

    /// Draws the session's three focus categories from the mixture: for each, the first
    /// category where a uniform draw minus the running shares goes below zero. The three
    /// draws walk the mixture in one pass as three independent subtraction chains, the same
    /// operations in the same order as three separate walks (so the same categories, bit for
    /// bit), but overlapped: on a tree of a thousand leaves the walk is most of a session's
    /// start.
    private mutating func sampleFocus(_ u: Int) {
        var r0 = rng.unitDouble()
        var r1 = rng.unitDouble()
        var r2 = rng.unitDouble()
        let last = mixture.count - 1
        var f0 = last, f1 = last, f2 = last
        var open0 = true, open1 = true, open2 = true
        mixture.withUnsafeBufferPointer { m in
            for c in m.indices {
                let share = m[c]
                if open0 { r0 -= share; if r0 < 0 { f0 = c; open0 = false } }
                if open1 { r1 -= share; if r1 < 0 { f1 = c; open1 = false } }
                if open2 { r2 -= share; if r2 < 0 { f2 = c; open2 = false } }
                if !(open0 || open1 || open2) { break }
            }
        }
        focus[u * 3] = Int32(f0)
        focus[u * 3 + 1] = Int32(f1)
        focus[u * 3 + 2] = Int32(f2)
    }

    /// After an item: the next view in this session, or the next session.
    private mutating func afterItem(_ u: Int, at t: Int64) -> Int64 {
        boosted[u] = false
        currentItem[u] = -1
        if viewsLeft[u] > 0 {
            phase[u] = .view
            return t + 15 + Int64(rng.index(below: 90))
        }
        phase[u] = .sessionStart
        let next = SessionRhythm.nextSession(after: Double(t) + HeteroGraph.sessionGap, perDay: userRate[u], rng: &rng)
        return Int64(min(next, 9e15))
    }

    private mutating func pickItem(_ u: Int) -> Int32 {
        let r = rng.unitDouble()
        let category = Int(focus[u * 3 + (r < 0.6 ? 0 : (r < 0.85 ? 1 : 2))])
        let s = Double(userSensitivity[u])
        let budget = 0.15 + 0.6 * s
        let premium = 0.35 * (1 - s)
        let x = rng.unitDouble()
        var tier = x < budget ? 0 : (x < 1 - premium ? 1 : 2)
        // Fall back to another tier when this shelf is empty (small catalogues).
        for _ in 0..<3 {
            let shelf = category * 3 + tier
            if !shelfTables[shelf].isEmpty {
                return shelves[shelf][shelfTables[shelf].sample(using: &rng)]
            }
            tier = (tier + 1) % 3
        }
        // Every category has at least one initial item, so this is not reached.
        return 0
    }

    private mutating func launch(_ item: Int) {
        let catalogue = world.catalogue
        let shelf = Int(catalogue.itemCategory[item]) * 3 + Int(catalogue.itemTier[item])
        shelves[shelf].append(Int32(item))
        rebuildShelf(shelf)
    }

    private mutating func rebuildShelf(_ shelf: Int) {
        shelfTables[shelf] = AliasTable(weights: shelves[shelf].map { world.catalogue.itemWeight[Int($0)] })
    }

    // MARK: Heap

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let value = heap[i]
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && heap[l + 1] < heap[l] { c = l + 1 }
            if heap[c] < value {
                heap[i] = heap[c]
                i = c
            } else {
                break
            }
        }
        heap[i] = value
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }
}
