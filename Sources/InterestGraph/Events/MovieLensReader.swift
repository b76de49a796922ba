/// Reads the MovieLens layouts as GroupLens ships them.
///
/// - ml-100k raw: `u.data` (tab-separated `user item rating timestamp`, no header) and
///   `u.item` (`|`-separated, no header, ISO-8859-1 titles, 19 genre flags named by `u.genre`).
/// - ml-latest / ml-25m style: `ratings.csv` (`userId,movieId,rating,timestamp`) and
///   `movies.csv` (`movieId,title,genres`, genres `|`-separated, titles quoted when needed).
///
/// Ratings carry no action, so every event is a `.rating` with the stars as its value.
enum MovieLensReader {
    enum Layout: Sendable {
        case raw100K
        case latest
    }

    /// The genre names of `u.genre`, in flag order, for when the file is absent.
    static let genres100K = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    static func files(directory: String, layout: Layout) -> [String] {
        let names = layout == .raw100K ? ["u.data", "u.item", "u.genre"] : ["ratings.csv", "movies.csv"]
        return names.map { FileSystem.join(directory, $0) }.filter(FileSystem.isFile)
    }

    static func readCatalogue(
        directory: String, layout: Layout, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?
    ) throws -> ItemCatalogue {
        var catalogue = ItemCatalogue()
        switch layout {
        case .raw100K:
            let genres = try readGenres(FileSystem.join(directory, "u.genre"), progress: progress)
            let items = FileSystem.join(directory, "u.item")
            if FileSystem.isFile(items) {
                try readItems100K(path: items, genres: genres, into: &catalogue, collector: &collector, progress: progress)
            }
            for extra in ["u.user", "u.occupation", "u.info"] where FileSystem.isFile(FileSystem.join(directory, extra)) {
                collector.note("\(FileSystem.join(directory, extra)): not used by the graph")
            }
        case .latest:
            let movies = FileSystem.join(directory, "movies.csv")
            if FileSystem.isFile(movies) {
                try CatalogueReader.read(
                    path: movies, file: movies, dialect: .init(delimiter: UInt8(ascii: ","), noCategory: ["(no genres listed)"]),
                    options: options, into: &catalogue, collector: &collector, progress: progress)
            }
            for extra in ["tags.csv", "links.csv", "genome-scores.csv", "genome-tags.csv"] where FileSystem.isFile(FileSystem.join(directory, extra)) {
                collector.note("\(FileSystem.join(directory, extra)): not used by the graph")
            }
        }
        return catalogue
    }

    static func readEvents(
        directory: String, layout: Layout, options: ReadOptions,
        collector: inout IssueCollector, progress: ProgressTracker?, body: (Event) throws -> Void
    ) throws {
        switch layout {
        case .raw100K:
            let path = FileSystem.join(directory, "u.data")
            try DelimitedEventReader.read(
                path: path, file: path,
                dialect: .init(delimiter: FieldParsing.tab, quoting: false, fixedHeader: ["user", "item", "rating", "timestamp"], checkMap: false),
                options: ReadOptions(strict: options.strict, maxExamples: options.maxExamples),
                collector: &collector, progress: progress, body: body)
        case .latest:
            let path = FileSystem.join(directory, "ratings.csv")
            try DelimitedEventReader.read(
                path: path, file: path, dialect: .init(delimiter: UInt8(ascii: ","), checkMap: false),
                options: options, collector: &collector, progress: progress, body: body)
        }
    }

    /// `u.genre`: `name|index` lines. Falls back to the built-in list when absent.
    private static func readGenres(_ path: String, progress: ProgressTracker?) throws -> [String] {
        guard FileSystem.isFile(path) else { return genres100K }
        let reader = try DelimitedFileReader(path: path, displayName: path, delimiter: UInt8(ascii: "|"), quoting: false, progress: progress)
        var pairs: [(Int, String)] = []
        var collector = IssueCollector(options: ReadOptions(strict: true))
        try reader.forEachRecord(expectedFields: 2, collector: &collector) { row throws in
            guard let index = FieldParsing.double(row.bytes(1)), index >= 0, index < 1000, index == index.rounded() else {
                throw RowProblem(kind: .badNumber, reason: "bad genre index", offset: row.spans[1].start)
            }
            pairs.append((Int(index), FieldParsing.utf8OrLatin1(FieldParsing.trim(row.bytes(0)))))
        }
        return pairs.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// `u.item`: `id|title|release|video release|IMDb URL|flag x 19`.
    private static func readItems100K(
        path: String, genres: [String], into catalogue: inout ItemCatalogue,
        collector: inout IssueCollector, progress: ProgressTracker?
    ) throws {
        let reader = try DelimitedFileReader(path: path, displayName: path, delimiter: UInt8(ascii: "|"), quoting: false, progress: progress)
        let values = ValueDecoder()
        try reader.forEachRecord(expectedFields: 5 + genres.count, collector: &collector) { row throws in
            let id = try values.identifier(row.bytes(0), at: row.spans[0].start, column: "movie id")
            var categories: [String] = []
            for (k, genre) in genres.enumerated() {
                let flag = FieldParsing.trim(row.bytes(5 + k))
                guard flag.count == 1, flag[0] == UInt8(ascii: "0") || flag[0] == UInt8(ascii: "1") else {
                    throw RowProblem(kind: .badNumber, reason: "genre flag '\(genre)' must be 0 or 1, found '\(FieldParsing.preview(flag))'", offset: row.spans[5 + k].start)
                }
                if flag[0] == UInt8(ascii: "1") { categories.append(genre) }
            }
            catalogue.merge(item: id, attributes: ItemAttributes(categories: categories))
            let title = FieldParsing.trim(row.bytes(1))
            if !title.isEmpty { catalogue.titles[id] = FieldParsing.utf8OrLatin1(title) }
        }
    }
}
