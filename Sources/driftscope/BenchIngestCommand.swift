import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench ingest`: events per second for parsing + graph update and for the
/// graph update alone, on a real dataset replayed and on a large synthetic stream.
struct BenchIngest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Events/s for parse + graph update and for graph update alone; peak memory; bytes per edge.",
        discussion: """
            Runs on DATASET (default ml-100k) replayed --replays times (each replay shifted past the \
            previous one in time, so later replays re-weight existing edges), and on a seeded \
            synthetic stream of --events events: 2,048 interleaved sessions of uniformly drawn users, \
            Zipf-like item popularity, view/click/cart/purchase funnels, 1% of events late. \
            "Parse + graph" reads a file through DatasetLoader and applies each Event (string ids \
            interned); "graph" applies pre-interned ids only. Rates are per CPU-second of the \
            benchmark thread (one core), so they hold on a shared machine. Bytes per edge is the \
            resident-memory growth of the synthetic graph divided by its user-item edges.

            Example: swift build -c release && .build/release/driftscope bench ingest --json
            """)

    @Option(help: "Dataset to replay (path or name).")
    var dataset = "ml-100k"

    @Option(help: "How many times to replay the dataset.")
    var replays = 10

    @Option(help: "Synthetic stream length.")
    var events = 10_000_000

    @Option(help: "Synthetic users.")
    var users = 1_000_000

    @Option(help: "Synthetic items.")
    var items = 200_000

    @Option(help: "Random seed for the synthetic stream.")
    var seed: UInt64 = 42

    @Flag(help: "Measure the graph update alone (skip the parsing runs and the temporary CSV).")
    var graphOnly = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard replays > 0, events > 0, users > 0, items > 0 else { throw ValidationError("--replays, --events, --users and --items must be positive") }
    }

    func run() throws {
        if let warning = Stopwatch.debugWarning { Console.error(warning) }
        let real = try benchDataset()
        let synthetic = try benchSynthetic()
        let result = BenchIngestResult(
            build: Stopwatch.buildConfiguration, dataset: real, synthetic: synthetic,
            peakMemoryBytes: ProcessMemory.peakResidentBytes())
        if json {
            try Console.printJSON(result)
        } else {
            print(result.text)
        }
    }

    // MARK: Real dataset

    private func benchDataset() throws -> BenchIngestResult.Run {
        DatasetOptions.announceFetch(dataset)
        let loaded = try DatasetLoader.load(dataset)
        let times = loaded.events.map(\.timestamp)
        let span = (times.max() ?? 0) - (times.min() ?? 0) + 86_400

        // Parse + graph: read the files again on every replay.
        var parsed = HeteroGraph()
        let parseSeconds = try Stopwatch.cpuSeconds {
            for replay in 0..<replays where !graphOnly {
                let shift = Double(replay) * span
                _ = try DatasetLoader.stream(dataset, catalogue: { if replay == 0 { parsed.load($0) } }, body: { event in
                    var event = event
                    event.timestamp += shift
                    parsed.apply(event)
                })
            }
        }

        // Graph only: ids interned up front.
        var graph = HeteroGraph()
        graph.load(loaded.catalogue)
        let users = loaded.events.map { graph.addUser($0.user).id }
        let items = loaded.events.map { graph.addItem($0.item).id }
        let weights = loaded.events.map { graph.actionWeights.weight(for: $0.action, value: $0.value) }
        let actions = loaded.events.map(\.action)
        let graphSeconds = Stopwatch.cpuSeconds {
            for replay in 0..<replays {
                let shift = Double(replay) * span
                for k in times.indices {
                    graph.apply(user: users[k], item: items[k], action: actions[k], weight: weights[k], at: times[k] + shift)
                }
            }
        }
        let total = loaded.events.count * replays
        let stats = graph.statistics
        return .init(
            name: "\(loaded.name) x\(replays)", events: total,
            eventsPerSecond: graphOnly ? nil : Double(total) / parseSeconds, graphEventsPerSecond: Double(total) / graphSeconds,
            parseEventsPerSecond: nil, userItemEdges: stats.userItemEdges, bytesPerEdge: nil)
    }

    // MARK: Synthetic stream

    private func benchSynthetic() throws -> BenchIngestResult.Run {
        var stream = SyntheticStream(seed: seed, users: users, items: items)
        let weights = ActionWeights.default

        // Graph only, in batches so the generator stays out of the timing.
        var graphSeconds = 0.0
        var edges = 0
        var bytesPerEdge = 0.0
        do {
            var graph = HeteroGraph()
            for u in 0..<users { graph.addUser("u\(u)") }
            for i in 0..<items { graph.addItem("i\(i)") }
            let internedBytes = ProcessMemory.currentResidentBytes()
            var batch = SyntheticStream.Batch()
            var remaining = events
            while remaining > 0 {
                let n = min(remaining, 1 << 20)
                stream.fill(&batch, count: n)
                let b = batch
                graphSeconds += Stopwatch.cpuSeconds {
                    for k in 0..<n {
                        let action = b.actions[k]
                        graph.apply(user: b.users[k], item: b.items[k], action: action, weight: weights.weight(for: action, value: nil), at: b.times[k])
                    }
                }
                remaining -= n
            }
            edges = graph.statistics.userItemEdges
            bytesPerEdge = Double(max(0, ProcessMemory.currentResidentBytes() - internedBytes)) / Double(max(edges, 1))
        }

        if graphOnly {
            return .init(
                name: "synthetic", events: events, eventsPerSecond: nil, graphEventsPerSecond: Double(events) / graphSeconds,
                parseEventsPerSecond: nil, userItemEdges: edges, bytesPerEdge: bytesPerEdge)
        }
        // Parse + graph, and parse alone, through a CSV written to a temporary file.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("synthetic.csv").path
        var writer = SyntheticStream(seed: seed, users: users, items: items)
        try writer.writeCSV(to: file, events: events)

        var parseCount = 0
        let parseSeconds = try Stopwatch.cpuSeconds {
            _ = try DatasetLoader.stream(file, format: .csv, catalogue: { _ in }, body: { _ in parseCount += 1 })
        }
        var parsedGraph = HeteroGraph()
        let bothSeconds = try Stopwatch.cpuSeconds {
            _ = try DatasetLoader.stream(file, format: .csv, catalogue: { parsedGraph.load($0) }, body: { parsedGraph.apply($0) })
        }
        guard parseCount == events else { throw ValidationError("synthetic CSV read back \(parseCount) of \(events) events") }
        return .init(
            name: "synthetic", events: events,
            eventsPerSecond: Double(events) / bothSeconds, graphEventsPerSecond: Double(events) / graphSeconds,
            parseEventsPerSecond: Double(events) / parseSeconds, userItemEdges: edges, bytesPerEdge: bytesPerEdge)
    }
}

/// What `bench ingest` reports.
struct BenchIngestResult: Encodable {
    struct Run: Encodable {
        var name: String
        var events: Int
        var eventsPerSecond: Double?
        var graphEventsPerSecond: Double
        var parseEventsPerSecond: Double?
        var userItemEdges: Int
        var bytesPerEdge: Double?

        enum CodingKeys: String, CodingKey {
            case name, events
            case eventsPerSecond = "events_per_second"
            case graphEventsPerSecond = "graph_events_per_second"
            case parseEventsPerSecond = "parse_events_per_second"
            case userItemEdges = "user_item_edges"
            case bytesPerEdge = "bytes_per_edge"
        }
    }

    var build: String
    var dataset: Run
    var synthetic: Run
    var peakMemoryBytes: Int

    enum CodingKeys: String, CodingKey {
        case build, dataset, synthetic
        case eventsPerSecond = "events_per_second"
        case graphEventsPerSecond = "graph_events_per_second"
        case bytesPerEdge = "bytes_per_edge"
        case peakMemoryBytes = "peak_memory_bytes"
    }

    /// Top-level figures are the synthetic stream's: the larger and harder of the two.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(build, forKey: .build)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(synthetic, forKey: .synthetic)
        try c.encode(synthetic.eventsPerSecond?.rounded(), forKey: .eventsPerSecond)
        try c.encode(synthetic.graphEventsPerSecond.rounded(), forKey: .graphEventsPerSecond)
        try c.encode(synthetic.bytesPerEdge, forKey: .bytesPerEdge)
        try c.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
    }

    var text: String {
        func rate(_ v: Double?) -> String { v.map { Format.count(Int($0.rounded())) + " events/s" } ?? "-" }
        var lines = ["bench ingest (\(build) build)"]
        for run in [dataset, synthetic] {
            lines.append("\(run.name): \(Format.count(run.events)) events, \(Format.count(run.userItemEdges)) user-item edges")
            if let both = run.eventsPerSecond { lines.append("  parse + graph   \(rate(both))") }
            lines.append("  graph only      \(rate(run.graphEventsPerSecond))")
            if let parse = run.parseEventsPerSecond { lines.append("  parse only      \(rate(parse))") }
            if let bytes = run.bytesPerEdge { lines.append(String(format: "  memory          %.0f bytes per user-item edge", bytes)) }
        }
        lines.append("peak memory: \(Format.bytes(peakMemoryBytes))")
        return lines.joined(separator: "\n")
    }
}

/// A seeded shop-like stream of interleaved sessions.
///
/// `concurrency` sessions are open at once; each event comes from a random open session, as
/// a clickstream from many simultaneous visitors does. A session belongs to a uniformly drawn
/// user, views a geometric number of items (mean 8) drawn by Zipf-like popularity, and may
/// walk a view -> click -> cart -> purchase funnel on each. 1% of events arrive up to a minute
/// late.
struct SyntheticStream {
    struct Batch {
        var users: [Int32] = []
        var items: [Int32] = []
        var actions: [Action] = []
        var times: [Double] = []
    }

    private struct Session {
        var user: Int32
        var viewsLeft: Int
        /// The next funnel step on the last item viewed, if any.
        var pending: (item: Int32, action: Action)?
    }

    private var rng: SeededGenerator
    private let userCount: Int
    private let cumulative: [Double]
    private var clock = 1_700_000_000.0
    private var sessions: [Session] = []

    init(seed: UInt64, users: Int, items: Int, concurrency: Int = 2_048, exponent: Double = 1.05) {
        rng = SeededGenerator(seed: seed)
        userCount = users
        var sum = 0.0
        var table = [Double](repeating: 0, count: items)
        for k in 0..<items {
            sum += 1 / pow(Double(k + 1), exponent)
            table[k] = sum
        }
        cumulative = table.map { $0 / sum }
        sessions = []
        for _ in 0..<max(1, concurrency) { sessions.append(newSession()) }
    }

    private mutating func newSession() -> Session {
        var views = 1
        while rng.next() % 8 != 0 { views += 1 }  // geometric, mean 8
        return Session(user: Int32(truncatingIfNeeded: rng.next() % UInt64(userCount)), viewsLeft: views, pending: nil)
    }

    private mutating func nextItem() -> Int32 {
        let u = Double.random(in: 0..<1, using: &rng)
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return Int32(lo)
    }

    mutating func next() -> (user: Int32, item: Int32, action: Action, time: Double) {
        clock += 0.05
        var time = clock
        if rng.next() % 100 == 0 { time -= Double(rng.next() % 60) }
        let s = Int(rng.next() % UInt64(sessions.count))
        var session = sessions[s]
        let item: Int32
        let action: Action
        if let step = session.pending {
            item = step.item
            action = step.action
            let advance = rng.next() % 100 < (action == .click ? 25 : action == .cart ? 40 : 0)
            session.pending = advance ? (item, action == .click ? .cart : .purchase) : nil
        } else {
            item = nextItem()
            action = .view
            session.viewsLeft -= 1
            session.pending = rng.next() % 100 < 30 ? (item, .click) : nil
        }
        let user = session.user
        sessions[s] = session.pending == nil && session.viewsLeft <= 0 ? newSession() : session
        return (user, item, action, time)
    }

    mutating func fill(_ batch: inout Batch, count: Int) {
        batch.users.removeAll(keepingCapacity: true)
        batch.items.removeAll(keepingCapacity: true)
        batch.actions.removeAll(keepingCapacity: true)
        batch.times.removeAll(keepingCapacity: true)
        for _ in 0..<count {
            let e = next()
            batch.users.append(e.user)
            batch.items.append(e.item)
            batch.actions.append(e.action)
            batch.times.append(e.time)
        }
    }

    /// Writes `user,item,action,timestamp` rows (ids `u123`, `i45`; times in milliseconds).
    mutating func writeCSV(to path: String, events: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 128)
        buffer.append(contentsOf: "user,item,action,timestamp\n".utf8)
        func number(_ v: Int) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = v
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[count] = UInt8(n % 10) + 0x30
                    n /= 10
                    count += 1
                } while n > 0
                for k in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[k]) }
            }
        }
        for _ in 0..<events {
            let e = next()
            buffer.append(UInt8(ascii: "u"))
            number(Int(e.user))
            buffer.append(UInt8(ascii: ","))
            buffer.append(UInt8(ascii: "i"))
            number(Int(e.item))
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: e.action.name.utf8)
            buffer.append(UInt8(ascii: ","))
            number(Int(e.time * 1000))
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }
}
