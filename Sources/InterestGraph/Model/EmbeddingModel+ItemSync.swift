/// Item rows shared between engines that split the users (docs/SCALE-OUT.md): which item
/// rows changed since the last exchange, and the values the other engines were last given.
///
/// What is shared is the item *ego* rows, the trained parameters, which optimiser steps
/// change by increments. The rule is additive, as in asynchronous parameter-server
/// (Hogwild-style) training: an engine sends `current - published` for each changed row (the
/// sum of its own steps since it last sent) and adds the deltas it receives to both `current`
/// and `published`, so a received step is never sent back. Every engine then holds, per item,
/// its own starting row plus the sum of every engine's steps, as one engine seeing all events
/// would. Final rows are derived (each engine propagates over its own users' edges) and are
/// *set*, not stepped, by a batch: summing their deltas would count a step once per engine
/// that re-propagated it, so they are not sent; a received ego delta moves the final row by
/// its layer-0 share, `delta / (layers + 1)`, until the next local propagation recomputes it.
struct ItemSyncState: Sendable {
    /// The ego rows as last exchanged, `rows * stride` floats.
    var publishedEgo: [Float] = []
    var rows = 0
    var stride = 0
    /// Rows changed since the last collect (each once), with a flag per row.
    var dirty: [Int32] = []
    var isDirty: [Bool] = []
    /// Rows the other engines know of: announced by this engine in an earlier batch, or
    /// created here from another engine's announcement.
    var announced: [Bool] = []
    /// Per row, the user edges this engine added since the last collect.
    var newEdges: [Int32] = []

    func isAnnounced(_ row: Int) -> Bool { row < announced.count && announced[row] }

    /// Whether `row` still has to be announced, marking it announced.
    mutating func announce(_ row: Int) -> Bool {
        if row >= announced.count { announced.append(contentsOf: repeatElement(false, count: row + 1 - announced.count)) }
        defer { announced[row] = true }
        return !announced[row]
    }

    /// Asks for `row`'s entry of ``newEdges``, to be written.
    /// - Complexity: O(1), one hint.
    @inline(__always)
    func prefetchNewEdges(ofRow row: Int) {
        Prefetch.element(of: newEdges, at: row)
    }

    @inline(__always)
    mutating func mark(_ row: Int) {
        if row >= isDirty.count { isDirty.append(contentsOf: repeatElement(false, count: row + 1 - isDirty.count)) }
        if !isDirty[row] {
            isDirty[row] = true
            dirty.append(Int32(row))
        }
    }
}

/// One changed item row as sent to other engines: the ego (trained) row's delta,
/// `dimension` floats.
package struct ItemRowDelta: Sendable {
    package var row: Int32
    package var ego: [Float]
    /// User edges this engine added to the item since the last collect.
    package var edges: Int32 = 0
}

/// The changed item rows of one collect (``EmbeddingModel/collectItemDeltas()``), in row
/// order, stored flat: row `k`'s delta is `ego[k * dimension ..< (k + 1) * dimension]`.
///
/// Why flat: an exchange carries tens of thousands of rows a second, and an array per row
/// was as many allocations, and a fresh table for the batch that copied them all again.
package struct ItemRowDeltas: Sendable, RandomAccessCollection {
    package var rows: [Int32] = []
    package var ego: [Float] = []
    package var edges: [Int32] = []
    package var dimension = 0

    package var startIndex: Int { 0 }
    package var endIndex: Int { rows.count }
    package subscript(k: Int) -> ItemRowDelta {
        ItemRowDelta(row: rows[k], ego: Array(ego[(k * dimension)..<((k + 1) * dimension)]), edges: edges[k])
    }
}

extension EmbeddingModel {
    /// Starts tracking changed item rows (idempotent). The published copy is taken lazily,
    /// row by row as tables grow.
    mutating func enableItemSync() {
        if itemSync == nil { itemSync = ItemSyncState() }
    }

    /// Notes a new user edge of item `row`, for the other engines' degree (a no-op unless
    /// item sync is on). - Complexity: O(1) amortised.
    mutating func noteNewItemEdge(_ row: Int) {
        guard itemSync != nil else { return }
        if row >= itemSync!.newEdges.count { itemSync!.newEdges.append(contentsOf: repeatElement(0, count: row + 1 - itemSync!.newEdges.count)) }
        itemSync!.newEdges[row] += 1
        itemSync!.mark(row)
    }

