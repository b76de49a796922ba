import ArgumentParser
import InterestGraph

/// `driftscope dataset`: manage public datasets fetched into the cache.
struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch public datasets into the cache and show where they are.",
        discussion: """
            Datasets live in $XDG_CACHE_HOME/driftscope/datasets (default ~/.cache/driftscope/datasets). \
            Anywhere a dataset path is accepted, a known name (\(DatasetCache.knownDatasets.joined(separator: ", "))) \
            resolves to the cache and is fetched on first use.
            """,
        subcommands: [Fetch.self, Path.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset into the cache (ml-100k: from the RecBole 1.2.1 wheel, via python3 -m pip download).",
            discussion: "Example: driftscope dataset fetch ml-100k")

        @Argument(help: ArgumentHelp("Dataset name.", valueName: "name"))
        var name: String

        @Flag(help: "Download again even when cached.")
        var force = false

        func run() throws {
            let cache = DatasetCache()
            let key = name.lowercased()
            if cache.isCached(key), !force {
                print("\(key) is already cached at \(cache.directory(for: key))")
                return
            }
            Console.error("fetching \(key) into \(cache.root) ...")
            let path = try cache.fetch(key, force: force)
            print("\(key) fetched to \(path)")
        }
    }

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a dataset's cache directory.",
            discussion: "Example: ls \"$(driftscope dataset path ml-100k)\"")

        @Argument(help: ArgumentHelp("Dataset name.", valueName: "name"))
        var name: String

        func run() throws {
            let key = name.lowercased()
            guard DatasetCache.knownDatasets.contains(key) else {
                throw ValidationError("unknown dataset '\(name)' (known: \(DatasetCache.knownDatasets.joined(separator: ", ")))")
            }
            let cache = DatasetCache()
            print(cache.directory(for: key))
            if !cache.isCached(key) { Console.error("note: not fetched yet; run: driftscope dataset fetch \(key)") }
        }
    }
}
