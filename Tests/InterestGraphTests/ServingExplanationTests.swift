import Foundation
import Testing
@testable import InterestGraph

/// A model that knows nothing: every score and similarity is 0, so explanations come from
/// graph paths alone.
private struct BlankModel: ScoringModel {
    func scoreItems(forUser user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
    }
    func scoreUsers(forItem item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
    }
    func itemSimilarities(to item: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
    }
    func itemSimilarities(to item: Int32, among others: [Int32], graph: HeteroGraph) -> [Float] { others.map { _ in 0 } }
    func userSimilarities(to user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
    }
}

@Suite struct ServingExplanationTests {
    /// Checks that an explanation names a path that exists: the anchor is in the user's
    /// history and the via node is linked to both the anchor and the candidate.
    static func expectRealPath(_ rec: Recommendation, user: Int32, graph: HeteroGraph, sourceLocation: SourceLocation = #_sourceLocation) {
        let e = rec.explanation
        guard let anchor = e.anchor else {
            Issue.record("no anchor for a user with history: \(e.text)", sourceLocation: sourceLocation)
            return
        }
        #expect(graph.hasEdge(user: user, item: anchor), "anchor not in history: \(e.text)", sourceLocation: sourceLocation)
        #expect(anchor != rec.item, sourceLocation: sourceLocation)
        let label = graph.title(ofItem: anchor) ?? graph.name(of: NodeRef(.item, anchor))
        #expect(e.text.contains(label), "text does not name the anchor: \(e.text)", sourceLocation: sourceLocation)
        switch e.kind {
        case .sameBrand:
            let via = e.via
            #expect(via?.kind == .brand, sourceLocation: sourceLocation)
            #expect(graph.brand(ofItem: anchor) == via?.index && graph.brand(ofItem: rec.item) == via?.index, "\(e.text)", sourceLocation: sourceLocation)
        case .sameCategory:
            let via = e.via
            #expect(via?.kind == .category, sourceLocation: sourceLocation)
            if let c = via?.index {
                #expect(graph.categories(ofItem: anchor).contains(c) && graph.categories(ofItem: rec.item).contains(c), "\(e.text)", sourceLocation: sourceLocation)
            }
        case .knowledgeGraph:
            let via = e.via
            #expect(via?.kind == .entity, sourceLocation: sourceLocation)
            if let entity = via?.index {
                #expect(graph.reaches(item: anchor, entity: entity) && graph.reaches(item: rec.item, entity: entity), "\(e.text)", sourceLocation: sourceLocation)
            }
        case .similarItem:
            #expect(e.via == nil, sourceLocation: sourceLocation)
        case .interests:
            Issue.record("fallback explanation for a user with history: \(e.text)", sourceLocation: sourceLocation)
        }
    }

    /// Two films share an actor, a third is the first one's sequel, a fourth its prequel, a
    /// fifth only shares a genre; all ids are opaque Freebase ids.
    static func filmGraph() -> HeteroGraph {
        var catalogue = ItemCatalogue()
        for (item, genre) in [("a", "Drama"), ("b", "Comedy"), ("c", "Western"), ("d", "Horror"), ("e", "Drama")] {
            catalogue.items[item] = ItemAttributes(categories: [genre])
            catalogue.itemEntities[item] = ["m.0\(item)"]
        }
        catalogue.titles = ["a": "Alpha", "b": "Bravo", "c": "Alpha II", "d": "Alpha Begins", "e": "Echo"]
        catalogue.triples = [
            KnowledgeTriple(head: "m.0a", relation: "film.film.actor", tail: "m.0x1"),
            KnowledgeTriple(head: "m.0b", relation: "film.film.actor", tail: "m.0x1"),
            KnowledgeTriple(head: "m.0a", relation: "film.film.sequel", tail: "m.0c"),
            KnowledgeTriple(head: "m.0d", relation: "film.film.sequel", tail: "m.0a"),
        ]
        var graph = HeteroGraph()
        graph.load(catalogue)
        graph.apply(Event(user: "viewer", item: "a", action: .rating, timestamp: 1_700_000_000, value: 5))
        for (n, item) in ["b", "c", "d", "e"].enumerated() {
            graph.apply(Event(user: "other\(n)", item: item, action: .rating, timestamp: 1_700_000_100, value: 4))
        }
        return graph
    }

