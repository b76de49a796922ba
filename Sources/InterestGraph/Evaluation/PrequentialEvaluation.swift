/// Protocol B results.
public struct PrequentialMetrics: Sendable, Codable, Hashable {
    /// Fraction of scored events whose item ranked in the top 10.
    public var hitRate10 = 0.0
    /// Mean reciprocal rank of the event's item.
    public var mrr = 0.0
    /// Events that were scored: every eligible one at ``sampleEvery`` 1, else
    /// `ceil(eligible / sampleEvery)`.
    public var scored = 0
    /// Events that met the scoring conditions (scored or skipped by the sample).
    public var eligible = 0
    /// `--sample-every S`: the j-th eligible event (j from 0 after the warm-up) is scored iff
    /// `j mod S == 0`. 1 is the unsampled protocol.
    public var sampleEvery = 1
    /// Events streamed after the warm-up (scored or not).
    public var streamed = 0
    /// Mean wall time of the model's per-event update (`observe`), microseconds.
    public var updateMicroseconds = 0.0
    /// Background training batches run during the stream (one every ``backgroundEvery``
    /// streamed events), and their total time.
    public var backgroundEvery = 0
    public var backgroundBatches = 0
    public var backgroundSeconds = 0.0
    /// Initial fit on the warm-up events.
    public var fitSeconds = 0.0
    /// The whole run: warm-up graph, fit, stream (scoring + updates + background batches).
    public var seconds = 0.0
    /// The metrics every `timelineEvery` streamed events and at the end (empty unless asked).
    public var timeline: [PrequentialProgress] = []
    /// Peak resident set size of the process when the run ended, bytes (the process's peak so
    /// far, so in a run over several models it bounds every model up to this one).
    public var peakResidentBytes = 0
    /// Stream offsets (0 = the first event after the warm-up) of the scored events, in order;
    /// nil unless asked for (tests).
    var scoredOffsets: [Int]?
    /// The rank of each of those events' items (same order); nil unless asked for.
    var scoredRanks: [Int]?

    public init() {}
}

/// Protocol B: prequential (test-then-learn), exactly as GUIDE.md section 4.
///
/// In time order (stable), the first half of the events only trains. Each later event
/// `(u, i, t)` is scored when `u` has an earlier event, `i` has been seen before, and `u` has
/// not interacted with `i` before: all items seen so far except `u`'s past items are ranked,
/// and the event records HR@10 and the reciprocal rank of `i`. Then the model learns from it.
///
/// Sampled (GUIDE.md section 4, "B, sampled"): with `sampleEvery` S, the j-th eligible event
/// (j = 0, 1, 2, ... in stream order after the warm-up) is scored iff `j mod S == 0`, so
/// `ceil(eligible / S)` events are scored; every event is still learned, and a scored event's
/// rank is still exact over all candidate items (never a sample of negatives: sampled metrics
/// can reorder models, Krichene and Rendle, KDD 2020). S = 1 is the protocol itself.
public enum PrequentialEvaluation {
    /// Runs the protocol for one model.
    ///
    /// - Parameters:
    ///   - events: the whole stream (any order; it is time-ordered stably here).
    ///   - warmupFraction: the share of events that only train (0.5 in the protocol).
    ///   - backgroundEvery: run one background training batch every this many streamed
    ///     events (0: none), as the engine's trainer thread would.
    ///   - timelineEvery: record ``PrequentialMetrics/timeline`` points every this many
    ///     streamed events, plus one at the end (0: none).
    ///   - sampleEvery: score only every this many eligible events (1: all; see the type).
    ///   - fitBudget: at most this many training positives in the warm-up fit (nil: the
    ///     model's epochs); see ``Recommender/fit(graph:budget:)``.
    /// - Complexity: per streamed event, the model's `observe` plus O(1); per scored event,
    ///   the model's scoring and an O(items / 16) rank.
    public static func run(
        model: inout Recommender, events: [Event], catalogue: ItemCatalogue,
        actionWeights: ActionWeights = .default, warmupFraction: Double = 0.5, backgroundEvery: Int = 0,
        timelineEvery: Int = 0, sampleEvery: Int = 1, fitBudget: Int? = nil
    ) -> PrequentialMetrics {
        let clock = ContinuousClock()
        let start = clock.now
        let ordered = TemporalSplit.timeOrdered(events)
        return run(
            model: &model, ordered: ordered, catalogue: catalogue, actionWeights: actionWeights, warmupFraction: warmupFraction,
            backgroundEvery: backgroundEvery, timelineEvery: timelineEvery, sampleEvery: sampleEvery, fitBudget: fitBudget,
            start: start)
    }

