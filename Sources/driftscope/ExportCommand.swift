import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope export`: the trained user and item embeddings as files other tools read.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the trained user and item embeddings for TensorBoard Projector or NumPy.",
        discussion: """
            projector: vectors.tsv (one row per user, then per item, tab-separated) and \
            metadata.tsv (header id, kind, title, category; same row order). Load both at \
            https://projector.tensorflow.org.

            npy: users.npy and items.npy (NumPy format 1.0, little-endian float32, shape \
            (rows, dimension)) with users.txt and items.txt (one id per line, same order), \
            for numpy.load("items.npy").

            Items nobody has interacted with are exported at their estimate from categories, \
            brand and entities. MostPop and ItemKNN have no embeddings to export.

            Examples:
              driftscope export ml-100k --out /tmp/ml100k-projector
              driftscope export ml-100k --out /tmp/ml100k-npy --format npy --model lightgcn

            --json prints one object:
              {"out", "format", "model", "users", "items", "dimension", "files"}
            """
    )

    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case projector, npy
    }

    @Argument(help: "A dataset path or a name under ~/.cache/driftscope/datasets (ml-100k).")
    var source: String

    @Option(help: "Directory to write to (created if missing).")
    var out: String

    @Option(name: .customLong("format"), help: "projector or npy.")
    var layout: Layout = .projector

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out must name a directory") }
        if !modelOptions.kind.hasEmbeddings {
            throw ValidationError("\(modelOptions.kind) has no embeddings to export; choose \(ModelKind.allCases.filter(\.hasEmbeddings).map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandError("\(out): exists and is not a directory")
        }
        let trained = try TrainedDataset.load(source, dataset: try DatasetOptions.parse([]), model: modelOptions)
        guard let export = EmbeddingExport(model: trained.model, graph: trained.graph) else {
            throw CommandError("\(trained.model.kind) has no embeddings to export")
        }
        let directory = URL(fileURLWithPath: out)
        var files: [(String, Data)] = []
        switch layout {
        case .projector:
            files = [("vectors.tsv", Data(export.projectorVectors().utf8)), ("metadata.tsv", Data(export.projectorMetadata().utf8))]
        case .npy:
            files = [
                ("users.npy", Data(EmbeddingExport.npy(rows: export.users.count, dimension: export.dimension, values: export.userVectors))),
                ("items.npy", Data(EmbeddingExport.npy(rows: export.items.count, dimension: export.dimension, values: export.itemVectors))),
                ("users.txt", Data(EmbeddingExport.idList(export.users).utf8)),
                ("items.txt", Data(EmbeddingExport.idList(export.items).utf8)),
            ]
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: directory.appendingPathComponent(name), options: .atomic) }
        } catch {
            throw CommandError("\(out): cannot write (\(error.localizedDescription))")
        }
        let paths = files.map { directory.appendingPathComponent($0.0).path }
        if json {
            try Console.printJSON(Output(out: directory.path, format: layout.rawValue, model: trained.model.kind.rawValue,
                                         users: export.users.count, items: export.items.count, dimension: export.dimension, files: paths))
            return
        }
        print("Wrote \(Format.count(export.users.count)) users and \(Format.count(export.items.count)) items (dimension \(export.dimension)) from \(trained.summary):")
        for path in paths { print("  \(path)") }
    }

    struct Output: Encodable {
        var out: String
        var format: String
        var model: String
        var users: Int
        var items: Int
        var dimension: Int
        var files: [String]
    }
}
