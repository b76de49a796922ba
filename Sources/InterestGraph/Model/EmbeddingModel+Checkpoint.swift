/// Saving and restoring the trainable state, for workspaces (`ModelCheckpoint`).
///
/// Tables are named so that the workspace can erase a forgotten user: every table holding one
/// row per user starts with "user". Entity rows are not saved: their mapping is rebuilt from
/// the graph with the propagation graph, and they are re-learned within a few batches.
extension EmbeddingModel {
    /// Ego tables, user session vectors and Adam moments as flat arrays.
    public func checkpointTables() -> [String: [Float]] {
        var tables: [String: [Float]] = [
            "user": egoUsers.storage.array,
            "user.session": sessions.storage.array,
            "item": egoItems.storage.array,
            "category": egoCategories.storage.array,
            "brand": egoBrands.storage.array,
            "meta.adam_step": [Float(adamStep)],
            "meta.stride": [Float(stride)],
        ]
        let kinds: [(NodeKind, String)] = [(.user, "user"), (.item, "item"), (.category, "category"), (.brand, "brand")]
        for (kind, name) in kinds where Int(kind.rawValue) < moments.count {
            tables["\(name).adam.m"] = moments[Int(kind.rawValue)].first.array
            tables["\(name).adam.v"] = moments[Int(kind.rawValue)].second.array
        }
        return tables
    }

    /// Restores tables saved by ``checkpointTables()`` into a model already sized for `graph`.
    /// Rows beyond the saved ones keep their fresh initialisation; a checkpoint of another
    /// width is ignored.
    /// - Returns: `false` when the checkpoint did not fit (different stride) and nothing changed.
    @discardableResult
    public mutating func restore(tables: [String: [Float]], graph: HeteroGraph) -> Bool {
        guard let savedStride = tables["meta.stride"]?.first, Int(savedStride) == stride else { return false }
        ensureRows(graph: graph, random: true)
        func copy(_ name: String, into table: inout EmbeddingTable) {
            guard let saved = tables[name] else { return }
            let n = min(saved.count, table.storage.count)
            table.storage.replaceSubrange(0..<n, with: saved[0..<n])
        }
        copy("user", into: &egoUsers)
        copy("user.session", into: &sessions)
        copy("item", into: &egoItems)
        copy("category", into: &egoCategories)
        copy("brand", into: &egoBrands)
        let kinds: [(NodeKind, String)] = [(.user, "user"), (.item, "item"), (.category, "category"), (.brand, "brand")]
        for (kind, name) in kinds where Int(kind.rawValue) < moments.count {
            if let m = tables["\(name).adam.m"], let v = tables["\(name).adam.v"], m.count == v.count {
                moments[Int(kind.rawValue)].first = AlignedFloats(m)
                moments[Int(kind.rawValue)].second = AlignedFloats(v)
            }
        }
        if let step = tables["meta.adam_step"]?.first { adamStep = Int(step) }
        finalsFresh = false
        refreshFinals()
        return true
    }
}
