import InterestGraph

extension DashboardState {
    /// The position of `user` in ``bookmarks``, if bookmarked.
    ///
    /// - Complexity: O(*n*) in the number of bookmarks (a demo has a handful).
    func bookmarkIndex(of user: String) -> Int? {
        bookmarks.firstIndex { $0.user == user }
    }

    func isBookmarked(_ user: String) -> Bool { bookmarkIndex(of: user) != nil }

    /// Adds a bookmark to the session's list, or gives an already bookmarked user the new
    /// note (keeping its place, so the next-bookmark order does not shift under the
    /// presenter). Returns its index.
    @discardableResult
    mutating func remember(_ bookmark: UserBookmark) -> Int {
        if let i = bookmarkIndex(of: bookmark.user) {
            bookmarks[i].note = bookmark.note
            return i
        }
        bookmarks.append(bookmark)
        return bookmarks.count - 1
    }

    /// The bookmark key: a prompt for the selected user's note, holding the current note when
    /// the user is bookmarked already.
    mutating func startBookmark(_ snapshot: EngineSnapshot) {
        guard let user = snapshot.selectedUser?.id else {
            show("Select a user first (\(keymap.primaryKey(.search, ascii: true)) finds one by id)")
            return
        }
        let note = bookmarkIndex(of: user).map { bookmarks[$0].note } ?? ""
        prompt = Prompt(kind: .bookmark(user: user), text: note)
    }

    /// Enter in the bookmark prompt (an empty note is fine). With a store, the bookmark waits
    /// in ``unsavedBookmarks`` for the app loop, which saves it and reports how that went.
    mutating func submitBookmark(user: String, note: String) {
        let bookmark = UserBookmark(user: user, note: note)
        bookmarkCursor = remember(bookmark)
        if bookmarkLocation != nil {
            unsavedBookmarks.append(bookmark)
        } else if !warnedUnsaved {
            warnedUnsaved = true
            show("Bookmarked user \(user) for this session only — not saved: start with --workspace FILE or --record", seconds: 8)
        } else {
            show("Bookmarked user \(user) (this session only)", seconds: 3)
        }
    }

    /// Saves what the prompt queued, through `save` (``BookmarkStore/save``: it writes the
    /// workspace). A failure is reported, never thrown: the bookmark stays for the session.
    mutating func saveBookmarks(_ save: (UserBookmark) throws -> Void) {
        guard !unsavedBookmarks.isEmpty else { return }
        let queued = unsavedBookmarks
        unsavedBookmarks = []
        for bookmark in queued {
            do {
                try save(bookmark)
                show("Bookmarked user \(bookmark.user) — saved in \(bookmarkLocation ?? "the workspace")", seconds: 4)
            } catch {
                show("Could not save the bookmark of user \(bookmark.user): \(error) — kept for this session", error: true, seconds: 8)
            }
        }
    }

    /// The next-bookmark key: selects the bookmarked user after the one last visited or
    /// made, cycling, and says which stop it is and its note.
    ///
    /// Only the first jump starts from the selected user (when bookmarked): later ones follow
    /// ``bookmarkCursor``, because keys typed quickly are reduced against the same snapshot,
    /// which still shows the user selected before the jump.
    mutating func nextBookmark(_ snapshot: EngineSnapshot, _ out: inout [EngineCommand]) {
        guard !bookmarks.isEmpty else {
            show("No bookmarks yet: \(keymap.primaryKey(.bookmark, ascii: true)) bookmarks the selected user")
            return
        }
        let base = bookmarkCursor ?? snapshot.selectedUser.flatMap { bookmarkIndex(of: $0.id) }
        let next = base.map { ($0 + 1) % bookmarks.count } ?? 0
        bookmarkCursor = next
        let bookmark = bookmarks[next]
        selectUser(bookmark.user, &out)
        let note = bookmark.note.trimmingSpaces
        show("bookmark \(next + 1)/\(bookmarks.count): user \(bookmark.user)\(note.isEmpty ? "" : " — " + note)", seconds: 6)
    }
}
