/// A user worth showing again in a demo, with a note ("drifts from comedy to horror").
///
/// Plain data: the dashboard knows nothing of workspaces (see ``BookmarkStore``).
public struct UserBookmark: Sendable, Hashable {
    public var user: String
    /// May be empty.
    public var note: String

    public init(user: String, note: String) {
        self.user = user
        self.note = note
    }
}

/// Where the dashboard's bookmarks come from and go to: the ones saved before, and how to
/// save a new one (the `b` key). Without a store (``DashboardOptions/bookmarks`` nil),
/// bookmarks last for the session only.
///
/// ```swift
/// let store = BookmarkStore(bookmarks: saved, location: "demo.sqlite") { bookmark in
///     try workspace.addBookmark(user: bookmark.user, note: bookmark.note)
/// }
/// try DashboardApp.run(connection: engine, options: DashboardOptions(bookmarks: store))
/// ```
public struct BookmarkStore: Sendable {
    /// Saved before this session, oldest first. A user bookmarked more than once is one stop
    /// of the bookmark key, at its first place, with its latest note.
    public var bookmarks: [UserBookmark]
    /// Where bookmarks are saved, as messages name it ("demo.sqlite").
    public var location: String
    /// Saves one bookmark at once. Called on the UI (main) thread right after Enter in the
    /// bookmark prompt; a thrown error becomes a status message and the bookmark is kept for
    /// the session.
    public var save: @Sendable (UserBookmark) throws -> Void

    public init(bookmarks: [UserBookmark], location: String, save: @escaping @Sendable (UserBookmark) throws -> Void) {
        self.bookmarks = bookmarks
        self.location = location
        self.save = save
    }
}
