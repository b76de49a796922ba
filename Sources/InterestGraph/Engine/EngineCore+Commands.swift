import Foundation

extension EngineCore {
    /// Applies one command from the queue.
    mutating func handle(_ command: EngineCommand) {
        switch command {
        case .pause: clock.pause()
        case .resume: clock.resume()
        case .togglePause: clock.togglePause()
        case .step(let events): clock.step(events: max(1, events))
        case .setSpeed(let speed): clock.setSpeed(speed)
        case .setHyperparameter(let key, let value): if !setChangeTunable(key, to: value) { setTunable(key, to: value) }
        case .resetModel:
            model.reinitialise(graph: graph)
            lastRecommendationRefresh = -.infinity
            log(ChangeRecord(step: trainingStep, time: Date().timeIntervalSince1970, key: "model", oldValue: 0, newValue: 0, origin: .reset, note: "model re-initialised at dimension \(model.hyperparameters.sanitised.dimension)"))
            message = "model re-initialised"
        case .selectUser(let id):
            if graph.userID(id) != nil { selectUser(id) } else { message = "no user '\(id)'" }
        case .selectItem(let id):
            if graph.itemID(id) != nil { selectedItem = id } else { message = "no item '\(id)'" }
        case .complete(let prefix, let kind):
            completion = graph.completeIDs(prefix: prefix, kind: kind, limit: IdCompletion.limit)
        case .browse(let node):
            if graph.isValid(node) { browsed = node } else { message = "that node no longer exists" }
        case .inject(let user, let item, let action):
            guard graph.itemID(item) != nil else {
                message = "no item '\(item)'"
                return
            }
            let time = max(graph.now, clock.simTime.isFinite ? clock.simTime : graph.now)
            ingest(Event(user: user, item: item, action: action, timestamp: time), score: false)
            lastRecommendationRefresh = -.infinity
            message = "injected: \(user) \(action.pastTense) \(item)"
        case .forgetUser(let id):
            forget(user: id)
        case .listDormant(let factor):
            listDormant(factor: factor)
        case .seek(let time):
            if clock.seek(to: time) { restartFromScratch() }
        case .shutdown:
            break
        }
    }

    mutating func selectUser(_ id: String) {
        guard selectedUser != id || browsed == nil else { return }
        selectedUser = id
        previousRanks = [:]
        lastRecommendations = []
        recommendedItems = []
        hits = []
        lastRecommendationRefresh = -.infinity
        if let u = graph.userID(id) { browsed = NodeRef(.user, u) }
    }

    /// Removes a user from the graph, the model, the drift history and every published trace.
    mutating func forget(user id: String) {
        guard let u = graph.userID(id) else {
            message = "no user '\(id)'"
            return
        }
        recordingWillForget(user: u)
        graph.forgetUser(u)
        model.forget(user: u)
        history.forget(user: u)
        interestChanges.forget(user: u)
        dormant?.users.removeAll { $0.user == id }
        if selectedUser == id {
            selectedUser = nil
            lastRecommendations = []
            previousRanks = [:]
        }
        if browsed == NodeRef(.user, u) { browsed = nil }
        recentEvents.removeAll { $0.user == u }
        message = "forgot user '\(id)'"
    }

    /// A backward seek restarted the source: rebuild graph, model and history from nothing.
    mutating func restartFromScratch() {
        recordingWillResetGraph()
        let hp = model.hyperparameters
        graph = HeteroGraph(decay: DecayPolicy(halfLife: hp.sanitised.halfLife), actionWeights: hp.actionWeights)
        graph.load(clock.source.catalogue)
        history = ProfileHistory(configuration: configuration.history)
        interestChanges = ChangeTracker(settings: interestChanges.settings, categoryCount: graph.categoryCount)
        dormant = nil
        model = Recommender(kind: model.kind, hyperparameters: hp)
        model.reinitialise(graph: graph)
        applyScaleOutSettings()
        recentEvents.removeAll()
        previousRanks = [:]
        lastRecommendations = []
        hits = []
        recommendedItems = []
        prequentialFilled = 0
        prequentialNext = 0
    }
}
