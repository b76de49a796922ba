import GRDB

extension Workspace {
    /// Removes a user from the file: their events from every run's log, their bookmarks,
    /// and their id and embedding rows from every checkpoint (see
    /// ``CheckpointStore/isPerUser(_:)``). Then `VACUUM` rebuilds the file so no free page
    /// keeps the bytes, and the write-ahead log is checkpointed and truncated.
    ///
    /// Removing the user from a live graph and model is the engine's part. With a
    /// ``WorkspaceRecorder`` attached, call ``WorkspaceRecorder/forget(user:)`` instead, so
    /// events still buffered are written (and then erased) first.
    /// - Complexity: O(file size) for the vacuum; the log is scanned with a byte search.
    @discardableResult
    public func forget(user: String) throws -> ForgetReport {
        guard !user.isEmpty else { throw WorkspaceError(.invalid, "\(path): forget needs a non-empty user id") }
        let path = self.path
        var report = try write { db in
            let events = try EventLog.forget(user: user, in: db, path: path)
            try db.execute(sql: "DELETE FROM bookmarks WHERE user = ?", arguments: [user])
            let bookmarks = db.changesCount
            let checkpoints = try CheckpointStore.forget(user: user, in: db, path: path)
            return ForgetReport(events: events, bookmarks: bookmarks, checkpoints: checkpoints, walTruncated: false)
        }
        do {
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                // TRUNCATE copies the log into the file and empties it; `busy` is non-zero
                // when another connection's read kept it from finishing.
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let busy: Int = row?[0] ?? 1
                report.walTruncated = busy == 0
            }
        } catch {
            throw mapped(error)
        }
        return report
    }
}