    @Test func knowledgeGraphPathsNameTheRoleAndKeepTheOpaqueID() throws {
        let graph = Self.filmGraph()
        let user = try #require(graph.userID("viewer"))
        let recs = Serving.recommend(user: user, k: 10, graph: graph, model: BlankModel())
        #expect(recs.count == 4)
        var texts: [String: Explanation] = [:]
        for rec in recs { texts[graph.name(of: NodeRef(.item, rec.item))] = rec.explanation }
        let b = try #require(texts["b"])
        #expect(b.kind == .knowledgeGraph)
        #expect(b.relation == "film.film.actor")
        #expect(b.via == NodeRef(.entity, try #require(graph.entityID("m.0x1"))))
        #expect(b.text == "you rated Alpha → shares a cast member (m.0x1)")
        let c = try #require(texts["c"])
        #expect(c.text == "you rated Alpha → its sequel")
        #expect(c.relation == "film.film.sequel")
        let d = try #require(texts["d"])
        #expect(d.text == "you rated Alpha → its prequel")
        let e = try #require(texts["e"])
        #expect(e.kind == .sameCategory)
        #expect(e.text == "you rated Alpha → also in Drama")
        for rec in recs { Self.expectRealPath(rec, user: user, graph: graph) }
    }

    @Test func specificPathsBeatBroadOnesAndUniversalOnesExplainNothing() throws {
        // The anchor shares a brand of 2 items and a category of 40 (of 100) with x1.
        var catalogue = ItemCatalogue()
        for n in 0..<40 { catalogue.items["x\(n)"] = ItemAttributes(categories: ["Shoes", "Everything"], brand: n < 2 ? "Rare" : "Common\(n % 3)") }
        for n in 0..<60 { catalogue.items["y\(n)"] = ItemAttributes(categories: ["Hats", "Everything"]) }
        var graph = HeteroGraph()
        graph.load(catalogue)
        graph.apply(Event(user: "u", item: "x0", action: .purchase, timestamp: 1_700_000_000))
        let user = try #require(graph.userID("u"))
        let candidate = try #require(graph.itemID("x1"))
        let e = try #require(Serving.explain(item: candidate, forUser: user, graph: graph, model: BlankModel()))
        #expect(e.kind == .sameBrand)
        #expect(e.text == "you purchased x0 → same brand Rare")
        let other = try #require(graph.itemID("x7"))
        #expect(Serving.explain(item: other, forUser: user, graph: graph, model: BlankModel())?.text == "you purchased x0 → also in Shoes")
        // "Everything" holds every item: it is no reason, so a hat gets the fallback.
        let hat = try #require(graph.itemID("y3"))
        #expect(Serving.explain(item: hat, forUser: user, graph: graph, model: BlankModel())?.text == "fits your interests (Hats)")
        #expect(Serving.explain(item: -1, forUser: user, graph: graph, model: BlankModel()) == nil)
        #expect(Serving.explain(item: other, forUser: -5, graph: graph, model: BlankModel())?.kind == .interests)
    }

    @Test func aUserWithoutHistoryGetsThePopularityFallback() throws {
        var graph = Self.filmGraph()
        graph.apply(Event(user: "ghost", item: "a", action: .view, timestamp: 1_700_000_500))
        let ghost = try #require(graph.userID("ghost"))
        graph.forgetUser(ghost)
        let finder = ExplanationFinder(user: ghost, graph: graph)
        #expect(finder.history.isEmpty)
        let b = try #require(graph.itemID("b"))
        #expect(Serving.explain(item: b, forUser: ghost, graph: graph, model: BlankModel())?.text == "popular in Comedy")
    }

