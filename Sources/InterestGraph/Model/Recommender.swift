/// One recommendation model behind a single concrete type: the top-level dispatch the
/// evaluation, the engine and serving use.
///
/// The switch on ``kind`` happens once per call (per event or per user ranked), never inside
/// a loop over items, so there is no existential or per-item dynamic dispatch.
///
/// ```swift
/// var model = Recommender(kind: .lightGCN, hyperparameters: Hyperparameters())
/// model.fit(graph: graph)
/// let application = graph.apply(event)
/// model.observe(application, at: event.timestamp, graph: graph)
/// let top = model.recommend(user: application.user, k: 20, graph: graph)
/// ```
public struct Recommender: Sendable {
    public let kind: ModelKind
    var popularity: PopularityModel?
    var neighbours: ItemKNNModel?
    var hybrid: HybridModel?

    /// A model of `kind`. MF-BPR forces `layers = 0` and `sideWeight = 0`; LightGCN and MF-BPR
    /// force the hybrid weights to 0.
    public init(kind: ModelKind, hyperparameters: Hyperparameters) {
        self.kind = kind
        let h = Self.adjusted(hyperparameters, for: kind)
        switch kind {
        case .mostPop: popularity = PopularityModel(halfLife: h.sanitised.halfLife)
        case .itemKNN: neighbours = ItemKNNModel(halfLife: h.sanitised.halfLife, neighbours: h.sanitised.neighbours)
        case .mfBPR, .lightGCN, .hybrid: hybrid = HybridModel(hyperparameters: h)
        }
        storedHyperparameters = h
    }

    private var storedHyperparameters: Hyperparameters

    /// The hyperparameters in effect (after the kind's constraints and any guard adjustment).
    public var hyperparameters: Hyperparameters { hybrid?.embedding.hyperparameters ?? storedHyperparameters }

    static func adjusted(_ h: Hyperparameters, for kind: ModelKind) -> Hyperparameters {
        var h = h
        switch kind {
        case .mfBPR:
            h.layers = 0
            h.sideWeight = 0
            h.covisitWeight = 0
            h.popularityWeight = 0
        case .lightGCN:
            h.covisitWeight = 0
            h.popularityWeight = 0
        case .mostPop, .itemKNN, .hybrid:
            break
        }
        return h
    }

    /// The embedding model, for kinds that have one.
    public var embedding: EmbeddingModel? { hybrid?.embedding }

    /// The user's final (propagated) row, or `nil` without one
    /// (``EmbeddingModel/userVector(_:)``), asked of the stored model in place: through
    /// ``embedding`` it was a copy of the whole model, every table's reference retained and
    /// released, which the engine made at each history checkpoint (1% of an engine in perf).
    /// - Complexity: O(dimension).
    package func finalUserVector(_ user: Int32) -> [Float]? { hybrid?.embedding.userVector(user) }

    /// Changes hyperparameters from the next batch or event on. Returns `true` when a new
    /// dimension waits for ``reinitialise(graph:)``.
    @discardableResult
    public mutating func update(hyperparameters new: Hyperparameters, graph: HeteroGraph) -> Bool {
        let h = Self.adjusted(new, for: kind)
        storedHyperparameters = h
        switch kind {
        case .mostPop:
            popularity?.counter.setHalfLife(h.sanitised.halfLife)
            return false
        case .itemKNN:
            neighbours?.neighbourLimit = h.sanitised.neighbours
            return false
        case .mfBPR, .lightGCN, .hybrid:
            return hybrid?.update(hyperparameters: h, graph: graph) ?? false
        }
    }

    /// Rebuilds the model's tables at the current hyperparameters (a new dimension, say)
    /// without training.
    public mutating func reinitialise(graph: HeteroGraph) {
        hybrid?.embedding.reinitialise(graph: graph)
    }

    /// Trains from scratch on the graph's current state.
    /// - Returns: the last epoch's mean loss for embedding models, NaN for baselines.
    @discardableResult
    public mutating func fit(graph: HeteroGraph) -> Float {
        fit(graph: graph, budget: nil)
    }

