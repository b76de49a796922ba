import Foundation

/// The graph embeddings plus two cheap, exact graph signals that embeddings blur:
///
/// - **Co-visitation**: items that directly followed (or preceded) the user's recent items in
///   other users' histories, within ``Hyperparameters/covisitWindow`` steps. This is the
///   two-hop item-user-item path of the interaction graph restricted to a short window, so
///   it captures "what people do next" rather than "what people like overall".
/// - **Recency prior**: `log(1 + decayed popularity)`, the item's current momentum.
///
/// `score(u, i) = z(query(u) · f_i) + popularityWeight * z(prior(i)) + covisitWeight * covisit(u, i)`,
/// where `z` standardises over the items with interactions (per user for the dot products), so
/// the weights mean the same thing whatever the scale the embeddings have drifted to.
/// With both weights at zero this is exactly the ``EmbeddingModel`` (MF-BPR or LightGCN), and
/// the extra state is not maintained.
public struct HybridModel: Sendable {
    public internal(set) var embedding: EmbeddingModel
    var popularity: PopularityModel
    var covisit: CooccurrenceIndex
    var recent: RecentItems
    /// Standardised `log(1 + popularity)` per item, refreshed incrementally (see ``refreshPrior()``).
    var prior: [Float] = []
    var priorMean: Float = 0
    var priorScale: Float = 1
    var priorTime: Double = -.infinity
    var eventsSincePrior = 0
    /// The popularity and co-visitation counts to send to the engines holding the other
    /// users (`nil`: not shared; see ``SignalOutbox``).
    var signals: SignalOutbox?

    public init(hyperparameters: Hyperparameters) {
        let h = hyperparameters.sanitised
        embedding = EmbeddingModel(hyperparameters: hyperparameters)
        popularity = PopularityModel(halfLife: h.halfLife)
        covisit = CooccurrenceIndex(halfLife: .infinity)
        covisit.rowLimit = Self.covisitRowLimit
        recent = RecentItems(window: h.covisitWindow)
    }

    /// Co-visitation rows of a large catalogue (sparse index) keep their heaviest this many
    /// entries when they reach twice as many (``CooccurrenceIndex/rowLimit``): memory
    /// O(items), not O(events x window). Small catalogues (ml-100k) are exact.
    static let covisitRowLimit = 500

    var h: Hyperparameters { embedding.h }

    /// Whether ``score(user:into:)`` is the embedding's dot products alone (no co-visitation
    /// or popularity term, no standardising): what screened top-K ranking needs.
    var scoresAreDotProducts: Bool { h.covisitWeight == 0 && h.popularityWeight == 0 }
    var usesCovisit: Bool { embedding.h.covisitWeight != 0 }
    var usesPrior: Bool { embedding.h.popularityWeight != 0 }

    /// Applies new hyperparameters (see ``EmbeddingModel/update(hyperparameters:)``); turning
    /// the co-visitation or popularity term on rebuilds its state from `graph`.
    @discardableResult
    public mutating func update(hyperparameters new: Hyperparameters, graph: HeteroGraph) -> Bool {
        let before = embedding.h
        let pending = embedding.update(hyperparameters: new)
        let after = embedding.h
        if after.covisitWeight != 0, before.covisitWeight == 0 || before.covisitWindow != after.covisitWindow,
           covisitBuilt != StateKey(events: graph.eventsApplied, setting: Double(after.covisitWindow)) {
            rebuildCovisitation(graph: graph)
        }
        if after.popularityWeight != 0, before.popularityWeight == 0 || before.halfLife != after.halfLife,
           popularityBuilt != StateKey(events: graph.eventsApplied, setting: after.halfLife) {
            rebuildPopularity(graph: graph)
        }
        return pending
    }

    /// The graph state (events applied) and setting (window, half-life) a rebuilt signal is
    /// exact for; nil once events passed while the signal was off and not maintained.
    struct StateKey: Hashable, Sendable {
        var events: Int
        var setting: Double
    }

    /// Why: a scoring search switches a signal off and on again on the same graph (the
    /// validation grid); its state is still exact then, and on a 23M-event log each rebuild
    /// replays millions of edges. The rebuild happens only when the state is stale.
    var covisitBuilt: StateKey?
    var popularityBuilt: StateKey?

