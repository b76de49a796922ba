import Foundation
import GRDB

extension Workspace {
    /// Bookmarks a user with a note; returns the bookmark id.
    @discardableResult
    public func addBookmark(user: String, note: String, run: Int64? = nil, at time: Double? = nil) throws -> Int64 {
        let time = time ?? Date().timeIntervalSince1970
        return try write { db in
            try db.execute(sql: "INSERT INTO bookmarks (run_id, user, note, created_at) VALUES (?, ?, ?, ?)", arguments: [run, user, note, time])
            return db.lastInsertedRowID
        }
    }

    /// Every bookmark, oldest first.
    public func bookmarks() throws -> [Bookmark] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM bookmarks ORDER BY id").map { row in
                Bookmark(id: row["id"], run: row["run_id"], user: row["user"], note: row["note"], createdAt: row["created_at"])
            }
        }
    }

    public func removeBookmark(_ id: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM bookmarks WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw WorkspaceError(.notFound, "\(path): no bookmark \(id)") }
        }
    }
}
