import Testing
@testable import InterestGraph

@Suite("Online updates and cold start")
struct ModelOnlineTests {
    /// A fitted LightGCN model on the toy world.
    static func fitted(world: ToyWorld = ToyWorld(), catalogueExtra: ((inout ItemCatalogue) -> Void)? = nil) -> (HeteroGraph, Recommender) {
        var catalogue = world.catalogue
        catalogueExtra?(&catalogue)
        var graph = HeteroGraph()
        graph.load(catalogue)
        for event in world.events { graph.apply(event) }
        var model = Recommender(kind: .lightGCN, hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph)
        return (graph, model)
    }

    static func score(_ model: Recommender, user: Int32, item: Int32, graph: HeteroGraph) -> Float {
        var scores = [Float](repeating: 0, count: graph.items.count)
        scores.withUnsafeMutableBufferPointer { model.score(user: user, graph: graph, into: $0) }
        return scores[Int(item)]
    }

    @Test func onlineUpdateRaisesTheUsersScoreForTheEventsItem() {
        var (graph, model) = Self.fitted()
        let user = graph.users.lookup("u0")!  // likes category 0
        // An item of another category the user has not touched.
        let target = (0..<10).map { ToyWorld.item(2, $0) }.compactMap { graph.items.lookup($0) }
            .first { !graph.hasEdge(user: user, item: $0) }!
        let before = Self.score(model, user: user, item: target, graph: graph)
        let event = Event(user: "u0", item: graph.items.name(target), action: .purchase, timestamp: graph.now + 60)
        let application = graph.apply(event)
        model.observe(application, at: event.timestamp, graph: graph)
        let after = Self.score(model, user: user, item: target, graph: graph)
        #expect(after > before)
    }

