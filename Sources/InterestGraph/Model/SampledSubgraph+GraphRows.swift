/// A live batch's rows, drawn from the graph's own lists in passes whose cache misses overlap.
///
/// Why passes: a row's neighbour costs a chain of misses at a million users, each needing the
/// one before it: the item's list entry, the edge's user (`edgeUser`), that user's list header
/// for its degree, then its slot in the id map. Drawn one neighbour at a time (as
/// ``SampledSubgraph/appendRow(of:fanout:graph:sideWeight:frozen:rng:)`` does from a fit's
/// frozen lists) the thread waits on every link; perf put 95% of the live engine's
/// batch-drawing thread there, 10 CPU-seconds per engine over the large replay, more than the
/// batch's arithmetic. Here one depth's rows are drawn in four passes over flat scratch
/// arrays (draw the list positions, resolve them to nodes, find the nodes' degrees, number
/// the nodes and weigh the edges), and each pass asks for the lines of the entries a few
/// places ahead of the one it is on (``Prefetch``), so the misses of one pass overlap.
///
/// The result is the one-at-a-time draw's, bit for bit: the generator is drawn in the same
/// order (positions only, in the first pass), nodes are numbered in the same order (the last
/// pass walks the neighbours in draw order) and each weight is the same expression
/// (`frozenListsBuildTheSameSubgraph` compares the two).
extension SampledSubgraph {
    /// One depth's drawn neighbours between the passes.
    struct GraphRowScratch: Sendable {
        /// `sqrt(degree)` of each local node, set when it is numbered.
        var rootOfLocal: [Float] = []
        /// A drawn neighbour: its virtual id once resolved; before, `-1 - item` for a
        /// user of an item's list, whose position is in ``position``.
        var node: [Int32] = []
        /// The drawn position in an item's list, then that entry's edge id.
        var position: [Int32] = []
        /// `factor * a`: the estimator's multiplicity factor times the edge's weight.
        var scale: [Float] = []
        /// `sqrt(degree)` of each drawn neighbour.
        var root: [Float] = []
        /// One past each row's last drawn neighbour.
        var rowEnd: [Int] = []

        mutating func clearDraws() {
            node.removeAll(keepingCapacity: true)
            position.removeAll(keepingCapacity: true)
            scale.removeAll(keepingCapacity: true)
            root.removeAll(keepingCapacity: true)
            rowEnd.removeAll(keepingCapacity: true)
        }
    }

    /// How many entries ahead each pass asks for (twice that for a pass's first stage).
    static let passPrefetchDistance = 8

    /// Records `sqrt(degree)` of the seeds (every local node so far).
    /// - Complexity: O(seeds), misses overlapped as in ``appendRows(_:fanout:graph:sideWeight:rng:)``.
    mutating func noteSeedDegrees(graph: HeteroGraph, sideWeight: Float) {
        let count = nodes.count
        let distance = Self.passPrefetchDistance
        let space = self.space
        graphRows.rootOfLocal.removeAll(keepingCapacity: true)
        for v in 0..<count {
            if v + 2 * distance < count { GraphRowScratch.prefetchDegreeEntries(of: Int(nodes[v + 2 * distance]), space: space, graph: graph) }
            if v + distance < count { GraphRowScratch.prefetchDegreeLists(of: Int(nodes[v + distance]), space: space, graph: graph) }
            let root = Self.degree(Int(nodes[v]), space: space, otherItemDegree: otherItemDegree, graph: graph, sideWeight: sideWeight).squareRoot()
            graphRows.rootOfLocal.append(root)
        }
    }

    /// Appends the sampled rows of local nodes `rows` (one depth) from the graph's lists.
    /// - Complexity: O(rows * fanout), each pass's misses overlapped.
    mutating func appendRows(
        _ rows: Range<Int>, fanout: Int, graph: HeteroGraph, sideWeight: Float, rng: inout SeededGenerator
    ) {
        // The scratch is moved out for the passes, which then touch no other field of `self`
        // (a method of `self` called from a loop that writes one of its fields may copy it).
        var scratch = GraphRowScratch()
        swap(&scratch, &graphRows)
        scratch.clearDraws()
        scratch.drawPositions(of: nodes, rows: rows, space: space, fanout: fanout, graph: graph, sideWeight: sideWeight, rng: &rng)
        scratch.resolveItemUsers(graph: graph)
        scratch.findDegrees(space: space, otherItemDegree: otherItemDegree, graph: graph, sideWeight: sideWeight)
        numberAndWeigh(rows, scratch: &scratch)
        swap(&scratch, &graphRows)
    }

