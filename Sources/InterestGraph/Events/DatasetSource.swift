/// Where a dataset lives and which reader takes it: the outcome of layout detection.
struct DatasetSource: Sendable {
    enum Layout: Sendable {
        case delimited(path: String, catalogue: String?)
        case jsonLines(path: String, catalogue: String?)
        case recbole(directory: String, name: String)
        case movieLens(directory: String, layout: MovieLensReader.Layout)
    }

    var name: String
    var layout: Layout

    /// Every file the read will touch, for progress totals.
    var files: [String] {
        switch layout {
        case .delimited(let path, let catalogue), .jsonLines(let path, let catalogue):
            [catalogue, path].compactMap { $0 }
        case .recbole(let directory, let name):
            RecBoleReader.files(directory: directory, name: name)
        case .movieLens(let directory, let layout):
            MovieLensReader.files(directory: directory, layout: layout)
        }
    }

    /// Resolves a path or a known dataset name (fetching it on first use) and picks a layout.
    ///
    /// Detection with `.auto`: a directory holding `NAME.inter` is RecBole, one holding `u.data`
    /// or `ratings.csv` is MovieLens; a file ending `.inter` is RecBole (its directory), `u.data`
    /// or `ratings.csv` beside `movies.csv` is MovieLens, `.jsonl`/`.ndjson`/`.json` is JSON
    /// Lines, and anything else is delimited text unless its first character is `{`.
    static func resolve(_ pathOrName: String, format: DatasetFormat, cache: DatasetCache = DatasetCache()) throws -> DatasetSource {
        var path = pathOrName
        var name: String?
        if !FileSystem.exists(path) {
            guard DatasetCache.knownDatasets.contains(pathOrName.lowercased()) else {
                throw DatasetError("\(pathOrName): no such file or directory (known dataset names: \(DatasetCache.knownDatasets.joined(separator: ", ")))")
            }
            name = pathOrName.lowercased()
            path = try cache.resolve(pathOrName.lowercased())
        }
        if FileSystem.isDirectory(path) {
            return try directory(path, format: format, name: name)
        }
        return try file(path, format: format)
    }

    private static func directory(_ path: String, format: DatasetFormat, name: String?) throws -> DatasetSource {
        let entries = FileSystem.contents(path)
        let base = FileSystem.baseName(path)
        let inters = entries.filter { $0.hasSuffix(".inter") }.map { String($0.dropLast(6)) }
        let hasRaw100K = entries.contains("u.data")
        let hasLatest = entries.contains("ratings.csv")
        switch format {
        case .csv, .jsonl:
            throw DatasetError("\(path): is a directory; --format \(format.rawValue) expects a file")
        case .recbole, .auto:
            if !inters.isEmpty {
                let chosen: String
                if inters.contains(base) {
                    chosen = base
                } else if inters.count == 1 {
                    chosen = inters[0]
                } else {
                    throw DatasetError("\(path): several atomic files (\(inters.map { $0 + ".inter" }.joined(separator: ", "))); pass one of them")
                }
                return DatasetSource(name: name ?? chosen, layout: .recbole(directory: path, name: chosen))
            }
            if format == .recbole { throw DatasetError("\(path): no NAME.inter file, expected a RecBole atomic-file directory") }
        case .movielens:
            break
        }
        if hasRaw100K { return DatasetSource(name: name ?? base, layout: .movieLens(directory: path, layout: .raw100K)) }
        if hasLatest { return DatasetSource(name: name ?? base, layout: .movieLens(directory: path, layout: .latest)) }
        if format == .movielens { throw DatasetError("\(path): no u.data or ratings.csv, expected a MovieLens directory") }
        throw DatasetError("\(path): no known dataset layout (expected NAME.inter for RecBole, u.data or ratings.csv for MovieLens)")
    }

    private static func file(_ path: String, format: DatasetFormat) throws -> DatasetSource {
        let ext = FileSystem.pathExtension(path)
        let base = FileSystem.baseName(path)
        let parent = FileSystem.directory(of: path)
        let stem = FileSystem.stem(path)
        switch format {
        case .csv:
            return DatasetSource(name: stem, layout: .delimited(path: path, catalogue: sideCatalogue(path)))
        case .jsonl:
            return DatasetSource(name: stem, layout: .jsonLines(path: path, catalogue: sideCatalogue(path)))
        case .recbole:
            guard ext == "inter" else { throw DatasetError("\(path): --format recbole expects a directory or a NAME.inter file") }
            return DatasetSource(name: stem, layout: .recbole(directory: parent, name: stem))
        case .movielens:
            if base == "u.data" { return DatasetSource(name: FileSystem.baseName(parent), layout: .movieLens(directory: parent, layout: .raw100K)) }
            if base == "ratings.csv" { return DatasetSource(name: FileSystem.baseName(parent), layout: .movieLens(directory: parent, layout: .latest)) }
            throw DatasetError("\(path): --format movielens expects a directory, u.data or ratings.csv")
        case .auto:
            if ext == "inter" { return DatasetSource(name: stem, layout: .recbole(directory: parent, name: stem)) }
            if base == "u.data" { return DatasetSource(name: FileSystem.baseName(parent), layout: .movieLens(directory: parent, layout: .raw100K)) }
            if base == "ratings.csv", FileSystem.isFile(FileSystem.join(parent, "movies.csv")) {
                return DatasetSource(name: FileSystem.baseName(parent), layout: .movieLens(directory: parent, layout: .latest))
            }
            if ["jsonl", "ndjson", "json"].contains(ext) || (!["csv", "tsv", "txt", "psv", "dat"].contains(ext) && startsWithBrace(path)) {
                return DatasetSource(name: stem, layout: .jsonLines(path: path, catalogue: sideCatalogue(path)))
            }
            return DatasetSource(name: stem, layout: .delimited(path: path, catalogue: sideCatalogue(path)))
        }
    }

    /// `STEM.catalogue.csv` beside the events file (the simulator's output), else a sibling
    /// `catalogue.csv`.
    static func sideCatalogue(_ path: String) -> String? {
        let parent = FileSystem.directory(of: path)
        let base = FileSystem.baseName(path)
        if base.hasSuffix(".catalogue.csv") || base == "catalogue.csv" { return nil }
        let own = FileSystem.join(parent, FileSystem.stem(path) + ".catalogue.csv")
        if FileSystem.isFile(own) { return own }
        let shared = FileSystem.join(parent, "catalogue.csv")
        return FileSystem.isFile(shared) ? shared : nil
    }

    /// True when the first non-space byte (after a BOM) is `{`.
    private static func startsWithBrace(_ path: String) -> Bool {
        guard let stream = try? ByteStream(path: path, displayName: path, chunkSize: 4096, capacity: 4096, progress: nil),
              (try? stream.refill()) != nil else { return false }
        var i = 0
        if stream.end >= 3, stream.base[0] == 0xEF, stream.base[1] == 0xBB, stream.base[2] == 0xBF { i = 3 }
        while i < stream.end, stream.base[i] == 0x20 || stream.base[i] == 0x09 || stream.base[i] == 0x0A || stream.base[i] == 0x0D { i += 1 }
        return i < stream.end && stream.base[i] == UInt8(ascii: "{")
    }
}
