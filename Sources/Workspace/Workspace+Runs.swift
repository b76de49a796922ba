public import InterestGraph
import Foundation
import GRDB

extension Workspace {
    // MARK: Starting and resuming

    /// Starts a run and returns its id. Status `running`.
    /// - Parameters:
    ///   - source: `.replay` for a dataset, `.simulation` for a scenario.
    ///   - name: the dataset path or name, or the scenario path.
    ///   - hyperparameters: JSON (an object, for `runs compare` to diff its keys).
    public func beginRun(
        source: SourceStatus.Kind, name: String, seed: UInt64?, codeVersion: String,
        hyperparameters: [UInt8], at time: Double? = nil
    ) throws -> Int64 {
        let time = time ?? Date().timeIntervalSince1970
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (started_at, updated_at, source_kind, source, seed, code_version, initial_hyperparameters, status)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'running')
                    """,
                arguments: [time, time, source.rawValue, name, seed.map { Int64(bitPattern: $0) }, codeVersion, String(decoding: hyperparameters, as: UTF8.self)])
            return db.lastInsertedRowID
        }
    }

    /// Marks a run as running again (clears its end time), for `--resume`.
    public func resume(run id: Int64, at time: Double? = nil) throws {
        let time = time ?? Date().timeIntervalSince1970
        try write { db in
            try db.execute(sql: "UPDATE runs SET status = 'running', ended_at = NULL, updated_at = ? WHERE id = ?", arguments: [time, id])
            guard db.changesCount == 1 else { throw WorkspaceError(.notFound, "\(path): no run \(id)") }
        }
    }

    /// Deletes a run with its log, changes, metrics and checkpoints (bookmarks keep their
    /// note and lose the run). Freed pages are zeroed (`secure_delete`).
    public func deleteRun(_ id: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw WorkspaceError(.notFound, "\(path): no run \(id)") }
        }
    }

    // MARK: Reading

    /// The most recently started run.
    public func lastRun() throws -> RunRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT 1").map(Self.runRecord) }
    }

    public func run(_ id: Int64) throws -> RunRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.runRecord) }
    }

    /// Every run, oldest first, with its log size and last metrics point.
    public func runs() throws -> [RunSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map { row in
                try Self.summary(of: Self.runRecord(row), in: db)
            }
        }
    }

    /// A run with its changes, metrics summary and checkpoints.
    public func detail(run id: Int64) throws -> RunDetail {
        try read { db in try Self.detail(run: id, in: db, path: path) }
    }

    /// Two runs side by side: initial settings, changes during each, final metrics.
    public func compare(_ left: Int64, _ right: Int64) throws -> RunComparison {
        try read { db in
            let a = try Self.detail(run: left, in: db, path: path)
            let b = try Self.detail(run: right, in: db, path: path)
            let settingsA = HyperparameterJSON.flatten(a.summary.run.hyperparameters)
            let settingsB = HyperparameterJSON.flatten(b.summary.run.hyperparameters)
            let keys = Set(settingsA.keys).union(settingsB.keys).sorted()
            return RunComparison(
                left: a, right: b,
                settings: keys.map { RunComparison.Setting(key: $0, left: settingsA[$0], right: settingsB[$0]) })
        }
    }

    /// The hyperparameter changes of a run, oldest first.
    public func changes(run id: Int64) throws -> [ChangeRecord] {
        try read { db in try Self.changes(run: id, in: db) }
    }

    /// A run's metrics timeline, oldest first (thinned to the recorder's bound): what the
    /// dashboard overlays when comparing against another run.
    public func metrics(run id: Int64) throws -> [RunMetricsPoint] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM metrics WHERE run_id = ? ORDER BY id", arguments: [id]).map(Self.metricsPoint)
        }
    }

    // MARK: Row mapping

    static func runRecord(_ row: Row) -> RunRecord {
        let seed: Int64? = row["seed"]
        let hyperparameters: String = row["initial_hyperparameters"]
        let status: String = row["status"]
        let kind: String = row["source_kind"]
        return RunRecord(
            id: row["id"], startedAt: row["started_at"], endedAt: row["ended_at"], updatedAt: row["updated_at"],
            sourceKind: SourceStatus.Kind(rawValue: kind) ?? .idle, source: row["source"],
            seed: seed.map { UInt64(bitPattern: $0) }, codeVersion: row["code_version"],
            hyperparameters: Array(hyperparameters.utf8), status: RunRecord.Status(rawValue: status) ?? .running)
    }

    static func metricsPoint(_ row: Row) -> RunMetricsPoint {
        let loss: Double? = row["loss"]
        return RunMetricsPoint(
            step: row["step"], wallTime: row["wall_time"], clock: row["clock"], loss: loss.map { Float($0) },
            hitRate10: row["hr10"], mrr: row["mrr"], eventsPerSecond: row["events_per_second"], events: row["events"])
    }

    static func summary(of run: RunRecord, in db: Database) throws -> RunSummary {
        let events = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM event_batches WHERE run_id = ?", arguments: [run.id]) ?? 0
        var final = try Row.fetchOne(db, sql: "SELECT * FROM metrics WHERE run_id = ? ORDER BY id DESC LIMIT 1", arguments: [run.id]).map(metricsPoint)
        if final?.eventsPerSecond == 0, let rate = try Double.fetchOne(
            db, sql: "SELECT events_per_second FROM metrics WHERE run_id = ? AND events_per_second > 0 ORDER BY id DESC LIMIT 1",
            arguments: [run.id]) {
            final?.eventsPerSecond = rate
        }
        return RunSummary(run: run, loggedEvents: events, loggedPosition: try EventLog.loggedPosition(run: run.id, in: db), final: final)
    }

    static func changes(run id: Int64, in db: Database) throws -> [ChangeRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM changes WHERE run_id = ? ORDER BY id", arguments: [id]).map { row in
            let origin: String = row["origin"]
            return ChangeRecord(
                step: row["step"], time: row["time"], key: row["key"], oldValue: row["old_value"], newValue: row["new_value"],
                origin: ChangeRecord.Origin(rawValue: origin) ?? .user, note: row["note"])
        }
    }

    static func detail(run id: Int64, in db: Database, path: String) throws -> RunDetail {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
            throw WorkspaceError(.notFound, "\(path): no run \(id)")
        }
        let summary = try summary(of: runRecord(row), in: db)
        var metrics: MetricSummary?
        if let final = summary.final,
           let s = try Row.fetchOne(db, sql: """
               SELECT COUNT(*) AS n, MIN(step) AS first_step, MAX(step) AS last_step, MIN(loss) AS min_loss,
                      MAX(hr10) AS best_hr10, MAX(mrr) AS best_mrr, AVG(events_per_second) AS mean_eps,
                      (SELECT loss FROM metrics WHERE run_id = ?1 AND loss IS NOT NULL ORDER BY id LIMIT 1) AS first_loss,
                      (SELECT loss FROM metrics WHERE run_id = ?1 AND loss IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_loss
               FROM metrics WHERE run_id = ?1
               """, arguments: [id]) {
            let minimum: Double? = s["min_loss"]
            let first: Double? = s["first_loss"]
            let last: Double? = s["last_loss"]
            metrics = MetricSummary(
                points: s["n"], firstStep: s["first_step"], lastStep: s["last_step"],
                firstLoss: first.map { Float($0) }, lastLoss: last.map { Float($0) }, minimumLoss: minimum.map { Float($0) },
                bestHitRate10: s["best_hr10"], bestMRR: s["best_mrr"], meanEventsPerSecond: s["mean_eps"], final: final)
        }
        let checkpoints = try Row.fetchAll(db, sql: """
            SELECT c.id, c.created_at, c.step, c.graph_clock, c.source_position, c.user_ids, c.item_ids,
                   (SELECT COALESCE(SUM(count), 0) FROM checkpoint_tables t WHERE t.checkpoint_id = c.id) AS floats
            FROM checkpoints c WHERE c.run_id = ? ORDER BY c.id
            """, arguments: [id]).map { row in
            let users: Data = row["user_ids"]
            let items: Data = row["item_ids"]
            return CheckpointInfo(
                id: row["id"], createdAt: row["created_at"], step: row["step"], graphClock: row["graph_clock"],
                sourcePosition: row["source_position"], floats: row["floats"],
                users: StringListBlob.count(users), items: StringListBlob.count(items))
        }
        return RunDetail(summary: summary, changes: try changes(run: id, in: db), metrics: metrics, checkpoints: checkpoints)
    }
}