    /// ``fit(graph:)`` with embedding models trained on at most `budget` positives (nil: their
    /// configured epochs); see ``EmbeddingModel/fit(graph:epochs:budget:)``. Baselines ignore it.
    @discardableResult
    public mutating func fit(graph: HeteroGraph, budget: Int?) -> Float {
        switch kind {
        case .mostPop:
            var items: [Int32] = []
            var times: [Double] = []
            for e in 0..<graph.edgeUser.count where graph.edgeUser[e] >= 0 {
                for _ in 0..<Int(graph.edgeStates[e].count) {
                    items.append(graph.edgeItem[e])
                    times.append(graph.edgeStates[e].time)
                }
            }
            popularity?.fit(items: items, times: times, itemCount: graph.items.count)
            return .nan
        case .itemKNN:
            neighbours?.fit(graph: graph)
            return .nan
        case .mfBPR, .lightGCN, .hybrid:
            let loss = hybrid?.fit(graph: graph, budget: budget) ?? .nan
            refreshServingScreen()
            return loss
        }
    }

    /// Packs the item blocks that changed since the last call into the screening copy
    /// (``EmbeddingModel/refreshItemScreen()``): until then top-K and similar items are scored
    /// directly. Done after a fit; after batches and online steps it is left to whoever serves
    /// next (the engine before its recommendations, twice a second): packing after every
    /// batch cost 2.5% of a full-speed replay.
    /// - Complexity: O(changed blocks * 16 * dimension), at most one pass over the item table.
    public mutating func refreshServingScreen() {
        hybrid?.embedding.refreshItemScreen()
    }

    /// Copies the item rows that changed since into the scoring blocks
    /// (``EmbeddingModel/flushItemBlocks()``), so a scan reads no row twice; the engine does it
    /// before it ranks. Serving is exact without it (changed rows are rescored from the rows).
    /// - Complexity: O(changed rows * dimension).
    mutating func flushItemBlocks() {
        hybrid?.embedding.flushItemBlocks()
    }

    /// The per-event online update; call it after `graph.apply(event)` with its result.
    /// `learning: false`: see ``HybridModel/observe(_:at:graph:learning:)`` (baselines hold
    /// no checkpointed state and always learn).
    public mutating func observe(_ application: EventApplication, at time: Double, graph: HeteroGraph, learning: Bool = true) {
        switch kind {
        case .mostPop: popularity?.observe(item: application.item, at: time)
        case .itemKNN: neighbours?.observe(application, at: time, graph: graph)
        case .mfBPR, .lightGCN, .hybrid: hybrid?.observe(application, at: time, graph: graph, learning: learning)
        }
    }

    /// Asks the cache for the embedding rows an event of `user` on `item` will touch (see
    /// ``EmbeddingModel/prefetchRows(user:item:)``); nothing for the baselines.
    ///
    /// Mutating although it writes nothing: reached from a `mutating` caller, the optional
    /// model is then projected in place. Non-mutating, `hybrid?.` copied the whole model out
    /// (2.3 KB) for each hint, twice an event (perf: `memmove`, 2-4% of a split replay's
    /// engine threads).
    /// - Complexity: O(dimension) hints.
    @inline(__always)
    mutating func prefetchRows(user: Int32, item: Int32) {
        hybrid?.embedding.prefetchRows(user: user, item: item)
    }

    /// One background training batch (embedding models; baselines have nothing to train).
    /// `yielding`: see ``EmbeddingModel/trainBatch(graph:publish:yielding:)``.
    @discardableResult
    public mutating func trainBatch(graph: HeteroGraph, yielding: () -> Bool = { false }) -> TrainingStep {
        hybrid?.embedding.trainBatch(graph: graph, yielding: yielding) ?? TrainingStep(loss: .nan, pairs: 0, divergence: nil)
    }

    /// Recomputes final embeddings from the ego tables (after background batches, before a
    /// frozen evaluation).
    public mutating func refreshFinals() {
        hybrid?.embedding.refreshFinals()
    }

    /// Forgets a user's learned state (the graph forgets its edges separately).
    public mutating func forget(user: Int32) {
        hybrid?.forget(user: user)
    }

    /// Scores every item for `user` into `scores` (index = dense item id; the buffer should
    /// have `graph.items.count` entries). Higher is better; scores are comparable within one
    /// call only.
    public func score(user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        score(user: user, graph: graph, into: scores, fromRows: false)
    }