    /// ``run(model:events:catalogue:actionWeights:warmupFraction:backgroundEvery:timelineEvery:sampleEvery:fitBudget:)``
    /// on a stream already in time order (stable), so that a run over several models sorts
    /// and holds the events once.
    ///
    /// - Parameter backgroundLimit: at most about this many background batches in the stream:
    ///   one every `max(backgroundEvery, ceil(streamed / backgroundLimit))` events (nil: one
    ///   every `backgroundEvery`). See ``EvaluationRunner/Options/backgroundLimit``.
    public static func run(
        model: inout Recommender, ordered: [Event], catalogue: ItemCatalogue,
        actionWeights: ActionWeights = .default, warmupFraction: Double = 0.5, backgroundEvery: Int = 0,
        timelineEvery: Int = 0, sampleEvery: Int = 1, fitBudget: Int? = nil, backgroundLimit: Int? = nil
    ) -> PrequentialMetrics {
        var every = backgroundEvery
        if let backgroundLimit, backgroundLimit > 0, every > 0 {
            let warm = min(ordered.count, Int(Double(ordered.count) * warmupFraction))
            let streamed = ordered.count - warm
            every = max(every, (streamed + backgroundLimit - 1) / backgroundLimit)
        }
        return run(
            model: &model, ordered: ordered, catalogue: catalogue, actionWeights: actionWeights, warmupFraction: warmupFraction,
            backgroundEvery: every, timelineEvery: timelineEvery, sampleEvery: sampleEvery, fitBudget: fitBudget,
            start: ContinuousClock().now)
    }

    /// The run with the scored events' stream offsets kept (``PrequentialMetrics/scoredOffsets``), for tests.
    static func runRecordingScored(
        model: inout Recommender, events: [Event], catalogue: ItemCatalogue, warmupFraction: Double = 0.5,
        backgroundEvery: Int = 0, sampleEvery: Int = 1
    ) -> PrequentialMetrics {
        run(
            model: &model, ordered: TemporalSplit.timeOrdered(events), catalogue: catalogue, actionWeights: .default,
            warmupFraction: warmupFraction, backgroundEvery: backgroundEvery, timelineEvery: 0, sampleEvery: sampleEvery,
            fitBudget: nil, start: ContinuousClock().now, recordScored: true)
    }

