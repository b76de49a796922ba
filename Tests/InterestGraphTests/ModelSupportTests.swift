import Testing
@testable import InterestGraph

@Suite("Support types behind the models")
struct ModelSupportTests {
    @Test func pairTableMatchesADictionaryUnderInsertsUpdatesAndRemovals() {
        var table = PairTable(capacity: 4)
        var reference: [UInt64: Int32] = [:]
        var rng = SeededGenerator(seed: 11)
        for step in 0..<20_000 {
            let a = Int32(rng.index(below: 300))
            let b = Int32(rng.index(below: 300))
            let key = PairTable.key(a, b)
            if step % 5 == 4 {
                table.remove(a, b)
                reference[key] = nil
            } else {
                table.set(a, b, Int32(step))
                reference[key] = Int32(step)
            }
        }
        #expect(table.count == reference.count)
        for a in Int32(0)..<300 {
            for b in Int32(0)..<300 {
                #expect(table.value(a, b) == reference[PairTable.key(a, b)])
            }
        }
    }

    @Test func seededGeneratorIsReproducibleAndUniformEnough() {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var rng = SeededGenerator(seed: 9)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { buckets[rng.index(below: 10)] += 1 }
        #expect(buckets.allSatisfy { abs($0 - 10_000) < 500 })
        let normals = (0..<20_000).map { _ in Double(rng.gaussian()) }
        let mean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(normals.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func embeddingTableKeepsPaddingZeroAndGrows() {
        var rng = SeededGenerator(seed: 1)
        var table = EmbeddingTable(dimension: 20)
        #expect(table.stride == 32)
        table.appendRows(3, standardDeviation: 0.1, using: &rng)
        #expect(table.rows == 3)
        for r in 0..<3 {
            #expect(table.storage[(r * 32 + 20)..<((r + 1) * 32)].allSatisfy { $0 == 0 })
        }
        table.setVector(1, [1, 2, 3])
        #expect(Array(table.vector(1).prefix(4)) == [1, 2, 3, 0])
        #expect(abs(table.cosine(1, 1) - 1) < 1e-6)
        table.zeroRow(1)
        #expect(table.vector(1).allSatisfy { $0 == 0 })
    }

    @Test func transposedItemBlocksScoreLikeRowDotProducts() {
        let graph = ToyWorld().graph()
        var h = ToyWorld.hyperparameters()
        h.dimension = 24  // not a multiple of 16: exercises padding
        var model = EmbeddingModel(hyperparameters: h)
        model.fit(graph: graph, epochs: 2)
        var scores = [Float](repeating: 0, count: graph.items.count)
        scores.withUnsafeMutableBufferPointer { model.score(user: 3, into: $0) }
        let query = model.queryVector(user: 3)
        for i in 0..<graph.items.count {
            let row = model.finalItems.vector(i)
            let expected = zip(query, row).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(scores[i] - expected) < 1e-4)
        }
    }

    @Test func decayedCounterHalvesAfterAHalfLife() {
        var counter = DecayedCounter(halfLife: 100)
        counter.add(0, at: 0)
        counter.add(1, at: 100)
        #expect(abs(counter.value(0) - 0.5) < 1e-6)
        #expect(abs(counter.value(1) - 1) < 1e-6)
        // Far in the future the store renormalises instead of overflowing.
        counter.add(1, at: 100 * 70)
        #expect(counter.value(1).isFinite)
        #expect(abs(counter.value(1) - 1) < 1e-5)
    }

    @Test func cooccurrenceIndexGivesTheSameScoresDenseAndAfterSwitchingToSparse() {
        var index = CooccurrenceIndex(halfLife: .infinity)
        var rng = SeededGenerator(seed: 2)
        var pairs: [(Int32, Int32, Float)] = []
        for _ in 0..<2_000 {
            let a = Int32(rng.index(below: 50))
            let b = Int32(rng.index(below: 50))
            let w = Float(rng.index(below: 5) + 1)
            pairs.append((a, b, w))
            index.add(a, b, w)
        }
        for a in Int32(0)..<50 { index.addMass(a, Float(a % 7 + 1)) }
        #expect(index.isDense)
        func scores(_ index: CooccurrenceIndex) -> [Float] {
            var out = [Float](repeating: 0, count: 50)
            out.withUnsafeMutableBufferPointer { buffer in
                index.accumulate(row: 3, coefficient: 1, alpha: 0.5, into: buffer)
                index.accumulate(row: 17, coefficient: 0.5, alpha: 0.5, into: buffer)
                index.normalise(buffer, alpha: 0.5)
            }
            return out
        }
        let before = scores(index)
        var expected = [Float](repeating: 0, count: 50)
        for (a, b, w) in pairs where a == 3 || a == 17 {
            let c: Float = a == 3 ? 1 : 0.5
            expected[Int(b)] += c * w / Float(a % 7 + 1).squareRoot()
        }
        for b in 0..<50 { expected[b] /= Float(b % 7 + 1).squareRoot() }
        for b in 0..<50 { #expect(abs(before[b] - expected[b]) < 1e-4) }
        // Growing past the dense limit converts to sparse rows with the same content.
        index.add(Int32(CooccurrenceIndex.denseLimit + 10), 0, 1)
        #expect(!index.isDense)
        let after = scores(index)
        for b in 0..<50 { #expect(abs(after[b] - before[b]) < 1e-4) }
        #expect(index.weight(Int32(CooccurrenceIndex.denseLimit + 10), 0) == 1)
    }

    /// Dropping the oldest entries subtracts their total from the sums instead of weighing
    /// every entry again: draws are those of a buffer filled with the remaining entries alone
    /// (its sums differ by one factor, so the same uniform number lands on the same entry,
    /// but for rounding at a boundary).
    @Test func droppingTheOldestKeepsTheRestsWeights() {
        var replay = ReplayBuffer(capacity: 2_000, halfLife: 7_200)
        var time = 0.0
        var rng = SeededGenerator(seed: 21)
        for k in 0..<2_600 {
            time += Double(rng.index(below: 60))
            replay.append(user: Int32(k), item: Int32(k % 50), time: time)
        }
        #expect(replay.count == 2_099)  // 2,501 entries dropped to 2,000, then 99 more
        var fresh = ReplayBuffer(capacity: 10_000, halfLife: 7_200)
        for k in 0..<replay.count { fresh.append(user: replay.users[k], item: replay.items[k], time: replay.times[k]) }
        #expect(fresh.users == replay.users)
        var a = SeededGenerator(seed: 4)
        var b = SeededGenerator(seed: 4)
        var same = 0
        for _ in 0..<10_000 where replay.sampleIndex(using: &a) == fresh.sampleIndex(using: &b) { same += 1 }
        #expect(same >= 9_990)
    }

    /// The two-level search (a table of every 256th sum, then one block) draws exactly the
    /// entry one binary search over all the sums draws: with weights over orders of magnitude,
    /// zero-weight runs (underflow), after appends between draws, and after the oldest entries
    /// were dropped (sums rebuilt).
    @Test(arguments: [3_600.0, 86_400.0 * 7, 1e9])
    func replayDrawsMatchOneBinarySearchOverAllSums(halfLife: Double) {
        var replay = ReplayBuffer(capacity: 4_000, halfLife: halfLife)
        var rng = SeededGenerator(seed: 5)
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        var time = 0.0
        var same = true
        var draws = 0
        for k in 0..<6_000 {
            // Bursts and long gaps, so entry weights differ by orders of magnitude.
            time += k % 500 == 0 ? 86_400 * 3 : Double(rng.index(below: 120))
            replay.append(user: Int32(k % 97), item: Int32(k % 331), time: time)
            guard k % 7 == 0 else { continue }
            for _ in 0..<5 {
                draws += 1
                if replay.sampleIndex(using: &a) != replay.sampleIndexSearchingAll(using: &b) { same = false }
            }
        }
        #expect(same)
        #expect(draws > 4_000)
        // 6,000 appends to a buffer of 4,000 dropped the oldest (and rebuilt the sums).
        #expect(replay.count <= 5_000)
        for _ in 0..<5_000 where replay.sampleIndex(using: &a) != replay.sampleIndexSearchingAll(using: &b) { same = false }
        #expect(same)
    }
}