    /// ``score(user:graph:into:)``; embedding models score from their item rows when
    /// `fromRows` (``EmbeddingModel/scoreFromRows(user:into:)``: no flush of waiting rows).
    func score(user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>, fromRows: Bool) {
        switch kind {
        case .mostPop: popularity?.score(into: scores)
        case .itemKNN: neighbours?.score(user: user, graph: graph, into: scores)
        case .mfBPR, .lightGCN, .hybrid: hybrid?.score(user: user, into: scores, fromRows: fromRows)
        }
    }

    /// The `k` best items for `user`, best first: items without any interaction (unless
    /// `includeColdItems`, for catalogue items that should be recommendable before their first
    /// interaction) and, when `excludeSeen`, the user's own items are skipped, as is anything
    /// `exclude` rejects.
    /// - Complexity: O(scoring + items + k log k); one stack scratch buffer of the item count.
    public func recommend(
        user: Int32, k: Int, graph: HeteroGraph, excludeSeen: Bool = true, includeColdItems: Bool = false,
        exclude: ((Int32) -> Bool)? = nil
    ) -> [ScoredItem] {
        let n = graph.items.count
        guard n > 0, k > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            score(user: user, graph: graph, into: scores)
            if excludeSeen, Int(user) >= 0, Int(user) < graph.userEdges.count {
                for edge in graph.userEdges[Int(user)] { scores[Int(graph.edgeItem[Int(edge)])] = -.infinity }
            }
            var heap = TopKHeap(capacity: k)
            graph.itemEventCount.withUnsafeBufferPointer { counts in
                graph.itemActive.withUnsafeBufferPointer { active in
                    let m = min(n, counts.count, active.count)
                    let base = UnsafePointer(scores.baseAddress!)
                    let bound = Self.lowerBoundOfKthBest(scores: base, count: m, k: k)
                    // Items arrive in increasing id order, so a tie with the threshold always
                    // loses. Once the heap is full almost every block of 16 scores is below
                    // the threshold and is skipped with one vector compare.
                    func consider(_ i: Int, from floor: Float) {
                        let s = scores[i]
                        guard s >= floor, s > heap.threshold, active[i], includeColdItems || counts[i] > 0 else { return }
                        if let exclude, exclude(Int32(i)) { return }
                        heap.offer(Int32(truncatingIfNeeded: i), s)
                    }
                    func scan(from floor: Float) {
                        var i = 0
                        while i + 16 <= m {
                            let block = VectorKernels.load(base, i)
                            let bar = SIMD16<Float>(repeating: max(heap.threshold, floor))
                            if any(block .>= bar) {
                                for j in i..<(i + 16) { consider(j, from: floor) }
                            }
                            i += 16
                        }
                        while i < m {
                            consider(i, from: floor)
                            i += 1
                        }
                    }
                    scan(from: bound)
                    // The bound came from raw scores: if ineligible or excluded items made it
                    // too high, fewer than k items reached the heap, or the k-th kept one is
                    // below it and an unscanned item could beat it. Then scan everything.
                    if heap.count < k || heap.threshold < bound {
                        heap.removeAll()
                        scan(from: -.infinity)
                    }
                }
            }
            return heap.sortedDescending()
        }
    }
}

extension Recommender {
    /// A lower bound on the k-th best of `scores[0..<count]`, or `-infinity`.
    ///
    /// The running maximum of even and of odd 16-item blocks (one vector select per block)
    /// leaves 32 maxima of disjoint item sets; if k of them are at least `t`, so are k items.
    /// Scanning only items `>= t` then feeds the heap about k items instead of one per new
    /// best met in id order, which was most of the selection time.
    /// - Complexity: O(count / 16 + 32 log k).
    @inline(__always)
    static func lowerBoundOfKthBest(scores: UnsafePointer<Float>, count m: Int, k: Int) -> Float {
        guard k <= 32, m >= 64 else { return -.infinity }
        var even = SIMD16<Float>(repeating: -.infinity)
        var odd = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 32 <= m {
            let a = VectorKernels.load(scores, i)
            let b = VectorKernels.load(scores, i + 16)
            even.replace(with: a, where: a .> even)  // NaN never replaces
            odd.replace(with: b, where: b .> odd)
            i += 32
        }
        var best = TopKHeap(capacity: k)
        for lane in 0..<16 {
            best.offer(Int32(lane), even[lane])
            best.offer(Int32(lane + 16), odd[lane])
        }
        return best.count == k ? best.threshold : -.infinity
    }
}
