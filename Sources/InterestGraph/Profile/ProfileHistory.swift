/// A bounded per-user history of interest profiles (top category shares) and embeddings,
/// taken at regular sim-time checkpoints, for drift scores and the dashboard's heatmap.
///
/// The engine calls ``observe(user:graph:at:)`` after applying each event. Time is cut into
/// buckets of ``Configuration/interval``; the first event of a user in a new bucket records a
/// checkpoint of their profile right after that event. Exponential decay scales every edge of a
/// user by the same factor, so shares only change when the user acts: checkpoints taken on
/// events lose nothing. Each user keeps a ring of ``Configuration/capacity`` checkpoints of the
/// ``Configuration/topCategories`` largest shares (16-bit fixed point, the remainder counted as
/// "other"), and a smaller ring of embeddings quantised to Int8 with one scale per row (cosine
/// shift ignores scale).
///
/// Memory is flat tables indexed by dense user id, at most ``bytesPerUser(dimension:)`` each:
/// with the defaults 10 + 12 * (8 + 6 * 6) = 538 bytes of profiles plus 2 + 4 * (12 +
/// dimension) of embeddings, 844 bytes at dimension 64 (about 0.84 GB for a million users;
/// shrink ``Configuration/capacity`` for more). Each ring slot is a table of its own, grown
/// when a user first writes it and zero where nobody has (a page mapping the kernel fills on
/// first write, see ``AlignedBuffer``): a slot no user has reached yet costs nothing, so three
/// days of daily checkpoints use 4 of the 12 slots' memory, not all 12. Why: a million users'
/// rings were 0.84 GB written up front, and the first touch of memory is what a virtual
/// machine charges for (a third of the history's replay cost in perf).
public struct ProfileHistory: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Seconds between checkpoints.
        public var interval: Double
        /// Checkpoints kept per user (at most 255).
        public var capacity: Int
        /// Category shares kept per checkpoint.
        public var topCategories: Int
        /// Embeddings kept per user (at most 255).
        public var embeddingSlots: Int
        /// Seconds between embedding checkpoints.
        public var embeddingInterval: Double

        public init(interval: Double = 86_400, capacity: Int = 12, topCategories: Int = 6, embeddingSlots: Int = 4, embeddingInterval: Double? = nil) {
            self.interval = max(interval, 1)
            self.capacity = min(max(capacity, 2), 255)
            self.topCategories = max(topCategories, 1)
            self.embeddingSlots = min(max(embeddingSlots, 1), 255)
            self.embeddingInterval = max(embeddingInterval ?? self.interval * 3, 1)
        }

        public static let `default` = Configuration()
    }

    /// One recorded profile.
    public struct Checkpoint: Sendable, Hashable {
        public var time: Double
        /// (category id, share), largest first; shares sum to at most 1.
        public var shares: [Share]
        public struct Share: Sendable, Hashable {
            public var category: Int32
            public var share: Double
        }

        /// The shares as (id, share) pairs for ``Divergence/jensenShannon(_:_:)-(([(Int32,Double)]),_)``.
        var pairs: [(Int32, Double)] { shares.map { ($0.category, $0.share) } }
    }

    public let configuration: Configuration

    // Profiles: ring per user, one table per ring slot (indexed by user, by user *
    // topCategories for the shares), each only as long as the largest user that wrote it.
    private var count: [UInt8] = []
    private var head: [UInt8] = []
    private var slotTimes: [AlignedBuffer<Double>]
    private var slotCategories: [AlignedBuffer<Int32>]
    private var slotShares: [AlignedBuffer<UInt16>]
    /// The time of each user's newest checkpoint (`-inf` before the first): what
    /// ``observe(user:graph:at:)`` compares for every event, in one line instead of the
    /// ring's count, head and time (three misses at a million users).
    private var newest: [Double] = []

    // Embeddings: ring per user, one table per slot as for the profiles.
    public private(set) var dimension = 0
    private var embeddingCount: [UInt8] = []
    private var embeddingHead: [UInt8] = []
    private var embeddingSlotTimes: [AlignedBuffer<Double>]
    private var embeddingSlotScale: [AlignedBuffer<Float>]
    private var embeddingSlotData: [AlignedBuffer<Int8>]

    private var scratch = CategoryScratch()

    public init(configuration: Configuration = .default) {
        self.configuration = configuration
        slotTimes = Array(repeating: AlignedBuffer(), count: configuration.capacity)
        slotCategories = Array(repeating: AlignedBuffer(), count: configuration.capacity)
        slotShares = Array(repeating: AlignedBuffer(), count: configuration.capacity)
        embeddingSlotTimes = Array(repeating: AlignedBuffer(), count: configuration.embeddingSlots)
        embeddingSlotScale = Array(repeating: AlignedBuffer(), count: configuration.embeddingSlots)
        embeddingSlotData = Array(repeating: AlignedBuffer(), count: configuration.embeddingSlots)
    }

    /// Bytes of history per user for the given embedding dimension.
    public func bytesPerUser(dimension: Int) -> Int {
        let c = configuration
        let profile = 10 + c.capacity * (8 + c.topCategories * 6)
        let embedding = 2 + c.embeddingSlots * (8 + 4 + dimension)
        return profile + embedding
    }

    /// Bytes the history holds now: the per-user counters and the slot tables as far as
    /// users have written them (at most ``bytesPerUser(dimension:)`` a user).
    public var storedBytes: Int {
        let counters = count.count * 12
        let profiles = slotTimes.reduce(0) { $0 + $1.count * 8 } + slotCategories.reduce(0) { $0 + $1.count * 4 }
            + slotShares.reduce(0) { $0 + $1.count * 2 }
        let embeddings = embeddingSlotTimes.reduce(0) { $0 + $1.count * 8 } + embeddingSlotScale.reduce(0) { $0 + $1.count * 4 }
            + embeddingSlotData.reduce(0) { $0 + $1.count }
        return counters + profiles + embeddings
    }

    /// Users with storage allocated.
    public var userCapacity: Int { count.count }

    /// The per-user counters, up to `user` (12 bytes a user; the slot tables grow on write).
    private mutating func ensure(_ user: Int) {
        guard user >= count.count else { return }
        let n = user + 1 - count.count
        count.append(contentsOf: repeatElement(0, count: n))
        newest.append(contentsOf: repeatElement(-.infinity, count: n))
        head.append(contentsOf: repeatElement(0, count: n))
        embeddingCount.append(contentsOf: repeatElement(0, count: n))
        embeddingHead.append(contentsOf: repeatElement(0, count: n))
    }

    /// Profile slot `slot`'s tables, long enough for `user`.
    /// - Complexity: amortised O(1): the tables double, and a mapping's zeros are not written.
    @inline(__always)
    private mutating func ensureProfileSlot(_ slot: Int, user: Int) {
        guard user >= slotTimes[slot].count else { return }
        let top = configuration.topCategories
        slotTimes[slot].resize(to: user + 1)
        slotCategories[slot].resize(to: (user + 1) * top)
        slotShares[slot].resize(to: (user + 1) * top)
    }

    /// Embedding slot `slot`'s tables, long enough for `user`.
    @inline(__always)
    private mutating func ensureEmbeddingSlot(_ slot: Int, user: Int) {
        guard user >= embeddingSlotTimes[slot].count else { return }
        embeddingSlotTimes[slot].resize(to: user + 1)
        embeddingSlotScale[slot].resize(to: user + 1)
        embeddingSlotData[slot].resize(to: (user + 1) * dimension)
    }

    // MARK: Recording

    /// Asks the cache for the user's entries ``observe(user:graph:at:)`` reads first (their
    /// newest checkpoint's time; see ``Prefetch``).
    /// - Complexity: O(1).
    func prefetch(user: Int32) {
        let u = Int(user)
        Prefetch.element(of: newest, at: u)
    }

    /// The time of the user's newest checkpoint.
    public func lastCheckpointTime(ofUser user: Int32) -> Double? {
        let u = Int(user)
        guard u >= 0, u < newest.count, newest[u] > -.infinity else { return nil }
        return newest[u]
    }

    /// Records a checkpoint when `time` falls in a later interval than the user's newest one.
    /// Call after applying each of the user's events.
    /// - Returns: `true` when a checkpoint was recorded.
    /// - Complexity: O(1) when no checkpoint is due; O(d * c) for d edges when one is.
    @discardableResult
    public mutating func observe(user: Int32, graph: HeteroGraph, at time: Double) -> Bool {
        if let last = lastCheckpointTime(ofUser: user), (time / configuration.interval).rounded(.down) <= (last / configuration.interval).rounded(.down) {
            return false
        }
        checkpoint(user: user, graph: graph, at: time)
        return true
    }

    /// Records the user's profile at `time` now, due or not (for a final "now" column).
    public mutating func checkpoint(user: Int32, graph: HeteroGraph, at time: Double) {
        guard user >= 0 else { return }
        let u = Int(user)
        ensure(u)
        let total = graph.accumulateCategoryMass(ofUser: user, at: time, into: &scratch)
        let c = configuration
        let slot = Int(head[u])
        ensureProfileSlot(slot, user: u)
        let base = u * c.topCategories
        slotTimes[slot][u] = time
        newest[u] = time
        // Top-k by partial selection over the touched categories (k is small).
        var taken = 0
        if total > 0 {
            while taken < c.topCategories {
                var best: Int32 = -1
                var bestMass = 0.0
                for cat in scratch.touched where !slotCategories[slot][base..<(base + taken)].contains(cat) {
                    let m = scratch.mass[Int(cat)]
                    if m > bestMass || (m == bestMass && m > 0 && cat < best) { best = cat; bestMass = m }
                }
                guard best >= 0 else { break }
                slotCategories[slot][base + taken] = best
                slotShares[slot][base + taken] = UInt16(min(65_535, (bestMass / total * 65_535).rounded()))
                taken += 1
            }
        }
        for k in taken..<c.topCategories {
            slotCategories[slot][base + k] = -1
            slotShares[slot][base + k] = 0
        }
        head[u] = UInt8((slot + 1) % c.capacity)
        if Int(count[u]) < c.capacity { count[u] += 1 }
    }

    /// Records the user's embedding row when the newest stored one is from an earlier
    /// embedding interval. A row of a different dimension than before clears all embeddings
    /// (the model was rebuilt with another size).
    /// - Returns: `true` when the row was stored.
    @discardableResult
    public mutating func recordEmbedding(user: Int32, row: UnsafeBufferPointer<Float>, at time: Double) -> Bool {
        guard user >= 0, !row.isEmpty else { return false }
        let u = Int(user)
        if row.count != dimension { resetEmbeddings(dimension: row.count) }
        ensure(u)
        let c = configuration
        if embeddingCount[u] > 0 {
            let last = (Int(embeddingHead[u]) + c.embeddingSlots - 1) % c.embeddingSlots
            let lastTime = embeddingSlotTimes[last][u]
            if (time / c.embeddingInterval).rounded(.down) <= (lastTime / c.embeddingInterval).rounded(.down) { return false }
        }
        let slot = Int(embeddingHead[u])
        ensureEmbeddingSlot(slot, user: u)
        var largest: Float = 0
        for x in row { largest = max(largest, abs(x)) }
        let scale = largest > 0 && largest.isFinite ? largest / 127 : 0
        let base = u * dimension
        let dimension = self.dimension
        embeddingSlotData[slot].withUnsafeMutableBufferPointer { data in
            for k in 0..<dimension {
                let q = scale > 0 ? (row[k] / scale).rounded() : 0
                data[base + k] = Int8(max(-127, min(127, q.isFinite ? q : 0)))
            }
        }
        embeddingSlotScale[slot][u] = scale
        embeddingSlotTimes[slot][u] = time
        embeddingHead[u] = UInt8((slot + 1) % c.embeddingSlots)
        if Int(embeddingCount[u]) < c.embeddingSlots { embeddingCount[u] += 1 }
        return true
    }

    /// Convenience for an array row.
    @discardableResult
    public mutating func recordEmbedding(user: Int32, row: [Float], at time: Double) -> Bool {
        row.withUnsafeBufferPointer { recordEmbedding(user: user, row: $0, at: time) }
    }

    private mutating func resetEmbeddings(dimension newDimension: Int) {
        dimension = newDimension
        let users = count.count
        let slots = configuration.embeddingSlots
        embeddingCount = Array(repeating: 0, count: users)
        embeddingHead = Array(repeating: 0, count: users)
        embeddingSlotTimes = Array(repeating: AlignedBuffer(), count: slots)
        embeddingSlotScale = Array(repeating: AlignedBuffer(), count: slots)
        embeddingSlotData = Array(repeating: AlignedBuffer(), count: slots)
    }

    /// Drops everything recorded about a user (the "forget me" path).
    public mutating func forget(user: Int32) {
        let u = Int(user)
        guard u >= 0, u < count.count else { return }
        let c = configuration
        count[u] = 0
        head[u] = 0
        newest[u] = -.infinity
        embeddingCount[u] = 0
        embeddingHead[u] = 0
        // The values too, not only the counts: forgotten means gone from memory.
        for slot in 0..<c.capacity where u < slotTimes[slot].count {
            slotTimes[slot][u] = 0
            for k in 0..<c.topCategories {
                slotCategories[slot][u * c.topCategories + k] = -1
                slotShares[slot][u * c.topCategories + k] = 0
            }
        }
        for slot in 0..<c.embeddingSlots where u < embeddingSlotTimes[slot].count {
            embeddingSlotTimes[slot][u] = 0
            embeddingSlotScale[slot][u] = 0
            for k in 0..<dimension { embeddingSlotData[slot][u * dimension + k] = 0 }
        }
    }

    // MARK: Reading

    /// The user's checkpoints, oldest first.
    public func timeline(ofUser user: Int32) -> [Checkpoint] {
        let u = Int(user)
        guard u >= 0, u < count.count else { return [] }
        let c = configuration
        let n = Int(count[u])
        let first = (Int(head[u]) + c.capacity - n) % c.capacity
        return (0..<n).map { k in
            let slot = (first + k) % c.capacity
            let base = u * c.topCategories
            var list: [Checkpoint.Share] = []
            for j in 0..<c.topCategories where slotCategories[slot][base + j] >= 0 {
                list.append(Checkpoint.Share(category: slotCategories[slot][base + j], share: Double(slotShares[slot][base + j]) / 65_535))
            }
            return Checkpoint(time: slotTimes[slot][u], shares: list)
        }
    }

    /// The newest checkpoint at or before `time` ("one drift window ago"), if any.
    public func checkpoint(ofUser user: Int32, atOrBefore time: Double) -> Checkpoint? {
        timeline(ofUser: user).last { $0.time <= time }
    }

    /// The user's stored embeddings (dequantised), oldest first.
    public func embeddings(ofUser user: Int32) -> [(time: Double, row: [Float])] {
        let u = Int(user)
        guard u >= 0, u < embeddingCount.count, dimension > 0 else { return [] }
        let c = configuration
        let n = Int(embeddingCount[u])
        let first = (Int(embeddingHead[u]) + c.embeddingSlots - n) % c.embeddingSlots
        return (0..<n).map { k in
            let slot = (first + k) % c.embeddingSlots
            let scale = embeddingSlotScale[slot][u]
            let base = u * dimension
            let row = (0..<dimension).map { Float(embeddingSlotData[slot][base + $0]) * scale }
            return (embeddingSlotTimes[slot][u], row)
        }
    }
}
