import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope audience`: the users most likely to want an item (ad targeting), headless.
struct AudienceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "Find the users most likely to want an item.",
        discussion: """
            Trains the model on the whole dataset, then scores every user for the item. Users \
            who already interacted with it are left out unless --include-existing. An item \
            nobody has touched yet is placed by its categories, brand and entities, so a new \
            product has an audience before its first sale.

            Examples:
              driftscope audience ml-100k --item 50
              driftscope audience shop.csv --item i00123 --k 500 --json

            --json prints one object:
              {"dataset", "model", "item", "title", "categories",
               "interactions", "k", "include_existing",
               "audience": [{"rank", "user", "score", "events",
                             "top_category"}]}
            Keys whose value is unknown (no title, no profile yet) are left out.
            """
    )

    @Argument(help: "A dataset path or a name under ~/.cache/driftscope/datasets (ml-100k).")
    var source: String

    @Option(help: "The item id.")
    var item: String

    @Option(name: [.customLong("k"), .customShort("k")], help: "How many users.")
    var count: Int = 10

    @Flag(name: .customLong("include-existing"), help: "Also rank users who already interacted with the item.")
    var includeExisting = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataset: DatasetOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let trained = try TrainedDataset.load(source, dataset: dataset, model: modelOptions)
        let graph = trained.graph
        let i = try trained.item(item)
        let members = Serving.audience(item: i, k: count, includeExisting: includeExisting, graph: graph, model: trained.model)
        let lines = members.enumerated().map { rank, m in
            Line(rank: rank + 1, user: graph.name(of: NodeRef(.user, m.user)), score: m.score,
                 events: graph.eventCount(ofUser: m.user), topCategory: trained.topInterest(m.user))
        }
        let interactions = graph.users(ofItem: i).count
        if json {
            try Console.printJSON(Output(
                dataset: trained.name, model: trained.model.kind.rawValue, item: item, title: trained.title(i),
                categories: trained.categories(i), interactions: interactions, k: count, includeExisting: includeExisting, audience: lines))
            return
        }
        let label = trained.title(i).map { "\(item) (\($0))" } ?? item
        print("Audience of \(label), \(interactions) users so far, from \(trained.summary)")
        if lines.isEmpty {
            print("no users to target")
            return
        }
        var rows = [["rank", "user", "score", "events", "top interest"]]
        for l in lines { rows.append([String(l.rank), l.user, Format.fixed(Double(l.score), 3), String(l.events), l.topCategory ?? ""]) }
        print("")
        print(ServingTable.render(rows, rightAligned: [0, 2, 3]), terminator: "")
    }

    struct Line: Encodable {
        var rank: Int
        var user: String
        var score: Float
        var events: Int
        var topCategory: String?
        enum CodingKeys: String, CodingKey {
            case rank, user, score, events
            case topCategory = "top_category"
        }
    }

    struct Output: Encodable {
        var dataset: String
        var model: String
        var item: String
        var title: String?
        var categories: [String]
        var interactions: Int
        var k: Int
        var includeExisting: Bool
        var audience: [Line]
        enum CodingKeys: String, CodingKey {
            case dataset, model, item, title, categories, interactions, k, audience
            case includeExisting = "include_existing"
        }
    }
}
