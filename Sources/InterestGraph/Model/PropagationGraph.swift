import Foundation

/// The normalised adjacency `D^-1/2 A D^-1/2` of the heterogeneous graph, in CSR form, over
/// one node space laid out as `[users | items | categories | brands | entities]`.
///
/// Edges: user-item (weighted per ``Hyperparameters/EdgeWeighting``), item-category,
/// item-brand and item-entity (weighted ``Hyperparameters/sideWeight``). Entities: an entity
/// joins when at least ``Hyperparameters/entityMinItems`` items reach it through their linked
/// entity or one knowledge-graph hop from it; the item is then linked to it directly. That
/// keeps the shared actors, directors and genres that connect items (two hops apart) and
/// drops the thousands of entities that touch a single item and would only add noise and cost.
///
/// The graph is symmetric, so the same routine serves the forward pass (embeddings) and the
/// backward pass (gradients).
struct PropagationGraph: Sendable {
    var userCount = 0
    var itemCount = 0
    var categoryCount = 0
    var brandCount = 0
    var entityCount = 0
    var rowStart: [Int32] = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    /// Row ranges with near-equal work (rows + nonzeros), one per worker thread.
    var partitions: [Range<Int>] = [0..<0]
    /// The same over users and items only (`0..<categoryBase`): a training batch's last
    /// forward layer skips the side rows, whose final embeddings only the published copy reads.
    var interactionPartitions: [Range<Int>] = [0..<0]
    /// Per row, where its columns of side nodes begin (`rowStart[r + 1]` when it has none).
    /// Only item rows link to side nodes, and they list their users first (user-item edges are
    /// added before side edges and rows keep insertion order), so on an input that is zero on
    /// side rows, such as a batch's gradient, an item row can stop here.
    var interactionEnds: [Int32] = []
    /// The same with rows weighted for the optimiser step fused into the last backward layer
    /// (an Adam row costs about as much as a dozen nonzeros).
    var optimizerPartitions: [Range<Int>] = [0..<0]
    /// Graph state this was built from, to decide when to rebuild.
    var builtLiveEdges = -1
    var builtEvents = -1

    var itemBase: Int { userCount }
    var categoryBase: Int { userCount + itemCount }
    var brandBase: Int { categoryBase + categoryCount }
    var entityBase: Int { brandBase + brandCount }
    var nodeCount: Int { entityBase + entityCount }
    var nonzeros: Int { columns.count }

