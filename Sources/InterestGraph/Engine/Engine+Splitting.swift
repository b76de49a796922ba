extension Engine {
    /// Files from this size on are split between two engines by default (about 3.5 M events
    /// of the simulator's CSV; `dashboard --engines auto`).
    package static let automaticSplitBytes: Int64 = 256 << 20

    /// How many engines `--engines auto` splits a replayed file of `fileBytes` between on a
    /// machine with `cores` cores: two from ``automaticSplitBytes`` on two cores or more, one
    /// otherwise. Why not always: on a small shop one engine is not the limit, and the shared
    /// item side's one-second lag would only cost quality (docs/BENCHMARKS.md, "Two engines
    /// split a large replay"); why not more than two: each engine needs a core of its own,
    /// and the file's reader a share of one.
    package static func automaticEngineCount(fileBytes: Int64, cores: Int) -> Int {
        cores >= 2 && fileBytes >= automaticSplitBytes ? 2 : 1
    }

    /// Engines that split a dataset replay's users between them in this process, one thread
    /// each, fed by one reading thread.
    ///
    /// Why: one engine applies every event on one core, and on a shop of a million users that
    /// core is the limit (the second sat three quarters idle). Engine `k` takes the users of
    /// ``UserPartition`` `k` of `count` (the rule `serve --own` uses on a partitioned
    /// stream), so each applies about `1/count` of the events, and the engines share the item
    /// side as scale-out engines do (docs/SCALE-OUT.md §2): every second each sends the item
    /// rows it changed and takes the others' (``LocalItemSync``). As there, each trains on
    /// sampled subgraphs of its own graph (§3), whatever its size.
    ///
    /// `configuration` is each engine's, except that the selected user at start goes to the
    /// engine holding that user only, and only that engine (the first without one) selects
    /// the newest event's user when none is selected: the dashboard shows one engine's user
    /// screens (``EngineConfiguration/selectsNewestUser``). Recording and resuming are one
    /// engine's and are refused.
    /// The engines exchange item rows every `syncInterval` seconds.
    /// - Throws: what opening the file throws; an `EngineError` for a recording configuration.
    package static func splitting(dataset pathOrName: String, engines count: Int, configuration: EngineConfiguration, syncInterval: Double = 1) throws -> [Engine] {
        guard configuration.makeRecorder == nil, configuration.resume == nil else {
            throw EngineError(message: "engines that split a replay record nothing: record with one engine")
        }
        let count = max(1, count)
        guard count > 1 else { return [try Engine(configuration: configuration, source: .dataset(pathOrName))] }
        let sources = try StreamingReplaySource.partitioned(pathOrName: pathOrName, partitions: count)
        let channels = LocalItemSync.connected(count, interval: syncInterval)
        let selecting = configuration.initialUser.map { UserPartition.index(ofUser: $0, partitions: count) } ?? 0
        return try sources.indices.map { k in
            var own = configuration
            own.itemSync = channels[k]
            own.trainingMode = configuration.trainingMode ?? .sampled
            own.trainingShare = configuration.trainingShare ?? EngineConfiguration.splitTrainingShare
            own.countsDrawingThread = true
            if let user = configuration.initialUser, UserPartition.index(ofUser: user, partitions: count) != k { own.initialUser = nil }
            own.selectsNewestUser = configuration.selectsNewestUser && k == selecting
            let source = sources[k]
            return try Engine(configuration: own, source: .custom(name: pathOrName) { AnyEventSource(source) })
        }
    }
}