    /// Pass 4: in draw order, numbers each neighbour (a new node when first met) and appends
    /// the rows' columns and weights.
    private mutating func numberAndWeigh(_ rows: Range<Int>, scratch: inout GraphRowScratch) {
        let count = scratch.node.count
        let distance = Self.passPrefetchDistance
        var j = 0
        for (r, v) in rows.enumerated() {
            let rootV = scratch.rootOfLocal[v]
            let end = scratch.rowEnd[r]
            while j < end {
                if j + distance < count { Prefetch.readElement(of: localPlusOne, at: Int(scratch.node[j + distance])) }
                let rootW = scratch.root[j]
                if rootW > 0 {
                    let id = local(Int(scratch.node[j]))
                    if Int(id) == scratch.rootOfLocal.count { scratch.rootOfLocal.append(rootW) }
                    columns.append(id)
                    weights.append(scratch.scale[j] / (rootV * rootW))
                }
                j += 1
            }
            rowStart.append(Int32(columns.count))
        }
    }
}

extension SampledSubgraph.GraphRowScratch {
    typealias Space = SampledSubgraph.Space

    /// Pass 1: every row's draws, in row order (the generator's order). A user's items and
    /// an item's sides are resolved here (short lists); an item's users are left as positions.
    mutating func drawPositions(
        of nodes: [Int32], rows: Range<Int>, space: Space, fanout: Int, graph: HeteroGraph, sideWeight: Float,
        rng: inout SeededGenerator
    ) {
        let distance = SampledSubgraph.passPrefetchDistance
        let itemBase = space.itemBase
        for v in rows {
            if v + 2 * distance < rows.upperBound { Self.prefetchListEntries(of: Int(nodes[v + 2 * distance]), space: space, graph: graph) }
            if v + distance < rows.upperBound { Self.prefetchLists(of: Int(nodes[v + distance]), space: space, graph: graph) }
            let virtual = Int(nodes[v])
            // `sqrt(d) > 0` exactly when `d > 0`: a node without neighbours has an empty row.
            if rootOfLocal[v] > 0 {
                if virtual < itemBase {
                    graph.userItems[virtual].withUnsafeBufferPointer { list in
                        SampledSubgraph.sampleList(count: list.count, fanout: fanout, rng: &rng) { k, factor in
                            append(Int32(itemBase) + list[k], scale: factor * 1)
                        }
                    }
                } else if virtual < space.categoryBase {
                    let i = virtual - itemBase
                    var sides = 0
                    if space.categories > 0 {
                        for c in graph.itemCategories[i] {
                            append(Int32(space.categoryBase) + c, scale: 1 * sideWeight)
                            sides += 1
                        }
                        if graph.itemBrand[i] >= 0 {
                            append(Int32(space.brandBase) + graph.itemBrand[i], scale: 1 * sideWeight)
                            sides += 1
                        }
                    }
                    SampledSubgraph.sampleList(count: graph.itemEdges[i].count, fanout: max(1, fanout - sides), rng: &rng) { k, factor in
                        append(Int32(-1 - i), position: Int32(k), scale: factor * 1)
                    }
                } else {
                    let items = virtual < space.brandBase
                        ? graph.categoryItems[virtual - space.categoryBase] : graph.brandItems[virtual - space.brandBase]
                    SampledSubgraph.sampleList(count: items.count, fanout: fanout, rng: &rng) { k, factor in
                        append(Int32(itemBase) + items[k], scale: factor * sideWeight)
                    }
                }
            }
            rowEnd.append(node.count)
        }
    }

    @inline(__always)
    private mutating func append(_ n: Int32, position p: Int32 = 0, scale s: Float) {
        node.append(n)
        position.append(p)
        scale.append(s)
    }