    /// Builds the adjacency from the graph.
    ///
    /// - Parameter entityRow: graph entity id -> model entity row (-1 when absent). Entities
    ///   that newly qualify get the next free row, so rows (and their embeddings) are stable.
    /// - Complexity: O(edges + items * KG degree of their linked entities).
    static func build(
        graph: HeteroGraph, hyperparameters h: Hyperparameters,
        entityRow: inout [Int32], entityRows: inout Int, entityCache: inout EntityLinkCache, threads: Int
    ) -> PropagationGraph {
        var p = PropagationGraph()
        p.userCount = graph.users.count
        p.itemCount = graph.items.count
        p.categoryCount = h.sideWeight > 0 ? graph.categories.count : 0
        p.brandCount = h.sideWeight > 0 ? graph.brands.count : 0
        p.builtLiveEdges = graph.liveEdgeCount
        p.builtEvents = graph.eventsApplied

        // Entities: which items reach each entity (linked, or one KG hop from a linked one).
        // This depends on the catalogue only, so it is cached across rebuilds.
        var itemEntityLinks: [[Int32]] = []  // model entity rows per item
        if h.sideWeight > 0, h.entityMinItems > 0, !graph.entityItems.isEmpty {
            let key = [p.itemCount, graph.entities.count, graph.entityEdgeCount, h.entityMinItems,
                       graph.itemEntities.reduce(0) { $0 + $1.count }, graph.items.liveCount]
            if entityCache.key == key {
                itemEntityLinks = entityCache.links
            } else {
                if entityRow.count < graph.entities.count {
                    entityRow.append(contentsOf: repeatElement(-1, count: graph.entities.count - entityRow.count))
                }
                itemEntityLinks = Array(repeating: [], count: p.itemCount)
                var reach = [[Int32]](repeating: [], count: graph.entities.count)
                var seen = Set<Int32>()
                for item in 0..<p.itemCount where graph.itemActive[item] {
                    seen.removeAll(keepingCapacity: true)
                    for linked in graph.itemEntities[item] {
                        seen.insert(linked)
                        for l in graph.entityLinks[Int(linked)] { seen.insert(l.entity) }
                    }
                    for e in seen.sorted() { reach[Int(e)].append(Int32(item)) }
                }
                for e in 0..<reach.count where reach[e].count >= h.entityMinItems {
                    if entityRow[e] < 0 {
                        entityRow[e] = Int32(entityRows)
                        entityRows += 1
                    }
                    for item in reach[e] { itemEntityLinks[Int(item)].append(entityRow[e]) }
                }
                entityCache = EntityLinkCache(key: key, links: itemEntityLinks)
            }
            p.entityCount = entityRows
        }

        // Adjacency lists as (row, column, weight) triples, then CSR.
        let n = p.nodeCount
        var degree = [Float](repeating: 0, count: n)
        var counts = [Int32](repeating: 0, count: n + 1)
        var rows: [Int32] = []
        var cols: [Int32] = []
        var weights: [Float] = []
        rows.reserveCapacity(2 * graph.liveEdgeCount + 4 * p.itemCount)
        cols.reserveCapacity(rows.capacity)
        weights.reserveCapacity(rows.capacity)
        func addEdge(_ a: Int, _ b: Int, _ w: Float) {
            guard w > 0, w.isFinite else { return }
            rows.append(Int32(a)); cols.append(Int32(b)); weights.append(w)
            rows.append(Int32(b)); cols.append(Int32(a)); weights.append(w)
            degree[a] += w
            degree[b] += w
            counts[a] += 1
            counts[b] += 1
        }
        // Strength uses the model's own half-life, so one graph can serve models with
        // different half-lives (exact when each user-item pair occurs once).
        let decay = DecayPolicy(halfLife: h.halfLife)
        for e in 0..<graph.edgeUser.count where graph.edgeUser[e] >= 0 {
            let w: Float
            switch h.edgeWeighting {
            case .binary: w = 1
            case .strength:
                w = Float(Double(graph.edgeStates[e].value) * decay.factor(elapsed: graph.now - graph.edgeStates[e].time))
            case .logStrength:
                w = Float(log1p(Double(graph.edgeStates[e].value) * decay.factor(elapsed: graph.now - graph.edgeStates[e].time)))
            }
            addEdge(Int(graph.edgeUser[e]), p.itemBase + Int(graph.edgeItem[e]), w)
        }
        if h.sideWeight > 0 {
            for item in 0..<p.itemCount where graph.itemActive[item] {
                let node = p.itemBase + item
                for c in graph.itemCategories[item] { addEdge(node, p.categoryBase + Int(c), h.sideWeight) }
                if graph.itemBrand[item] >= 0 { addEdge(node, p.brandBase + Int(graph.itemBrand[item]), h.sideWeight) }
                if item < itemEntityLinks.count {
                    for row in itemEntityLinks[item] { addEdge(node, p.entityBase + Int(row), h.sideWeight) }
                }
            }
        }
        // Prefix sums, then scatter the triples into rows (stable: rows keep insertion order).
        var start = [Int32](repeating: 0, count: n + 1)
        for r in 0..<n { start[r + 1] = start[r] + counts[r] }
        var fill = start
        var columns = [Int32](repeating: 0, count: rows.count)
        var values = [Float](repeating: 0, count: rows.count)
        var inverseRoot = [Float](repeating: 0, count: n)
        for r in 0..<n where degree[r] > 0 { inverseRoot[r] = 1 / degree[r].squareRoot() }
        for k in rows.indices {
            let r = Int(rows[k])
            let c = Int(cols[k])
            let slot = Int(fill[r])
            fill[r] += 1
            columns[slot] = Int32(c)
            values[slot] = weights[k] * inverseRoot[r] * inverseRoot[c]
        }
        p.rowStart = start
        p.columns = columns
        p.values = values
        var ends = [Int32](repeating: 0, count: n)
        for r in 0..<n {
            var end = Int(start[r + 1])
            while end > Int(start[r]) && Int(columns[end - 1]) >= p.categoryBase { end -= 1 }
            ends[r] = Int32(end)
        }
        p.interactionEnds = ends
        p.partitions = balancedPartitions(rowStart: start, parts: threads, rowWeight: rowWeight)
        p.interactionPartitions = balancedPartitions(rowStart: Array(start[0...p.categoryBase]), parts: threads, rowWeight: rowWeight)
        p.optimizerPartitions = balancedPartitions(rowStart: start, parts: threads, rowWeight: optimizerRowWeight)
        return p
    }