    private static func run(
        model: inout Recommender, ordered: [Event], catalogue: ItemCatalogue,
        actionWeights: ActionWeights, warmupFraction: Double, backgroundEvery: Int,
        timelineEvery: Int, sampleEvery: Int, fitBudget: Int?, start: ContinuousClock.Instant, recordScored: Bool = false
    ) -> PrequentialMetrics {
        let clock = ContinuousClock()
        let sampleEvery = max(1, sampleEvery)
        let warm = min(ordered.count, Int(Double(ordered.count) * warmupFraction))
        var graph = HeteroGraph(decay: .default, actionWeights: actionWeights)
        graph.load(catalogue)
        for event in ordered[..<warm] { graph.apply(event) }
        let fitStart = clock.now
        model.fit(graph: graph, budget: fitBudget)
        var metrics = PrequentialMetrics()
        metrics.sampleEvery = sampleEvery
        metrics.backgroundEvery = backgroundEvery
        var scoredEvents: [Int]? = recordScored ? [] : nil
        var scoredRanks: [Int]? = recordScored ? [] : nil
        metrics.fitSeconds = seconds(clock.now - fitStart)

        var scores = [Float](repeating: 0, count: graph.items.count)
        var candidates = CandidateMask(graph: graph)
        var hits = 0
        var reciprocal = 0.0
        var updateNanoseconds: Int64 = 0
        var backgroundNanoseconds: Int64 = 0
        var lastLoss: Float?
        func progress(at timestamp: Double) -> PrequentialProgress {
            PrequentialProgress(
                streamed: metrics.streamed, scored: metrics.scored, events: graph.eventsApplied,
                hitRate10: metrics.scored > 0 ? Double(hits) / Double(metrics.scored) : 0,
                mrr: metrics.scored > 0 ? reciprocal / Double(metrics.scored) : 0,
                backgroundBatches: metrics.backgroundBatches, loss: lastLoss, timestamp: timestamp,
                seconds: seconds(clock.now - start))
        }
        for (offset, event) in ordered[warm...].enumerated() {
            // Test...
            if let user = graph.users.lookup(event.user), graph.eventCount(ofUser: user) > 0,
               let item = graph.items.lookup(event.item), graph.itemEventCount[Int(item)] > 0,
               !graph.hasEdge(user: user, item: item) {
                // The j-th eligible event (j from 0) is scored iff j mod S == 0.
                let j = metrics.eligible
                metrics.eligible += 1
                if j % sampleEvery == 0 {
                    if scores.count != graph.items.count { scores = [Float](repeating: 0, count: graph.items.count) }
                    model.flushItemBlocks()
                    let rank = scores.withUnsafeMutableBufferPointer { buffer in
                        model.score(user: user, graph: graph, into: buffer)
                        return Self.rank(of: item, user: user, scores: UnsafeBufferPointer(buffer), candidates: candidates, graph: graph)
                    }
                    if rank <= 10 { hits += 1 }
                    reciprocal += 1 / Double(rank)
                    metrics.scored += 1
                    scoredEvents?.append(offset)
                    scoredRanks?.append(rank)
                }
            }
            // ...then learn.
            let application = graph.apply(event)
            candidates.update(item: application.item, graph: graph)
            let before = clock.now
            model.observe(application, at: event.timestamp, graph: graph)
            updateNanoseconds += nanoseconds(clock.now - before)
            metrics.streamed += 1
            if backgroundEvery > 0, (offset + 1) % backgroundEvery == 0, model.kind.hasEmbeddings {
                let batchStart = clock.now
                let step = model.trainBatch(graph: graph)
                backgroundNanoseconds += nanoseconds(clock.now - batchStart)
                metrics.backgroundBatches += 1
                if step.loss.isFinite { lastLoss = step.loss }
            }
            if timelineEvery > 0, metrics.streamed % timelineEvery == 0 { metrics.timeline.append(progress(at: event.timestamp)) }
        }
        if timelineEvery > 0, metrics.timeline.last?.streamed != metrics.streamed {
            metrics.timeline.append(progress(at: ordered.last?.timestamp ?? 0))
        }
        metrics.hitRate10 = metrics.scored > 0 ? Double(hits) / Double(metrics.scored) : 0
        metrics.mrr = metrics.scored > 0 ? reciprocal / Double(metrics.scored) : 0
        metrics.updateMicroseconds = metrics.streamed > 0 ? Double(updateNanoseconds) / 1000 / Double(metrics.streamed) : 0
        metrics.backgroundSeconds = Double(backgroundNanoseconds) / 1e9
        metrics.scoredOffsets = scoredEvents
        metrics.scoredRanks = scoredRanks
        metrics.seconds = seconds(clock.now - start)
        metrics.peakResidentBytes = ProcessMemory.peakResidentBytes()
        return metrics
    }

