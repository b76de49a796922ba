import Testing
@testable import InterestGraph

/// Screened top-K (bfloat16 first pass, float re-score of every item that could still enter):
/// the same lists, scores and order as scoring every item directly.
@Suite struct ServingScreenTests {
    /// The synthetic shop with cold items, screening on at any catalogue size.
    static func world(_ kind: ModelKind) -> (HeteroGraph, Recommender) {
        let (_, graph, model, _) = ServingColdStartTests.worldWithNewItems(afterFit: true, kind: kind)
        var screened = model
        screened.hybrid!.embedding.screenMinimumRows = 0
        return (graph, screened)
    }

    @Test func bfloat16RoundsToNearestEvenWithinItsBound() {
        #expect(EmbeddingModel.bfloat16Bits(1) == 0x3F80)
        // Half an ulp (2^-8 at 1) ties to even, one and a half ulps round up to two.
        #expect(EmbeddingModel.float(bfloat16: EmbeddingModel.bfloat16Bits(1 + 0x1p-8)) == 1)
        #expect(EmbeddingModel.float(bfloat16: EmbeddingModel.bfloat16Bits(1 + 3 * 0x1p-8)) == 1 + 0x1p-6)
        #expect(EmbeddingModel.float(bfloat16: EmbeddingModel.bfloat16Bits(-2.5)) == -2.5)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<10_000 {
            let exponent = Int(rng.next() % 41) - 20
            let v = rng.gaussian() * Float(sign: .plus, exponent: exponent, significand: 1)
            let error = abs(v - EmbeddingModel.float(bfloat16: EmbeddingModel.bfloat16Bits(v)))
            #expect(error <= 0x1p-8 * abs(v), "\(v)")
        }
    }

    /// Same items, same float scores, same order as the direct scan, for every kind, with
    /// and without seen items and a filter, at several k.
    @Test(arguments: [ModelKind.lightGCN, .mfBPR, .hybrid])
    func screenedListsEqualDirectScoring(kind: ModelKind) {
        let (graph, model) = Self.world(kind)
        var filter = RecommendationFilter()
        filter.categories = ["c1", "c2", "c3"]
        var screenedQueries = 0
        for (excludeSeen, f) in [(true, RecommendationFilter()), (false, RecommendationFilter()), (true, filter)] {
            for user in stride(from: Int32(0), to: Int32(graph.userCapacity), by: 3) {
                for k in [1, 10, 40, graph.itemCapacity + 5] {
                    let screened = Serving.topItems(user: user, k: k, excludeSeen: excludeSeen, filter: f, graph: graph, model: model)
                    let direct = Serving.topItems(user: user, k: k, excludeSeen: excludeSeen, filter: f, graph: graph, model: model, screening: false)
                    #expect(screened == direct, "user \(user) k \(k) excludeSeen \(excludeSeen)")
                    if model.screenedTopItems(user: user, k: k, excludeSeen: excludeSeen, graph: graph, admits: { _ in true }) != nil { screenedQueries += 1 }
                }
            }
        }
        #expect(screenedQueries > 0, "screening never ran")
    }

    /// Similar items: the same list as the direct cosines once the item norms are cached
    /// (before that, screening steps aside).
    @Test(arguments: [ModelKind.lightGCN, .mfBPR])
    func screenedSimilarItemsEqualDirectScoring(kind: ModelKind) {
        let (graph, model) = Self.world(kind)
        let item: Int32 = 3
        let admits = { (j: Int) in j != Int(item) }
        #expect(model.screenedSimilarItems(to: item, k: 10, graph: graph, admits: admits) == nil, "no norms yet")
        _ = Serving.similarItems(to: item, k: 10, graph: graph, model: model, screening: false)
        _ = Serving.similarItems(to: item, k: 10, graph: graph, model: model, screening: false)  // builds the norms
        #expect(model.screenedSimilarItems(to: item, k: 10, graph: graph, admits: admits) != nil)
        for other in stride(from: Int32(0), to: Int32(graph.itemCapacity), by: 7) {
            for k in [1, 20, graph.itemCapacity] {
                let screened = Serving.similarItems(to: other, k: k, graph: graph, model: model)
                let direct = Serving.similarItems(to: other, k: k, graph: graph, model: model, screening: false)
                #expect(screened == direct, "item \(other) k \(k)")
            }
        }
    }

    /// Items whose scores differ by less than bfloat16 can resolve: the screen sees ties, the
    /// answer must still be the float order (the re-score is what decides, not the screen).
    @Test func nearTiesAreDecidedByFloatScores() throws {
        let (graph, world) = Self.world(.lightGCN)
        var model = world
        var embedding = try #require(model.embedding)
        let user: Int32 = 4
        let query = embedding.queryVector(user: user)
        let stride = embedding.stride
        // Rows along the user's query, each 2^-12 longer than the last: one bfloat16 value
        // for runs of 32 of them, strictly increasing float scores.
        let chosen = (0..<64).map { Int32(2 * $0 + 1) }.filter { !graph.items(ofUser: user).contains($0) && Int($0) < embedding.finalItems.rows }
        try #require(chosen.count > 40)
        for (j, item) in chosen.enumerated() {
            for d in 0..<embedding.dimension {
                embedding.finalItems.storage[Int(item) * stride + d] = query[d] * 4 * (1 + Float(j) * 0x1p-12)
            }
        }
        embedding.rebuildItemBlocks()
        model.setEmbedding(embedding)
        let screened = Serving.topItems(user: user, k: 10, graph: graph, model: model)
        let direct = Serving.topItems(user: user, k: 10, graph: graph, model: model, screening: false)
        #expect(screened == direct)
        // The float order puts the longest rows first: the last chosen items, best first.
        #expect(screened.map(\.item) == Array(chosen.suffix(10).reversed()))
        #expect(model.screenedTopItems(user: user, k: 10, excludeSeen: true, graph: graph, admits: { _ in true }) != nil)
    }

    /// A changed float row (an online step) makes the screen stale: serving scores directly
    /// until the screen is refreshed, then screens again, and finds the changed item either way.
    @Test func aChangedRowIsServedDirectlyUntilTheScreenIsRefreshed() throws {
        let (graph, world) = Self.world(.lightGCN)
        var model = world
        let user: Int32 = 2
        let query = try #require(model.embedding).queryVector(user: user)
        let item = try #require((0..<Int32(graph.itemCapacity)).first { !graph.items(ofUser: user).contains($0) && $0 > 20 })
        let stride = model.embedding!.stride
        for d in 0..<query.count { model.hybrid!.embedding.finalItems.storage[Int(item) * stride + d] = 10 * query[d] }
        model.hybrid!.embedding.syncItemBlock(row: Int(item))
        #expect(model.screenedTopItems(user: user, k: 5, excludeSeen: true, graph: graph, admits: { _ in true }) == nil)
        #expect(Serving.topItems(user: user, k: 5, graph: graph, model: model).first?.item == item)
        model.refreshServingScreen()
        let screened = try #require(model.screenedTopItems(user: user, k: 5, excludeSeen: true, graph: graph, admits: { graph.isLive(item: Int32($0)) }))
        #expect(screened.first?.item == item)
        #expect(screened == Serving.topItems(user: user, k: 5, graph: graph, model: model, screening: false))
    }

    /// The engine's prequential ranks score from the item rows (``EmbeddingModel/scoreFromRows(user:into:)``),
    /// rows waiting for their blocks included and without flushing them: the same scores as
    /// the blocks', up to the order of the sums.
    @Test func scoresFromTheRowsMatchTheBlocksWithRowsWaiting() throws {
        let (graph, world) = Self.world(.lightGCN)
        var pending = try #require(world.hybrid?.embedding)
        let stride = pending.stride, rows = pending.finalItems.rows
        var rng = SeededGenerator(seed: 9)
        for r in Swift.stride(from: 0, to: rows, by: 3) {
            for d in 0..<pending.dimension { pending.finalItems.storage[r * stride + d] += rng.gaussian() * 0.3 }
            pending.syncItemBlock(row: r)
        }
        #expect(!pending.itemBlocksAreCurrent)
        for user in Swift.stride(from: Int32(0), to: Int32(graph.userCapacity), by: 2) {
            var fromRows = [Float](repeating: 0, count: rows + 3), fromBlocks = fromRows
            fromRows.withUnsafeMutableBufferPointer { pending.scoreFromRows(user: user, into: $0) }
            fromBlocks.withUnsafeMutableBufferPointer { pending.score(user: user, into: $0) }
            for i in 0..<fromRows.count {
                #expect(abs(fromRows[i] - fromBlocks[i]) <= 1e-5 * max(1, abs(fromBlocks[i])), "user \(user), item \(i)")
            }
            #expect(fromRows[rows...].allSatisfy { $0 == 0 }, "items without a row score 0")
        }
        #expect(!pending.itemBlocksAreCurrent, "scoring from the rows flushes nothing")
    }

    /// Changed item rows wait to be copied into the scoring blocks (``EmbeddingModel/syncItemBlock(row:)``);
    /// meanwhile every block reader scores them from their rows, bit for bit as from a
    /// flushed block: the whole scan, one block at a time (the screened re-score), and top-K.
    @Test func pendingRowsScoreAsIfTheirBlocksWereCopied() throws {
        let (graph, world) = Self.world(.lightGCN)
        var pending = try #require(world.hybrid?.embedding)
        let stride = pending.stride, rows = pending.finalItems.rows
        #expect(pending.itemBlocksAreCurrent)
        var rng = SeededGenerator(seed: 5)
        // Rows of several blocks, one of them twice, including the last (partial) block, and
        // enough of them that the pending scan fills its sixteen lanes twice and then some.
        let changed = [1, 2, 17, 17, rows - 1, 40 % rows] + Array(Swift.stride(from: 3, to: rows - 1, by: max(1, rows / 40)))
        #expect(Set(changed).count > 32)
        for r in changed {
            for d in 0..<pending.dimension { pending.finalItems.storage[r * stride + d] += rng.gaussian() * 0.3 }
            pending.syncItemBlock(row: r)
        }
        #expect(!pending.itemBlocksAreCurrent)
        var flushed = pending
        flushed.flushItemBlocks()
        #expect(flushed.itemBlocksAreCurrent)
        #expect(pending.itemBlocks.array != flushed.itemBlocks.array, "the blocks wait for the flush")
        for user in Swift.stride(from: Int32(0), to: Int32(graph.userCapacity), by: 2) {
            var a = [Float](repeating: 0, count: rows), b = a
            a.withUnsafeMutableBufferPointer { pending.score(user: user, into: $0) }
            b.withUnsafeMutableBufferPointer { flushed.score(user: user, into: $0) }
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "user \(user)")
            let query = pending.queryVector(user: user) + [Float](repeating: 0, count: stride - pending.dimension)
            for block in 0..<((rows + 15) / 16) {
                var x = [Float](repeating: 0, count: 16), y = x
                query.withUnsafeBufferPointer { q in
                    x.withUnsafeMutableBufferPointer { pending.scoreItemBlock(block, query: q.baseAddress!, rows: rows, into: $0.baseAddress!) }
                    y.withUnsafeMutableBufferPointer { flushed.scoreItemBlock(block, query: q.baseAddress!, rows: rows, into: $0.baseAddress!) }
                }
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "block \(block)")
            }
        }
        var model = world, reference = world
        model.hybrid!.embedding = pending
        reference.hybrid!.embedding = flushed
        for user in Swift.stride(from: Int32(0), to: Int32(graph.userCapacity), by: 3) {
            #expect(Serving.topItems(user: user, k: 10, graph: graph, model: model) == Serving.topItems(user: user, k: 10, graph: graph, model: reference))
        }
    }

    /// At most ``EmbeddingModel/pendingItemRowLimit`` rows wait: the one that reaches it flushes them all.
    @Test func pendingRowsAreFlushedAtTheLimit() throws {
        let (_, world) = Self.world(.mfBPR)
        var model = try #require(world.hybrid?.embedding)
        let rows = model.finalItems.rows
        var noted = 0
        while noted < EmbeddingModel.pendingItemRowLimit - 1 {
            // The same rows again and again count once each.
            model.syncItemBlock(row: noted % rows)
            noted += 1
        }
        #expect(model.pendingItemRows.count == min(rows, EmbeddingModel.pendingItemRowLimit - 1))
        // Rows past the table (an item the graph just added) grow the blocks and wait too.
        let limit = EmbeddingModel.pendingItemRowLimit
        var rng = SeededGenerator(seed: 3)
        for r in rows..<(rows + limit) {
            model.finalItems.ensureRows(r + 1, standardDeviation: 0.1, using: &rng)
            model.syncItemBlock(row: r)
            #expect(model.pendingItemRows.count < limit)
            #expect(model.itemBlocks.count >= (r / 16 + 1) * 16 * model.stride)
        }
    }

    /// A hybrid score with co-visitation or popularity terms is not a dot product: not screened.
    @Test func aHybridWithExtraTermsIsScoredDirectly() {
        let (graph, world) = Self.world(.hybrid)
        var model = world
        model.hybrid!.embedding.h.covisitWeight = 0
        model.hybrid!.embedding.h.popularityWeight = 0
        #expect(model.screenedTopItems(user: 0, k: 10, excludeSeen: true, graph: graph, admits: { _ in true }) != nil)
        model.hybrid!.embedding.h.covisitWeight = 0.5
        #expect(model.screenedTopItems(user: 0, k: 10, excludeSeen: true, graph: graph, admits: { _ in true }) == nil)
        model.hybrid!.embedding.h.covisitWeight = 0
        model.hybrid!.embedding.h.popularityWeight = 2
        #expect(model.screenedTopItems(user: 0, k: 10, excludeSeen: true, graph: graph, admits: { _ in true }) == nil)
    }
}

extension EmbeddingModel {
    /// ``itemBlocks`` with every pending row copied in (what serving reads, in effect).
    var flushedItemBlocks: [Float] {
        var copy = self
        copy.flushItemBlocks()
        return copy.itemBlocks.array
    }
}
