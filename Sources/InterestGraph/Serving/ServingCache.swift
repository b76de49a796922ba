import Synchronization

/// Serving tables derived from a model's final embeddings, built after the model (or the
/// catalogue) changed and reused by every query until the next change.
///
/// Entries are keyed by ``EmbeddingModel/finalsStamp`` (and ``HeteroGraph/catalogueStamp``
/// for cold items), so a stale entry is never read (unless a live engine allows it for cold
/// items, see ``allowStaleColdTable(seconds:)``): a query on a changed model rebuilds it
/// once, and every later query on the same state costs only the SIMD scan. Cold-item vectors
/// are built on the first query (one build costs about what one request used to); user
/// queries and item norms on the second, see ``userQueries(model:)``. The box is a
/// reference shared by copies of a model; the lock makes it safe to query two copies (or one
/// from two threads) at once.
///
/// Memory, at dimension d (stride s, d rounded up to 16): cold items `2 * s * 4 + 4` bytes
/// each (row-major and blocked copies, a norm) plus 4 bytes per catalogue item (the slot
/// map); user queries `s * 4` bytes per user; item norms 4 bytes per item.
final class ServingCache: Sendable {
    private struct State {
        var cold: ColdItemTable?
        /// When `cold` was built (monotonic seconds), and how old it may be while the model
        /// moves (0: exact, rebuilt after every change).
        var coldBuiltAt = 0.0
        var coldMaxAge = 0.0
        var users: UserQueryBlocks?
        var itemNorms: ItemNorms?
        /// The model stamp the last user-query and norm requests saw (see ``userQueries(model:)``).
        var usersAsked: UInt64 = 0
        var normsAsked: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    /// The cold-item table for this model and catalogue state.
    /// - Complexity: O(1) when cached; else a build, see ``ColdItemTable/init(model:graph:)``.
    func coldTable(model: EmbeddingModel, graph: HeteroGraph) -> ColdItemTable {
        state.withLock { s in
            let now = s.coldMaxAge > 0 ? MonotonicClock.seconds() : 0
            if let t = s.cold, t.catalogueStamp == graph.catalogueStamp, t.slot.count == graph.itemCapacity,
               t.modelStamp == model.finalsStamp || now - s.coldBuiltAt < s.coldMaxAge {
                return t
            }
            let t = ColdItemTable(model: model, graph: graph)
            s.cold = t
            s.coldBuiltAt = now
            return t
        }
    }

    /// Lets ``coldTable(model:graph:)`` serve a table up to `seconds` old after the model's
    /// final rows moved (the catalogue must still be the same).
    ///
    /// A live engine changes its finals with every event, and rebuilding the cold-item
    /// vectors (O(catalogue * d)) for each dashboard refresh and prequential score cost a
    /// twentieth of its thread at 100k items. Cold items are estimates from centroids that
    /// move slowly; a few seconds' lag is invisible, and an item that got its first event
    /// meanwhile is served by its centroid until the next build. Offline evaluation and the
    /// CLI keep the default, 0: exact.
    func allowStaleColdTable(seconds: Double) {
        state.withLock { $0.coldMaxAge = max(0, seconds) }
    }

    /// Every user's query vector `f_u + sessionWeight * s_u`, in blocks of 16 users; `nil`
    /// on the first request for a model state, when the caller scans the model's own tables.
    ///
    /// Building costs several direct scans, so it is worth it only when the model holds
    /// still: a live engine changes its model with every event, and building per query there
    /// would make each audience slower, not faster. The second request on the same state
    /// builds; every later one is a single block-kernel pass.
    /// - Complexity: O(1), or O(users * dimension) on the build.
    func userQueries(model: EmbeddingModel) -> UserQueryBlocks? {
        onSecondRequest(\.users, asked: \.usersAsked, stamp: model.finalsStamp, stampOf: \.stamp) { UserQueryBlocks(model: model) }
    }

    /// The Euclidean norm of every final item row; `nil` on the first request for a model
    /// state (as ``userQueries(model:)``: the caller computes norms as it goes).
    /// - Complexity: O(1), or O(items * dimension) on the build.
    func itemNorms(model: EmbeddingModel) -> ItemNorms? {
        onSecondRequest(\.itemNorms, asked: \.normsAsked, stamp: model.finalsStamp, stampOf: \.stamp) { ItemNorms(model: model) }
    }

