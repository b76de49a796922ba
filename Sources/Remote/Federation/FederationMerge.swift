public import InterestGraph

/// How the snapshots of several engines that share a partitioned stream read as one: the
/// rules `driftscope attach A,B,C,D` shows the dashboard by (docs/ARCHITECTURE.md, "One
/// dashboard over several engines"). Pure functions over plain snapshots, so every rule is
/// tested on hand-made ones.
///
/// Only the engines that are connected take part: a dead engine's last snapshot would show
/// rates and a clock that no longer move. Engines are in `attach` order (A, B, ...); where a
/// value is the same on all of them (tunables, speed, source kind), the first one's is used.
public enum FederationMerge {
    /// One engine's latest snapshot and whether it is reachable.
    public struct Input: Sendable {
        public var snapshot: EngineSnapshot
        public var isConnected: Bool

        public init(snapshot: EngineSnapshot, isConnected: Bool) {
            self.snapshot = snapshot
            self.isConnected = isConnected
        }
    }

    /// What the merge needs to know besides the snapshots: who answers the user screens and
    /// which questions are open.
    public struct Context: Sendable {
        /// The engine that owns the selected user (its profile and graph are shown).
        public var answering: Int?
        /// The item whose audience was asked for last (`nil`: whatever item the engines show).
        public var audienceItem: String?
        /// The last id-completion asked for (`nil`: whatever the engines show).
        public var completion: (prefix: String, kind: NodeKind)?

        public init(answering: Int? = nil, audienceItem: String? = nil, completion: (prefix: String, kind: NodeKind)? = nil) {
            self.answering = answering
            self.audienceItem = audienceItem
            self.completion = completion
        }
    }

    /// The one snapshot the dashboard sees. `sequence`, `rateSamples`, `message` and
    /// `messageCount` are left to the caller, which counts changes over time.
    public static func merge(_ inputs: [Input], _ context: Context) -> EngineSnapshot {
        let live = inputs.filter(\.isConnected).map(\.snapshot)
        var out = EngineSnapshot()
        guard let first = live.first else {
            // Nothing reachable: an idle, paused picture (the dashboard then polls slowly).
            out.isPaused = true
            return out
        }
        out.source = source(live)
        out.clock = live.map(\.clock).max() ?? 0
        out.isPaused = live.allSatisfy(\.isPaused)
        out.statistics = statistics(live)
        out.eventsPerSecond = live.reduce(0) { $0 + $1.eventsPerSecond }
        out.updatesPerSecond = live.reduce(0) { $0 + $1.updatesPerSecond }
        out.trainingStep = live.reduce(0) { $0 + $1.trainingStep }
        out.epoch = weightedMean(live.map { ($0.epoch, Double(max(1, $0.statistics.events))) })
        out.loss = loss(live)
        out.prequential = prequential(live.map(\.prequential))
        out.prequentialHistory = prequentialHistory(live)
        out.tunables = first.tunables
        out.changes = changes(inputs.enumerated().filter { $0.element.isConnected }.map { (name(ofEngine: $0.offset), $0.element.snapshot.changes) })
        out.recentEvents = recentEvents(live.map(\.recentEvents))
        out.interestChanges = interestChanges(live.map(\.interestChanges))
        out.changesDetected = live.reduce(0) { $0 + $1.changesDetected }
        out.dormant = dormant(live.compactMap(\.dormant))
        if let a = context.answering, inputs.indices.contains(a), inputs[a].isConnected {
            out.selectedUser = inputs[a].snapshot.selectedUser
            out.neighbourhood = inputs[a].snapshot.neighbourhood
        }
        out.audience = audience(live.compactMap(\.audience), item: context.audienceItem)
        out.demoCandidates = demoCandidates(live.map(\.demoCandidates))
        out.completion = completion(live.compactMap(\.completion), asked: context.completion)
        return out
    }

    /// "A", "B", ... "Z": an engine's name by its place in the `attach` list.
    public static func name(ofEngine index: Int) -> String {
        index < 26 ? String(UnicodeScalar(UInt8(65 + index))) : "E\(index + 1)"
    }

    // MARK: Source and counts

    /// Positions summed; a total only when every engine knows its own; finished when all are;
    /// the stream's partitions are the union of what each engine reads.
    static func source(_ live: [EngineSnapshot]) -> SourceStatus {
        var s = live[0].source
        s.position = live.reduce(0) { $0 + $1.source.position }
        let totals = live.compactMap(\.source.total)
        s.total = totals.count == live.count ? totals.reduce(0, +) : nil
        s.isFinished = live.allSatisfy(\.source.isFinished)
        s.stream = stream(live.compactMap(\.source.stream))
        return s
    }

