import GRDB
import InterestGraph

/// SQL over `event_source_ids`: each logged event's id in its source (a stream entry).
enum SourceIDStore {
    static func insert(_ ids: [(position: Int64, id: String)], run: Int64, in db: Database) throws {
        guard !ids.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT INTO event_source_ids (run_id, position, source_id) VALUES (?, ?, ?)")
        for entry in ids { try statement.execute(arguments: [run, entry.position, entry.id]) }
    }

    /// Files older than schema v3 (opened read-only, so not migrated) have no table.
    static func exists(in db: Database) throws -> Bool { try db.tableExists("event_source_ids") }
}

extension Workspace {
    /// The source ids logged at positions `from` and above in `run`: what a resumed stream
    /// reader must not deliver again. Bounded by the reader's in-flight window, so small.
    /// - Complexity: O(log n + k) through the primary key.
    public func sourceIDs(run: Int64, from position: Int64) throws -> Set<String> {
        try read { db in
            guard try SourceIDStore.exists(in: db) else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT source_id FROM event_source_ids WHERE run_id = ? AND position >= ?", arguments: [run, position]))
        }
    }

    /// Every logged source id of `run` with its position, in position order (tests, audits).
    public func loggedSourceIDs(run: Int64) throws -> [(position: Int64, id: String)] {
        try read { db in
            guard try SourceIDStore.exists(in: db) else { return [] }
            return try Row.fetchAll(db, sql: "SELECT position, source_id FROM event_source_ids WHERE run_id = ? ORDER BY position", arguments: [run])
                .map { (position: $0["position"], id: $0["source_id"]) }
        }
    }
}