    /// The item norms for this model state if they are built, without counting as a request.
    func cachedItemNorms(model: EmbeddingModel) -> ItemNorms? {
        state.withLock { s in s.itemNorms.flatMap { $0.stamp == model.finalsStamp ? $0 : nil } }
    }

    /// The entry for `stamp`: cached, else built when the previous request saw the same
    /// stamp, else `nil` (and the stamp is remembered).
    private func onSecondRequest<T: Sendable>(
        _ entry: WritableKeyPath<State, T?>, asked: WritableKeyPath<State, UInt64>, stamp: UInt64,
        stampOf: KeyPath<T, UInt64>, build: () -> T
    ) -> T? {
        state.withLock { s -> T? in
            if let t = s[keyPath: entry], t[keyPath: stampOf] == stamp { return t }
            guard s[keyPath: asked] == stamp else {
                s[keyPath: asked] = stamp
                return nil
            }
            let t = build()
            s[keyPath: entry] = t
            return t
        }
    }
}

/// Writes row `r` of a row-major table (`stride` floats a row) into 16-row blocks
/// (`block[stride][16]`), the layout ``EmbeddingModel/scoreBlocks(_:dimension:stride:query:rows:into:)`` reads.
@inline(__always)
private func transpose(row: UnsafePointer<Float>, _ r: Int, dimension: Int, stride: Int, into blocks: UnsafeMutablePointer<Float>) {
    let base = (r / EmbeddingModel.blockRows) * EmbeddingModel.blockRows * stride + r % EmbeddingModel.blockRows
    for d in 0..<dimension { blocks[base + d * EmbeddingModel.blockRows] = row[d] }
}

/// The serving vectors of every live catalogue item without a trained row (see
/// ``ColdItemVectors``), computed once per model and catalogue state instead of once per
/// item per request, and laid out for the same SIMD block kernel as the known items.
struct ColdItemTable: Sendable {
    let modelStamp: UInt64
    let catalogueStamp: UInt64
    let stride: Int
    let dimension: Int
    /// Cold items with an estimate, by slot.
    private(set) var items: [Int32] = []
    /// Cold live items with no estimate (no side node with a known peer): never recommended.
    private(set) var unscored: [Int32] = []
    /// Row-major estimates, `items.count * stride` floats.
    private(set) var rows: [Float] = []
    /// The same, transposed in blocks of 16.
    private(set) var blocks = AlignedFloats()
    /// Euclidean norm of each estimate, by slot.
    private(set) var norms: [Float] = []
    /// Item -> slot; ``notCold`` for items with a trained row or not live, ``noEstimate``.
    private(set) var slot: [Int32]

    static let notCold: Int32 = -1
    static let noEstimate: Int32 = -2

    var count: Int { items.count }

    /// - Complexity: O(cold items * (side nodes * d + reached entities' KG degree)) plus
    ///   O(peers * d) once per side node met: what one request used to cost.
    init(model: EmbeddingModel, graph: HeteroGraph) {
        modelStamp = model.finalsStamp
        catalogueStamp = graph.catalogueStamp
        stride = model.stride
        dimension = model.dimension
        slot = [Int32](repeating: Self.notCold, count: graph.itemCapacity)
        var cold = ColdItemVectors(model: model, graph: graph)
        let stride = self.stride
        for item in cold.coldItems() {
            let base = rows.count
            rows.append(contentsOf: repeatElement(0, count: stride))
            let found = rows.withUnsafeMutableBufferPointer { cold.write(item, into: $0.baseAddress! + base) }
            if found {
                slot[Int(item)] = Int32(items.count)
                items.append(item)
            } else {
                rows.removeLast(stride)
                slot[Int(item)] = Self.noEstimate
                unscored.append(item)
            }
        }
        let n = items.count
        let blockCount = (n + EmbeddingModel.blockRows - 1) / EmbeddingModel.blockRows
        blocks = AlignedFloats(count: blockCount * EmbeddingModel.blockRows * stride)
        norms = [Float](repeating: 0, count: n)
        let dimension = self.dimension
        rows.withUnsafeBufferPointer { r in
            blocks.withUnsafeMutableBufferPointer { b in
                for s in 0..<n {
                    let row = r.baseAddress! + s * stride
                    transpose(row: row, s, dimension: dimension, stride: stride, into: b.baseAddress!)
                    norms[s] = VectorKernels.squaredNorm(row, stride).squareRoot()
                }
            }
        }
    }

