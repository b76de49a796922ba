#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EngineCore {
    /// Ingests the events the clock has made due, then trains one batch, within about
    /// `budget` wall seconds.
    ///
    /// `commandsWaiting` is asked every 64 events, before the batch and halfway through it:
    /// when a dashboard's command is waiting the slice ends there and skips (or drops) its
    /// batch, so a key is answered after at most 64 events or half a batch, not after a whole
    /// batch (the key round trip's p99 was the batch's length, 33 ms on the default shop).
    /// - Returns: `false` when there was nothing to do (paused, waiting for the clock, finished).
    mutating func runSlice(budget: Double, commandsWaiting: () -> Bool = { false }) -> Bool {
        let start = MonotonicClock.seconds()
        let startCPU = ThreadCPUClock.seconds()
        let deadline = start + budget
        var ingested = 0
        waitHint = 0.05
        // True when the slice ended on its deadline with events still due (a backlog).
        var backlog = false
        exchangeItemDeltas()
        ingestLoop: while true {
            switch clock.tick() {
            case .event(let event):
                prefetchAhead()
                let application = ingest(event, score: true)
                noteIngested(application, of: event)
                ingested += 1
                if ingested & 63 == 0, MonotonicClock.seconds() >= deadline || commandsWaiting() {
                    backlog = true
                    break ingestLoop
                }
            case .restarted:
                restartFromScratch()
                if let reason = clock.restartReason {
                    clock.restartReason = nil
                    message = reason
                }
            case .wait(let seconds):
                waitHint = seconds
                // Events due but still being read (a file streaming in) are a backlog too:
                // training then keeps to its share instead of filling the wait, which is not
                // idle time: the reading thread needs the core a batch would take (two engines
                // splitting the large replay applied 4.76 M events in their first 24 s instead
                // of 4.12 M).
                if clock.isWaitingForSource { backlog = true }
                break ingestLoop
            case .paused:
                waitHint = 0.25
                break ingestLoop
            case .finished:
                waitHint = 0.25
                // A streamed file whose read failed part-way ends here: say why, once.
                if !loadErrorShown, let error = clock.source.loadError {
                    loadErrorShown = true
                    message = error
                }
                break ingestLoop
            }
        }
        let afterIngest = MonotonicClock.seconds()
        let afterIngestCPU = ThreadCPUClock.seconds()
        ingestSeconds += afterIngest - start
        eventRate.add(ingested, at: afterIngest)

        // Background training: one batch per slice while the engine runs (or a step was asked),
        // within its share of the work while events are waiting. The share is kept in CPU
        // seconds; engines that split a file count the thread that draws the next batch too:
        // on two cores shared with the reader and another engine, that thread's time is
        // taken from ingest (kept in the engine thread's wall time, the draw made training's
        // real cost half again its share; docs/BENCHMARKS.md, "Batches drawn in passes").
        var trained = false
        let share = configuration.trainingShare ?? EngineConfiguration.loneTrainingShare
        var trainingDue = !backlog || trainingBusySeconds <= share * (trainingBusySeconds + otherBusySeconds)
        if let every = configuration.trainEveryEvents {
            // A fixed schedule: one batch per `every` events ingested, never on idle time,
            // so runs that split the events between engines train as much per event.
            eventsSinceTraining += ingested
            trainingDue = eventsSinceTraining >= max(1, every)
            if trainingDue { eventsSinceTraining -= max(1, every) }
        }
        otherBusySeconds += afterIngestCPU - startCPU
        if (!clock.isPaused || ingested > 0), model.kind.hasEmbeddings, trainingDue, !commandsWaiting() {
            let step = model.trainBatch(graph: graph, yielding: commandsWaiting)
            let trainedAt = MonotonicClock.seconds()
            trainingBusySeconds += ThreadCPUClock.seconds() - afterIngestCPU
                + (configuration.countsDrawingThread ? step.helperCPUSeconds : 0)
            // Decay both so the share follows the last few seconds, not the whole run.
            if trainingBusySeconds + otherBusySeconds > 2 {
                trainingBusySeconds *= 0.5
                otherBusySeconds *= 0.5
            }
            if step.pairs > 0 {
                trainingStep += 1
                pairsTrained += step.pairs
                if step.loss.isFinite { loss.append(MetricPoint(step: trainingStep, value: step.loss, events: graph.eventsApplied), thinning: true) }
                if let report = step.divergence {
                    let note = "\(report.reason.rawValue) (loss \(report.loss)): rolled back to the last good parameters, learning rate \(report.previousLearningRate) → \(report.newLearningRate)"
                    log(ChangeRecord(step: trainingStep, time: Double(wallSeconds()), key: "learning_rate", oldValue: Double(report.previousLearningRate), newValue: Double(report.newLearningRate), origin: .divergenceGuard, note: note))
                    message = "divergence guard: " + note
                }
                trained = true
            }
            let onlineUpdates = ingested * max(model.hyperparameters.onlineSteps, 1)
            updateRate.add(step.pairs + onlineUpdates, at: trainedAt)
        } else if model.kind.hasEmbeddings, ingested > 0 {
            updateRate.add(ingested * max(model.hyperparameters.onlineSteps, 1), at: afterIngest)
        } else {
            updateRate.roll(at: afterIngest)
        }
        if selectedUser == nil, configuration.selectsNewestUser, let newest = recentEvents.last?.user { selectUser(graph.name(of: NodeRef(.user, newest))) }
        flushRecording()
        return ingested > 0 || trained
    }

    /// How long the engine may sleep before the clock releases the next event.
    func secondsUntilNextWork() -> Double { max(0.001, waitHint) }

    /// One event: score it prequentially (sampled to a time budget), then update the graph,
    /// the model and the drift history.
    @discardableResult
    mutating func ingest(_ event: Event, score: Bool) -> EventApplication {
        // Everything this event will touch (graph entries, drift history, model rows and
        // blocks) is asked for first, so the misses overlap each other and the work below
        // instead of following one another (``Prefetch``). The ids come from the source's
        // keys, unchecked: a stale one only wastes a hint.
        if let keys = event.keys {
            prefetchEntries(user: sourceKeys.user(keys.user), item: sourceKeys.item(keys.item))
        }
        // Test-then-learn on a sample: the countdown runs over all events and, once due, the
        // next eligible one (known user, item with events, no edge yet: GUIDE §4) is scored.
        // An item another engine's users reached, created here from its announcement (or its
        // counts, for MostPop and ItemKNN), counts as seen (docs/SCALE-OUT.md §2): one engine
        // holding every user would have seen it.
        // Eligibility costs two id lookups and an edge lookup, so it is checked only when
        // due, not for every event (it was a tenth of a full-speed replay's time).
        if score, let every = configuration.prequentialSampleEvery {
            // Protocol B sampled: the j-th eligible event is scored iff j mod S == 0.
            if let (u, i) = graph.ids(of: event, keys: sourceKeys),
               graph.eventCount(ofItem: i) > 0 || model.isSeenItem(i), !graph.hasEdge(user: u, item: i) {
                if prequentialEligible % max(1, every) == 0 { recordPrequential(rank: rank(item: i, forUser: u)) }
                prequentialEligible += 1
            }
        } else if score {
            if prequentialCountdown > 0 {
                prequentialCountdown -= 1
            } else if let (u, i) = graph.ids(of: event, keys: sourceKeys),
                      graph.eventCount(ofItem: i) > 0 || model.isSeenItem(i), !graph.hasEdge(user: u, item: i) {
                let t0 = MonotonicClock.seconds()
                recordPrequential(rank: rank(item: i, forUser: u))
                scoringSeconds += MonotonicClock.seconds() - t0
                prequentialCountdown = prequentialStride - 1
                adaptPrequentialStride()
            }
        }
        // Through the source's keys when it has them: no string hashed per event.
        let application = graph.apply(event, keys: &sourceKeys)
        model.observe(application, at: event.timestamp, graph: graph)
        if history.observe(user: application.user, graph: graph, at: event.timestamp),
           let row = model.finalUserVector(application.user) {
            row.withUnsafeBufferPointer { _ = history.recordEmbedding(user: application.user, row: $0, at: event.timestamp) }
        }
        let categoryID = graph.firstCategory(ofItem: application.item)
        observeChange(user: application.user, category: categoryID, at: event.timestamp)
        recentEvents.append(RecentEvent(timestamp: event.timestamp, user: application.user, item: application.item, action: event.action, category: categoryID ?? -1))
        if event.user == selectedUser, recommendedItems.contains(event.item) { hits.insert(event.item) }
        return application
    }

    /// The 1-based rank of `item` among the items seen so far (by this engine's users or, for
    /// engines that split the users, announced by another engine), excluding the user's
    /// past items (GUIDE §4 protocol B), or `nil` when it cannot be ranked.
    /// - Complexity: O(n * d) scoring plus O(n) counting for n items.
    mutating func rank(item: Int32, forUser user: Int32) -> Int? {
        let n = graph.itemCapacity
        guard Int(item) < n else { return nil }
        if scratchScores.count < n { scratchScores = [Float](repeating: 0, count: n) }
        // Scored from the item rows, not the blocks (``EmbeddingModel/scoreFromRows``): the
        // blocks would need the waiting rows flushed in first, which rewrites nearly every
        // block at a hundred thousand items; flushing before each rank was 3.2% of each engine
        // thread of the large replay. The rows go into their blocks when serving needs them.
        let model = self.model
        let graph = self.graph
        model.embedding?.servingCache.allowStaleColdTable(seconds: configuration.coldTableMaxAge)
        return scratchScores.withUnsafeMutableBufferPointer { buffer -> Int? in
            let scores = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            model.score(user: user, graph: graph, into: scores, fromRows: true)
            for past in graph.items(ofUser: user) { scores[Int(past)] = -.infinity }
            let target = scores[Int(item)]
            guard target.isFinite else { return nil }
            var better = 0
            for i in 0..<n where scores[i] > target && (graph.eventCount(ofItem: Int32(i)) > 0 || model.isSeenItem(Int32(i))) && graph.isLive(item: Int32(i)) {
                better += 1
            }
            return better + 1
        }
    }

    mutating func recordPrequential(rank: Int?) {
        guard let rank else { return }
        let window = prequentialHits.count
        prequentialHits[prequentialNext] = rank <= 10 ? 1 : 0
        prequentialRanks[prequentialNext] = 1 / Float(rank)
        prequentialNext = (prequentialNext + 1) % window
        prequentialFilled = min(prequentialFilled + 1, window)
        prequentialScored += 1
        if prequentialScored % 25 == 0 {
            let status = prequentialStatus
            prequentialHistory.append(PrequentialPoint(step: trainingStep, hitRate10: Float(status.hitRate10), mrr: Float(status.mrr), events: graph.eventsApplied), thinning: true)
        }
    }

    /// Keeps prequential scoring under its share of ingest time by sampling events.
    mutating func adaptPrequentialStride() {
        guard ingestSeconds > 0.05 else { return }
        let share = scoringSeconds / ingestSeconds
        if share > configuration.prequentialBudget {
            prequentialStride = min(prequentialStride * 2, 1 << 16)
        } else if share < configuration.prequentialBudget / 4, prequentialStride > 1 {
            prequentialStride /= 2
        }
        scoringSeconds *= 0.5
        ingestSeconds *= 0.5
    }

    var prequentialStatus: PrequentialStatus {
        var s = PrequentialStatus()
        let n = prequentialFilled
        guard n > 0 else { return s }
        var hits: Float = 0
        var rr: Float = 0
        for k in 0..<n {
            hits += prequentialHits[k]
            rr += prequentialRanks[k]
        }
        s.hitRate10 = Double(hits) / Double(n)
        s.mrr = Double(rr) / Double(n)
        s.windowCount = n
        s.scored = prequentialScored
        return s
    }

    /// Called once before the thread exits.
    mutating func finish() { finishRecording() }
}

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