    /// Pass 2: an item's drawn positions to its users: the list entry (its edge id), then
    /// the edge's user, each asked for ahead.
    mutating func resolveItemUsers(graph: HeteroGraph) {
        let count = node.count
        let distance = SampledSubgraph.passPrefetchDistance
        graph.edgeUser.withUnsafeBufferPointer { edgeUser in
            graph.itemEdges.withUnsafeBufferPointer { itemEdges in
                node.withUnsafeMutableBufferPointer { node in
                    position.withUnsafeMutableBufferPointer { position in
                        // The item's list entry at a drawn position: asked for, or read (its
                        // edge id). Pointers stay inside the list's closure.
                        func prefetchEntry(_ j: Int) {
                            itemEdges[Int(-1 - node[j])].withUnsafeBufferPointer { Prefetch.address($0.baseAddress! + Int(position[j])) }
                        }
                        func entry(_ j: Int) -> Int32 {
                            itemEdges[Int(-1 - node[j])][Int(position[j])]
                        }
                        for j in 0..<count {
                            if j + 2 * distance < count, node[j + 2 * distance] < 0 { prefetchEntry(j + 2 * distance) }
                            if j + distance < count, node[j + distance] < 0 {
                                // Its entry is in cache by now: keep the edge id, ask for its user.
                                let edge = entry(j + distance)
                                position[j + distance] = edge
                                Prefetch.address(edgeUser.baseAddress! + Int(edge))
                            }
                            if node[j] < 0 {
                                // The first `distance` entries had no look-ahead.
                                let edge = j < distance ? entry(j) : position[j]
                                node[j] = edgeUser[Int(edge)]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Pass 3: each drawn neighbour's `sqrt(degree)`.
    mutating func findDegrees(space: Space, otherItemDegree: [Float], graph: HeteroGraph, sideWeight: Float) {
        let count = node.count
        let distance = SampledSubgraph.passPrefetchDistance
        root.reserveCapacity(count)
        for j in 0..<count {
            if j + 2 * distance < count { Self.prefetchDegreeEntries(of: Int(node[j + 2 * distance]), space: space, graph: graph) }
            if j + distance < count { Self.prefetchDegreeLists(of: Int(node[j + distance]), space: space, graph: graph) }
            let d = SampledSubgraph.degree(Int(node[j]), space: space, otherItemDegree: otherItemDegree, graph: graph, sideWeight: sideWeight)
            root.append(d.squareRoot())
        }
    }

    /// The outer entries behind node `v`'s neighbour lists (a user's items; an item's edges
    /// and categories).
    @inline(__always)
    static func prefetchListEntries(of v: Int, space: Space, graph: HeteroGraph) {
        if v < space.itemBase {
            Prefetch.readElement(of: graph.userItems, at: v)
        } else if v < space.categoryBase {
            Prefetch.readElement(of: graph.itemEdges, at: v - space.itemBase)
            Prefetch.readElement(of: graph.itemCategories, at: v - space.itemBase)
        }
    }

    /// The headers and first elements of node `v`'s neighbour lists (their entries should be
    /// cached by now).
    @inline(__always)
    static func prefetchLists(of v: Int, space: Space, graph: HeteroGraph) {
        if v < space.itemBase {
            Prefetch.listHeader(in: graph.userItems, at: v, forWriting: false)
        } else if v < space.categoryBase {
            Prefetch.listHeader(in: graph.itemEdges, at: v - space.itemBase, forWriting: false)
            Prefetch.listHeader(in: graph.itemCategories, at: v - space.itemBase, forWriting: false)
        }
    }

    /// The outer entries ``SampledSubgraph/degree(_:space:otherItemDegree:graph:sideWeight:)``
    /// reads for node `v`.
    @inline(__always)
    static func prefetchDegreeEntries(of v: Int, space: Space, graph: HeteroGraph) {
        if v < space.itemBase {
            Prefetch.readElement(of: graph.userEdges, at: v)
        } else if v < space.categoryBase {
            prefetchListEntries(of: v, space: space, graph: graph)
        }
    }

    /// The list headers that degree reads for node `v` (their entries should be cached by now).
    @inline(__always)
    static func prefetchDegreeLists(of v: Int, space: Space, graph: HeteroGraph) {
        if v < space.itemBase {
            Prefetch.listHeader(in: graph.userEdges, at: v, forWriting: false)
        } else if v < space.categoryBase {
            prefetchLists(of: v, space: space, graph: graph)
        }
    }
}