    /// 1 + the number of candidates ranked above `item`: higher score, or an equal score and a
    /// lower dense id. Candidates are items seen so far (an interaction in the graph), active,
    /// and not among the user's past items.
    static func rank(of item: Int32, user: Int32, scores: UnsafeBufferPointer<Float>, graph: HeteroGraph) -> Int {
        rank(of: item, user: user, scores: scores, candidates: CandidateMask(graph: graph), graph: graph)
    }

    /// ``rank(of:user:scores:graph:)`` with the candidate set kept up to date by the caller.
    ///
    /// Sixteen items per step with float compares only: the mask marks non-candidates with
    /// `-infinity` (0 for candidates), and counts accumulate as floats (exact below 2^24).
    /// The scalar loop over two arrays of other types this replaces did not vectorise and was
    /// a fifth of protocol B's time.
    /// - Complexity: O(items / 16 + degree of the user).
    static func rank(of item: Int32, user: Int32, scores: UnsafeBufferPointer<Float>, candidates: CandidateMask, graph: HeteroGraph) -> Int {
        let target = scores[Int(item)]
        let index = Int(item)
        var above = 0
        var candidateCount = 0
        candidates.penalty.withUnsafeBufferPointer { penalty in
            let m = min(scores.count, penalty.count)
            let t = SIMD16<Float>(repeating: target)
            let ones = SIMD16<Float>(repeating: 1)
            let lanes = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            var aboveSum = SIMD16<Float>()
            var candidateSum = SIMD16<Float>()
            var c = 0
            if let sp = scores.baseAddress, let pp = penalty.baseAddress {
                while c + 16 <= m {
                    let s = VectorKernels.load(sp, c)
                    let isCandidate = VectorKernels.load(pp, c) .== 0
                    let lowerIndex = (lanes + Float(c)) .< Float(index)
                    let better = (s .> t) .| ((s .== t) .& lowerIndex)
                    candidateSum += ones.replacing(with: 0, where: .!isCandidate)
                    aboveSum += ones.replacing(with: 0, where: .!(isCandidate .& better))
                    c += 16
                }
            }
            above = Int(aboveSum.sum())
            candidateCount = Int(candidateSum.sum())
            while c < m {
                if penalty[c] == 0 {
                    candidateCount += 1
                    let s = scores[c]
                    if s > target || (s == target && c < index) { above += 1 }
                }
                c += 1
            }
        }
        // A NaN score ranks last: it must never look like a hit.
        if target.isNaN { return candidateCount }
        // Take back the user's own items that were counted above.
        for edge in graph.userEdges[Int(user)] {
            let c = Int(graph.edgeItem[Int(edge)])
            guard c != index, c < candidates.penalty.count, candidates.penalty[c] == 0 else { continue }
            let s = scores[c]
            if s > target || (s == target && c < index) { above -= 1 }
        }
        return above + 1
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, attoseconds) = d.components
        return s * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func seconds(_ d: Duration) -> Double {
        Double(nanoseconds(d)) / 1e9
    }
}

/// The items protocol B ranks (seen and active): 0 for a candidate, `-infinity` otherwise.
struct CandidateMask {
    var penalty: [Float] = []

    init(graph: HeteroGraph) {
        penalty.reserveCapacity(graph.items.count)
        for item in 0..<graph.items.count { penalty.append(Self.value(item: item, graph: graph)) }
    }

    /// Refreshes one item (after an event on it), growing the mask for new items.
    /// - Complexity: O(1) amortised.
    mutating func update(item: Int32, graph: HeteroGraph) {
        while penalty.count < graph.items.count { penalty.append(Self.value(item: penalty.count, graph: graph)) }
        let i = Int(item)
        if i >= 0, i < penalty.count { penalty[i] = Self.value(item: i, graph: graph) }
    }

    private static func value(item: Int, graph: HeteroGraph) -> Float {
        item < graph.itemEventCount.count && item < graph.itemActive.count
            && graph.itemEventCount[item] > 0 && graph.itemActive[item] ? 0 : -.infinity
    }
}
