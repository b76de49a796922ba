import ArgumentParser
import Foundation
import InterestGraph

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--model`, `--seed`, `--epochs`: the model the serving commands train before answering.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")). Default: \(TunedHyperparameters.defaultModel.rawValue), the best on validation.")
    var model: String?

    @Option(help: "Random seed for training.")
    var seed: UInt64 = 42

    @Option(help: "Training epochs (default: the tuned value).")
    var epochs: Int?

    func validate() throws {
        if let model, ModelKind(name: model) == nil {
            throw ValidationError("unknown model \"\(model)\": expected one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be 0 or more") }
    }

    var kind: ModelKind { model.flatMap(ModelKind.init(name:)) ?? TunedHyperparameters.defaultModel }

    /// The tuned hyperparameters of the chosen model with this seed and epoch count.
    var hyperparameters: Hyperparameters {
        var h = TunedHyperparameters.hyperparameters(for: kind, protocol: .temporal, seed: seed)
        if let epochs { h.epochs = epochs }
        return h
    }
}

/// A dataset read into a graph, with a model trained on all of it: what `recommend`,
/// `audience`, `similar` and `export` answer from.
struct TrainedDataset {
    var name: String
    var events: Int
    var graph: HeteroGraph
    var model: Recommender

    /// Reads `source` (a path or a cached dataset name), builds the graph and fits the model.
    /// - Throws: ``CommandError`` with the reader's one-line message for unreadable input.
    static func load(_ source: String, dataset: DatasetOptions, model options: ModelOptions) throws -> TrainedDataset {
        let loaded: LoadedDataset
        do {
            loaded = try DatasetLoader.load(source, format: dataset.format, options: try dataset.readOptions())
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
        guard !loaded.events.isEmpty else { throw CommandError("\(source): no events to learn from") }
        var graph = HeteroGraph()
        graph.load(loaded.catalogue)
        for event in loaded.events { graph.apply(event) }
        let note = isatty(STDERR_FILENO) == 1
        if note { Console.error("training \(options.kind) on \(Format.count(loaded.events.count)) events…", newline: false) }
        var model = Recommender(kind: options.kind, hyperparameters: options.hyperparameters)
        model.fit(graph: graph)
        if note { Console.error("\r\u{1B}[K", newline: false) }
        return TrainedDataset(name: loaded.name, events: loaded.events.count, graph: graph, model: model)
    }

    /// The dense id of a user, or a one-line error naming the dataset.
    func user(_ id: String) throws -> Int32 {
        guard let u = graph.userID(id), graph.isLive(user: u) else {
            throw CommandError("unknown user '\(id)' in \(name) (\(Format.count(graph.statistics.users)) users\(examples(.user)))")
        }
        return u
    }

    /// The dense id of an item, or a one-line error naming the dataset.
    func item(_ id: String) throws -> Int32 {
        guard let i = graph.itemID(id), graph.isLive(item: i) else {
            throw CommandError("unknown item '\(id)' in \(name) (\(Format.count(graph.statistics.items)) items\(examples(.item)))")
        }
        return i
    }

    /// ", e.g. 1, 2, 3" from the first live ids.
    private func examples(_ kind: NodeKind) -> String {
        let capacity = kind == .user ? graph.userCapacity : graph.itemCapacity
        var ids: [String] = []
        for k in 0..<capacity where ids.count < 3 {
            let live = kind == .user ? graph.isLive(user: Int32(k)) : graph.isLive(item: Int32(k))
            if live { ids.append(graph.name(of: NodeRef(kind, Int32(k)))) }
        }
        return ids.isEmpty ? "" : ", e.g. " + ids.joined(separator: ", ")
    }

    func title(_ item: Int32) -> String? { graph.title(ofItem: item) }

    func categories(_ item: Int32) -> [String] {
        graph.categories(ofItem: item).map { graph.name(of: NodeRef(.category, $0)) }
    }

    func topInterest(_ user: Int32) -> String? { graph.profile(ofUser: user).categories.first?.name }

    /// "LightGCN on ml-100k (100,000 events)".
    var summary: String { "\(model.kind) on \(name) (\(Format.count(events)) events)" }
}

/// Left-aligned text columns, numbers right-aligned, two spaces apart; the last column is
/// not padded (explanations are long).
enum ServingTable {
    static func render(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for r in rows { for (k, cell) in r.enumerated() { widths[k] = max(widths[k], cell.count) } }
        return rows.map { r in
            r.enumerated().map { k, cell in
                let pad = String(repeating: " ", count: widths[k] - cell.count)
                if rightAligned.contains(k) { return pad + cell }
                return k == r.count - 1 ? cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// A title cut to `limit` characters with an ellipsis.
    static func clip(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}
