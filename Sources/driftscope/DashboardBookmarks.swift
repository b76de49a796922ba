import Dashboard
import Workspace

/// The bookmarks a dashboard starts with and saves to, read from a workspace and handed to
/// the Dashboard module as plain data (it never imports Workspace).
enum DashboardBookmarks {
    /// The bookmarks of the workspace at `path` (also those made with `workspace bookmark`),
    /// and a saver that writes a new one at once, attached to `run` (the run being recorded).
    /// - Throws: when the workspace cannot be opened or read.
    static func store(path: String, run: Int64?) throws -> BookmarkStore {
        let workspace = try Workspace(path: path, create: false)
        let saved = try workspace.bookmarks().map { UserBookmark(user: $0.user, note: $0.note) }
        // Called on the main thread; a busy file (the recorder mid-batch) waits on SQLite's
        // busy timeout, which is short next to a person typing a note.
        return BookmarkStore(bookmarks: saved, location: path) { bookmark in
            try workspace.addBookmark(user: bookmark.user, note: bookmark.note, run: run)
        }
    }
}
