import Testing
@testable import InterestGraph

@Suite("Recommender API across model kinds")
struct ModelRecommenderTests {
    static func hyperparameters() -> Hyperparameters {
        var h = ToyWorld.hyperparameters()
        h.covisitWeight = 1
        h.popularityWeight = 0.5
        h.epochs = 10
        return h
    }

    @Test(arguments: ModelKind.allCases)
    func recommendsUnseenKnownItemsAndLearnsOnline(kind: ModelKind) {
        let world = ToyWorld()
        var graph = world.graph()
        var model = Recommender(kind: kind, hyperparameters: Self.hyperparameters())
        model.fit(graph: graph)
        let user = graph.users.lookup("u1")!
        let top = model.recommend(user: user, k: 10, graph: graph)
        #expect(top.count == 10)
        #expect(top.allSatisfy { !graph.hasEdge(user: user, item: $0.item) && graph.itemEventCount[Int($0.item)] > 0 })
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.score >= $1.score })
        // A stream of events never breaks the model, new ids included.
        for k in 0..<50 {
            let event = Event(user: "s\(k % 7)", item: ToyWorld.item(k % 4, k % 10), action: .click, timestamp: graph.now + 1)
            model.observe(graph.apply(event), at: event.timestamp, graph: graph)
            if k % 10 == 9 { model.trainBatch(graph: graph) }
        }
        let fresh = graph.users.lookup("s3")!
        let next = model.recommend(user: fresh, k: 5, graph: graph)
        #expect(next.count == 5)
        #expect(next.allSatisfy { $0.score.isFinite })
    }

    @Test func similarItemsComeFromTheSameCategory() {
        let graph = ToyWorld().graph()
        var model = Recommender(kind: .lightGCN, hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph)
        let item = graph.items.lookup(ToyWorld.item(1, 3))!
        let similar = model.similarItems(to: item, k: 5, graph: graph)
        let category = graph.categories.lookup("c1")!
        let same = similar.filter { graph.itemCategories[Int($0.item)].contains(category) }.count
        #expect(similar.count == 5)
        #expect(same >= 4)
        #expect(!similar.contains { $0.item == item })
    }

    @Test func audienceOfAnItemIsMostlyItsCategoryFans() {
        let graph = ToyWorld().graph()
        var model = Recommender(kind: .lightGCN, hyperparameters: ToyWorld.hyperparameters())
        model.fit(graph: graph)
        let item = graph.items.lookup(ToyWorld.item(2, 5))!
        var scores = [Float](repeating: 0, count: graph.users.count)
        scores.withUnsafeMutableBufferPointer { model.scoreUsers(item: item, graph: graph, into: $0) }
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(10)
        let fans = ranked.filter { Int(graph.users.name(Int32($0)).dropFirst())! % 4 == 2 }.count
        #expect(fans >= 8)
    }

    @Test func modelNamesParseLeniently() {
        #expect(ModelKind(name: "lightgcn") == .lightGCN)
        #expect(ModelKind(name: "mf_bpr") == .mfBPR)
        #expect(ModelKind(name: "MOSTPOP") == .mostPop)
        #expect(ModelKind(name: "gru4rec") == nil)
    }
}
