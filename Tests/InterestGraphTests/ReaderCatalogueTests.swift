import Foundation
import Testing
@testable import InterestGraph

@Suite struct ReaderCatalogueTests {
    @Test func siblingCatalogueIsLoadedWithEntities() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("shop/events.csv"))
        #expect(data.events.count == 4)
        #expect(data.events[2].value == 49)
        #expect(data.catalogue.items["sku1"] == ItemAttributes(categories: ["shoes", "running"], brand: "Acme", price: 49))
        #expect(data.catalogue.items["sku3"] == ItemAttributes(categories: ["hats"], brand: nil, price: 12))
        #expect(data.catalogue.itemEntities["sku1"] == ["material:mesh", "style:sport"])

        var graph = HeteroGraph()
        graph.load(data.catalogue)
        for event in data.events { graph.apply(event) }
        let stats = graph.statistics
        #expect(stats.items == 3)
        #expect(stats.brands == 2)
        #expect(stats.entities == 3)
        #expect(stats.categories == 4)
    }

    @Test func sharedCatalogueCSVIsUsedWhenNoOwnOneExists() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        try ReaderFixtures.write("user,item,timestamp\nu,a,1\n", to: "day1.csv", in: directory)
        try ReaderFixtures.write("item,category,brand,price\na,x|y,B,1.5\nb,z,,bad\n", to: "catalogue.csv", in: directory)
        let data = try DatasetLoader.load(FileSystem.join(directory, "day1.csv"))
        #expect(data.catalogue.items["a"]?.categories == ["x", "y"])
        #expect(data.report.rejectedByReason == ["bad number": 1])
        #expect(data.report.examples.first?.file.hasSuffix("catalogue.csv") == true)
    }

    @Test func loadCatalogueReadsATableOnItsOwn() throws {
        let (catalogue, report) = try DatasetLoader.loadCatalogue(ReaderFixtures.path("shop/events.catalogue.csv"))
        #expect(catalogue.items.count == 3)
        #expect(report.rejected == 0)
    }
}
