import Foundation

/// Popularity and co-visitation shared between engines that split the users
/// (docs/SCALE-OUT.md §2): what each model kind records for the others, and how it adds
/// theirs. MostPop shares its popularity counts; ItemKNN its co-occurrences; the hybrid its
/// popularity prior and co-visitation while their weights are on (LightGCN and MF-BPR have
/// neither, and share their item rows only).
extension Recommender {
    /// Starts recording this engine's counts for the other engines (idempotent).
    package mutating func enableSignalSync() {
        switch kind {
        case .mostPop: if popularity?.signals == nil { popularity?.signals = SignalOutbox() }
        case .itemKNN: if neighbours?.signals == nil { neighbours?.signals = SignalOutbox() }
        case .mfBPR, .lightGCN, .hybrid: if hybrid?.signals == nil { hybrid?.signals = SignalOutbox() }
        }
    }

    /// The counts recorded since the last call (`nil` when there are none, or sharing is off).
    /// - Complexity: O(1) (the outbox is moved out, not copied).
    package mutating func takeSignals() -> SignalOutbox? {
        let out: SignalOutbox?
        switch kind {
        case .mostPop: out = popularity?.signals?.take()
        case .itemKNN: out = neighbours?.signals?.take()
        case .mfBPR, .lightGCN, .hybrid: out = hybrid?.signals?.take()
        }
        guard let out, !out.isEmpty else { return nil }
        return out
    }

    /// Adds another engine's counts: `ids[k]` is this engine's id of `signals.items[k]`
    /// (negative: an item this engine does not have, skipped). A signal this model does not
    /// keep (a hybrid with its co-visitation weight at 0) is ignored.
    /// - Returns: the entries added (popularity, mass and pairs).
    /// - Complexity: O(entries), plus growth of the counts to the largest id.
    @discardableResult
    package mutating func mergeSignals(_ signals: ItemSignals, ids: [Int32]) -> Int {
        guard ids.count == signals.items.count else { return 0 }
        func id(_ k: UInt32) -> Int32? {
            guard Int(k) < ids.count, ids[Int(k)] >= 0 else { return nil }
            return ids[Int(k)]
        }
        let t = signals.reference
        var merged = 0
        func mergePopularity(_ counter: inout DecayedCounter) {
            for p in signals.popularity {
                guard let i = id(p.index) else { continue }
                counter.merge(Int(i), count: p.count, weight: p.weight, at: t)
                merged += 1
            }
        }
        func mergeCovisitation(_ index: inout CooccurrenceIndex) {
            for m in signals.mass {
                guard let i = id(m.index) else { continue }
                index.mergeMass(i, weight: m.weight, at: t)
                merged += 1
            }
            for p in signals.pairs {
                guard let a = id(p.a), let b = id(p.b) else { continue }
                index.merge(a, b, weight: p.weight, at: t)
                merged += 1
            }
        }
        switch kind {
        case .mostPop:
            if popularity != nil { mergePopularity(&popularity!.counter) }
        case .itemKNN:
            if neighbours != nil { mergeCovisitation(&neighbours!.index) }
        case .mfBPR, .lightGCN, .hybrid:
            guard var model = hybrid else { return 0 }
            hybrid = nil  // no copy-on-write copy of its tables while it changes
            if model.usesPrior {
                mergePopularity(&model.popularity.counter)
                model.refreshPrior(items: signals.popularity.compactMap { id($0.index) })
            }
            if model.usesCovisit { mergeCovisitation(&model.covisit) }
            hybrid = model
        }
        return merged
    }

    /// Whether `item` counts as seen by this engine's model beyond its own events: a model row
    /// (an embedding model's, see ``hasItemRow(_:)``), or popularity / co-occurrence counts
    /// another engine's users gave it (MostPop, ItemKNN). The prequential protocol ranks and
    /// scores such items as one engine holding every user would.
    /// - Complexity: O(1).
    @inline(__always)
    package func isSeenItem(_ item: Int32) -> Bool {
        switch kind {
        case .mostPop:
            guard let counts = popularity?.counter.counts, Int(item) < counts.count else { return false }
            return counts[Int(item)] > 0
        case .itemKNN:
            guard let mass = neighbours?.index.mass, Int(item) < mass.count else { return false }
            return mass[Int(item)] > 0
        case .mfBPR, .lightGCN, .hybrid:
            return hasItemRow(item)
        }
    }
}

extension HybridModel {
    /// Re-standardises the prior of `items` after their popularity changed (the mean and
    /// scale stay until the next full ``refreshPrior()``).
    mutating func refreshPrior(items: [Int32]) {
        for item in items {
            let i = Int(item)
            if i >= prior.count { prior.append(contentsOf: repeatElement(0, count: i + 1 - prior.count)) }
            prior[i] = (log1p(popularity.counter.value(i)) - priorMean) * priorScale
        }
    }
}

extension Recommender {
    /// The decayed popularity of `item` (MostPop's count, or the hybrid's prior count while
    /// its weight is on; 0 otherwise): what sharing makes cover every engine's users.
    /// - Complexity: O(1).
    package func popularity(ofItem item: Int32) -> Float {
        switch kind {
        case .mostPop: return popularity?.popularity(ofItem: item) ?? 0
        case .itemKNN: return 0
        case .mfBPR, .lightGCN, .hybrid: return hybrid.map { $0.usesPrior ? $0.popularity.popularity(ofItem: item) : 0 } ?? 0
        }
    }

    /// The co-visitation weight of `a` then `b` (ItemKNN's co-occurrence, or the hybrid's
    /// co-visitation while its weight is on), at the index's current scale, and `a`'s mass.
    /// - Complexity: O(1).
    package func covisitation(_ a: Int32, _ b: Int32) -> (weight: Float, mass: Float) {
        let index: CooccurrenceIndex?
        switch kind {
        case .mostPop: index = nil
        case .itemKNN: index = neighbours?.index
        case .mfBPR, .lightGCN, .hybrid: index = hybrid.flatMap { $0.usesCovisit ? $0.covisit : nil }
        }
        guard let index, a >= 0, Int(a) < index.mass.count else { return (0, 0) }
        return (index.weight(a, b), index.mass[Int(a)])
    }
}