    /// The engine asks the cache for a user's ego row only when the online steps write it
    /// (``EmbeddingModel/onlineStepsWriteEgoRows``): whole-graph training's steps move an
    /// established user's ego row, sampled training's leave it to the batches.
    @Test(arguments: [TrainingMode.wholeGraph, .sampled])
    func theOnlineStepsWriteAnEstablishedUsersEgoRowOnlyUnderWholeGraphTraining(mode: TrainingMode) throws {
        let world = ToyWorld()
        var graph = HeteroGraph()
        graph.load(world.catalogue)
        for event in world.events { graph.apply(event) }
        var model = EmbeddingModel(hyperparameters: ToyWorld.hyperparameters())
        _ = model.fit(graph: graph, epochs: 3)
        model.trainingMode = mode
        let user = try #require(graph.users.lookup("u0"))
        #expect(graph.eventCount(ofUser: user) > EmbeddingModel.coldStartEvents)
        let target = try #require((0..<10).map { ToyWorld.item(2, $0) }.compactMap { graph.items.lookup($0) }
            .first { !graph.hasEdge(user: user, item: $0) })
        let egoBefore = model.egoUsers.vector(Int(user))
        let finalBefore = model.finalUsers.vector(Int(user))
        let event = Event(user: "u0", item: graph.items.name(target), action: .purchase, timestamp: graph.now + 60)
        model.observe(graph.apply(event), at: event.timestamp, graph: graph)
        #expect(model.onlineStepsWriteEgoRows == (mode == .wholeGraph))
        #expect(model.finalUsers.vector(Int(user)) != finalBefore)
        #expect((model.egoUsers.vector(Int(user)) != egoBefore) == (mode == .wholeGraph))
    }

    /// After an event, the model asks for the rows the next event's online steps will draw as
    /// negatives. Predicted from a copy of its generator, they must be the draws themselves
    /// (for both samplers), or the hints fetch rows nobody reads.
    @Test(arguments: [Hyperparameters.NegativeSampling.uniform, .popularity])
    func theNegativesAskedForAheadAreTheOnesTheNextEventDraws(sampling: Hyperparameters.NegativeSampling) throws {
        let world = ToyWorld()
        var graph = HeteroGraph()
        graph.load(world.catalogue)
        for event in world.events { graph.apply(event) }
        var h = ToyWorld.hyperparameters()
        h.negativeSampling = sampling
        h.onlineSteps = 3
        var model = EmbeddingModel(hyperparameters: h)
        _ = model.fit(graph: graph, epochs: 2)
        var checked = 0
        for k in 0..<40 {
            let user = "u\(k % 12)"
            let first = Event(user: user, item: ToyWorld.item(k % 4, k % 10), action: .click, timestamp: graph.now + 10)
            model.observe(graph.apply(first), at: first.timestamp, graph: graph)
            var predicted: [Int32] = []
            model.predictedNegatives(steps: h.onlineSteps, known: model.knownItems, replayItems: model.replay.items, sampling: sampling,
                                     limit: min(model.finalItems.rows, model.egoItems.rows)) { predicted.append($0) }
            // What the next event's steps draw: the same generator, after its own replay append.
            let next = Event(user: user, item: ToyWorld.item((k + 1) % 4, (k + 3) % 10), action: .view, timestamp: graph.now + 20)
            let application = graph.apply(next)
            var replay = model.replay
            replay.append(user: application.user, item: application.item, time: next.timestamp)
            var rng = model.rng
            var drawn: [Int32] = []
            for _ in 0..<h.onlineSteps {
                guard let negative = EmbeddingModel.sampleNegative(user: application.user, positive: application.item, known: model.knownItems, replayItems: replay.items,
                                                                   sampling: sampling, limit: min(model.finalItems.rows, model.egoItems.rows), graph: graph, rng: &rng) else { break }
                drawn.append(negative)
            }
            // A draw the next event rejects (its own item, one the user has) shifts the rest;
            // up to the first such, the prediction is the draw.
            let valid = Array(predicted.prefix { $0 != application.item && !graph.hasEdge(user: application.user, item: $0) })
            #expect(Array(drawn.prefix(valid.count)) == valid, "event \(k)")
            checked += valid.count
            model.observe(application, at: next.timestamp, graph: graph)
        }
        // Most predictions come before any rejection in this small shop.
        #expect(checked >= 40)
    }

    @Test func newUserAndItemGetFiniteEmbeddingsAtOnce() {
        var (graph, model) = Self.fitted()
        let event = Event(user: "newcomer", item: "brand-new", action: .cart, timestamp: graph.now + 1,
                          attributes: ItemAttributes(categories: ["c1"], brand: "b1"))
        let application = graph.apply(event)
        #expect(application.isNewUser && application.isNewItem)
        model.observe(application, at: event.timestamp, graph: graph)
        let embedding = model.embedding!
        let userVector = embedding.queryVector(user: application.user)
        let itemVector = embedding.itemVector(application.item)!
        #expect(userVector.allSatisfy(\.isFinite) && userVector.contains { $0 != 0 })
        #expect(itemVector.allSatisfy(\.isFinite) && itemVector.contains { $0 != 0 })
        // The new item sits near its category: closer to a category-1 item than to a category-3 one.
        let sibling = graph.items.lookup(ToyWorld.item(1, 0))!
        let stranger = graph.items.lookup(ToyWorld.item(3, 0))!
        #expect(embedding.itemSimilarity(application.item, sibling) > embedding.itemSimilarity(application.item, stranger))
        // And a batch still trains with the grown graph.
        #expect(model.trainBatch(graph: graph).loss.isFinite)
    }

    @Test func coldItemWithOnlyCatalogueLinksRanksHighForUsersOfItsCategory() {
        // "cold" has category c2 and brand b2 but no interactions at all.
        let (graph, model) = Self.fitted { $0.merge(item: "cold", attributes: ItemAttributes(categories: ["c2"], brand: "b2")) }
        let cold = graph.items.lookup("cold")!
        var fans: [Double] = []
        var others: [Double] = []
        var scores = [Float](repeating: 0, count: graph.items.count)
        for u in 0..<60 {
            let user = graph.users.lookup("u\(u)")!
            scores.withUnsafeMutableBufferPointer { model.score(user: user, graph: graph, into: $0) }
            let target = scores[Int(cold)]
            // Percentile rank among all catalogue items the user has not touched (0 = top).
            let candidates = (0..<graph.items.count).filter { !graph.hasEdge(user: user, item: Int32($0)) && $0 != Int(cold) }
            let above = candidates.filter { scores[$0] > target }.count
            let percentile = Double(above) / Double(candidates.count)
            if u % 4 == 2 { fans.append(percentile) } else { others.append(percentile) }
        }
        let fanMean = fans.reduce(0, +) / Double(fans.count)
        let otherMean = others.reduce(0, +) / Double(others.count)
        #expect(fanMean < 0.35)  // random would be 0.5
        #expect(fanMean < otherMean)
    }

    @Test func userWithTwoEventsGetsRecommendationsFromTheirCategory() {
        var (graph, model) = Self.fitted()
        for (k, name) in [ToyWorld.item(3, 1), ToyWorld.item(3, 4)].enumerated() {
            let event = Event(user: "fresh", item: name, action: .purchase, timestamp: graph.now + Double(k + 1))
            model.observe(graph.apply(event), at: event.timestamp, graph: graph)
        }
        let user = graph.users.lookup("fresh")!
        let top = model.recommend(user: user, k: 8, graph: graph)
        let inCategory = top.filter { graph.itemCategories[Int($0.item)].contains(graph.categories.lookup("c3")!) }.count
        // 8 of the 38 remaining items are in c3: random would place about 1.7 of them in the top 8.
        #expect(top.count == 8)
        #expect(inCategory >= 6)
    }

    @Test func forgettingAUserClearsTheirVectors() {
        var (graph, model) = Self.fitted()
        let user = graph.users.lookup("u5")!
        model.forget(user: user)
        graph.forgetUser(user)
        let vector = model.embedding!.queryVector(user: user)
        #expect(vector.allSatisfy { $0 == 0 })
        #expect(model.embedding!.replay.users.allSatisfy { $0 != user })
        #expect(model.trainBatch(graph: graph).loss.isFinite)
    }
}