    /// The cost of a row in nonzeros, beyond its nonzeros: loading its `sum` row and storing
    /// two rows. Measured on ml-100k (2 threads): weight 1 left the worker with the 3,946
    /// short side rows last at every barrier; 8 balanced the layers (epoch 0.140 to 0.133 s).
    static let rowWeight = 8
    /// The same for the last backward layer, which also runs Adam on each row: an Adam row
    /// (three streams in, three out, a square root and a division per 16 lanes) costs about
    /// 35 nonzeros in the profile.
    static let optimizerRowWeight = 40

    /// `parts` row ranges with about equal `rowWeight * rows + nonzeros` each.
    static func balancedPartitions(rowStart: [Int32], parts: Int, rowWeight: Int = 1) -> [Range<Int>] {
        let n = max(rowStart.count - 1, 0)
        // Always `parts` ranges (some may be empty): worker k of a region takes range k.
        guard parts > 1, n > 0 else { return [0..<n] + Array(repeating: n..<n, count: max(parts, 1) - 1) }
        let total = rowWeight * n + Int(rowStart[n])
        var result: [Range<Int>] = []
        var begin = 0
        for k in 1...parts {
            let target = total * k / parts
            var end = begin
            while end < n && rowWeight * end + Int(rowStart[end]) < target { end += 1 }
            if k == parts { end = n }
            result.append(begin..<end)
            begin = end
        }
        return result
    }

