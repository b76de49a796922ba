import Foundation

/// Distances between interest distributions.
public enum Divergence {
    /// Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint) between two
    /// distributions over the same index set. Inputs are normalised first; an all-zero input
    /// counts as uniform-free "nothing" and gives 0 against another all-zero input, 1 otherwise.
    /// - Complexity: O(n).
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "distributions over different supports")
        let sp = p.reduce(0, +)
        let sq = q.reduce(0, +)
        if sp <= 0 || sq <= 0 { return sp <= 0 && sq <= 0 ? 0 : 1 }
        var js = 0.0
        for i in p.indices {
            let a = p[i] / sp
            let b = q[i] / sq
            let m = (a + b) / 2
            if a > 0 { js += 0.5 * a * log2(a / m) }
            if b > 0 { js += 0.5 * b * log2(b / m) }
        }
        return min(max(js, 0), 1)
    }

    /// Jensen-Shannon divergence between two sparse distributions given as (id, share) pairs.
    /// Missing mass (shares summing below 1, as in truncated profiles) is treated as one extra
    /// "other" outcome, so truncation never makes two profiles look closer than they are.
    public static func jensenShannon(_ p: [(Int32, Double)], _ q: [(Int32, Double)]) -> Double {
        var ids: [Int32] = []
        for (c, _) in p where !ids.contains(c) { ids.append(c) }
        for (c, _) in q where !ids.contains(c) { ids.append(c) }
        var a = [Double](repeating: 0, count: ids.count + 1)
        var b = a
        for (c, s) in p { a[ids.firstIndex(of: c)!] += s }
        for (c, s) in q { b[ids.firstIndex(of: c)!] += s }
        let restA = 1 - a.reduce(0, +)
        let restB = 1 - b.reduce(0, +)
        if !p.isEmpty { a[ids.count] = max(0, restA) }
        if !q.isEmpty { b[ids.count] = max(0, restB) }
        return jensenShannon(a, b)
    }

    /// `1 - cos(a, b)`, in 0...2; 0 when either vector is zero.
    public static func cosineShift(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        guard na > 0, nb > 0 else { return 0 }
        return 1 - dot / (na.squareRoot() * nb.squareRoot())
    }
}
