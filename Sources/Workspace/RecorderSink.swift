import Foundation
import GRDB
import InterestGraph

/// One unit of recorder work, in call order.
enum RecorderJob: Sendable {
    case events([RecordedEvent])
    case interned(InternedSlice)
    case change(ChangeRecord)
    case metrics(RunMetricsPoint)
    case checkpoint(ModelCheckpoint, time: Double)
    case catalogue(ItemCatalogue)
    case finish(Double)

    var eventCount: Int {
        switch self {
        case .events(let e): e.count
        case .interned(let slice): slice.events.count
        default: 0
        }
    }
}

/// Turns recorder jobs into transactions. Used by exactly one thread at a time: the
/// background writer, or the caller in inline mode.
struct RecorderSink: Sendable {
    let database: DatabaseQueue
    let path: String
    let run: Int64
    let policy: RecorderPolicy
    /// The source's entry ids, stored with their events (a stream source); `nil` for others.
    let ledger: (any SourcePositionLedger)?
    /// The position after the last committed event.
    private(set) var loggedPosition: Int64
    private var metricsCount: Int
    /// Id-to-name tables for interned slices, updated in stream order.
    private(set) var names = EventLog.Names()

    init(database: DatabaseQueue, path: String, run: Int64, policy: RecorderPolicy, ledger: (any SourcePositionLedger)? = nil) throws {
        self.database = database
        self.path = path
        self.run = run
        self.policy = policy
        self.ledger = ledger
        do {
            (loggedPosition, metricsCount) = try database.read { db in
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", arguments: [run]) == true else {
                    throw WorkspaceError(.notFound, "\(path): no run \(run)")
                }
                return (try EventLog.loggedPosition(run: run, in: db), try MetricsStore.count(run: run, in: db))
            }
        } catch {
            throw WorkspaceFile.mapped(error, path: path)
        }
    }

    /// Writes `jobs` in order: events, changes and metrics together in one transaction, each
    /// checkpoint and the finish mark in their own, after everything queued before them.
    /// Events at or below a position already logged are dropped.
    mutating func write(_ jobs: [RecorderJob]) throws {
        var parts: [EventLog.Part] = []
        var others: [RecorderJob] = []
        var next = loggedPosition
        for job in jobs {
            switch job {
            case .events(let slice):
                // Slices arrive strictly increasing (the recorder filters them); only their
                // start may fall below what is logged, after a resume.
                guard let last = slice.last, last.position >= next else { continue }
                var start = slice.startIndex
                while slice[start].position < next { start += 1 }
                parts.append(.events(slice[start...]))
                next = last.position + 1
            case .interned(let slice):
                // Kept even when no event is new: its name changes must be applied.
                let kept = Self.kept(slice, from: next)
                parts.append(kept.part)
                next = kept.next
            case .change, .metrics:
                others.append(job)
            case .checkpoint(let checkpoint, let time):
                try commit(&parts, &others, next)
                try transaction { db in
                    try CheckpointStore.insert(checkpoint, run: run, at: time, keep: policy.checkpointsKept, in: db)
                    try Self.touch(run: run, at: time, in: db)
                }
            case .catalogue(let catalogue):
                try commit(&parts, &others, next)
                try transaction { db in try CatalogueStore.save(catalogue, run: run, in: db) }
            case .finish(let time):
                try commit(&parts, &others, next)
                try transaction { db in
                    try db.execute(sql: "UPDATE runs SET status = 'finished', ended_at = ?1, updated_at = ?1 WHERE id = ?2", arguments: [time, run])
                }
            }
        }
        try commit(&parts, &others, next)
    }

    /// The events of `slice` to log: those whose position is above every earlier one, from
    /// `next` on. The engine's slices are strictly increasing, so this is a range found by a
    /// scan (on this thread, not the engine's); anything else is filtered into a copy.
    static func kept(_ slice: InternedSlice, from next: Int64) -> (part: EventLog.Part, next: Int64) {
        let events = slice.events
        var start = 0
        while start < events.count, events[start].position < next { start += 1 }
        var previous = next - 1
        var increasing = true
        for k in start..<events.count {
            if events[k].position <= previous {
                increasing = false
                break
            }
            previous = events[k].position
        }
        if increasing { return (.interned(slice, kept: start..<events.count), previous + 1) }
        var copy = slice
        copy.events = []
        copy.attributes = []
        var position = next
        var a = 0
        for (k, event) in events.enumerated() {
            while a < slice.attributes.count, slice.attributes[a].index < k { a += 1 }
            guard event.position >= position else { continue }
            if a < slice.attributes.count, slice.attributes[a].index == k {
                copy.attributes.append(CarriedAttributes(index: copy.events.count, attributes: slice.attributes[a].attributes))
            }
            copy.events.append(event)
            position = event.position + 1
        }
        return (.interned(copy, kept: 0..<copy.events.count), position)
    }

    private mutating func commit(_ parts: inout [EventLog.Part], _ others: inout [RecorderJob], _ next: Int64) throws {
        guard !parts.isEmpty || !others.isEmpty else { return }
        let batches: [EventLog.EncodedBatch]
        if !names.log.isLoaded {
            // A resumed run continues its numbering; read on this (the writer's) thread.
            let run = self.run
            do {
                names.log = try database.read { db in
                    var log = LogNameWriter()
                    try log.load(run: run, in: db)
                    return log
                }
            } catch {
                throw WorkspaceFile.mapped(error, path: path)
            }
        }
        let newNames: [(kind: LogNameKind, number: UInt32, data: Data)]
        do {
            batches = try EventLog.encode(parts, names: &names)
            newNames = names.log.takePending()
        } catch let unnamed as EventLog.UnnamedID {
            throw WorkspaceError(.invalid, "\(path): run \(run): the event at position \(unnamed.position) has \(unnamed.kind) id \(unnamed.id), which no recorded slice named")
        }
        var count = metricsCount
        let policy = self.policy
        let run = self.run
        let logged = loggedPosition
        let sourceIDs = parts.isEmpty ? [] : ledger?.sourceIDs(in: logged..<max(logged, next)) ?? []
        try transaction { db in
            // Names first, in the same transaction: a committed row never names a number
            // the file does not hold, whenever the writer is killed.
            try LogNames.insert(newNames, run: run, in: db)
            try EventLog.insert(batches, run: run, in: db)
            try SourceIDStore.insert(sourceIDs, run: run, in: db)
            for job in others {
                switch job {
                case .change(let change):
                    try MetricsStore.insert(change, run: run, in: db)
                case .metrics(let point):
                    if count >= policy.metricsKept { count = try MetricsStore.thin(run: run, in: db) }
                    try MetricsStore.insert(point, run: run, in: db)
                    count += 1
                default:
                    break
                }
            }
            try Self.touch(run: run, at: Date().timeIntervalSince1970, in: db)
        }
        metricsCount = count
        if !parts.isEmpty {
            loggedPosition = next
            ledger?.logged(below: next)
        }
        parts.removeAll()
        others.removeAll()
    }

    /// One IMMEDIATE transaction: the write lock is taken at BEGIN, where SQLite's busy
    /// handler waits for another connection (a `runs list` beside the dashboard opens one).
    /// A DEFERRED transaction that reads first and then writes can fail at once with
    /// SQLITE_BUSY, without waiting, when another connection wrote in between.
    private func transaction(_ body: (Database) throws -> Void) throws {
        do {
            try database.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
        } catch {
            throw WorkspaceFile.mapped(error, path: path)
        }
    }

    static func touch(run: Int64, at time: Double, in db: Database) throws {
        try db.execute(sql: "UPDATE runs SET updated_at = MAX(updated_at, ?) WHERE id = ?", arguments: [time, run])
    }
}