    static func stream(_ all: [StreamStatus]) -> StreamStatus? {
        guard var s = all.first else { return nil }
        let worst: [StreamStatus.Connection] = [.reconnecting, .connecting]
        s.connection = worst.first { w in all.contains { $0.connection == w } } ?? .connected
        if let failing = all.first(where: { $0.connection != .connected }) {
            s.lastError = failing.lastError
            s.attempts = failing.attempts
        }
        s.reconnects = all.reduce(0) { $0 + $1.reconnects }
        var byIndex: [Int: StreamStatus.Partition] = [:]
        for p in all.flatMap(\.partitions) where byIndex[p.index] == nil { byIndex[p.index] = p }
        s.partitions = byIndex.keys.sorted().compactMap { byIndex[$0] }
        s.partitionCount = all.map(\.partitionCount).max() ?? 0
        s.buffered = all.reduce(0) { $0 + $1.buffered }
        s.unacknowledged = all.reduce(0) { $0 + $1.unacknowledged }
        s.rejected = all.reduce(0) { $0 + $1.rejected }
        s.lastRejection = all.compactMap(\.lastRejection).last
        return s
    }

    /// Users, user-item edges and events are disjoint across engines (a user lives in one
    /// partition): summed. Items, categories, brands and entities are the shared catalogue,
    /// known to every engine: the largest count, not a sum that would count them N times.
    static func statistics(_ live: [EngineSnapshot]) -> GraphStatistics {
        var st = live[0].statistics
        let all = live.map(\.statistics)
        st.users = all.reduce(0) { $0 + $1.users }
        st.userItemEdges = all.reduce(0) { $0 + $1.userItemEdges }
        st.events = all.reduce(0) { $0 + $1.events }
        st.items = all.map(\.items).max() ?? 0
        st.categories = all.map(\.categories).max() ?? 0
        st.brands = all.map(\.brands).max() ?? 0
        st.entities = all.map(\.entities).max() ?? 0
        // Catalogue edges once (the largest engine's), user-item edges of all.
        st.edges = all.map { $0.edges - $0.userItemEdges }.max().map { $0 + st.userItemEdges } ?? 0
        st.firstTimestamp = all.compactMap(\.firstTimestamp).min()
        st.lastTimestamp = all.compactMap(\.lastTimestamp).max()
        return st
    }

