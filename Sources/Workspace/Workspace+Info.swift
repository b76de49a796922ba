import Foundation
import GRDB

extension Workspace {
    /// Counts and sizes for `workspace info`.
    public func info() throws -> WorkspaceInfo {
        let path = self.path
        return try read { db in
            let runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") ?? 0
            let events = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM event_batches") ?? 0
            let checkpoints = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoints") ?? 0
            let bookmarks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookmarks") ?? 0
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
            var bytes: Int64 = 0
            for suffix in ["", "-wal"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
                bytes += size ?? 0
            }
            return WorkspaceInfo(
                path: path, schemaVersion: version, runs: runs, events: events, checkpoints: checkpoints,
                bookmarks: bookmarks, fileBytes: bytes, journalMode: mode)
        }
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound file, else SQLite's list of problems.
    /// - Complexity: O(file size).
    public func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