    /// `output = Â · input` for the rows in `range`, also setting `sum = (base + Â · input) * scale`
    /// where `base` is `input` on the first layer and `sum` after it.
    ///
    /// Each output row is accumulated in registers over the row's nonzeros, 64 lanes per pass
    /// when the stride allows it, and written once. With AVX-512's 32 registers two nonzeros
    /// are in flight (eight accumulators): one chain of dependent multiply-adds per 16 lanes
    /// would wait on each add's latency (4 cycles) instead of issuing two per cycle.
    /// `scale` is 1 except on the last layer, where it folds the layer mean's `1 / (L + 1)`
    /// into the store (one pass over the sum fewer; `x * 1` is exact).
    /// - Complexity: O((rows + nonzeros in range) * stride).
    ///
    /// With `ends`, row `r` stops at `ends[r]`: the caller knows the input is zero in the
    /// columns skipped (see ``interactionEnds``). The result is bit for bit what the full row
    /// gives, since a skipped term only ever added an exact zero to its accumulator; the one
    /// care is a leftover odd term, which the full row would have paired with a zero and so
    /// added before merging the two accumulator sets.
    @inline(__always)
    func multiply(
        rows range: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>?,
        sum: UnsafeMutablePointer<Float>, first: Bool, scale: Float, stride: Int,
        rowStart: UnsafePointer<Int32>, columns: UnsafePointer<Int32>, values: UnsafePointer<Float>,
        ends: UnsafePointer<Int32>? = nil
    ) {
        // On the first layer `sum` is initialised to `input + Â input` here, which spares a
        // separate copy of the whole input.
        let base = first ? input : UnsafePointer(sum)
        let factor = SIMD16<Float>(repeating: scale)
        for r in range {
            let begin = Int(rowStart[r])
            let full = Int(rowStart[r &+ 1])
            let end = ends.map { Int($0[r]) } ?? full
            let out = r &* stride
            var k = 0
            while k &+ 64 <= stride {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var nz = begin
                #if DRIFTSCOPE_AVX512
                var b0 = SIMD16<Float>(), b1 = SIMD16<Float>(), b2 = SIMD16<Float>(), b3 = SIMD16<Float>()
                while nz &+ 1 < end {
                    let w = SIMD16<Float>(repeating: values[nz])
                    let v = SIMD16<Float>(repeating: values[nz &+ 1])
                    let src = input + (Int(columns[nz]) &* stride &+ k)
                    let next = input + (Int(columns[nz &+ 1]) &* stride &+ k)
                    a0 = VectorKernels.multiplyAdd(a0, w, VectorKernels.load(src, 0))
                    b0 = VectorKernels.multiplyAdd(b0, v, VectorKernels.load(next, 0))
                    a1 = VectorKernels.multiplyAdd(a1, w, VectorKernels.load(src, 16))
                    b1 = VectorKernels.multiplyAdd(b1, v, VectorKernels.load(next, 16))
                    a2 = VectorKernels.multiplyAdd(a2, w, VectorKernels.load(src, 32))
                    b2 = VectorKernels.multiplyAdd(b2, v, VectorKernels.load(next, 32))
                    a3 = VectorKernels.multiplyAdd(a3, w, VectorKernels.load(src, 48))
                    b3 = VectorKernels.multiplyAdd(b3, v, VectorKernels.load(next, 48))
                    nz &+= 2
                }
                if nz < end && end < full {
                    let w = SIMD16<Float>(repeating: values[nz])
                    let src = input + (Int(columns[nz]) &* stride &+ k)
                    a0 = VectorKernels.multiplyAdd(a0, w, VectorKernels.load(src, 0))
                    a1 = VectorKernels.multiplyAdd(a1, w, VectorKernels.load(src, 16))
                    a2 = VectorKernels.multiplyAdd(a2, w, VectorKernels.load(src, 32))
                    a3 = VectorKernels.multiplyAdd(a3, w, VectorKernels.load(src, 48))
                    nz &+= 1
                }
                a0 += b0
                a1 += b1
                a2 += b2
                a3 += b3
                #endif
                while nz < end {
                    let w = SIMD16<Float>(repeating: values[nz])
                    let src = input + (Int(columns[nz]) &* stride &+ k)
                    a0 = VectorKernels.multiplyAdd(a0, w, VectorKernels.load(src, 0))
                    a1 = VectorKernels.multiplyAdd(a1, w, VectorKernels.load(src, 16))
                    a2 = VectorKernels.multiplyAdd(a2, w, VectorKernels.load(src, 32))
                    a3 = VectorKernels.multiplyAdd(a3, w, VectorKernels.load(src, 48))
                    nz &+= 1
                }
                Self.finish(a0, output, base, sum, factor, out &+ k)
                Self.finish(a1, output, base, sum, factor, out &+ k &+ 16)
                Self.finish(a2, output, base, sum, factor, out &+ k &+ 32)
                Self.finish(a3, output, base, sum, factor, out &+ k &+ 48)
                k &+= 64
            }
            while k < stride {
                var a0 = SIMD16<Float>()
                var nz = begin
                while nz < end {
                    let w = SIMD16<Float>(repeating: values[nz])
                    a0 = VectorKernels.multiplyAdd(a0, w, VectorKernels.load(input + (Int(columns[nz]) &* stride &+ k), 0))
                    nz &+= 1
                }
                Self.finish(a0, output, base, sum, factor, out &+ k)
                k &+= 16
            }
        }
    }

    @inline(__always)
    private static func finish(
        _ value: SIMD16<Float>, _ output: UnsafeMutablePointer<Float>?, _ base: UnsafePointer<Float>,
        _ sum: UnsafeMutablePointer<Float>, _ scale: SIMD16<Float>, _ offset: Int
    ) {
        if let output { VectorKernels.store(value, output, offset) }
        VectorKernels.store((VectorKernels.load(base, offset) + value) * scale, sum, offset)
    }