    @Test(arguments: [
        ("m.0c3wmn", true), ("g.11b6", true), ("m.", false), ("material:leather", false), ("M.0abc", false), ("m.0A", false),
    ])
    func opaqueIDsAreRecognised(name: String, opaque: Bool) {
        #expect(RelationPhrase.isOpaque(name) == opaque)
    }

    @Test func phrasesReadNaturally() {
        #expect(RelationPhrase.shared(entity: "m.0abc", relation: "film.film.directed_by") == "shares the director (m.0abc)")
        #expect(RelationPhrase.shared(entity: "m.0abc", relation: "unknown.rel") == "shares a linked entity (m.0abc)")
        #expect(RelationPhrase.shared(entity: "maker:Nordhaus", relation: "made_by") == "shares the maker Nordhaus")
        #expect(RelationPhrase.shared(entity: "material:leather", relation: nil) == "same material leather")
        #expect(RelationPhrase.shared(entity: "Jane Doe", relation: "film.film.actor") == "shares a cast member Jane Doe")
        #expect(RelationPhrase.direct(relation: "film.film.prequel", forward: true) == "its prequel")
        #expect(RelationPhrase.direct(relation: "part_of", forward: false) == "linked by part_of")
    }

    /// On the synthetic shop, with a trained model: every explanation is a real path, and
    /// brand and entity paths appear (favourite brands drive the taste).
    @Test func everyExplanationOnTheShopIsARealPath() {
        let world = ServingTestWorld(users: 120)
        let graph = world.graph()
        let model = ServingTestWorld.model(graph: graph)
        var kinds: [Explanation.Kind: Int] = [:]
        for u in stride(from: 0, to: 120, by: 3) {
            for rec in Serving.recommend(user: Int32(u), k: 10, graph: graph, model: model) {
                Self.expectRealPath(rec, user: Int32(u), graph: graph)
                kinds[rec.explanation.kind, default: 0] += 1
            }
        }
        #expect(kinds[.sameBrand, default: 0] > 0, "\(kinds)")
        #expect(kinds[.interests] == nil)
    }

    /// On ml-100k (genres, and the KG from .link/.kg): every explanation is a real path, and
    /// shared cast or crew members explain a good share of them.
    @Test func ml100KExplanationsAreRealPathsAndUseTheKnowledgeGraph() throws {
        _ = try ReaderML100KTests.requireCache()
        let data = try DatasetLoader.load("ml-100k")
        var graph = HeteroGraph()
        graph.load(data.catalogue)
        for event in data.events { graph.apply(event) }
        var h = TunedHyperparameters.hyperparameters(for: .lightGCN, protocol: .temporal, seed: 3)
        h.epochs = 3
        h.dimension = 32
        var model = Recommender(kind: .lightGCN, hyperparameters: h)
        model.fit(graph: graph)
        var kinds: [Explanation.Kind: Int] = [:]
        var relations: [String: Int] = [:]
        var total = 0
        for u in stride(from: 0, to: graph.userCapacity, by: 19) {
            for rec in Serving.recommend(user: Int32(u), k: 10, graph: graph, model: model) {
                Self.expectRealPath(rec, user: Int32(u), graph: graph)
                kinds[rec.explanation.kind, default: 0] += 1
                if let r = rec.explanation.relation { relations[r, default: 0] += 1 }
                total += 1
            }
        }
        let kg = kinds[.knowledgeGraph, default: 0]
        #expect(Double(kg) >= 0.2 * Double(total), "KG paths \(kg) of \(total): \(kinds)")
        let people = ["film.film.actor", "film.film.directed_by", "film.film.written_by", "film.film.produced_by"].reduce(0) { $0 + relations[$1, default: 0] }
        #expect(people > 0, "\(relations)")
        // Broad entities (language, country) never beat a person shared by a few films.
        #expect(relations["film.film.language", default: 0] + relations["film.film.country", default: 0] < people)
    }
}