    /// `out[slot] = query · v_slot` for every cold item with an estimate.
    /// - Complexity: O(cold items * d), the SIMD block kernel, no allocation.
    func score(query: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        blocks.withUnsafeBufferPointer { b in
            EmbeddingModel.scoreBlocks(b.baseAddress!, dimension: dimension, stride: stride, query: query, rows: count, into: out)
        }
    }

    /// Calls `body` with the estimate in `slot` (`stride` floats).
    @inline(__always)
    func withRow<R>(_ slot: Int32, _ body: (UnsafePointer<Float>) -> R) -> R {
        rows.withUnsafeBufferPointer { body($0.baseAddress! + Int(slot) * stride) }
    }
}

/// Every user's query vector (`f_u + sessionWeight * s_u`, as ``EmbeddingModel/writeQuery(user:into:)``)
/// in blocks of 16 users, so an audience is one pass of the SIMD block kernel over one table
/// instead of a row-major GEMV over the final table plus a dot product per user with the
/// session table.
struct UserQueryBlocks: Sendable {
    let stamp: UInt64
    let rows: Int
    let stride: Int
    let dimension: Int
    private(set) var blocks = AlignedFloats()

    /// - Complexity: O(users * d).
    init(model: EmbeddingModel) {
        stamp = model.finalsStamp
        rows = model.finalUsers.rows
        stride = model.stride
        dimension = model.dimension
        let blockCount = (rows + EmbeddingModel.blockRows - 1) / EmbeddingModel.blockRows
        blocks = AlignedFloats(count: blockCount * EmbeddingModel.blockRows * stride)
        let (rows, stride, dimension) = (self.rows, self.stride, self.dimension)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { q in
            blocks.withUnsafeMutableBufferPointer { b in
                for u in 0..<rows {
                    model.writeQuery(user: Int32(u), into: q.baseAddress!)
                    transpose(row: q.baseAddress!, u, dimension: dimension, stride: stride, into: b.baseAddress!)
                }
            }
        }
    }

    /// `out[u] = query(u) · v` for the first `min(rows, count)` users.
    /// - Complexity: O(users * d), SIMD, no allocation.
    func score(vector v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let n = min(rows, count)
        guard n > 0 else { return }
        blocks.withUnsafeBufferPointer { b in
            EmbeddingModel.scoreBlocks(b.baseAddress!, dimension: dimension, stride: stride, query: v, rows: n, into: out)
        }
    }
}

/// The Euclidean norm of every final item row, for cosine similarities without a pass over
/// the row-major table per query.
struct ItemNorms: Sendable {
    let stamp: UInt64
    let norms: [Float]

    /// - Complexity: O(items * d).
    init(model: EmbeddingModel) {
        stamp = model.finalsStamp
        let stride = model.stride
        let rows = model.finalItems.rows
        norms = model.finalItems.storage.withUnsafeBufferPointer { t in
            (0..<rows).map { VectorKernels.squaredNorm(t.baseAddress! + $0 * stride, stride).squareRoot() }
        }
    }
}

extension EmbeddingModel {
    /// Bytes the serving caches add: per user (query blocks), per catalogue item (norm, cold
    /// slot) and per cold item (row-major and blocked estimate, norm, id).
    public var servingCacheBytes: (perUser: Int, perItem: Int, perColdItem: Int) {
        (stride * 4, 4 + 4, 2 * stride * 4 + 4 + 4)
    }

    /// The number of live catalogue items served from side information (no trained row).
    public func coldItemCount(graph: HeteroGraph) -> Int {
        let t = servingCache.coldTable(model: self, graph: graph)
        return t.count + t.unscored.count
    }
}
