import Foundation
import Testing
@testable import InterestGraph

/// Reads the real ml-100k from the dataset cache (`driftscope dataset fetch ml-100k`, which
/// `make test` runs first).
@Suite struct ReaderML100KTests {
    static func requireCache() throws -> String {
        let cache = DatasetCache()
        guard cache.isCached("ml-100k") else {
            throw DatasetError("ml-100k is not in the dataset cache at \(cache.directory(for: "ml-100k")); run `driftscope dataset fetch ml-100k` (make test does) first")
        }
        return cache.directory(for: "ml-100k")
    }

    @Test func ml100KIngestsToTheKnownCounts() throws {
        let directory = try Self.requireCache()
        let data = try DatasetLoader.load("ml-100k")
        #expect(data.name == "ml-100k")
        #expect(data.report.accepted == 100_000)
        #expect(data.report.rejected == 0)
        #expect(data.events.count == 100_000)

        var graph = HeteroGraph()
        graph.load(data.catalogue)
        for event in data.events { graph.apply(event) }
        let stats = graph.statistics
        #expect(stats.users == 943)
        #expect(stats.items == 1682)
        #expect(stats.events == 100_000)
        #expect(stats.userItemEdges == 100_000)
        #expect(stats.categories == 19)

        // Entities: every id in .link and on either side of a .kg triple, counted independently.
        var entities = Set<String>()
        var linked = 0
        for line in try Self.lines(directory + "/ml-100k.link").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            entities.insert(String(fields[1]))
            linked += 1
        }
        var triples = 0
        for line in try Self.lines(directory + "/ml-100k.kg").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            entities.insert(String(fields[0]))
            entities.insert(String(fields[2]))
            triples += 1
        }
        #expect(stats.entities == entities.count)
        #expect(data.catalogue.triples.count == triples)
        #expect(data.catalogue.itemEntities.values.reduce(0) { $0 + $1.count } == linked)
        #expect(graph.title(ofItem: try #require(graph.itemID("1"))) == "Toy Story")
    }

    @Test func streamingMatchesLoading() throws {
        _ = try Self.requireCache()
        var count = 0
        var catalogueItems = 0
        let report = try DatasetLoader.stream("ml-100k", catalogue: { catalogueItems = $0.items.count }, body: { _ in count += 1 })
        #expect(count == 100_000)
        #expect(report.accepted == 100_000)
        #expect(catalogueItems == 1682)
    }

    static func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }
}
