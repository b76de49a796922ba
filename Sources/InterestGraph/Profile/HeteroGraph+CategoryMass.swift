/// Reusable scratch space for per-user category sums: a dense array indexed by category id
/// plus the list of ids touched, so clearing costs O(touched), not O(categories).
struct CategoryScratch: Sendable {
    var mass: [Double] = []
    var touched: [Int32] = []

    mutating func reset() {
        for c in touched { mass[Int(c)] = 0 }
        touched.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func add(_ c: Int32, _ value: Double) {
        let i = Int(c)
        if i >= mass.count { mass.append(contentsOf: repeatElement(0, count: i + 1 - mass.count)) }
        if mass[i] == 0 { touched.append(c) }
        mass[i] += value
    }
}

extension HeteroGraph {
    /// Accumulates the user's decayed category mass into `scratch` (after resetting it), the
    /// same split as ``profile(ofUser:at:)``: an edge's strength divided evenly over the
    /// item's categories. Returns the total category mass.
    /// - Complexity: O(d * c) for d edges and c categories per item, the edges' misses
    ///   overlapped; no allocation once the scratch has grown to the category count.
    @discardableResult
    func accumulateCategoryMass(ofUser user: Int32, at time: Double, into scratch: inout CategoryScratch) -> Double {
        scratch.reset()
        let u = Int(user)
        guard u >= 0, u < userEdges.count else { return 0 }
        var total = 0.0
        // Every edge's record and its item's `itemCategories` entry first: a checkpoint walks
        // up to hundreds of edges, each a scattered record and entry, and read one by one
        // those misses came one after another (perf: four fifths of the drift history's time late
        // in a shop-sized replay). The item ids come from `userItems`, in lockstep with the
        // edges, not from `edgeItem` (a scattered line more per edge).
        let edges = userEdges[u], items = userItems[u]
        edgeStates.withUnsafeBufferPointer { states in
            for edge in edges where Int(edge) < states.count { Prefetch.address(states.baseAddress! + Int(edge)) }
        }
        for item in items { Prefetch.readElement(of: itemCategories, at: Int(item)) }
        for (k, edge) in edges.enumerated() {
            let e = Int(edge)
            let cats = itemCategories[Int(k < items.count ? items[k] : edgeItem[e])]
            guard !cats.isEmpty else { continue }
            let s = strength(edge: e, at: time)
            let part = s / Double(cats.count)
            for c in cats { scratch.add(c, part) }
            total += s
        }
        return total
    }

    /// The user's top category id at `time` (ties to the lower id), or `nil` without mass.
    func topCategory(ofUser user: Int32, at time: Double, scratch: inout CategoryScratch) -> Int32? {
        accumulateCategoryMass(ofUser: user, at: time, into: &scratch)
        var best: Int32 = -1
        var bestMass = 0.0
        for c in scratch.touched {
            let m = scratch.mass[Int(c)]
            if m > bestMass || (m == bestMass && m > 0 && c < best) {
                best = c
                bestMass = m
            }
        }
        return best >= 0 ? best : nil
    }
}
