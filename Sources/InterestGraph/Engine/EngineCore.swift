/// The engine's state and its step logic, owned by the engine thread alone.
///
/// Kept apart from ``Engine`` (the threading shell) so tests can drive it synchronously:
/// `handle` a command, `runSlice`, read `makeSnapshot()`.
struct EngineCore {
    let configuration: EngineConfiguration
    var graph: HeteroGraph
    var model: Recommender
    var clock: ReplayClock<AnyEventSource>
    var history: ProfileHistory
    /// Per-user interest change detection (``ChangeTracker``) and the last dormant list asked for.
    var interestChanges: ChangeTracker
    var dormant: DormantListView?
    let groundTruth: GroundTruth?

    // Selection and browsing.
    var selectedUser: String?
    var selectedItem: String?
    var browsed: NodeRef?
    /// The answer to the last ``EngineCommand/complete(prefix:kind:)``.
    var completion: IdCompletion?
    var message: String? {
        didSet { if message != nil { messageCount &+= 1 } }
    }
    /// Messages set so far: the same text twice is two answers (see ``EngineSnapshot/messageCount``).
    var messageCount = 0
    /// Whether the source's read error (a streamed file that failed part-way) was shown.
    var loadErrorShown = false

    // Live figures.
    /// The newest events for the Events panel, by ids (``RecentEvent``); named in ``makeSnapshot()``.
    var recentEvents: BoundedBuffer<RecentEvent>
    var loss: BoundedBuffer<MetricPoint>
    var prequentialHistory: BoundedBuffer<PrequentialPoint>
    var changes: [ChangeRecord] = []
    var eventRate = RateMeter()
    var updateRate = RateMeter()
    var trainingStep = 0
    var pairsTrained = 0
    var waitHint = 0.05

    // Rolling prequential window: hit@10 and reciprocal rank of the last scored events.
    var prequentialHits: [Float]
    var prequentialRanks: [Float]
    var prequentialNext = 0
    var prequentialFilled = 0
    var prequentialScored = 0
    /// After a scored event, skip `prequentialStride - 1` events, then score the next eligible
    /// one (stride 1: every eligible event); adapted so scoring stays within its budget.
    var prequentialStride = 1
    var prequentialCountdown = 0
    var scoringSeconds = 0.0
    var ingestSeconds = 0.0
    /// Decayed CPU seconds of training (the engine thread's, and its batch-drawing thread's
    /// when ``EngineConfiguration/countsDrawingThread``)
    /// and of everything else on the engine thread, for ``EngineConfiguration/trainingShare``.
    var trainingBusySeconds = 0.0
    var otherBusySeconds = 0.0
    var scratchScores: [Float] = []
    /// The clock's source keys (``EventKeys``) to graph ids: ingest hashes no name once a
    /// key has been seen. A checked cache, so it needs no reset when the graph is rebuilt.
    var sourceKeys = SourceKeyMap()
    /// ``HeteroGraph/sideEdgeCount`` at a catalogue stamp: O(items) to count, so counted
    /// only when the catalogue changed, not per snapshot.
    var sideEdges: (stamp: UInt64, count: Int)?

    // Recommendation movement for the selected user.
    var previousRanks: [String: Int] = [:]
    var lastRecommendations: [RecommendationLine] = []
    var recommendedItems: Set<String> = []
    var hits: Set<String> = []
    var lastRecommendationRefresh = -Double.infinity
    var demoCandidates: [String] = []

    // Recording (workspaces).
    var recorder: (any RunRecorder)?
    /// The slice being collected for the recorder: dense ids, no strings.
    var pendingSlice = InternedSliceBuilder()
    var lastCheckpoint = MonotonicClock.seconds()
    var lastMetrics = -Double.infinity
    var demoCandidatesRefreshed = -Double.infinity
    /// Where the next round-robin scan for demo candidates starts.
    var demoCursor = 0

    // Shared item side (engines that split the users).
    /// Wall seconds of the last item exchange (the start, before the first).
    var lastItemExchange = wallSeconds()
    /// The other engines' item ids in this graph's (``ItemIDTranslation``).
    var itemTranslation = ItemIDTranslation()
    /// Eligible events seen under ``EngineConfiguration/prequentialSampleEvery``.
    var prequentialEligible = 0
    /// Events ingested since the last batch under ``EngineConfiguration/trainEveryEvents``.
    var eventsSinceTraining = 0

    /// `resumeProgress` hears (logged events replayed, events logged) every 2^16 events while
    /// a resumed run replays its log, which takes minutes at tens of millions of events.
    init(configuration: EngineConfiguration, source: AnyEventSource, resumeProgress: (Int, Int) -> Void = { _, _ in }) {
        var source = source
        self.configuration = configuration
        // A resumed run continues from the next unread event: skip what the log already has.
        if let resume = configuration.resume {
            source.skipLogged(resume.sourcePosition)
        }
        let hp = configuration.hyperparameters
        graph = HeteroGraph(decay: DecayPolicy(halfLife: hp.sanitised.halfLife), actionWeights: hp.actionWeights)
        graph.load(source.catalogue)
        groundTruth = source.groundTruth
        clock = ReplayClock(source: source, speed: configuration.speed)
        if configuration.startPaused { clock.pause() }
        history = ProfileHistory(configuration: configuration.history)
        interestChanges = ChangeTracker(settings: configuration.changeDetection, categoryCount: graph.categoryCount)
        model = Recommender(kind: configuration.model, hyperparameters: hp)
        model.reinitialise(graph: graph)
        if let mode = configuration.trainingMode { model.setTrainingMode(mode) }
        selectedUser = configuration.initialUser
        recentEvents = BoundedBuffer(capacity: configuration.recentEventCount)
        loss = BoundedBuffer(capacity: configuration.lossHistoryCapacity)
        prequentialHistory = BoundedBuffer(capacity: configuration.lossHistoryCapacity)
        // A fixed sample covers the whole run: its window holds every scored event.
        let window = configuration.prequentialSampleEvery == nil ? max(1, configuration.prequentialWindow) : 1 << 22
        prequentialHits = [Float](repeating: 0, count: window)
        prequentialRanks = [Float](repeating: 0, count: window)
        if let resume = configuration.resume { restore(from: resume, progress: resumeProgress) }
        applyScaleOutSettings()
        if let make = configuration.makeRecorder {
            do {
                let made = try make()
                try made.record(catalogue: clock.source.catalogue)
                recorder = made
            } catch {
                message = "recording is off: \(error)"
            }
        }
    }
}