    /// Trains the embeddings from scratch and rebuilds the co-visitation and popularity state.
    /// - Parameter budget: at most this many training positives (see
    ///   ``EmbeddingModel/fit(graph:epochs:budget:)``); nil: the configured epochs.
    @discardableResult
    public mutating func fit(graph: HeteroGraph, budget: Int? = nil) -> Float {
        covisitBuilt = nil
        popularityBuilt = nil
        let loss = embedding.fit(graph: graph, epochs: embedding.h.epochs, budget: budget)
        if usesCovisit { rebuildCovisitation(graph: graph) }
        if usesPrior { rebuildPopularity(graph: graph) }
        return loss
    }

    /// The per-event update: the embedding's online step, then co-visitation pairs with the
    /// user's recent items and the popularity count.
    /// - Complexity: O(embedding update + covisitWindow).
    ///
    /// `learning: false` is a logged event replayed before a checkpoint (a resume): the
    /// embedding keeps its bookkeeping only (``EmbeddingModel/observeLogged(_:at:graph:)``);
    /// co-visitation and popularity, which no checkpoint holds, are updated as always.
    public mutating func observe(_ event: EventApplication, at time: Double, graph: HeteroGraph, learning: Bool = true) {
        if learning {
            embedding.observe(event, at: time, graph: graph)
        } else {
            embedding.observeLogged(event, at: time, graph: graph)
        }
        // A signal that is off is not maintained: its state no longer matches the graph.
        if usesCovisit { covisitBuilt?.events = graph.eventsApplied } else { covisitBuilt = nil }
        if usesPrior { popularityBuilt?.events = graph.eventsApplied } else { popularityBuilt = nil }
        if usesCovisit, event.isNewEdge {
            let weight = covisit.scale(at: time)
            let item = event.item
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: recent.window) { buffer in
                let n = recent.copy(user: event.user, into: buffer)
                for k in 0..<n where buffer[k] != item {
                    covisit.add(item, buffer[k], weight)
                    covisit.add(buffer[k], item, weight)
                    signals?.addPair(item, buffer[k], at: time, halfLife: covisit.halfLife)
                }
            }
            covisit.addMass(item, weight)
            signals?.addMass(item, at: time, halfLife: covisit.halfLife)
            recent.push(user: event.user, item: item)
        }
        if usesPrior {
            popularity.observe(item: event.item, at: time)
            signals?.addPopularity(event.item, at: time, halfLife: popularity.counter.halfLife)
            let i = Int(event.item)
            if i >= prior.count { prior.append(contentsOf: repeatElement(0, count: i + 1 - prior.count)) }
            prior[i] = (log1p(popularity.counter.value(i)) - priorMean) * priorScale
            eventsSincePrior += 1
            // The global decay moves every item's prior a little; recompute all now and then.
            if eventsSincePrior >= 1000 || (h.halfLife.isFinite && time - priorTime > h.halfLife / 50) { refreshPrior() }
        }
    }

    /// Recomputes the standardised `log(1 + popularity)` of every item.
    mutating func refreshPrior() {
        let n = popularity.counter.values.count
        if prior.count < n { prior.append(contentsOf: repeatElement(0, count: n - prior.count)) }
        var sum: Double = 0
        var squares: Double = 0
        var known = 0
        for i in 0..<n {
            let value = log1p(popularity.counter.value(i))
            prior[i] = value
            if popularity.counter.counts[i] > 0 {
                sum += Double(value)
                squares += Double(value) * Double(value)
                known += 1
            }
        }
        let mean = known > 0 ? sum / Double(known) : 0
        let variance = known > 1 ? max(squares / Double(known) - mean * mean, 0) : 0
        priorMean = Float(mean)
        priorScale = variance > 0 ? Float(1 / variance.squareRoot()) : 1
        for i in 0..<n { prior[i] = (prior[i] - priorMean) * priorScale }
        priorTime = popularity.counter.now
        eventsSincePrior = 0
    }

    /// Counts every live edge's events at the edge's latest time (exact when each user-item
    /// pair occurs once, as in rating data).
    mutating func rebuildPopularity(graph: HeteroGraph) {
        popularity = PopularityModel(halfLife: h.halfLife)
        var items: [Int32] = []
        var times: [Double] = []
        for e in 0..<graph.edgeUser.count where graph.edgeUser[e] >= 0 {
            for _ in 0..<Int(graph.edgeStates[e].count) {
                items.append(graph.edgeItem[e])
                times.append(graph.edgeStates[e].time)
            }
        }
        popularity.fit(items: items, times: times, itemCount: graph.items.count)
        refreshPrior()
        popularityBuilt = StateKey(events: graph.eventsApplied, setting: h.halfLife)
    }

    /// Replays every user's history in time order into the co-visitation index.
    mutating func rebuildCovisitation(graph: HeteroGraph) {
        covisit = CooccurrenceIndex(halfLife: .infinity)
        covisit.rowLimit = Self.covisitRowLimit
        covisit.ensureItems(graph.items.count)
        recent = RecentItems(window: h.covisitWindow)
        recent.ensureUsers(graph.users.count)
        for u in 0..<graph.users.count {
            let edges = graph.userEdges[u].sorted {
                graph.edgeStates[Int($0)].first < graph.edgeStates[Int($1)].first || (graph.edgeStates[Int($0)].first == graph.edgeStates[Int($1)].first && $0 < $1)
            }
            for edge in edges {
                let item = graph.edgeItem[Int(edge)]
                recent.forEach(user: Int32(u)) { other, _ in
                    if other != item {
                        covisit.add(item, other, 1)
                        covisit.add(other, item, 1)
                    }
                }
                covisit.addMass(item, 1)
                recent.push(user: Int32(u), item: item)
            }
        }
        covisitBuilt = StateKey(events: graph.eventsApplied, setting: Double(h.covisitWindow))
    }

    /// Scores every item for `user` into `scores` (see the type's formula).
    /// - Complexity: O(items * dimension + sum of recent items' co-visitation rows).
    public func score(user: Int32, into scores: UnsafeMutableBufferPointer<Float>) {
        score(user: user, into: scores, fromRows: false)
    }

    /// ``score(user:into:)``, the embedding part from the item rows when `fromRows`
    /// (``EmbeddingModel/scoreFromRows(user:into:)``).
    func score(user: Int32, into scores: UnsafeMutableBufferPointer<Float>, fromRows: Bool) {
        if fromRows { embedding.scoreFromRows(user: user, into: scores) } else { embedding.score(user: user, into: scores) }
        let kappa = h.covisitWeight
        let beta = h.popularityWeight
        guard kappa != 0 || beta != 0 else { return }
        standardise(scores)
        if kappa != 0, recent.count(user: user) > 0 {
            let decay = h.sessionDecay
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scores.count) { scratch in
                scratch.initialize(repeating: 0)
                var coefficient: Float = 1
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: recent.window) { items in
                    let n = recent.copy(user: user, into: items)
                    for k in 0..<n {
                        covisit.accumulate(row: items[k], coefficient: coefficient, alpha: 0.5, into: scratch)
                        coefficient *= decay
                    }
                }
                covisit.normalise(scratch, alpha: 0.5)
                for k in scores.indices { scores[k] += kappa * scratch[k] }
            }
        }
        if beta != 0 {
            prior.withUnsafeBufferPointer { p in
                let n = min(p.count, scores.count)
                for k in 0..<n { scores[k] += beta * p[k] }
            }
        }
    }

    /// `scores = (scores - mean) / std` over the items the model has seen interactions for.
    /// - Complexity: O(items).
    func standardise(_ scores: UnsafeMutableBufferPointer<Float>) {
        embedding.itemKnown.withUnsafeBufferPointer { known in
            let n = min(scores.count, known.count)
            var sum: Float = 0
            var squares: Float = 0
            var count = 0
            for i in 0..<n where known[i] {
                sum += scores[i]
                squares += scores[i] * scores[i]
                count += 1
            }
            guard count > 1 else { return }
            let mean = sum / Float(count)
            let variance = max(squares / Float(count) - mean * mean, 0)
            let inverse: Float = variance > 0 ? 1 / variance.squareRoot() : 1
            for i in scores.indices { scores[i] = (scores[i] - mean) * inverse }
        }
    }

    /// Forgets a user everywhere in the model.
    public mutating func forget(user: Int32) {
        embedding.forget(user: user)
        recent.clear(user: user)
        covisitBuilt = nil
        popularityBuilt = nil
    }
}