    /// Rows per step of the last layer: small enough that the rows the step wrote are still
    /// in L1 when `after` reads them back (32 rows of 64 floats = 8 KB).
    static let lastLayerChunk = 32

    /// Layer-mean propagation, one worker's share: `sum = (x + Âx + Â²x + … + Â^L x) / (L + 1)`
    /// for the rows of `partitions[region.worker]` (`lastRows[region.worker]` on the last layer).
    ///
    /// Call from every worker of a region whose worker count is `partitions.count`, after a
    /// barrier that makes `x` complete. `x` is overwritten (it serves as a layer buffer);
    /// `scratch` must hold `nodeCount * stride` floats. Each worker owns whole output rows and
    /// every row is computed by the same arithmetic whatever the split, so the result does not
    /// depend on the number of workers. With `layers == 0`, `sum` is a copy of `x`.
    ///
    /// `after(rows)` runs on the worker right after the last layer finished `rows` (a chunk of
    /// at most ``lastLayerChunk`` rows, in order), while they are still in L1: the optimiser
    /// step is fused there. It may read and write those rows of `sum` only. The function ends
    /// with a barrier unless `after` is given (the caller then owns the synchronisation).
    /// - Complexity: O(L * (nodes + nonzeros) * stride / workers) per worker.
    func propagate(
        region: WorkerPool.Region, x: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        sum: UnsafeMutablePointer<Float>, stride: Int, layers: Int, lastRows: [Range<Int>],
        zeroSides: Bool = false, after: ((Range<Int>) -> Void)? = nil
    ) {
        let own = partitions[region.worker]
        guard layers > 0 else {
            let rows = lastRows[region.worker]
            var chunk = rows.lowerBound
            while chunk < rows.upperBound {
                let end = min(chunk + Self.lastLayerChunk, rows.upperBound)
                (sum + chunk * stride).update(from: x + chunk * stride, count: (end - chunk) * stride)
                after?(chunk..<end)
                chunk = end
            }
            if after == nil { region.barrier() }
            return
        }
        rowStart.withUnsafeBufferPointer { rowStart in
            columns.withUnsafeBufferPointer { columns in
                values.withUnsafeBufferPointer { values in
                  interactionEnds.withUnsafeBufferPointer { interactionEnds in
                    let rs = rowStart.baseAddress!
                    let cs = columns.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    let vs = values.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    // Side rows of the input are zero: item rows can stop before their side columns.
                    let firstEnds = zeroSides && interactionEnds.count == nodeCount ? interactionEnds.baseAddress : nil
                    var input = x
                    var output = scratch
                    for layer in 1..<layers {
                        multiply(rows: own, input: input, output: output, sum: sum, first: layer == 1, scale: 1,
                                 stride: stride, rowStart: rs, columns: cs, values: vs, ends: layer == 1 ? firstEnds : nil)
                        region.barrier()
                        swap(&input, &output)
                    }
                    let scale = 1 / Float(layers + 1)
                    let rows = lastRows[region.worker]
                    let lastEnds = layers == 1 ? firstEnds : nil
                    guard let after else {
                        multiply(rows: rows, input: input, output: nil, sum: sum, first: layers == 1, scale: scale,
                                 stride: stride, rowStart: rs, columns: cs, values: vs, ends: lastEnds)
                        region.barrier()
                        return
                    }
                    var chunk = rows.lowerBound
                    while chunk < rows.upperBound {
                        let end = min(chunk + Self.lastLayerChunk, rows.upperBound)
                        multiply(rows: chunk..<end, input: input, output: nil, sum: sum, first: layers == 1, scale: scale,
                                 stride: stride, rowStart: rs, columns: cs, values: vs, ends: lastEnds)
                        after(chunk..<end)
                        chunk = end
                    }
                  }
                }
            }
        }
    }
}

/// Item -> model entity rows, valid while the catalogue part of the graph is unchanged.
struct EntityLinkCache: Sendable {
    var key: [Int] = []
    var links: [[Int32]] = []
}