    static func weightedMean(_ pairs: [(value: Double, weight: Double)]) -> Double {
        let total = pairs.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return 0 }
        return pairs.reduce(0) { $0 + $1.value * $1.weight } / total
    }

    // MARK: Training and prequential metrics

    /// The training-loss chart: each engine's series aligned from the newest point (the i-th
    /// newest point of every engine that has one), averaged weighted by the events that engine
    /// had ingested at that point. Steps and events are summed: the x axis counts the batches
    /// and events of the whole federation.
    static func loss(_ live: [EngineSnapshot]) -> [MetricPoint] {
        alignedFromNewest(live.map(\.loss)) { points in
            let value = weightedMean(points.map { (Double($0.value), Double(max(1, $0.events))) })
            return MetricPoint(step: points.reduce(0) { $0 + $1.step }, value: Float(value), events: points.reduce(0) { $0 + $1.events })
        }
    }

    /// Rolling HR@10 and MRR over all engines: each engine's rolling values weighted by the
    /// events it scored in its window (so the result is the metric over the union of the
    /// windows); counts summed.
    static func prequential(_ all: [PrequentialStatus]) -> PrequentialStatus {
        var p = PrequentialStatus()
        p.hitRate10 = weightedMean(all.map { ($0.hitRate10, Double($0.windowCount)) })
        p.mrr = weightedMean(all.map { ($0.mrr, Double($0.windowCount)) })
        p.windowCount = all.reduce(0) { $0 + $1.windowCount }
        p.scored = all.reduce(0) { $0 + $1.scored }
        return p
    }

    /// The prequential chart, aligned from the newest point like ``loss(_:)``, each engine's
    /// point weighted by the events that engine has scored.
    static func prequentialHistory(_ live: [EngineSnapshot]) -> [PrequentialPoint] {
        let weighted = live.map { s in s.prequentialHistory.map { (point: $0, weight: Double(max(1, s.prequential.scored))) } }
        return alignedFromNewest(weighted) { points in
            PrequentialPoint(step: points.reduce(0) { $0 + $1.point.step },
                             hitRate10: Float(weightedMean(points.map { (Double($0.point.hitRate10), $0.weight) })),
                             mrr: Float(weightedMean(points.map { (Double($0.point.mrr), $0.weight) })),
                             events: points.reduce(0) { $0 + $1.point.events })
        }
    }

    /// Combines the i-th newest element of each series, for i up to the longest series; the
    /// result is oldest first like its inputs.
    static func alignedFromNewest<T, R>(_ series: [[T]], _ combine: ([T]) -> R) -> [R] {
        let length = series.map(\.count).max() ?? 0
        return (0..<length).reversed().map { back in
            combine(series.compactMap { s in s.count > back ? s[s.count - 1 - back] : nil })
        }
    }

    /// The change log of all engines by time. A setting the dashboard changed on every engine
    /// is logged by each: it shows once. What one engine did alone (its divergence guard)
    /// says which engine.
    static func changes(_ perEngine: [(engine: String, changes: [ChangeRecord])]) -> [ChangeRecord] {
        var seen = Set<ChangeKey>()
        var all: [ChangeRecord] = []
        for (engine, list) in perEngine {
            for var record in list {
                if record.origin == .divergenceGuard {
                    record.note = "engine \(engine): " + record.note
                } else if !seen.insert(ChangeKey(record)).inserted {
                    continue
                }
                all.append(record)
            }
        }
        let limit = perEngine.map(\.changes.count).max() ?? 0
        return Array(all.sorted { $0.time < $1.time }.suffix(limit))
    }

    private struct ChangeKey: Hashable {
        var key: String, oldValue: Double, newValue: Double, origin: ChangeRecord.Origin, note: String
        init(_ r: ChangeRecord) {
            key = r.key
            oldValue = r.oldValue
            newValue = r.newValue
            origin = r.origin
            note = r.note
        }
    }

    // MARK: Lists

    /// The newest events of all engines interleaved by time (newest last), as many as the
    /// longest engine's list.
    static func recentEvents(_ lists: [[EventLine]]) -> [EventLine] {
        let limit = lists.map(\.count).max() ?? 0
        return Array(lists.joined().sorted { $0.timestamp < $1.timestamp }.suffix(limit))
    }

    /// Interest changes of all engines, newest first.
    static func interestChanges(_ lists: [[NamedInterestChange]]) -> [NamedInterestChange] {
        let limit = lists.map(\.count).max() ?? 0
        return Array(lists.joined().sorted { $0.time > $1.time }.prefix(limit))
    }

    /// The dormant users of all engines, most overdue first; totals summed.
    static func dormant(_ views: [DormantListView]) -> DormantListView? {
        guard let first = views.first else { return nil }
        let limit = views.map(\.users.count).max() ?? 0
        let users = views.flatMap(\.users).sorted { $0.ratio > $1.ratio }.prefix(limit)
        return DormantListView(factor: first.factor, time: views.map(\.time).max() ?? first.time,
                               total: views.reduce(0) { $0 + $1.total }, users: Array(users))
    }

    /// An item's audience across engines: each engine ranks its own users, so the federation's
    /// top K is the K best of the union by score (K: the longest list an engine sent). Only the
    /// lists for the item asked about take part.
    static func audience(_ views: [AudienceView], item: String?) -> AudienceView? {
        guard let item = item ?? views.first?.item else { return nil }
        let matching = views.filter { $0.item == item }
        guard let first = matching.first else { return nil }
        let limit = matching.map(\.users.count).max() ?? 0
        var best: [String: AudienceLine] = [:]
        for line in matching.flatMap(\.users) where (best[line.user]?.score ?? -.infinity) < line.score {
            best[line.user] = line
        }
        let users = best.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.user < $1.user }.prefix(limit)
        return AudienceView(item: item, title: matching.compactMap(\.title).first ?? first.title, users: Array(users))
    }

    /// Users worth a look: each engine's list in turn (A's first, B's first, A's second, ...).
    static func demoCandidates(_ lists: [[String]]) -> [String] {
        var out: [String] = []
        let length = lists.map(\.count).max() ?? 0
        for i in 0..<length {
            for list in lists where i < list.count && !out.contains(list[i]) { out.append(list[i]) }
        }
        return Array(out.prefix(10))
    }

    /// Id completion: the union of the engines' matches in id order. Users are disjoint across
    /// engines, so their totals add up; items are the shared catalogue, so the largest total
    /// is the count (a lower bound when engines know different items).
    static func completion(_ all: [IdCompletion], asked: (prefix: String, kind: NodeKind)?) -> IdCompletion? {
        guard let prefix = asked?.prefix ?? all.first?.prefix, let kind = asked?.kind ?? all.first?.kind else { return nil }
        let matching = all.filter { $0.prefix == prefix && $0.kind == kind }
        guard !matching.isEmpty else { return nil }
        let ids = Set(matching.flatMap(\.matches)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let total = kind == .user ? matching.reduce(0) { $0 + $1.total } : matching.map(\.total).max() ?? 0
        let shown = Array(ids.prefix(IdCompletion.limit))
        return IdCompletion(prefix: prefix, kind: kind, matches: shown, total: max(total, shown.count))
    }
}
