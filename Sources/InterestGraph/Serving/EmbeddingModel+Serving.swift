extension EmbeddingModel {
    /// Scores every user against an item vector (`stride` floats): `query(u) · v`, the same
    /// formula as ``scoreUsers(item:into:)`` for a vector that is not a row of the model
    /// (a cold item's estimate).
    /// - Complexity: O(users * dimension).
    func scoreUsers(vector v: UnsafePointer<Float>, into scores: UnsafeMutableBufferPointer<Float>) {
        let stride = self.stride
        let users = min(scores.count, finalUsers.rows)
        finalUsers.storage.withUnsafeBufferPointer { table in
            if users > 0 {
                VectorKernels.gemv(query: v, table: table.baseAddress!, stride: stride, rows: users, into: scores.baseAddress!)
            }
        }
        let w = h.sessionWeight
        if w != 0 {
            sessions.storage.withUnsafeBufferPointer { s in
                for u in 0..<min(users, sessions.rows) {
                    scores[u] += w * VectorKernels.dot(v, s.baseAddress! + u * stride, stride)
                }
            }
        }
        if users < scores.count { for k in users..<scores.count { scores[k] = 0 } }
    }

    /// Cosine of `v` (`stride` floats) with the first `min(rows, scores.count)` rows of
    /// `table`; 0 for zero rows and for entries past the table.
    /// - Complexity: O(rows * dimension).
    static func cosines(of v: UnsafePointer<Float>, table: EmbeddingTable, into scores: UnsafeMutableBufferPointer<Float>) {
        let stride = table.stride
        let rows = min(scores.count, table.rows)
        let norm = VectorKernels.squaredNorm(v, stride).squareRoot()
        table.storage.withUnsafeBufferPointer { t in
            guard rows > 0 else { return }
            let base = t.baseAddress!
            VectorKernels.gemv(query: v, table: base, stride: stride, rows: rows, into: scores.baseAddress!)
            for r in 0..<rows {
                let d = norm * VectorKernels.squaredNorm(base + r * stride, stride).squareRoot()
                scores[r] = d > 0 ? scores[r] / d : 0
            }
        }
        if rows < scores.count { for k in rows..<scores.count { scores[k] = 0 } }
    }
}