    /// Adds another engine's new user edges of item `row` to its degree.
    /// - Complexity: O(1) amortised.
    mutating func addOtherItemEdges(row: Int32, count: Int) {
        let r = Int(row)
        guard r >= 0, count > 0 else { return }
        if r >= otherItemDegree.count { otherItemDegree.append(contentsOf: repeatElement(0, count: r + 1 - otherItemDegree.count)) }
        otherItemDegree[r] += Float(count)
    }

    /// Notes a changed item row (a no-op unless item sync is on).
    @inline(__always)
    mutating func markItemChanged(_ row: Int) {
        if itemSync != nil { itemSync!.mark(row) }
    }

    /// Takes the published copy of rows the tables gained since (their values now: a new
    /// row's starting values are this engine's own, never sent).
    /// - Complexity: O(new rows * dimension).
    mutating func extendPublishedRows() {
        let rows = min(egoItems.rows, finalItems.rows)
        // Read in place: nothing to take is the case of nearly every call (each received row
        // asks), and taking the state out retained and released each of its arrays.
        guard itemSync != nil, itemSync!.stride != stride || itemSync!.rows < rows else { return }
        guard var state = itemSync else { return }
        itemSync = nil  // no copy-on-write copy of the arrays while they grow
        if state.stride != stride {
            state = ItemSyncState()
            state.stride = stride
        }
        if state.rows < rows {
            let range = (state.rows * stride)..<(rows * stride)
            egoItems.storage.withUnsafeBufferPointer { state.publishedEgo.append(contentsOf: $0[range]) }
            state.rows = rows
        }
        itemSync = state
    }

    /// Resets a row's published copy to its current values: a re-initialised row (cold
    /// start) is this engine's own starting point, not a step to share.
    mutating func republishItemRow(_ row: Int) {
        guard itemSync != nil else { return }
        extendPublishedRows()
        guard var state = itemSync, row < state.rows else { return }
        itemSync = nil
        let base = row * stride
        for k in 0..<stride { state.publishedEgo[base + k] = egoItems.storage[base + k] }
        itemSync = state
    }

    /// A delta as the wire carries it: half precision, clamped to its finite range.
    @inline(__always)
    static func wireRounded(_ x: Float) -> Float {
        Float(Float16(min(max(x, -Float(Float16.greatestFiniteMagnitude)), Float(Float16.greatestFiniteMagnitude))))
    }

    /// The deltas of every item row changed since the last call, in row order, rounded to
    /// half precision (what the wire carries, ``wireRounded(_:)``; rows whose delta is zero
    /// are left out, unless the item was never announced: a row created since the last
    /// call has a zero delta, its start being this engine's own, but the other engines must
    /// learn of the item), and the published copy moved to the current values.
    ///
    /// Row order: the changed rows are a third or more of the item table, so in order the
    /// rows of the ego table and of its published copy are read front to back as the
    /// hardware prefetcher likes, and a receiver whose items were numbered in the same order
    /// (the catalogue's, loaded first) writes its rows the same way (in the order they
    /// changed, each row read was a cache miss: a microsecond a row in perf).
    /// - Complexity: O(changed rows * (dimension + log changed rows)), never O(items).
    ///
    /// `buffer`: an empty array to fill with the deltas, its capacity kept (moved in). An
    /// exchange's deltas run to tens of megabytes, each fresh copy mapped and faulted in page
    /// by page (perf: 1.7% of a split replay's engine threads), so the spent ones come back.
    mutating func collectItemDeltas(reusing buffer: consuming [Float] = []) -> ItemRowDeltas {
        guard itemSync != nil else { return ItemRowDeltas() }
        extendPublishedRows()
        guard var state = itemSync else { return ItemRowDeltas() }
        itemSync = nil
        let d = dimension, stride = self.stride
        var out = ItemRowDeltas()
        out.dimension = d
        if buffer.isEmpty { out.ego = consume buffer }
        out.rows.reserveCapacity(state.dirty.count)
        out.edges.reserveCapacity(state.dirty.count)
        out.ego.reserveCapacity(state.dirty.count * d)
        let rows = state.rows
        state.dirty.sort()
        // Through pointers: a subscript of the published copy per float checked its
        // uniqueness each time (a fifth of an exchange in perf). The copy is moved out of
        // `state` for the loop (a swap, no copy) so the loop may write the rest of `state`.
        var publishedEgo: [Float] = []
        swap(&publishedEgo, &state.publishedEgo)
        var delta = [Float](repeating: 0, count: d)
        egoItems.storage.withUnsafeBufferPointer { ego in
            publishedEgo.withUnsafeMutableBufferPointer { published in
                delta.withUnsafeMutableBufferPointer { e in
                    for row in state.dirty {
                        let r = Int(row)
                        state.isDirty[r] = false
                        guard r < rows else { continue }
                        let base = r * stride
                        var any = false
                        for k in 0..<d {
                            // Half precision on the wire; the published copy advances by what
                            // is sent, so what rounding left out goes out with a later batch
                            // (error feedback).
                            let x = Self.wireRounded(ego[base + k] - published[base + k])
                            e[k] = x
                            published[base + k] += x
                            any = any || x != 0
                        }
                        let edges = r < state.newEdges.count ? state.newEdges[r] : 0
                        if r < state.newEdges.count { state.newEdges[r] = 0 }
                        if any || edges > 0 || !state.isAnnounced(r) {
                            out.rows.append(row)
                            out.edges.append(edges)
                            out.ego.append(contentsOf: e)
                        }
                    }
                }
            }
        }
        swap(&publishedEgo, &state.publishedEgo)
        state.dirty.removeAll(keepingCapacity: true)
        itemSync = state
        return out
    }

