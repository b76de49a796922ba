import ArgumentParser
import Foundation
import InterestGraph
import RedisStream
import Workspace

/// `serve --own 0,1 --of 4 [--engine-id ID]`: the partitions of a shared stream this engine
/// reads. They go into the source URL (`own=`, `partitions=`, `engine=`), so the workspace
/// run records them and `--resume` comes back with the same partitions under the same
/// engine id (taking its own claims back at once).
struct OwnershipOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Partitions of the --source stream this engine owns and reads: K, K-L or a comma list (0,1 or 0-3). Needs --of.", valueName: "partitions"))
    var own: String?

    @Option(name: .long, help: ArgumentHelp("The stream's partition count (what it was published with); required with --own.", valueName: "N"))
    var of: Int?

    @Option(name: .long, help: ArgumentHelp("The id this engine claims its partitions under (default: a new random one per run; a resumed run keeps its recorded id).", valueName: "id"))
    var engineID: String?

    @Option(name: .long, help: ArgumentHelp("With --own: seconds between exchanges of item-vector deltas with the other engines through Redis (NAME:items); 0: none.", valueName: "seconds"))
    var syncEvery: Double = 1

    @Flag(name: .long, inversion: .prefixedNo, help: "With --own and sharing on: share item popularity and co-visitation counts too (MostPop, ItemKNN, the hybrid's terms), not only item rows.")
    var syncCounts = true

    func validate() throws {
        guard syncEvery.isFinite, syncEvery >= 0 else { throw ValidationError("--sync-every must be 0 or more seconds, got \(syncEvery)") }
        guard own != nil || of != nil || engineID != nil else { return }
        guard own != nil, let of else { throw ValidationError("--own and --of go together: --own 0,1 --of 4 (partitions 0 and 1 of a 4-partition stream)") }
        guard (1...StreamURL.maxPartitions).contains(of) else { throw ValidationError("--of must be a partition count from 1 to \(StreamURL.maxPartitions), got \(of)") }
        if let own {
            do { _ = try StreamURL.ownedPartitions(own, of: of) } catch { throw ValidationError("--\(error)") }
        }
        if let engineID, engineID.isEmpty || engineID.contains(where: { $0.isWhitespace || $0 == "&" || $0 == "?" }) {
            throw ValidationError("--engine-id '\(engineID)' must be non-empty, without spaces, '&' or '?'")
        }
    }

    var isSet: Bool { own != nil }

    /// A new engine id: this host's name and 8 random hex digits.
    static func newEngineID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    /// Rewrites `options.source` (a stream URL) to read only the owned partitions, or, for
    /// `--resume`, checks that the recorded run owns the same ones.
    /// - Returns: the URL the engine reads (`nil` without `--own`).
    func apply(to options: inout EngineOptions) throws -> StreamURL? {
        if options.resume {
            guard let path = options.recording.path, FileManager.default.fileExists(atPath: path),
                  let last = try Workspace(path: path, create: false, access: .readOnly).lastRun() else { return nil }
            let recorded = try? StreamURL(parsing: last.source)
            guard let own, let of else { return recorded?.owned == nil ? nil : recorded }
            let owned = try StreamURL.ownedPartitions(own, of: of)
            guard let recorded, recorded.owned == owned, recorded.partitions == of else {
                throw CommandError("--resume: the workspace's run reads \(last.source), not partitions \(StreamURL.describe(partitions: owned)) of \(of): resume it without --own, or start a new workspace")
            }
            return recorded
        }
        guard let own, let of else { return nil }
        let owned = try StreamURL.ownedPartitions(own, of: of)
        guard StreamSources.isStream(options.source) else {
            throw CommandError("--own needs a stream --source redis://HOST:PORT/NAME, got '\(options.source)'")
        }
        var url = try StreamSources.url(options.source)
        if let n = url.partitions, n != of {
            throw CommandError("--of \(of) but the URL says partitions=\(n)")
        }
        if let id = url.engine, let engineID, id != engineID {
            throw CommandError("--engine-id \(engineID) but the URL says engine=\(id)")
        }
        url.partitions = of
        url.owned = owned
        url.engine = engineID ?? url.engine ?? Self.newEngineID()
        // Engines on one host would share the default consumer name; the engine id is unique.
        if url.consumer == StreamURL.defaultConsumer { url.consumer = url.engine ?? url.consumer }
        options.source = url.description
        return url
    }

    /// `owns partitions 0,1 of 4 as engine E; 2,3: engine F; unowned: none`: the claims as
    /// Redis holds them once this engine has claimed its own.
    static func report(_ url: StreamURL) -> String {
        guard let owned = url.owned, let count = url.partitions else { return "" }
        var text = "owns partitions \(StreamURL.describe(partitions: owned)) of \(count) of \(url.streamAddress) as engine \(url.engine ?? "?")"
        guard let owners = try? PartitionClaims.owners(url, count: count) else { return text + " (the other partitions' owners could not be read)" }
        var byEngine: [String: [Int]] = [:]
        var unowned: [Int] = []
        for o in owners where !owned.contains(o.partition) {
            if let e = o.engine { byEngine[e, default: []].append(o.partition) } else { unowned.append(o.partition) }
        }
        for e in byEngine.keys.sorted() { text += "; \(StreamURL.describe(partitions: byEngine[e] ?? [])): engine \(e)" }
        text += unowned.isEmpty ? "; every partition is owned" : "; unowned (no engine reads them yet): \(StreamURL.describe(partitions: unowned))"
        return text
    }
}
