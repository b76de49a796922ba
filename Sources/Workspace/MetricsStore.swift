import GRDB
import InterestGraph

/// SQL over `metrics` and `changes`.
enum MetricsStore {
    static func insert(_ point: RunMetricsPoint, run: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO metrics (run_id, step, wall_time, clock, loss, hr10, mrr, events_per_second, events)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                run, point.step, point.wallTime, point.clock, point.loss.map { Double($0) }, point.hitRate10, point.mrr,
                point.eventsPerSecond, point.events,
            ])
    }

    static func count(run: Int64, in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metrics WHERE run_id = ?", arguments: [run]) ?? 0
    }

    /// Deletes every second point of the run (the 2nd, 4th, ... in insertion order), halving
    /// the resolution of the past while new points keep arriving at full rate. Returns the
    /// number of points left.
    static func thin(run: Int64, in db: Database) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM metrics WHERE id IN (
                    SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM metrics WHERE run_id = ?1)
                    WHERE rank % 2 = 0)
                """,
            arguments: [run])
        return try count(run: run, in: db)
    }

    static func insert(_ change: ChangeRecord, run: Int64, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO changes (run_id, step, time, key, old_value, new_value, origin, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [run, change.step, change.time, change.key, change.oldValue, change.newValue, change.origin.rawValue, change.note])
    }
}