    /// Asks the cache for the lines ``applyItemDelta(row:ego:)`` writes for item `row`: its
    /// ego, final and published rows (a hint; nothing changes, ids out of range are skipped).
    /// - Complexity: O(dimension / 16) hints.
    @inline(__always)
    func prefetchItemDeltaRows(_ row: Int32) {
        let r = Int(row), stride = self.stride
        guard r >= 0, r < egoItems.rows else { return }
        egoItems.storage.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + r * stride, count: stride) }
        prefetchItemRow(r)
        if itemSync != nil, r < itemSync!.rows {
            itemSync!.publishedEgo.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + r * stride, count: stride) }
        }
    }

    /// Adds another engine's ego delta to an item row (and to the published copy, so the
    /// step is not sent back), and its layer-0 share to the final row. Non-finite deltas and
    /// rows this model does not have are ignored. - Returns: whether the row was changed.
    /// - Complexity: O(dimension).
    @discardableResult
    mutating func applyItemDelta(row: Int32, ego: ArraySlice<Float>) -> Bool {
        let r = Int(row)
        let d = dimension
        // Sixteen lanes at a time (a float at a time was a third of this function in perf).
        let finite = ego.withUnsafeBufferPointer { b -> Bool in
            let whole = b.count & ~15
            guard let base = b.baseAddress else { return true }
            return VectorKernels.allFinite(base, whole) && b[whole...].allSatisfy(\.isFinite)
        }
        guard ego.count == d, r < egoItems.rows, r < finalItems.rows, finite else { return false }
        extendPublishedRows()
        let base = r * stride
        let share = 1 / Float(h.layers + 1)
        // Through pointers (a subscript per float checked each table's uniqueness: half of
        // an exchange in perf); the block copy waits with the engine's own changed rows.
        ego.withUnsafeBufferPointer { delta in
            egoItems.storage.withUnsafeMutableBufferPointer { e in
                finalItems.storage.withUnsafeMutableBufferPointer { f in
                    let e = e.baseAddress! + base, f = f.baseAddress! + base
                    for k in 0..<d {
                        e[k] += delta[k]
                        f[k] += share * delta[k]
                    }
                }
            }
        }
        // The published copy in place, in its own access to `self` (taking the state out
        // and back retained and released each of its arrays per received row).
        if itemSync != nil, r < itemSync!.rows {
            ego.withUnsafeBufferPointer { delta in
                itemSync!.publishedEgo.withUnsafeMutableBufferPointer { p in
                    let p = p.baseAddress! + base
                    for k in 0..<d { p[k] += delta[k] }
                }
            }
        }
        deferItemBlockCopy(row: r)
        return true
    }
}

extension EmbeddingModel {
    /// Whether another engine has yet to learn of item `row` (it was never announced, nor
    /// created here from an announcement); marks it announced. Always `false` without sync.
    mutating func needsAnnouncement(_ row: Int) -> Bool {
        guard itemSync != nil else { return false }
        return itemSync!.announce(row)
    }

