import Foundation
import GRDB
public import InterestGraph

/// SQL over `checkpoints` and `checkpoint_tables`.
enum CheckpointStore {
    /// Writes one checkpoint, then deletes all but the newest `keep` of its run.
    static func insert(_ checkpoint: ModelCheckpoint, run: Int64, at time: Double, keep: Int, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO checkpoints (run_id, created_at, step, graph_clock, source_position, hyperparameters, user_ids, item_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                run, time, checkpoint.step, checkpoint.graphClock, checkpoint.sourcePosition, Data(checkpoint.hyperparameters),
                StringListBlob.encode(checkpoint.userIDs), StringListBlob.encode(checkpoint.itemIDs),
            ])
        let id = db.lastInsertedRowID
        let statement = try db.makeStatement(sql: "INSERT INTO checkpoint_tables (checkpoint_id, name, count, data) VALUES (?, ?, ?, ?)")
        for name in checkpoint.tables.keys.sorted() {
            let values = checkpoint.tables[name]!
            try statement.execute(arguments: [id, name, values.count, FloatBlob.encode(values)])
        }
        try db.execute(
            sql: """
                DELETE FROM checkpoints WHERE run_id = ?1 AND id NOT IN
                    (SELECT id FROM checkpoints WHERE run_id = ?1 ORDER BY id DESC LIMIT ?2)
                """,
            arguments: [run, max(1, keep)])
    }

    static func latest(run: Int64, in db: Database, path: String) throws -> ModelCheckpoint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE run_id = ? ORDER BY id DESC LIMIT 1", arguments: [run]) else {
            return nil
        }
        return try load(row, run: run, in: db, path: path)
    }

    /// One checkpoint by id (`nil` when it is gone).
    static func checkpoint(id: Int64, run: Int64, in db: Database, path: String) throws -> ModelCheckpoint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE id = ? AND run_id = ?", arguments: [id, run]) else {
            return nil
        }
        return try load(row, run: run, in: db, path: path)
    }

    /// The newest checkpoint of a run without its tables' data: what a resume plans with
    /// before the tables (a gigabyte at a million users) are read.
    static func latestSummary(run: Int64, in db: Database) throws -> CheckpointSummary? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, step, source_position, hyperparameters FROM checkpoints WHERE run_id = ? ORDER BY id DESC LIMIT 1", arguments: [run]) else {
            return nil
        }
        let id: Int64 = row["id"]
        let names = try String.fetchAll(db, sql: "SELECT name FROM checkpoint_tables WHERE checkpoint_id = ?", arguments: [id])
        let hyperparameters: Data = row["hyperparameters"]
        return CheckpointSummary(id: id, step: row["step"], sourcePosition: row["source_position"], hyperparameters: Array(hyperparameters), tableNames: Set(names))
    }

    private static func load(_ row: Row, run: Int64, in db: Database, path: String) throws -> ModelCheckpoint {
        let id: Int64 = row["id"]
        let damaged = { (what: String) in WorkspaceError(.corrupt, "\(path): damaged checkpoint \(id) of run \(run): \(what)") }
        let hyperparameters: Data = row["hyperparameters"]
        guard let users = StringListBlob.decode(row["user_ids"]) else { throw damaged("user ids do not decode") }
        guard let items = StringListBlob.decode(row["item_ids"]) else { throw damaged("item ids do not decode") }
        var tables: [String: [Float]] = [:]
        for table in try Row.fetchAll(db, sql: "SELECT name, count, data FROM checkpoint_tables WHERE checkpoint_id = ?", arguments: [id]) {
            let name: String = table["name"]
            let count: Int = table["count"]
            guard let values = FloatBlob.decode(table["data"]), values.count == count else {
                throw damaged("table '\(name)' does not hold \(count) floats")
            }
            tables[name] = values
        }
        return ModelCheckpoint(
            step: row["step"], graphClock: row["graph_clock"], sourcePosition: row["source_position"],
            hyperparameters: Array(hyperparameters), tables: tables, userIDs: users, itemIDs: items)
    }

    /// Whether a table holds one row per user: its name, or the last dot-separated part of
    /// it, starts with "user" ("user", "user_bias", "adam.m.user").
    static func isPerUser(_ name: String) -> Bool {
        let last = name.split(separator: ".").last ?? Substring(name)
        return last.hasPrefix("user")
    }

    /// Blanks `user` in every checkpoint's id list and zeroes their rows in every per-user
    /// table. Returns the number of checkpoints rewritten.
    static func forget(user: String, in db: Database, path: String) throws -> Int {
        let needle = Data(user.utf8)
        let candidates = try Row.fetchAll(db, sql: "SELECT id, run_id, user_ids FROM checkpoints WHERE instr(user_ids, ?) > 0", arguments: [needle])
        var rewritten = 0
        for row in candidates {
            let id: Int64 = row["id"]
            guard var users = StringListBlob.decode(row["user_ids"]) else {
                throw WorkspaceError(.corrupt, "\(path): damaged checkpoint \(id): user ids do not decode")
            }
            let rows = users.indices.filter { users[$0] == user }
            guard !rows.isEmpty else { continue }
            for r in rows { users[r] = "" }
            for table in try Row.fetchAll(db, sql: "SELECT id, name, count, data FROM checkpoint_tables WHERE checkpoint_id = ?", arguments: [id]) {
                let name: String = table["name"]
                guard isPerUser(name) else { continue }
                let count: Int = table["count"]
                guard var values = FloatBlob.decode(table["data"]), values.count == count, count % users.count == 0 else {
                    throw WorkspaceError(.invalid, "\(path): checkpoint \(id) table '\(name)' holds \(count) floats, not a whole row per each of its \(users.count) users; nothing was forgotten")
                }
                let stride = count / users.count
                for r in rows {
                    for k in r * stride..<(r + 1) * stride { values[k] = 0 }
                }
                try db.execute(sql: "UPDATE checkpoint_tables SET data = ? WHERE id = ?", arguments: [FloatBlob.encode(values), table["id"] as Int64])
            }
            try db.execute(sql: "UPDATE checkpoints SET user_ids = ? WHERE id = ?", arguments: [StringListBlob.encode(users), id])
            rewritten += 1
        }
        return rewritten
    }
}

/// A checkpoint's row without its tables' data (``Workspace/latestCheckpointSummary(run:)``).
public struct CheckpointSummary: Sendable, Hashable {
    public var id: Int64
    public var step: Int
    /// Events of the log the checkpoint covers.
    public var sourcePosition: Int64
    /// Hyperparameters as JSON.
    public var hyperparameters: [UInt8]
    public var tableNames: Set<String>
}

extension Workspace {
    /// The newest checkpoint of a run, tables bit-exact as saved.
    public func latestCheckpoint(run: Int64) throws -> ModelCheckpoint? {
        try read { db in try CheckpointStore.latest(run: run, in: db, path: path) }
    }

    /// One checkpoint of a run by id, tables bit-exact as saved (`nil` when it is gone).
    public func checkpoint(id: Int64, run: Int64) throws -> ModelCheckpoint? {
        try read { db in try CheckpointStore.checkpoint(id: id, run: run, in: db, path: path) }
    }

    /// The newest checkpoint of a run without reading its tables.
    public func latestCheckpointSummary(run: Int64) throws -> CheckpointSummary? {
        try read { db in try CheckpointStore.latestSummary(run: run, in: db) }
    }
}
