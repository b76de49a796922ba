extension EmbeddingModel {
    /// Writes the user's query vector `f_u + sessionWeight * s_u` into `query` (`stride` floats).
    /// An unknown user gets the zero vector.
    @inline(__always)
    func writeQuery(user: Int32, into query: UnsafeMutablePointer<Float>) {
        let stride = self.stride
        let u = Int(user)
        query.initialize(repeating: 0, count: stride)
        guard u >= 0, u < finalUsers.rows else { return }
        finalUsers.storage.withUnsafeBufferPointer { f in
            query.update(from: f.baseAddress! + u * stride, count: stride)
        }
        let w = h.sessionWeight
        if w != 0, u < sessions.rows {
            sessions.storage.withUnsafeBufferPointer { s in
                VectorKernels.axpy(w, s.baseAddress! + u * stride, query, stride)
            }
        }
    }

    /// A copy of the user's query vector (final embedding plus weighted session vector).
    public func queryVector(user: Int32) -> [Float] {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { q in
            writeQuery(user: user, into: q.baseAddress!)
            return Array(q.prefix(dimension))
        }
    }

    /// Scores every item for `user`: `scores[i] = query(u) · f_i`, for `i < scores.count`
    /// (items without a row score 0).
    /// - Complexity: O(items * dimension), SIMD, no allocation (the query lives on the stack).
    public func score(user: Int32, into scores: UnsafeMutableBufferPointer<Float>) {
        scoreItems(user: user, into: scores) { query, rows, out in scoreItemBlocks(query: query, rows: rows, into: out) }
    }

    /// Writes the user's query, runs `kernel(query, rows, out)` over the items that have a
    /// row, and zeroes the scores of the others.
    @inline(__always)
    private func scoreItems(user: Int32, into scores: UnsafeMutableBufferPointer<Float>,
                            _ kernel: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void) {
        let rows = min(scores.count, finalItems.rows)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { q in
            let query = q.baseAddress!
            writeQuery(user: user, into: query)
            guard rows > 0 else { return }
            kernel(query, rows, scores.baseAddress!)
        }
        if rows < scores.count { for k in rows..<scores.count { scores[k] = 0 } }
    }

    /// ``score(user:into:)`` from the final item rows as they are (row-major, the kernel of
    /// ``scoreUsers(item:into:)``), not from the transposed blocks: it needs no flush of the
    /// rows waiting for their blocks, and reads as many bytes. The engine's prequential ranks
    /// use it: before each rank a flush rewrote nearly every block of a hundred thousand
    /// items, the blocks' largest cost at the large shop. Exact; the sums run in another order
    /// than the blocks', so a score may differ from theirs in its last bits.
    /// - Complexity: O(items * dimension), SIMD, no allocation.
    public func scoreFromRows(user: Int32, into scores: UnsafeMutableBufferPointer<Float>) {
        let stride = self.stride
        scoreItems(user: user, into: scores) { query, rows, out in
            finalItems.storage.withUnsafeBufferPointer { table in
                VectorKernels.gemv(query: query, table: table.baseAddress!, stride: stride, rows: rows, into: out)
            }
        }
    }

    /// Scores every user for `item` (`scores[u] = query(u) · f_i`): the audience of an item.
    /// - Complexity: O(users * dimension).
    public func scoreUsers(item: Int32, into scores: UnsafeMutableBufferPointer<Float>) {
        let stride = self.stride
        let i = Int(item)
        let users = min(scores.count, finalUsers.rows)
        guard i >= 0, i < finalItems.rows else {
            for k in scores.indices { scores[k] = 0 }
            return
        }
        finalItems.storage.withUnsafeBufferPointer { items in
            let f = items.baseAddress! + i * stride
            finalUsers.storage.withUnsafeBufferPointer { table in
                if users > 0 {
                    VectorKernels.gemv(query: f, table: table.baseAddress!, stride: stride, rows: users, into: scores.baseAddress!)
                }
            }
            let w = h.sessionWeight
            if w != 0 {
                sessions.storage.withUnsafeBufferPointer { s in
                    for u in 0..<min(users, sessions.rows) {
                        scores[u] += w * VectorKernels.dot(f, s.baseAddress! + u * stride, stride)
                    }
                }
            }
        }
        if users < scores.count { for k in users..<scores.count { scores[k] = 0 } }
    }

    /// The final embedding of an item (nil when the model has no row for it).
    public func itemVector(_ item: Int32) -> [Float]? {
        Int(item) >= 0 && Int(item) < finalItems.rows ? finalItems.vector(Int(item)) : nil
    }

    /// The final embedding of a user (without the session term; see ``queryVector(user:)``).
    public func userVector(_ user: Int32) -> [Float]? {
        Int(user) >= 0 && Int(user) < finalUsers.rows ? finalUsers.vector(Int(user)) : nil
    }

    /// Cosine similarity of two items' final embeddings.
    public func itemSimilarity(_ a: Int32, _ b: Int32) -> Float {
        guard Int(a) < finalItems.rows, Int(b) < finalItems.rows, a >= 0, b >= 0 else { return 0 }
        return finalItems.cosine(Int(a), Int(b))
    }

    /// Cosine similarity of two users' final embeddings.
    public func userSimilarity(_ a: Int32, _ b: Int32) -> Float {
        guard Int(a) < finalUsers.rows, Int(b) < finalUsers.rows, a >= 0, b >= 0 else { return 0 }
        return finalUsers.cosine(Int(a), Int(b))
    }
}
