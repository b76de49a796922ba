extension EngineCore {
    /// Builds the immutable picture published to readers.
    /// - Complexity: O(top-K scoring over all items + the selected user's edges); called at most
    ///   every ~50 ms, never per event. Nothing here walks every item or user per call (the
    ///   side-edge count is cached by catalogue stamp; demo candidates are scanned round-robin).
    mutating func makeSnapshot() -> EngineSnapshot {
        var s = EngineSnapshot()
        s.source = clock.source.status(speed: clock.speed, isFinished: clock.isFinished)
        s.clock = max(graph.now, clock.simTime.isFinite ? clock.simTime : 0)
        s.isPaused = clock.isPaused
        if sideEdges?.stamp != graph.catalogueStamp { sideEdges = (graph.catalogueStamp, graph.sideEdgeCount) }
        s.statistics = graph.statistics(sideEdges: sideEdges?.count ?? 0)
        s.eventsPerSecond = eventRate.rate
        s.updatesPerSecond = updateRate.rate
        s.rateSamples = eventRate.windowsClosed
        s.trainingStep = trainingStep
        let replayed = model.embedding?.replay.count ?? 0
        s.epoch = replayed > 0 ? Double(pairsTrained) / Double(replayed) : 0
        s.loss = loss.elements
        s.prequential = prequentialStatus
        s.prequentialHistory = prequentialHistory.elements
        s.tunables = tunables
        s.changes = changes
        s.recentEvents = recentEvents.elements.map { $0.line(in: graph) }
        s.interestChanges = publishedInterestChanges()
        s.changesDetected = interestChanges.detected
        s.dormant = dormant
        s.message = message
        s.messageCount = messageCount
        refreshDemoCandidates()
        s.demoCandidates = demoCandidates
        s.completion = completion
        if let id = selectedUser, let u = graph.userID(id) {
            s.selectedUser = userView(id: id, user: u)
        }
        if let id = selectedItem, let i = graph.itemID(id) {
            s.audience = audienceView(id: id, item: i)
        }
        if let node = browsed ?? selectedUser.flatMap({ graph.userID($0) }).map({ NodeRef(.user, $0) }) {
            s.neighbourhood = graph.neighbourhoodView(of: node)
        }
        return s
    }

    mutating func userView(id: String, user u: Int32) -> UserView {
        let profile = graph.profile(ofUser: u)
        let interests = profile.categories.prefix(8).map { ShareLine(name: $0.name, share: $0.share) }
        let window = configuration.drift.window
        // "Then" is the newest checkpoint older than one drift window: edges keep no past
        // state, the history does.
        let line = history.timeline(ofUser: u)
        let then = (line.last { $0.time <= graph.now - window } ?? line.first).map { checkpoint in
            checkpoint.shares.map { ShareLine(name: graph.name(of: NodeRef(.category, $0.category)), share: $0.share) }
        } ?? []
        var truth: [ShareLine]?
        var trueShares: ((Double) -> [String: Double]?)?
        if let groundTruth, let shares = groundTruth.namedShares(ofUser: id, at: graph.now) {
            truth = shares.filter { $0.value > 0.005 }.sorted { $0.value > $1.value }.prefix(8).map { ShareLine(name: $0.key, share: $0.value) }
            trueShares = { groundTruth.namedShares(ofUser: id, at: $0) }
        }
        var drift = history.driftView(ofUser: u, graph: graph, settings: configuration.drift, rows: 8, trueShares: trueShares)
        // The checkpoints may predate the user's newer categories (one early checkpoint knows
        // one category): give every current and true interest a row, zero in the past, so
        // the now/true columns are never missing the categories they talk about.
        if !drift.bucketTimes.isEmpty {
            let truthNames = truth?.map(\.name) ?? []
            for name in interests.map(\.name) + truthNames where drift.categories.count < 8 && !drift.categories.contains(name) {
                drift.categories.append(name)
                drift.shares.append([Float](repeating: 0, count: drift.bucketTimes.count))
                if !drift.trueShares.isEmpty, let trueShares {
                    drift.trueShares.append(drift.bucketTimes.map { Float(trueShares($0)?[name] ?? 0) })
                }
            }
        }
        drift.detectedChanges = detectedChanges(ofUser: u)
        drift.changeStatistic = interestChanges.detector.statistic(ofUser: u)
        drift.changeThreshold = interestChanges.settings.threshold
        return UserView(
            id: id, events: graph.eventCount(ofUser: u), lastSeen: graph.lastSeen(user: u),
            dormancy: graph.dormancy(ofUser: u), interests: Array(interests), interestsBefore: then,
            trueInterests: truth, drift: drift, recommendations: recommendations(forUser: u), node: NodeRef(.user, u))
    }

    /// The selected user's top-K with movement since the previous refresh and replay hits.
    mutating func recommendations(forUser u: Int32) -> [RecommendationLine] {
        let now = MonotonicClock.seconds()
        // Re-rank at most twice a second: rank movement should mean "since the last look".
        guard now - lastRecommendationRefresh >= 0.5 || lastRecommendations.isEmpty else {
            return lastRecommendations.map { var line = $0; line.hit = hits.contains(line.item); return line }
        }
        lastRecommendationRefresh = now
        model.embedding?.servingCache.allowStaleColdTable(seconds: configuration.coldTableMaxAge)
        model.refreshServingScreen()
        let recs = Serving.recommend(user: u, k: configuration.recommendationCount, graph: graph, model: model)
        var lines: [RecommendationLine] = []
        var ranks: [String: Int] = [:]
        for (rank, rec) in recs.enumerated() {
            let id = graph.name(of: NodeRef(.item, rec.item))
            ranks[id] = rank
            let change = previousRanks[id].map { $0 - rank }
            let category = graph.categories(ofItem: rec.item).first.map { graph.name(of: NodeRef(.category, $0)) }
            lines.append(RecommendationLine(item: id, title: graph.title(ofItem: rec.item), score: rec.score, category: category, explanation: rec.explanation.text, rankChange: previousRanks.isEmpty ? 0 : change, hit: hits.contains(id)))
            recommendedItems.insert(id)
        }
        previousRanks = ranks
        lastRecommendations = lines
        return lines
    }

    func audienceView(id: String, item i: Int32) -> AudienceView {
        let users = Serving.audience(item: i, k: configuration.audienceCount, graph: graph, model: model).map { a in
            AudienceLine(user: graph.name(of: NodeRef(.user, a.user)), score: a.score, topInterest: graph.profile(ofUser: a.user).categories.first?.name)
        }
        return AudienceView(item: id, title: graph.title(ofItem: i), users: users)
    }

    /// The users whose interests moved most (Jensen-Shannon between recent and older profile),
    /// for the demo tour and the "drifting now" hint.
    ///
    /// Refreshed every few seconds by scanning the next ``demoScanUsers`` users round-robin
    /// and re-scoring the current candidates, so a refresh costs the same at a million users
    /// as at a thousand (a full scan there took most of a second every three seconds on the
    /// engine thread); every user is still looked at within `users / demoScanUsers` refreshes.
    /// - Complexity: O((demoScanUsers + candidates) * checkpoints * categories) per refresh.
    mutating func refreshDemoCandidates() {
        let now = MonotonicClock.seconds()
        guard now - demoCandidatesRefreshed >= 3 else { return }
        demoCandidatesRefreshed = now
        let users = graph.userCapacity
        guard users > 0 else {
            demoCandidates = []
            return
        }
        var pool = Set(demoCandidates.compactMap { graph.userID($0) })
        let span = min(users, Self.demoScanUsers)
        if demoCursor >= users { demoCursor = 0 }
        for k in 0..<span { pool.insert(Int32((demoCursor + k) % users)) }
        demoCursor = (demoCursor + span) % users
        var scored: [(user: Int32, score: Double)] = []
        for u in pool where graph.isLive(user: u) && graph.eventCount(ofUser: u) >= 10 {
            let scores = history.scores(ofUser: u, settings: configuration.drift)
            if scores.divergence > 0 { scored.append((u, scores.divergence)) }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.user < $1.user }
        demoCandidates = scored.prefix(10).map { graph.name(of: NodeRef(.user, $0.user)) }
    }

    /// Users scanned per refresh of the demo candidates.
    static let demoScanUsers = 20_000
}
