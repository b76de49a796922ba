import Foundation
import Testing
@testable import InterestGraph

@Suite struct ReaderMovieLensTests {
    /// The raw ml-100k layout (`u.data`, `u.item`, `u.genre`) in a temporary directory. The
    /// fixture is committed under other names so no file in the repository looks like (or is
    /// mistaken for) the licensed dataset itself.
    static func rawLayout() throws -> String {
        let directory = try ReaderFixtures.temporaryDirectory()
        for (committed, name) in [("u-data.tsv", "u.data"), ("u-item.psv", "u.item"), ("u-genre.psv", "u.genre")] {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ReaderFixtures.path("ml100k-raw/" + committed))))
            _ = try ReaderFixtures.write(bytes, to: name, in: directory)
        }
        return directory
    }

    @Test(arguments: ["", "/u.data"])
    func raw100KLayout(suffix: String) throws {
        let directory = try Self.rawLayout()
        defer { ReaderFixtures.cleanup(directory) }
        let data = try DatasetLoader.load(directory + suffix)
        #expect(data.events.count == 4)
        #expect(data.events[0] == Event(user: "1", item: "1", action: .rating, timestamp: 874_965_758, value: 5))
        #expect(data.catalogue.items["1"]?.categories == ["Animation", "Children's", "Comedy"])
        #expect(data.catalogue.items["2"]?.categories == ["Drama", "Romance", "War"])
        #expect(data.catalogue.items["3"]?.categories == ["unknown"])
        // ISO-8859-1 title decoded.
        #expect(data.catalogue.titles["2"] == "Misérables, Les (1995)")
    }

    @Test func latestLayoutWithQuotedTitlesAndPipeGenres() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("ml-latest"))
        #expect(data.events.count == 4)
        #expect(data.events.map(\.value) == [4, 4, 3.5, 0.5])
        #expect(data.catalogue.titles["2"] == "American President, The (1995)")
        #expect(data.catalogue.titles["3"] == "Shawshank \"Redemption\" (1994)")
        #expect(data.catalogue.items["1"]?.categories == ["Adventure", "Animation", "Children", "Comedy", "Fantasy"])
        #expect(data.catalogue.items["4"]?.categories == [])
        #expect(data.report.notes.contains { $0.contains("tags.csv") })
        let viaRatings = try DatasetLoader.load(ReaderFixtures.path("ml-latest/ratings.csv"))
        #expect(viaRatings.catalogue.items.count == 4)
    }

    @Test func badGenreFlagIsReported() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        try ReaderFixtures.write("1\t1\t5\t874965758\n", to: "u.data", in: directory)
        let flags = Array(repeating: "0", count: 19)
        var broken = flags
        broken[3] = "7"
        try ReaderFixtures.write("1|A|d||u|" + flags.joined(separator: "|") + "\n2|B|d||u|" + broken.joined(separator: "|") + "\n3|C|d\n", to: "u.item", in: directory)
        let data = try DatasetLoader.load(directory, format: .movielens)
        #expect(data.catalogue.items.count == 1)
        #expect(data.report.rejectedByReason == ["bad number": 1, "wrong column count": 1])
        #expect(data.report.examples.first.map { "\($0.line):\($0.column)" } == "2:16")
    }
}