    /// Creates item `row` (just added to `graph`) from another engine's announcement: ego and
    /// final rows set to the sender's, the published copy to the same values (they are the
    /// sender's, never sent back), and the item known, so this engine's first event on it
    /// continues from there instead of a cold start. Non-finite or mis-sized rows leave the
    /// item unknown. - Returns: whether the rows were set.
    /// - Complexity: O(dimension), plus the growth of the tables to the graph.
    @discardableResult
    mutating func adoptItem(row: Int32, ego: ArraySlice<Float>, final: ArraySlice<Float>, graph: HeteroGraph) -> Bool {
        let r = Int(row), d = dimension
        guard ego.count == d, final.count == d, ego.allSatisfy(\.isFinite), final.allSatisfy(\.isFinite) else { return false }
        if r >= egoItems.rows || r >= finalItems.rows { ensureRows(graph: graph, random: false) }
        guard r < egoItems.rows, r < finalItems.rows else { return false }
        let base = r * stride
        for k in 0..<d {
            egoItems.storage[base + k] = ego[ego.startIndex + k]
            finalItems.storage[base + k] = final[final.startIndex + k]
        }
        markKnown(row)
        copyItemBlock(row: r)
        republishItemRow(r)
        _ = needsAnnouncement(r)
        return true
    }
}

extension Recommender {
    /// Sets how background batches see the graph (embedding models only).
    package mutating func setTrainingMode(_ mode: TrainingMode) { hybrid?.embedding.trainingMode = mode }

    /// See ``EmbeddingModel/drawsAhead``.
    package mutating func setDrawsAhead(_ on: Bool) { hybrid?.embedding.drawsAhead = on }

    /// Whether the model has a row for `item` that its training and scoring use: the item
    /// had an event here, or was created from another engine's announcement.
    /// - Complexity: O(1).
    @inline(__always)
    func hasItemRow(_ item: Int32) -> Bool {
        guard let known = hybrid?.embedding.itemKnown, Int(item) < known.count else { return false }
        return known[Int(item)]
    }

    /// See ``EmbeddingModel/addOtherItemEdges(row:count:)``.
    mutating func addOtherItemEdges(row: Int32, count: Int) { hybrid?.embedding.addOtherItemEdges(row: row, count: count) }

    /// See ``EmbeddingModel/prefetchItemDeltaRows(_:)`` (`mutating`: see ``prefetchRows(user:item:)``).
    @inline(__always)
    mutating func prefetchItemDeltaRows(_ row: Int32) { hybrid?.embedding.prefetchItemDeltaRows(row) }

    /// The item's degree at the other engines (tests, measurements).
    package func otherItemDegree(_ row: Int32) -> Float {
        guard let e = hybrid?.embedding, Int(row) < e.otherItemDegree.count else { return 0 }
        return e.otherItemDegree[Int(row)]
    }

    /// See ``EmbeddingModel/needsAnnouncement(_:)``.
    mutating func needsAnnouncement(_ item: Int32) -> Bool { hybrid?.embedding.needsAnnouncement(Int(item)) ?? false }

    /// See ``EmbeddingModel/adoptItem(row:ego:final:graph:)``.
    @discardableResult
    mutating func adoptItem(row: Int32, ego: ArraySlice<Float>, final: ArraySlice<Float>, graph: HeteroGraph) -> Bool {
        hybrid?.embedding.adoptItem(row: row, ego: ego, final: final, graph: graph) ?? false
    }

    /// Starts tracking the item rows that change, for ``collectItemDeltas()`` (embedding
    /// models only; the others have no item rows to share).
    package mutating func enableItemSync() { hybrid?.embedding.enableItemSync() }

    /// The item rows changed since the last call, as deltas.
    /// - Complexity: O(changed rows * dimension).
    package mutating func collectItemDeltas(reusing buffer: consuming [Float] = []) -> ItemRowDeltas {
        hybrid?.embedding.collectItemDeltas(reusing: consume buffer) ?? ItemRowDeltas()
    }

    /// Adds another engine's delta to item `row` (see ``EmbeddingModel/applyItemDelta(row:ego:)``).
    @discardableResult
    package mutating func applyItemDelta(row: Int32, ego: ArraySlice<Float>) -> Bool {
        hybrid?.embedding.applyItemDelta(row: row, ego: ego) ?? false
    }

    /// The item's ego and final rows (tests, measurements).
    package func itemRows(_ row: Int32) -> (ego: [Float], final: [Float])? {
        guard let e = hybrid?.embedding, Int(row) < e.egoItems.rows, Int(row) < e.finalItems.rows else { return nil }
        return (e.egoItems.vector(Int(row)), e.finalItems.vector(Int(row)))
    }
}
