import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope similar`: the users closest to a user, or the items closest to an item.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Find the users most similar to a user, or the items most similar to an item.",
        discussion: """
            Similarity is the cosine of the trained embeddings (for MostPop and ItemKNN, which \
            have none, the cosine of the users two items share, or the items two users share). \
            The query itself is never listed.

            Examples:
              driftscope similar ml-100k --item 50
              driftscope similar ml-100k --user 196 --k 5 --json

            --json prints one object:
              {"dataset", "model", "query": {"kind", "id", "title"},
               "similar": [{"rank", "id", "score", "title", "category"}]}
            query.kind is user or item; category is an item's first category or
            a user's top interest. Keys whose value is unknown are left out.
            """
    )

    @Argument(help: "A dataset path or a name under ~/.cache/driftscope/datasets (ml-100k).")
    var source: String

    @Option(help: "A user id: list similar users.")
    var user: String?

    @Option(help: "An item id: list similar items.")
    var item: String?

    @Option(name: [.customLong("k"), .customShort("k")], help: "How many.")
    var count: Int = 10

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataset: DatasetOptions

    func validate() throws {
        if (user == nil) == (item == nil) { throw ValidationError("give exactly one of --user and --item") }
        if count < 1 { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let trained = try TrainedDataset.load(source, dataset: dataset, model: modelOptions)
        let graph = trained.graph
        let query: Query
        var lines: [Line] = []
        if let user {
            let u = try trained.user(user)
            query = Query(kind: "user", id: user, title: nil)
            for (rank, s) in Serving.similarUsers(to: u, k: count, graph: graph, model: trained.model).enumerated() {
                lines.append(Line(rank: rank + 1, id: graph.name(of: NodeRef(.user, s.user)), score: s.score, title: nil, category: trained.topInterest(s.user)))
            }
        } else {
            let id = item ?? ""
            let i = try trained.item(id)
            query = Query(kind: "item", id: id, title: trained.title(i))
            for (rank, s) in Serving.similarItems(to: i, k: count, graph: graph, model: trained.model).enumerated() {
                lines.append(Line(rank: rank + 1, id: graph.name(of: NodeRef(.item, s.item)), score: s.score, title: trained.title(s.item), category: trained.categories(s.item).first))
            }
        }
        if json {
            try Console.printJSON(Output(dataset: trained.name, model: trained.model.kind.rawValue, query: query, similar: lines))
            return
        }
        let label = query.title.map { "\(query.id) (\($0))" } ?? query.id
        print("\(query.kind == "user" ? "Users" : "Items") most similar to \(query.kind) \(label), from \(trained.summary)")
        if lines.isEmpty {
            print("nothing to compare with")
            return
        }
        var rows = [["rank", query.kind, "score"] + (query.kind == "item" ? ["title", "category"] : ["top interest"])]
        for l in lines {
            rows.append([String(l.rank), l.id, Format.fixed(Double(l.score), 3)] + (query.kind == "item" ? [ServingTable.clip(l.title ?? "", 40), l.category ?? ""] : [l.category ?? ""]))
        }
        print("")
        print(ServingTable.render(rows, rightAligned: [0, 2]), terminator: "")
    }

    struct Query: Encodable {
        var kind: String
        var id: String
        var title: String?
    }

    struct Line: Encodable {
        var rank: Int
        var id: String
        var score: Float
        var title: String?
        var category: String?
    }

    struct Output: Encodable {
        var dataset: String
        var model: String
        var query: Query
        var similar: [Line]
    }
}
