/// The computation graph of one sampled training batch: the nodes a batch needs and, for
/// each node that must be propagated, a bounded sample of its neighbours (PinSage/GraphSAGE
/// style). It owns the layered neighbour sampling, nothing else: the arithmetic lives in
/// `EmbeddingModel+SampledTraining.swift`.
///
/// **Layout.** Nodes are numbered in breadth-first order from the batch's own users and items
/// (depth 0). A node first reached at depth `k` has index in `depthEnd[k-1]..<depthEnd[k]`.
/// Nodes at depth `< L` have a row of sampled neighbours (`rowStart`, `columns`, `weights`);
/// the deepest ones only contribute their ego embedding.
///
/// **Estimator.** A row is the node's row of the normalised adjacency `D^-1/2 A D^-1/2`
/// (binary user-item edges, `sideWeight` for item-category and item-brand edges). A node with
/// at most `fanout` neighbours keeps them all, exactly. Otherwise its side neighbours (an
/// item's categories and brand: a handful) are kept exactly and `fanout - sides` of the rest
/// are drawn uniformly with replacement, each weighted `Â_vw * sqrt(n / draws)`: the row's
/// noise then has the scale of the exact row's, and the neighbours' shared part is damped by
/// `sqrt(draws / n)` (the unbiased `n / draws` made hubs' estimates mostly noise and training
/// diverged at a million users; see ``sampleList(count:fanout:rng:_:)``). Each node is sampled once per batch and its row is
/// reused on every layer, so layer `l` of the batch is `Ã^l x` for one fixed sparse `Ã`: the
/// forward pass and its exact transpose (the backward pass) then agree.
///
/// Knowledge-graph entities are not sampled (their reach sets are a catalogue-wide
/// computation the whole-graph path caches); categories and brands carry the side information.
///
/// - Complexity: O(batch * prod(fanouts)) to build, independent of the graph's size.
struct SampledSubgraph: Sendable {
    /// Virtual node id: users `0..<U`, items `U..<U+I`, categories, then brands.
    struct Space: Sendable, Equatable {
        var users = 0
        var items = 0
        var categories = 0
        var brands = 0
        var itemBase: Int { users }
        var categoryBase: Int { users + items }
        var brandBase: Int { users + items + categories }
        var count: Int { brandBase + brands }

        init() {}

        init(graph: HeteroGraph, sides: Bool) {
            users = graph.users.count
            items = graph.items.count
            categories = sides ? graph.categories.count : 0
            brands = sides ? graph.brands.count : 0
        }
    }

    var space = Space()
    /// Virtual id of each local node, in breadth-first order.
    var nodes: [Int32] = []
    /// `depthEnd[k]`: number of local nodes at depth `<= k`.
    var depthEnd: [Int] = []
    /// CSR over local nodes `0..<depthEnd[L-1]`: sampled neighbours (local ids) and weights.
    var rowStart: [Int32] = [0]
    var columns: [Int32] = []
    var weights: [Float] = []
    /// Item degree held by other engines (``EmbeddingModel/otherItemDegree``), moved in for
    /// a build and out after it.
    var otherItemDegree: [Float] = []
    /// When set: the graph's degrees and user-item neighbour lists, flat, for a graph that
    /// does not change while it is set (a fit); see ``FrozenNeighbours``.
    var frozen: FrozenNeighbours?
    /// Virtual id -> local id + 1 (0: absent). Sized to the space; only touched entries are
    /// cleared after a batch, so clearing costs what the batch added.
    var localPlusOne: [Int32] = []
    /// Scratch of the graph's rows (``appendRows(_:fanout:graph:sideWeight:rng:)``), kept
    /// between batches for their capacity.
    var graphRows = GraphRowScratch()

    /// Per-depth fan-out: how many neighbours a node first met at depth `k` keeps. The last
    /// entry repeats for deeper layers. Chosen so a 3-layer batch touches a few hundred rows
    /// per triple; see docs/ARCHITECTURE.md ("Training at any size").
    public static let defaultFanouts = [10, 5, 2]

