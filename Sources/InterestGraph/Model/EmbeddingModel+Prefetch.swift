extension EmbeddingModel {
    /// Asks the cache for every row an event of `user` on `item` will touch in ``observe(_:at:graph:)``:
    /// the user's final and session rows, the item's final row, and the user's ego row when
    /// the online steps write it (see ``Prefetch``). Called by the engine as soon as it knows
    /// the ids, so these misses overlap the graph update instead of following it one by one.
    /// Ids without a row yet (a new user or item) are skipped.
    ///
    /// The ego row is left out under sampled training (a shop's size): only a user's first
    /// few events (cold start) write it then, and asking for it every event cost a page walk
    /// and four line fills on a 256 MB table for nothing (perf put the engine's own time on
    /// its hints' first lines: each is a TLB miss).
    ///
    /// Inlined (as the prefetches below, ``Recommender/prefetchRows(user:item:)`` and
    /// ``HeteroGraph/prefetch(user:item:)``): called out of line from the engine's mutating
    /// `ingest`, each call copied the whole model struct (1.5-1.9 KB, three copies an event)
    /// to a temporary to pass it, perf's `memcpy` in `EngineCore.ingest`.
    /// - Complexity: O(dimension) hints; reads no row.
    @inline(__always)
    func prefetchRows(user: Int32, item: Int32) {
        let stride = self.stride
        let u = Int(user)
        if u >= 0, u < finalUsers.rows, u < egoUsers.rows, u < sessions.rows {
            finalUsers.storage.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + u * stride, count: stride) }
            if onlineStepsWriteEgoRows {
                egoUsers.storage.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + u * stride, count: stride) }
            }
            sessions.storage.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + u * stride, count: stride) }
        }
        prefetchItemRow(Int(item))
        // A new edge counts into the item's entry for the other engines (400 KB at a
        // hundred thousand items, out of cache: unasked, 2% of each engine thread in perf).
        itemSync?.prefetchNewEdges(ofRow: Int(item))
    }

    /// Asks for item row `i` of the final table, to be written. Not its transposed block
    /// lines: the event only notes the row for a later copy (``syncItemBlock(row:)``), and
    /// asking for those 64 lines every event kept the line-fill buffers full.
    /// - Complexity: O(dimension / 16) hints.
    @inline(__always)
    func prefetchItemRow(_ i: Int) {
        let stride = self.stride
        guard i >= 0, i < finalItems.rows else { return }
        finalItems.storage.withUnsafeBufferPointer { Prefetch.write($0.baseAddress! + i * stride, count: stride) }
    }

    /// Asks for a negative's final item row `j`, for reading: the online steps read it for
    /// the margin and the user's step and write none of its lines.
    ///
    /// Static, through the table's address taken beforehand: the steps call it inside a
    /// closure, where a method of the model copied the whole model struct (1.9 KB) at each
    /// call site, every event (perf: `memcpy` under the online steps).
    /// - Complexity: O(dimension / 16) hints.
    @inline(__always)
    static func prefetchRow(_ j: Int, of table: UnsafePointer<Float>, rows: Int, stride: Int) {
        guard j >= 0, j < rows else { return }
        Prefetch.read(table + j * stride, count: stride)
    }
}
