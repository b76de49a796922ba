import Foundation

/// Workspace recording and resume: the engine side of the ``RunRecorder`` contract.
extension EngineCore {
    /// Rebuilds graph, model and history from a recorded run's log, and loads its checkpoint.
    /// Replaying the log is the ground truth (nothing ingested is lost); the checkpoint
    /// brings back the training done since, up to when it was written.
    ///
    /// A checkpoint with final tables (``EmbeddingModel/hasFinals(_:)``) is loaded where it
    /// was written: the events logged before it go into the graph, histories, change tracker
    /// and the model's bookkeeping only (their online steps are what the checkpoint holds),
    /// and the events after it are replayed in full, online steps included. An older
    /// checkpoint, without finals, is loaded after the whole log replayed in full (its finals
    /// come from that replay's online steps).
    mutating func restore(from plan: ResumePlan, progress: (Int, Int) -> Void = { _, _ in }) {
        var graph = self.graph
        var model = self.model
        var history = self.history
        var changes = self.interestChanges
        var replayed = 0
        // Events at positions below this are covered by the checkpoint's parameters.
        let covered: Int64 = {
            guard let c = plan.checkpoint, model.embedding != nil, c.hasFinals else { return -1 }
            return c.sourcePosition
        }()
        var loadMessage: String?
        var loaded = plan.checkpoint == nil
        var keys = SourceKeyMap()
        // Waits for the checkpoint's tables (read on their own thread) and loads them once.
        // When it cannot be loaded after the replay skipped the online steps it stood for,
        // the model starts again from the graph as it is (``Recommender/reinitialise(graph:)``):
        // rows left as the skipped steps left them would be zeros.
        func load() {
            guard !loaded, let pending = plan.checkpoint else { return }
            loaded = true
            switch pending.take() {
            case .success(let checkpoint?):
                guard var embedding = model.embedding else { return }
                if embedding.restore(tables: checkpoint.tables, graph: graph) {
                    model.setEmbedding(embedding)
                    trainingStep = checkpoint.step
                    return
                }
                loadMessage = "the checkpoint has another embedding size; training starts again from the log"
            case .success(nil):
                loadMessage = "the checkpoint is gone; training starts again from the log"
            case .failure(let error):
                loadMessage = "the checkpoint could not be read (\(error.message)); training starts again from the log"
            }
            if covered >= 0 { model.reinitialise(graph: graph) }
        }
        do {
            try plan.replay { page, names in
                var start = 0
                if covered >= 0, !loaded {
                    // Positions only grow: the rows before the checkpoint come first.
                    let split = page.positions.firstIndex { $0 >= covered } ?? page.count
                    Self.replay(page, rows: 0..<split, names: names, learning: false, graph: &graph, keys: &keys, model: &model, history: &history, changes: &changes)
                    start = split
                    // The first event after the checkpoint: its parameters, then learning again.
                    if split < page.count { load() }
                }
                Self.replay(page, rows: start..<page.count, names: names, learning: true, graph: &graph, keys: &keys, model: &model, history: &history, changes: &changes)
                let before = replayed
                replayed += page.count
                for reached in stride(from: (before / 0x10000 + 1) * 0x10000, through: replayed, by: 0x10000) {
                    progress(reached, Int(plan.sourcePosition))
                }
            }
        } catch {
            message = "resume stopped after \(replayed) logged events: \(error)"
        }
        load()
        if message == nil { message = loadMessage }
        self.graph = graph
        self.model = model
        self.history = history
        self.interestChanges = changes
        if message == nil { message = "resumed: \(replayed) logged events replayed" }
    }

    /// Replays rows `rows` of a page of logged events into graph, model, profile history and
    /// change tracker (`learning: false`: the model keeps its bookkeeping only).
    ///
    /// A function of its own with everything `inout` on purpose: in the replay's closure the
    /// captured graph was copied, every one of its arrays retained and released, for each
    /// call that read it, a tenth of a resume's time at a million users.
    /// - Complexity: O(rows) graph, model and history updates.
    private static func replay(
        _ page: LoggedEventPage, rows: Range<Int>, names: LoggedEventNames, learning: Bool, graph: inout HeteroGraph,
        keys: inout SourceKeyMap, model: inout Recommender, history: inout ProfileHistory, changes: inout ChangeTracker
    ) {
        for k in rows {
            // Numbers all the way: no name hashed or copied per event.
            let application = graph.apply(logged: page, at: k, names: names, keys: &keys)
            let timestamp = page.timestamps[k]
            model.observe(application, at: timestamp, graph: graph, learning: learning)
            _ = history.observe(user: application.user, graph: graph, at: timestamp)
            observeChange(user: application.user, category: graph.firstCategory(ofItem: application.item), at: timestamp, graph: graph, changes: &changes)
        }
    }