    /// Local id of a virtual node, adding it (at the current depth) when new.
    @inline(__always)
    mutating func local(_ virtual: Int) -> Int32 {
        let existing = localPlusOne[virtual]
        if existing > 0 { return existing - 1 }
        let id = Int32(nodes.count)
        nodes.append(Int32(virtual))
        localPlusOne[virtual] = id + 1
        return id
    }

    /// Forgets the last batch's nodes (O(nodes of that batch)).
    mutating func clear() {
        for v in nodes where Int(v) < localPlusOne.count { localPlusOne[Int(v)] = 0 }
        nodes.removeAll(keepingCapacity: true)
        depthEnd.removeAll(keepingCapacity: true)
        rowStart.removeAll(keepingCapacity: true)
        rowStart.append(0)
        columns.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        graphRows.rootOfLocal.removeAll(keepingCapacity: true)
    }

    /// Builds the batch graph for `seeds` (virtual ids of the batch's users and items, in
    /// triple order; repeats are merged) over `layers` layers.
    ///
    /// - Returns: the local id of every seed, in the same order.
    /// - Complexity: O(seeds * prod(fanouts)) plus amortised growth of the id map when the
    ///   graph grew.
    mutating func build(
        seeds: [Int32], layers: Int, graph: HeteroGraph, sideWeight: Float, fanouts: [Int],
        rng: inout SeededGenerator
    ) -> [Int32] {
        clear()
        space = Space(graph: graph, sides: sideWeight > 0)
        precondition(frozen.map { $0.rootDegrees.count == space.count } ?? true, "frozen neighbours of another graph")
        if localPlusOne.count < space.count {
            localPlusOne.append(contentsOf: repeatElement(0, count: space.count - localPlusOne.count))
        }
        var seedLocals: [Int32] = []
        seedLocals.reserveCapacity(seeds.count)
        for s in seeds { seedLocals.append(local(Int(s))) }
        depthEnd.append(nodes.count)
        if frozen == nil, layers > 0 { noteSeedDegrees(graph: graph, sideWeight: sideWeight) }
        var begin = 0
        for depth in 0..<max(layers, 0) {
            let end = nodes.count
            let fanout = max(1, fanouts.isEmpty ? 8 : fanouts[min(depth, fanouts.count - 1)])
            if let frozen {
                for v in begin..<end {
                    // Each row starts with misses (its list's bounds, its head, its degree):
                    // ask for those of the rows a few nodes ahead, in two stages.
                    if v + 2 * Self.prefetchDistance < end { frozen.prefetchBounds(of: Int(nodes[v + 2 * Self.prefetchDistance]), space: space) }
                    if v + Self.prefetchDistance < end { frozen.prefetchList(of: Int(nodes[v + Self.prefetchDistance]), space: space) }
                    appendRow(of: Int(nodes[v]), fanout: fanout, graph: graph, sideWeight: sideWeight, frozen: frozen, rng: &rng)
                    rowStart.append(Int32(columns.count))
                }
            } else {
                appendRows(begin..<end, fanout: fanout, graph: graph, sideWeight: sideWeight, rng: &rng)
            }
            depthEnd.append(nodes.count)
            begin = end
        }
        return seedLocals
    }

    /// The weighted degree of a virtual node in the normalised adjacency.
    @inline(__always)
    func degree(_ v: Int, graph: HeteroGraph, sideWeight: Float) -> Float {
        Self.degree(v, space: space, otherItemDegree: otherItemDegree, graph: graph, sideWeight: sideWeight)
    }

    /// The weighted degree of virtual node `v` of `space`; static so a mutating pass can ask
    /// it without copying the subgraph (perf saw a copy of every table's reference per call).
    @inline(__always)
    static func degree(_ v: Int, space: Space, otherItemDegree: [Float], graph: HeteroGraph, sideWeight: Float) -> Float {
        if v < space.itemBase { return Float(graph.userEdges[v].count) }
        if v < space.categoryBase {
            let i = v - space.itemBase
            var d = Float(graph.itemEdges[i].count) + (i < otherItemDegree.count ? otherItemDegree[i] : 0)
            if space.categories > 0 {
                d += sideWeight * Float(graph.itemCategories[i].count)
                if graph.itemBrand[i] >= 0 { d += sideWeight }
            }
            return d
        }
        if v < space.brandBase { return sideWeight * Float(graph.categoryItems[v - space.categoryBase].count) }
        return sideWeight * Float(graph.brandItems[v - space.brandBase].count)
    }

