import Foundation

/// Ranking metrics for one user's list, exactly as GUIDE.md section 4 defines them.
///
/// All functions take the ranked list best-first and the set of relevant (ground-truth)
/// items; relevance is binary.
public enum RankingMetrics {
    /// Number of relevant items among the first `k`.
    public static func hits(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Int {
        var count = 0
        for item in ranked.prefix(k) where relevant.contains(item) { count += 1 }
        return count
    }

    /// `|top-k ∩ G| / |G|` (0 when G is empty).
    public static func recall(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        relevant.isEmpty ? 0 : Double(hits(ranked, relevant: relevant, k: k)) / Double(relevant.count)
    }

    /// `hits / k`: the denominator is always `k`, even when fewer items were ranked.
    public static func precision(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        k > 0 ? Double(hits(ranked, relevant: relevant, k: k)) / Double(k) : 0
    }

    /// 1 when any relevant item is in the first `k`, else 0.
    public static func hitRate(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        hits(ranked, relevant: relevant, k: k) > 0 ? 1 : 0
    }

    /// NDCG@k with binary gains: `DCG = sum 1/log2(rank + 1)` over relevant items in the first
    /// `k` (rank from 1), divided by the ideal DCG of `min(|G|, k)` relevant items at the top.
    public static func ndcg(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        guard !relevant.isEmpty, k > 0 else { return 0 }
        var dcg = 0.0
        for (position, item) in ranked.prefix(k).enumerated() where relevant.contains(item) {
            dcg += 1 / log2(Double(position) + 2)
        }
        var ideal = 0.0
        for position in 0..<min(relevant.count, k) { ideal += 1 / log2(Double(position) + 2) }
        return dcg / ideal
    }

    /// `1 / rank` of a 1-based rank (0 for no rank).
    public static func reciprocalRank(_ rank: Int?) -> Double {
        guard let rank, rank > 0 else { return 0 }
        return 1 / Double(rank)
    }

    /// Mean self-information `-log2(share)` of the recommended items, where `share` is the
    /// item's fraction of all training interactions. Higher means less mainstream.
    /// Items with no training interaction are skipped (they cannot be recommended under
    /// protocol A).
    public static func novelty(_ ranked: [Int32], interactionCounts: [Int], total: Int) -> Double {
        var sum = 0.0
        var n = 0
        for item in ranked where Int(item) < interactionCounts.count && interactionCounts[Int(item)] > 0 && total > 0 {
            sum += -log2(Double(interactionCounts[Int(item)]) / Double(total))
            n += 1
        }
        return n > 0 ? sum / Double(n) : 0
    }

    /// Intra-list diversity: `1 - mean pairwise Jaccard similarity` of the items' category
    /// sets (two items without categories count as dissimilar). Uses categories rather than
    /// embeddings so that every model, baselines included, is measured the same way.
    public static func intraListDiversity(_ ranked: [Int32], categories: (Int32) -> [Int32]) -> Double {
        guard ranked.count > 1 else { return 0 }
        let sets = ranked.map { Set(categories($0)) }
        var similarity = 0.0
        var pairs = 0
        for a in 0..<sets.count {
            for b in (a + 1)..<sets.count {
                let union = sets[a].union(sets[b]).count
                similarity += union > 0 ? Double(sets[a].intersection(sets[b]).count) / Double(union) : 0
                pairs += 1
            }
        }
        return 1 - similarity / Double(pairs)
    }
}
