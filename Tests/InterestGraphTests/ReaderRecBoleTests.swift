import Foundation
import Testing
@testable import InterestGraph

@Suite struct ReaderRecBoleTests {
    @Test func atomicFilesGiveEventsCategoriesTitlesAndKnowledgeGraph() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("mini"))
        #expect(data.name == "mini")
        #expect(data.events.count == 4)
        #expect(data.events.allSatisfy { $0.action == .rating })
        #expect(data.events.map(\.value) == [4, 3, 5, 2])
        #expect(data.events[0].timestamp == 881_250_949)
        #expect(data.catalogue.items["10"]?.categories == ["Animation", "Children's", "Comedy"])
        #expect(data.catalogue.titles["10"] == "Toy Story")
        #expect(data.catalogue.itemEntities == ["10": ["m.toy"], "20": ["m.bond"]])
        #expect(data.catalogue.triples.count == 3)
        #expect(data.catalogue.triples[0] == KnowledgeTriple(head: "m.toy", relation: "film.film.director", tail: "m.lasseter"))
        #expect(data.report.notes.contains { $0.contains("mini.user") })
        #expect(data.report.notes.contains { $0.contains("release_year") })

        var graph = HeteroGraph()
        graph.load(data.catalogue)
        for event in data.events { graph.apply(event) }
        let stats = graph.statistics
        #expect(stats.users == 3)
        #expect(stats.items == 3)
        #expect(stats.categories == 6)
        #expect(stats.entities == 5)
        let toy = try #require(graph.entityID("m.toy"))
        let director = graph.neighbours(of: NodeRef(.entity, toy), kind: .entity)
        #expect(director.map { graph.name(of: $0.node) } == ["m.lasseter"])
    }

    @Test(arguments: ["mini/mini.inter", "mini"])
    func interFileOrDirectoryWithExplicitFormat(path: String) throws {
        let data = try DatasetLoader.load(ReaderFixtures.path(path), format: .recbole)
        #expect(data.events.count == 4)
        #expect(data.catalogue.items.count == 3)
    }

    @Test func brokenInterRowsAreCountedWithLocations() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        try ReaderFixtures.write("user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t3\t4\n1\t2\tx\t4\n1\t2\t3\n", to: "d.inter", in: directory)
        let data = try DatasetLoader.load(directory)
        #expect(data.events.count == 1)
        #expect(data.report.examples.map { "\($0.line):\($0.column):\($0.kind.rawValue)" } == ["3:5:bad number", "4:6:wrong column count"])
    }

    @Test func directoryWithoutAKnownLayoutIsFatal() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        try ReaderFixtures.write("hello\n", to: "notes.txt", in: directory)
        do {
            _ = try DatasetLoader.load(directory)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.description.contains("no known dataset layout"))
        }
        #expect(throws: DatasetError.self) { _ = try DatasetLoader.load(directory, format: .recbole) }
    }
}