    /// Rows ahead whose list bounds and heads a build asks for (two stages: bounds at twice
    /// the distance, the list's first line and the node's degree at the distance).
    static let prefetchDistance = 4

    /// Appends the sampled row of virtual node `v` from a fit's frozen lists: the neighbours
    /// the graph's own lists give (``appendRows(_:fanout:graph:sideWeight:rng:)``), in the
    /// same order, so the same draws and the same weights.
    private mutating func appendRow(
        of v: Int, fanout: Int, graph: HeteroGraph, sideWeight: Float, frozen: FrozenNeighbours,
        rng: inout SeededGenerator
    ) {
        // `sqrt(d) > 0` exactly when `d > 0`.
        let rootV = frozen.rootDegrees[v]
        guard rootV > 0 else { return }
        let itemBase = space.itemBase
        // Adds neighbour `w` (edge weight `a`) with the estimator's multiplicity factor.
        func add(_ w: Int, _ a: Float, _ factor: Float) {
            let rootW = frozen.rootDegrees[w]
            guard rootW > 0 else { return }
            columns.append(local(w))
            weights.append(factor * a / (rootV * rootW))
        }
        if v < space.itemBase {
            let start = Int(frozen.userStart[v])
            let count = Int(frozen.userStart[v + 1]) - start
            frozen.userItems.withUnsafeBufferPointer { list in
                Self.sampleList(count: count, fanout: fanout, rng: &rng) { k, factor in
                    add(itemBase + Int(list[start + k]), 1, factor)
                }
            }
        } else if v < space.categoryBase {
            let i = v - space.itemBase
            var sides = 0
            if space.categories > 0 {
                for c in graph.itemCategories[i] {
                    add(space.categoryBase + Int(c), sideWeight, 1)
                    sides += 1
                }
                if graph.itemBrand[i] >= 0 {
                    add(space.brandBase + Int(graph.itemBrand[i]), sideWeight, 1)
                    sides += 1
                }
            }
            let start = Int(frozen.itemStart[i])
            let count = Int(frozen.itemStart[i + 1]) - start
            frozen.itemUsers.withUnsafeBufferPointer { list in
                Self.sampleList(count: count, fanout: max(1, fanout - sides), rng: &rng) { k, factor in
                    add(Int(list[start + k]), 1, factor)
                }
            }
        } else {
            let items = v < space.brandBase ? graph.categoryItems[v - space.categoryBase] : graph.brandItems[v - space.brandBase]
            Self.sampleList(count: items.count, fanout: fanout, rng: &rng) { k, factor in
                add(itemBase + Int(items[k]), sideWeight, factor)
            }
        }
    }

    /// Visits every index of a list of `count` when it fits in `fanout` (factor 1, exact),
    /// else `fanout` uniform draws with replacement, each with factor `sqrt(count / fanout)`.
    ///
    /// Why not the unbiased `count / fanout`: a row's term is a sum of `n` neighbour vectors,
    /// and an estimate from `F` draws scaled by `n / F` carries noise `sqrt(n / F)` times that
    /// of the exact sum. At a shop's size an item has thousands of users and is drawn with a
    /// fan-out of 3 to 8, so its estimate was mostly noise, 10-30 times the exact norm; the
    /// published finals and the BPR margins grew with the shop until training diverged (the
    /// 1M-user replay: loss 0.13 -> 19.7 in 3 M events, HR@10 falling below a well-trained
    /// model's). With `sqrt(n / F)` the noise has the exact sum's scale whatever `n`, and the
    /// shared part of the neighbours (the signal) is shrunk by `sqrt(F / n)`: a hub's
    /// neighbourhood term is damped, never amplified. Rows within the fan-out stay exact, so
    /// small shops train exactly as on the whole graph (`exactWhenTheFanoutsCoverEveryDegree`).
    @inline(__always)
    static func sampleList(count: Int, fanout: Int, rng: inout SeededGenerator, _ visit: (Int, Float) -> Void) {
        guard count > 0 else { return }
        if count <= fanout {
            for k in 0..<count { visit(k, 1) }
        } else {
            let factor = (Float(count) / Float(fanout)).squareRoot()
            for _ in 0..<fanout { visit(rng.index(below: count), factor) }
        }
    }

