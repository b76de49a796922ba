import ArgumentParser
import InterestGraph

/// `driftscope ingest`: read a dataset into the interest graph and summarise it.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a dataset into the interest graph and print what it holds.",
        discussion: """
            PATH_OR_NAME is a CSV/TSV or JSON Lines file, a RecBole atomic-file directory (or its \
            NAME.inter), a MovieLens directory (u.data or ratings.csv), or a known dataset name \
            (ml-100k, fetched into the cache on first use).

            Columns are found by name with common aliases (user/user_id/userId, item/item_id/\
            movieId/product_id, timestamp/ts/time/event_time, action/event/event_type/type, \
            value/rating/weight, category/categories/genres, brand, price); --map names the rest. \
            Without an action column, rows with a value are ratings and other rows views.

            Bad rows are skipped and counted by reason, with the first examples as \
            file:line:column: reason. --strict stops at the first one with exit status 1.

            A Redis stream, redis://HOST:PORT/NAME[?group=G&consumer=C&partitions=N], is read             as it is now (XRANGE, consumer groups untouched); with --workspace it is consumed             through its consumer group and logged as a run, each entry acknowledged once it is             committed, so a crash loses and repeats nothing (--resume continues the run).             Malformed entries are counted like bad rows, as PARTITION ID FIELD: reason.

            Examples:
              driftscope ingest ml-100k
              driftscope ingest events.csv --map visitorid=user --map itemid=item --json
              driftscope ingest redis://127.0.0.1:6379/shop
              driftscope ingest redis://127.0.0.1:6379/shop --workspace shop.sqlite
              driftscope ingest redis://127.0.0.1:6379/shop --workspace shop.sqlite --resume --follow
            """)

    @Argument(help: ArgumentHelp("A file, a dataset directory, a dataset name, or a stream redis://HOST:PORT/NAME.", valueName: "path-or-name"))
    var path: String

    @OptionGroup var dataset: DatasetOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: ArgumentHelp("Stream sources: consume through the consumer group and log the events as a run of this workspace file (exactly once).", valueName: "file"))
    var workspace: String?

    @Flag(help: "With --workspace: continue the workspace's last stream run.")
    var resume = false

    @Flag(help: "With --workspace: keep reading new entries until SIGINT/SIGTERM instead of stopping at the stream's end.")
    var follow = false

    func validate() throws {
        if (resume || follow) && workspace == nil { throw ValidationError("--resume and --follow need --workspace FILE") }
        if workspace != nil && !StreamSources.isStream(path) {
            throw ValidationError("--workspace applies to stream sources (redis://...); record files with `simulate --workspace` or `dashboard --workspace`")
        }
    }

    func run() throws {
        if StreamSources.isStream(path) {
            if let workspace {
                try IngestStream.record(path, workspace: workspace, resume: resume, follow: follow, dataset: dataset, json: json)
            } else {
                try IngestStream.snapshot(path, dataset: dataset, json: json)
            }
            return
        }
        DatasetOptions.announceFetch(path)
        let progress = ProgressLine.standardError()
        var graph = HeteroGraph()
        let report: ReadReport
        do {
            report = try DatasetLoader.stream(
                path, format: dataset.format, options: dataset.readOptions(progress: progress),
                catalogue: { graph.load($0) }, body: { graph.apply($0) })
        } catch {
            progress?.finish()
            throw error
        }
        progress?.finish()
        let name = (try? DatasetLoader.name(of: path, format: dataset.format)) ?? path
        let summary = IngestSummary(name: name, statistics: graph.statistics, report: report)
        if json {
            try Console.printJSON(summary)
        } else {
            print(summary.text)
        }
    }
}

/// What `ingest` prints, in text or JSON.
struct IngestSummary: Encodable {
    var name: String
    var statistics: GraphStatistics
    var report: ReadReport
    /// The rejected examples as printed: `file:line:column: reason`, or for a stream
    /// `PARTITION ID FIELD: reason`.
    var exampleLines: [String]

    init(name: String, statistics: GraphStatistics, report: ReadReport, exampleLines: [String]? = nil) {
        self.name = name
        self.statistics = statistics
        self.report = report
        self.exampleLines = exampleLines ?? report.examples.map(\.description)
    }

    enum CodingKeys: String, CodingKey {
        case name, users, items, categories, brands, entities, edges, events, rejected
        case userItemEdges = "user_item_edges"
        case firstTimestamp = "first_timestamp"
        case lastTimestamp = "last_timestamp"
        case rejectedByReason = "rejected_by_reason"
        case examples, notes
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(statistics.users, forKey: .users)
        try c.encode(statistics.items, forKey: .items)
        try c.encode(statistics.categories, forKey: .categories)
        try c.encode(statistics.brands, forKey: .brands)
        try c.encode(statistics.entities, forKey: .entities)
        try c.encode(statistics.edges, forKey: .edges)
        try c.encode(statistics.userItemEdges, forKey: .userItemEdges)
        try c.encode(report.accepted, forKey: .events)
        try c.encode(report.rejected, forKey: .rejected)
        try c.encode(statistics.firstTimestamp, forKey: .firstTimestamp)
        try c.encode(statistics.lastTimestamp, forKey: .lastTimestamp)
        try c.encode(report.rejectedByReason, forKey: .rejectedByReason)
        try c.encode(exampleLines, forKey: .examples)
        try c.encode(report.notes, forKey: .notes)
    }

    var text: String {
        let s = statistics
        var lines = ["\(name): \(Format.count(report.accepted)) events accepted, \(Format.count(report.rejected)) rows rejected"]
        let rows: [(String, String)] = [
            ("users", Format.count(s.users)),
            ("items", Format.count(s.items)),
            ("categories", Format.count(s.categories)),
            ("brands", Format.count(s.brands)),
            ("entities", Format.count(s.entities)),
            ("edges", "\(Format.count(s.edges)) (\(Format.count(s.userItemEdges)) user-item)"),
            ("events", Format.count(s.events)),
        ]
        for (label, value) in rows { lines.append("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        if let first = s.firstTimestamp, let last = s.lastTimestamp {
            lines.append("  time span   \(CivilTime.iso8601(first)) to \(CivilTime.iso8601(last)) (\(Format.duration(last - first)))")
        } else {
            lines.append("  time span   none")
        }
        if report.rejected > 0 {
            lines.append("rejected rows by reason:")
            for (reason, count) in report.rejectedByReason.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("  " + reason.padding(toLength: 22, withPad: " ", startingAt: 0) + Format.count(count))
            }
            lines.append("first examples:")
            for issue in exampleLines { lines.append("  \(issue)") }
        }
        if !report.notes.isEmpty {
            lines.append("notes:")
            for note in report.notes { lines.append("  \(note)") }
        }
        return lines.joined(separator: "\n")
    }
}