    /// Queues one ingested source event for the recorder, as the graph's dense ids: the
    /// engine thread copies no string per event (the recorder learns new names per slice).
    /// - Complexity: O(1).
    @inline(__always)
    mutating func noteIngested(_ application: EventApplication, of event: Event) {
        guard recorder != nil else { return }
        pendingSlice.append(application, of: event, position: Int64(clock.source.position - 1))
    }

    /// Hands the events collected so far to the recorder (also done at the end of a slice).
    mutating func sendPendingEvents() {
        guard let recorder else { return }
        let slice = pendingSlice.take(graph: graph)
        guard !slice.isEmpty else { return }
        do { try recorder.record(slice: slice) } catch { stopRecording(error) }
    }

    /// Call before the graph forgets `user`: the recorder must drop the user's name.
    mutating func recordingWillForget(user: Int32) {
        guard recorder != nil else { return }
        pendingSlice.willRemoveNames(graph: graph, forgetting: user)
    }

    /// Call before the graph is rebuilt from nothing: what was collected on the old graph
    /// goes out first, then names restart at id 0.
    mutating func recordingWillResetGraph() {
        guard recorder != nil else { return }
        sendPendingEvents()
        pendingSlice.graphWillReset()
    }

    /// Appends to the change log and records it.
    mutating func log(_ change: ChangeRecord) {
        changes.append(change)
        guard let recorder else { return }
        do { try recorder.record(change: change) } catch { stopRecording(error) }
    }

    /// Sends the slice's events, and the metrics and checkpoints that are due.
    mutating func flushRecording(force: Bool = false) {
        guard let recorder else { return }
        do {
            let slice = pendingSlice.take(graph: graph)
            if !slice.isEmpty { try recorder.record(slice: slice) }
            let now = MonotonicClock.seconds()
            if force || now - lastMetrics >= configuration.metricsInterval {
                lastMetrics = now
                let status = prequentialStatus
                try recorder.record(metrics: RunMetricsPoint(
                    step: trainingStep, wallTime: Date().timeIntervalSince1970, clock: graph.now,
                    loss: loss.elements.last?.value, hitRate10: status.hitRate10, mrr: status.mrr,
                    eventsPerSecond: eventRate.rate, events: graph.eventsApplied))
            }
            if force || now - lastCheckpoint >= configuration.checkpointInterval {
                lastCheckpoint = now
                if let checkpoint = makeCheckpoint() { try recorder.save(checkpoint: checkpoint) }
            }
        } catch {
            stopRecording(error)
        }
    }

    /// The model's state now, or `nil` for models without embeddings.
    func makeCheckpoint() -> ModelCheckpoint? {
        guard let embedding = model.embedding else { return nil }
        let json = (try? JSONEncoder().encode(model.hyperparameters)).map { [UInt8]($0) } ?? []
        return ModelCheckpoint(
            step: trainingStep, graphClock: graph.now, sourcePosition: Int64(clock.source.position),
            hyperparameters: json, tables: embedding.checkpointTables(),
            userIDs: (0..<graph.userCapacity).map { graph.name(of: NodeRef(.user, Int32($0))) },
            itemIDs: (0..<graph.itemCapacity).map { graph.name(of: NodeRef(.item, Int32($0))) })
    }

    mutating func stopRecording(_ error: any Error) {
        recorder = nil
        pendingSlice = InternedSliceBuilder()
        message = "recording stopped: \(error)"
    }

    /// Final flush, checkpoint and end of run (called when the engine stops).
    mutating func finishRecording() {
        guard recorder != nil else { return }
        flushRecording(force: true)
        do { try recorder?.finish(at: Date().timeIntervalSince1970) } catch { stopRecording(error) }
    }
}
