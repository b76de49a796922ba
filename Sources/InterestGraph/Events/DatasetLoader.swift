/// The single entry point for reading event datasets, used by every command.
///
/// ```swift
/// let data = try DatasetLoader.load("ml-100k")          // fetched into the cache on first use
/// var graph = HeteroGraph()
/// graph.load(data.catalogue)
/// for event in data.events { graph.apply(event) }
/// ```
///
/// Formats: delimited text (CSV/TSV, delimiter detected), JSON Lines, RecBole atomic files and
/// MovieLens; see ``DatasetFormat`` and the layout rules on ``load(_:format:options:)``.
/// Columns are matched by name (case-insensitive, common aliases, `--map` for the rest).
/// Bad rows are skipped and counted by reason unless ``ReadOptions/strict`` is set.
public enum DatasetLoader {
    /// Resolves "ml-100k" to the cache (fetching on first use), detects the layout, reads everything.
    ///
    /// Layout detection with `.auto`: a directory holding `NAME.inter` is RecBole, one holding
    /// `u.data` or `ratings.csv` is MovieLens; a file ending `.inter` is RecBole, `u.data` or
    /// `ratings.csv` beside `movies.csv` is MovieLens, `.jsonl`/`.ndjson`/`.json` (or a file
    /// starting with `{`) is JSON Lines, anything else delimited text. Beside a delimited or
    /// JSON Lines file, `STEM.catalogue.csv` or `catalogue.csv` is read as the item catalogue.
    ///
    /// Item attributes carried on event rows are merged into the returned catalogue too.
    /// - Throws: ``DatasetError`` for fatal problems (missing file, empty file, binary data,
    ///   missing required columns, unknown layout, or the first bad row when strict).
    public static func load(_ pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init()) throws -> LoadedDataset {
        let source = try DatasetSource.resolve(pathOrName, format: format)
        var events: [Event] = []
        var catalogue = ItemCatalogue()
        let report = try read(source, options: options, catalogue: { catalogue = $0 }, body: { events.append($0) })
        for event in events {
            if let attributes = event.attributes, !attributes.isEmpty { catalogue.merge(item: event.item, attributes: attributes) }
        }
        return LoadedDataset(name: source.name, events: events, catalogue: catalogue, report: report)
    }

    /// Streaming: calls `body` per event in file order (catalogue delivered first), constant memory.
    ///
    /// Memory is bounded by the read buffer (4 MiB) plus the catalogue, whatever the number of
    /// events. Errors thrown by `catalogue` or `body` stop the read and propagate.
    public static func stream(
        _ pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init(),
        catalogue: (ItemCatalogue) throws -> Void, body: (Event) throws -> Void
    ) throws -> ReadReport {
        try read(DatasetSource.resolve(pathOrName, format: format), options: options, catalogue: catalogue, body: body)
    }

    /// ``stream(_:format:options:catalogue:body:)`` for the columnar stores: a delimited
    /// file's rows go to `rows` as ``DecodedRow``s (their attribute sets by id), any other
    /// layout's events to `body`.
    static func stream(
        _ pathOrName: String, format: DatasetFormat, options: ReadOptions,
        catalogue: (ItemCatalogue) throws -> Void, body: (Event) throws -> Void, rows: (DecodedRow) throws -> Void
    ) throws -> ReadReport {
        let source = try DatasetSource.resolve(pathOrName, format: format)
        return try withoutActuallyEscaping(rows) { rows in
            try read(source, options: options, catalogue: catalogue, body: body, rows: rows)
        }
    }

    /// Reads a catalogue table on its own (`item,category,brand,price,entities`, as the
    /// simulator writes it; `|`-separated lists).
    public static func loadCatalogue(_ path: String, options: ReadOptions = .init()) throws -> (catalogue: ItemCatalogue, report: ReadReport) {
        var collector = IssueCollector(options: options)
        var catalogue = ItemCatalogue()
        let progress = ProgressTracker(total: FileSystem.size(path), callback: options.progress)
        try CatalogueReader.read(path: path, file: path, dialect: .init(), options: options, into: &catalogue, collector: &collector, progress: progress)
        return (catalogue, collector.report)
    }

    /// The dataset's display name after resolution (`ml-100k`, the atomic-file name, or the
    /// file name without its extension).
    public static func name(of pathOrName: String, format: DatasetFormat = .auto) throws -> String {
        try DatasetSource.resolve(pathOrName, format: format).name
    }

    static func read(
        _ source: DatasetSource, options: ReadOptions,
        catalogue deliver: (ItemCatalogue) throws -> Void, body: (Event) throws -> Void,
        rows: ((DecodedRow) throws -> Void)? = nil
    ) throws -> ReadReport {
        var collector = IssueCollector(options: options)
        let total = source.files.reduce(Int64(0)) { $0 + FileSystem.size($1) }
        let progress = ProgressTracker(total: total, callback: options.progress)
        switch source.layout {
        case .delimited(let path, let side), .jsonLines(let path, let side):
            var catalogue = ItemCatalogue()
            if let side {
                try CatalogueReader.read(path: side, file: side, dialect: .init(), options: options, into: &catalogue, collector: &collector, progress: progress)
            }
            try deliver(catalogue)
            if case .delimited = source.layout {
                try DelimitedEventReader.read(path: path, file: path, dialect: .init(), options: options, collector: &collector, progress: progress, body: body, rows: rows)
            } else {
                try JSONLinesEventReader.read(path: path, file: path, options: options, collector: &collector, progress: progress, body: body)
            }
        case .recbole(let directory, let name):
            try deliver(RecBoleReader.readCatalogue(directory: directory, name: name, options: options, collector: &collector, progress: progress))
            try RecBoleReader.readEvents(directory: directory, name: name, options: options, collector: &collector, progress: progress, body: body)
        case .movieLens(let directory, let layout):
            try deliver(MovieLensReader.readCatalogue(directory: directory, layout: layout, options: options, collector: &collector, progress: progress))
            try MovieLensReader.readEvents(directory: directory, layout: layout, options: options, collector: &collector, progress: progress, body: body)
        }
        return collector.report
    }
}
