/// Saving and restoring the trainable state, for workspaces (`ModelCheckpoint`).
///
/// Tables are named so that the workspace can erase a forgotten user: every table holding one
/// row per user starts with "user". Entity rows are not saved: their mapping is rebuilt from
/// the graph with the propagation graph, and they are re-learned within a few batches.
///
/// The final (served) tables are saved too. With sampled training they are not a function of
/// the ego tables (online steps move final rows only, and a batch refreshes only its own
/// rows), so without them a resume had to replay every logged event's online step to get
/// them back; with them it replays the events before the checkpoint into the graph alone
/// (``EmbeddingModel/observeLogged(_:at:graph:)``), a third of the cost.
extension EmbeddingModel {
    /// The names of the final tables in a checkpoint; a checkpoint with all of them can be
    /// resumed without replaying online steps (``hasFinals(_:)``).
    static let finalTableNames = ["user.final", "item.final", "category.final", "brand.final"]

    /// Whether a checkpoint with these table names holds the final tables.
    public static func hasFinals(_ tableNames: some Sequence<String>) -> Bool {
        let names = Set(tableNames)
        return finalTableNames.allSatisfy(names.contains)
    }

    /// Ego and final tables, user session vectors and Adam moments as flat arrays.
    public func checkpointTables() -> [String: [Float]] {
        var tables: [String: [Float]] = [
            "user": egoUsers.storage.array,
            "user.session": sessions.storage.array,
            "user.final": finalUsers.storage.array,
            "item": egoItems.storage.array,
            "item.final": finalItems.storage.array,
            "category": egoCategories.storage.array,
            "category.final": finalCategories.storage.array,
            "brand": egoBrands.storage.array,
            "brand.final": finalBrands.storage.array,
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
    /// width is ignored. Saved final tables are taken as they are (and the serving blocks
    /// rebuilt from them); without them the finals are recomputed from the ego tables when
    /// the propagation graph is built, and otherwise left as the caller's replay made them.
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
        if Self.hasFinals(tables.keys) {
            copy("user.final", into: &finalUsers)
            copy("item.final", into: &finalItems)
            copy("category.final", into: &finalCategories)
            copy("brand.final", into: &finalBrands)
            finalsFresh = true
            rebuildItemBlocks()
            return true
        }
        finalsFresh = false
        refreshFinals()
        return true
    }
}

extension EmbeddingModel {
    /// A logged event replayed before a checkpoint that will overwrite the parameters: the
    /// model keeps what the parameters do not hold (rows sized to the graph, the replay buffer
    /// training samples from, which items are known, shared degrees) and skips the online
    /// steps, cold starts and session update (``observe(_:at:graph:)``), whose results the
    /// checkpoint replaces.
    /// - Complexity: O(1) amortised; rows for new nodes are zero (the checkpoint fills them).
    mutating func observeLogged(_ event: EventApplication, at time: Double, graph: HeteroGraph) {
        let u = Int(event.user)
        let i = Int(event.item)
        if u >= egoUsers.rows || i >= egoItems.rows || u >= sessions.rows {
            ensureRows(graph: graph, random: false)
        }
        replay.append(user: event.user, item: event.item, time: time)
        markKnown(event.item)
        if event.isNewEdge { noteNewItemEdge(i) }
    }
}
