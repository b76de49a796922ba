import Foundation
import GRDB
import InterestGraph

/// One unit of recorder work, in call order.
enum RecorderJob: Sendable {
    case events([RecordedEvent])
    case change(ChangeRecord)
    case metrics(RunMetricsPoint)
    case checkpoint(ModelCheckpoint, time: Double)
    case finish(Double)

    var eventCount: Int {
        if case .events(let e) = self { return e.count }
        return 0
    }
}

/// Turns recorder jobs into transactions. Used by exactly one thread at a time: the
/// background writer, or the caller in inline mode.
struct RecorderSink: Sendable {
    let database: DatabaseQueue
    let path: String
    let run: Int64
    let policy: RecorderPolicy
    /// The position after the last committed event.
    private(set) var loggedPosition: Int64
    private var metricsCount: Int

    init(database: DatabaseQueue, path: String, run: Int64, policy: RecorderPolicy) throws {
        self.database = database
        self.path = path
        self.run = run
        self.policy = policy
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
        var parts: [ArraySlice<RecordedEvent>] = []
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
                parts.append(slice[start...])
                next = last.position + 1
            case .change, .metrics:
                others.append(job)
            case .checkpoint(let checkpoint, let time):
                try commit(&parts, &others, next)
                try transaction { db in
                    try CheckpointStore.insert(checkpoint, run: run, at: time, keep: policy.checkpointsKept, in: db)
                    try Self.touch(run: run, at: time, in: db)
                }
            case .finish(let time):
                try commit(&parts, &others, next)
                try transaction { db in
                    try db.execute(sql: "UPDATE runs SET status = 'finished', ended_at = ?1, updated_at = ?1 WHERE id = ?2", arguments: [time, run])
                }
            }
        }
        try commit(&parts, &others, next)
    }

    private mutating func commit(_ parts: inout [ArraySlice<RecordedEvent>], _ others: inout [RecorderJob], _ next: Int64) throws {
        guard !parts.isEmpty || !others.isEmpty else { return }
        let batches = EventLog.encode(parts)
        var count = metricsCount
        let policy = self.policy
        let run = self.run
        try transaction { db in
            try EventLog.insert(batches, run: run, in: db)
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
        if !parts.isEmpty { loggedPosition = next }
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
