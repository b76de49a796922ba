import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope recommend`: one user's top-K with explanations, headless.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend items to a user, each with the path that explains it.",
        discussion: """
            Trains the model on the whole dataset, then ranks every item for the user. Each \
            explanation is a real path from the user's history: the same brand, a shared \
            knowledge-graph entity (an actor, a maker), a shared category, or the most similar \
            item they interacted with. Items nobody has touched yet are ranked from their \
            categories, brand and entities.

            Examples:
              driftscope recommend ml-100k --user 196
              driftscope recommend shop.csv --user u00042 --k 20 --category Shoes --max-price 80
              driftscope recommend ml-100k --user 196 --model lightgcn --json

            --json prints one object:
              {"dataset", "model", "user", "history", "k",
               "filter": {"categories", "brands", "min_price", "max_price",
                          "include_seen"},
               "recommendations": [{"rank", "item", "title", "score",
                 "categories", "brand", "price",
                 "explanation": {"kind", "text", "anchor", "anchor_title",
                                 "via", "via_kind", "relation"}}]}
            kind is brand, kg, category, similar or interests.
            Keys whose value is unknown (no title, no price, no via node) are left out.
            """
    )

    @Argument(help: "A dataset path or a name under ~/.cache/driftscope/datasets (ml-100k).")
    var source: String

    @Option(help: "The user id.")
    var user: String

    @Option(name: [.customLong("k"), .customShort("k")], help: "How many items.")
    var count: Int = 10

    @Option(name: .customLong("category"), help: ArgumentHelp("Only items in this category (repeatable: any of them).", valueName: "name"))
    var categories: [String] = []

    @Option(name: .customLong("brand"), help: ArgumentHelp("Only items of this brand (repeatable: any of them).", valueName: "name"))
    var brands: [String] = []

    @Option(name: .customLong("min-price"), help: "Lowest price (inclusive).")
    var minimumPrice: Double?

    @Option(name: .customLong("max-price"), help: "Highest price (inclusive).")
    var maximumPrice: Double?

    @Flag(name: .customLong("include-seen"), help: "Also rank items the user already interacted with.")
    var includeSeen = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataset: DatasetOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--k must be at least 1") }
        for (name, value) in [("--min-price", minimumPrice), ("--max-price", maximumPrice)] {
            if let value, !value.isFinite { throw ValidationError("\(name) must be a finite number") }
        }
        if let lo = minimumPrice, let hi = maximumPrice, lo > hi {
            throw ValidationError("--min-price (\(lo)) is above --max-price (\(hi))")
        }
    }

    func run() throws {
        let trained = try TrainedDataset.load(source, dataset: dataset, model: modelOptions)
        let graph = trained.graph
        let u = try trained.user(user)
        for name in categories where graph.categoryID(name) == nil {
            throw CommandError("unknown category '\(name)' in \(trained.name)\(Self.known(graph.statistics.categories, (0..<graph.categoryCount).map { graph.name(of: NodeRef(.category, Int32($0))) }))")
        }
        for name in brands where graph.brandID(name) == nil {
            throw CommandError("unknown brand '\(name)' in \(trained.name)\(Self.known(graph.statistics.brands, (0..<graph.brandCount).map { graph.name(of: NodeRef(.brand, Int32($0))) }))")
        }
        let filter = RecommendationFilter(categories: Set(categories), brands: Set(brands), minimumPrice: minimumPrice, maximumPrice: maximumPrice)
        let recs = Serving.recommend(user: u, k: count, excludeSeen: !includeSeen, filter: filter, graph: graph, model: trained.model)
        let history = graph.items(ofUser: u).count
        if json {
            try Console.printJSON(Output(
                dataset: trained.name, model: trained.model.kind.rawValue, user: user, history: history, k: count,
                filter: .init(categories: categories, brands: brands, minPrice: minimumPrice, maxPrice: maximumPrice, includeSeen: includeSeen),
                recommendations: recs.enumerated().map { rank, rec in Line(rank: rank + 1, rec, trained) }))
            return
        }
        print("Top \(recs.count) for user \(user) (\(history) items in history) from \(trained.summary)")
        if recs.isEmpty {
            print(filter.isEmpty ? "nothing left to recommend" : "no item passes the filter")
            return
        }
        var rows = [["rank", "item", "title", "score", "category", "explanation"]]
        for (rank, rec) in recs.enumerated() {
            rows.append([
                String(rank + 1), graph.name(of: NodeRef(.item, rec.item)), ServingTable.clip(trained.title(rec.item) ?? "", 40),
                Format.fixed(Double(rec.score), 3), trained.categories(rec.item).first ?? "", rec.explanation.text,
            ])
        }
        print("")
        print(ServingTable.render(rows, rightAligned: [0, 3]), terminator: "")
    }

    /// " (19 known: Action, Adventure, …)".
    static func known(_ count: Int, _ names: [String]) -> String {
        let live = names.filter { !$0.isEmpty }
        guard !live.isEmpty else { return " (none in this dataset)" }
        return " (\(count) known: \(live.sorted().prefix(8).joined(separator: ", "))\(live.count > 8 ? ", …" : ""))"
    }

    // MARK: JSON

    struct Output: Encodable {
        struct Filter: Encodable {
            var categories: [String]
            var brands: [String]
            var minPrice: Double?
            var maxPrice: Double?
            var includeSeen: Bool
            enum CodingKeys: String, CodingKey {
                case categories, brands
                case minPrice = "min_price", maxPrice = "max_price", includeSeen = "include_seen"
            }
        }

        var dataset: String
        var model: String
        var user: String
        var history: Int
        var k: Int
        var filter: Filter
        var recommendations: [Line]
    }

    struct Line: Encodable {
        var rank: Int
        var item: String
        var title: String?
        var score: Float
        var categories: [String]
        var brand: String?
        var price: Float?
        var explanation: ExplanationJSON

        init(rank: Int, _ rec: Recommendation, _ trained: TrainedDataset) {
            let graph = trained.graph
            self.rank = rank
            item = graph.name(of: NodeRef(.item, rec.item))
            title = trained.title(rec.item)
            score = rec.score
            categories = trained.categories(rec.item)
            brand = graph.brand(ofItem: rec.item).map { graph.name(of: NodeRef(.brand, $0)) }
            price = graph.price(ofItem: rec.item)
            explanation = ExplanationJSON(rec.explanation, graph: graph)
        }
    }

    struct ExplanationJSON: Encodable {
        var kind: String
        var text: String
        var anchor: String?
        var anchorTitle: String?
        var via: String?
        var viaKind: String?
        var relation: String?

        enum CodingKeys: String, CodingKey {
            case kind, text, anchor, via, relation
            case anchorTitle = "anchor_title", viaKind = "via_kind"
        }

        init(_ e: Explanation, graph: HeteroGraph) {
            kind = e.kind.rawValue
            text = e.text
            anchor = e.anchor.map { graph.name(of: NodeRef(.item, $0)) }
            anchorTitle = e.anchor.flatMap { graph.title(ofItem: $0) }
            via = e.via.map { graph.name(of: $0) }
            viaKind = e.via?.kind.description
            relation = e.relation
        }
    }
}