    /// Local nodes at depth `<= k` (all of them past the last depth).
    func count(throughDepth k: Int) -> Int { depthEnd[min(max(k, 0), depthEnd.count - 1)] }
}

/// A graph's user-item neighbour lists and degrees, frozen for a fit: every user's items and
/// every item's users in one flat array each (compressed sparse rows, in the order of the
/// graph's `userEdges` / `itemEdges`), and the square root of every virtual node's degree.
///
/// Why: drawing a neighbour from the graph itself reads an array of arrays (the list's
/// header, a cache miss at a shop's size), then the edge's endpoint (another), then up to four
/// arrays for the neighbour's degree. Here it is the list's bounds, the entry and one degree;
/// rows a few nodes ahead are prefetched (``SampledSubgraph/prefetchDistance``). Built once
/// per fit, O(edges); valid only while the graph does not change.
struct FrozenNeighbours: Sendable {
    /// `rootDegrees[v]`: `SampledSubgraph.degree(v).squareRoot()` for every virtual node.
    var rootDegrees: [Float] = []
    /// User `u`'s items are `userItems[userStart[u]..<userStart[u + 1]]`.
    var userStart: [Int32] = [0]
    var userItems: [Int32] = []
    /// Item `i`'s users are `itemUsers[itemStart[i]..<itemStart[i + 1]]`.
    var itemStart: [Int32] = [0]
    var itemUsers: [Int32] = []

    /// Freezes `graph` as a subgraph with `sideWeight` and `otherItemDegree` sees it.
    /// - Complexity: O(users + items + edges).
    init(graph: HeteroGraph, sideWeight: Float, otherItemDegree: [Float]) {
        var probe = SampledSubgraph()
        probe.space = SampledSubgraph.Space(graph: graph, sides: sideWeight > 0)
        probe.otherItemDegree = otherItemDegree
        rootDegrees = (0..<probe.space.count).map { probe.degree($0, graph: graph, sideWeight: sideWeight).squareRoot() }
        let users = graph.users.count
        let items = graph.items.count
        let userEntries = graph.userEdges.prefix(users).reduce(0) { $0 + $1.count }
        let itemEntries = graph.itemEdges.prefix(items).reduce(0) { $0 + $1.count }
        precondition(max(userEntries, itemEntries) < Int(Int32.max), "too many edges to freeze")
        userStart.reserveCapacity(users + 1)
        userItems.reserveCapacity(userEntries)
        for u in 0..<users {
            for e in graph.userEdges[u] { userItems.append(graph.edgeItem[Int(e)]) }
            userStart.append(Int32(userItems.count))
        }
        itemStart.reserveCapacity(items + 1)
        itemUsers.reserveCapacity(itemEntries)
        for i in 0..<items {
            for e in graph.itemEdges[i] { itemUsers.append(graph.edgeUser[Int(e)]) }
            itemStart.append(Int32(itemUsers.count))
        }
    }

    /// Prefetches the list bounds of virtual node `v` (users and items only).
    @inline(__always)
    func prefetchBounds(of v: Int, space: SampledSubgraph.Space) {
        if v < space.itemBase {
            Prefetch.readElement(of: userStart, at: v)
        } else if v < space.categoryBase {
            Prefetch.readElement(of: itemStart, at: v - space.itemBase)
        }
    }

    /// Prefetches the head of virtual node `v`'s list and its degree (the bounds should be
    /// cached by now: ``prefetchBounds(of:space:)`` ran earlier).
    @inline(__always)
    func prefetchList(of v: Int, space: SampledSubgraph.Space) {
        Prefetch.readElement(of: rootDegrees, at: v)
        if v < space.itemBase {
            Prefetch.readElement(of: userItems, at: Int(userStart[v]))
        } else if v < space.categoryBase {
            Prefetch.readElement(of: itemUsers, at: Int(itemStart[v - space.itemBase]))
        }
    }
}
