import Foundation
import Testing
@testable import Dashboard
@testable import InterestGraph

/// Bookmarked users: the `b` prompt, saving through the store's closure, the `'` key that
/// cycles through them, the session-only case, and the star on screen.
@Suite("Bookmarks")
struct BookmarkTests {
    let snapshot = FixtureSnapshots.busy()

    func state(location: String? = "demo.sqlite") -> DashboardState {
        var s = FixtureSnapshots.state(size: GridSize(width: 120, height: 40))
        s.bookmarkLocation = location
        return s
    }

    func press(_ keys: [Key], _ start: DashboardState, _ snap: EngineSnapshot? = nil) -> (DashboardState, [EngineCommand]) {
        DashboardState.pressing(keys, from: start, snap ?? snapshot)
    }

    static func chars(_ text: String) -> [Key] { Key.characters(text) }

    /// A save closure that records its calls (the test's own thread only).
    final class Saver: @unchecked Sendable {
        var saved: [UserBookmark] = []
        var failure: (any Error)?
        func save(_ bookmark: UserBookmark) throws {
            if let failure { throw failure }
            saved.append(bookmark)
        }
    }

    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "demo.sqlite: database or disk is full" }
    }

    // MARK: The prompt

    @Test func bKeyOpensAPromptForTheSelectedUserAndEnterQueuesTheSave() {
        var (s, commands) = press([.character("b")], state())
        #expect(commands.isEmpty)
        #expect(s.prompt == .init(kind: .bookmark(user: "u42"), text: ""))
        // Keys that mean something elsewhere are text here ('q' does not quit, 'b' is a letter).
        (s, commands) = press(Self.chars("quiet buyer") + [.backspace, .character("r"), .tab], s)
        #expect(!s.shouldQuit)
        #expect(s.prompt?.text == "quiet buyer")
        #expect(s.bookmarks.isEmpty, "nothing is bookmarked before Enter")
        (s, commands) = press([.enter], s)
        #expect(commands.isEmpty)
        #expect(s.prompt == nil)
        #expect(s.bookmarks == [UserBookmark(user: "u42", note: "quiet buyer")])
        #expect(s.unsavedBookmarks == [UserBookmark(user: "u42", note: "quiet buyer")])

        let saver = Saver()
        s.saveBookmarks(saver.save)
        #expect(saver.saved == [UserBookmark(user: "u42", note: "quiet buyer")])
        #expect(s.unsavedBookmarks.isEmpty)
        #expect(s.message?.text == "Bookmarked user u42 — saved in demo.sqlite")
        #expect(s.message?.isError == false)
        // Saving again saves nothing twice.
        s.saveBookmarks(saver.save)
        #expect(saver.saved.count == 1)
    }

    @Test func anEmptyNoteIsFineAndSpacesAreTrimmed() {
        var (s, _) = press([.character("b"), .enter], state())
        #expect(s.bookmarks == [UserBookmark(user: "u42", note: "")])
        s = state()
        (s, _) = press([.character("b")] + Self.chars("  loves horror ") + [.enter], s)
        #expect(s.bookmarks.first?.note == "loves horror")
    }

    @Test func escapeCancelsWithoutBookmarking() {
        let (s, _) = press([.character("b")] + Self.chars("never mind") + [.escape], state())
        #expect(s.prompt == nil)
        #expect(s.bookmarks.isEmpty)
        #expect(s.unsavedBookmarks.isEmpty)
    }

    @Test func withoutASelectedUserTheKeySaysWhatToDo() {
        let (s, _) = press([.character("b")], state(), FixtureSnapshots.empty())
        #expect(s.prompt == nil)
        #expect(s.message?.text.contains("Select a user first") == true)
    }

    @Test func aBookmarkedUserGetsTheirNoteToEditAndKeepsTheirPlace() {
        var s = state()
        s.remember(UserBookmark(user: "u42", note: "old note"))
        s.remember(UserBookmark(user: "u7", note: "second"))
        (s, _) = press([.character("b")], s)
        #expect(s.prompt?.text == "old note")
        (s, _) = press([.control("u")] + Self.chars("new note") + [.enter], s)
        #expect(s.bookmarks == [UserBookmark(user: "u42", note: "new note"), UserBookmark(user: "u7", note: "second")])
        #expect(s.bookmarkCursor == 0)
    }

    @Test func theNoteIsCappedAtTheBookmarkLimit() {
        let long = String(repeating: "x", count: 200)
        let (s, _) = press([.character("b")] + Self.chars(long), state())
        #expect(s.prompt?.text.count == 160)
        let search = press([.character("/")] + Self.chars(long), state()).0
        #expect(search.prompt?.text.count == 80)
    }

    // MARK: Session only, failures

    @Test func withoutAWorkspaceTheFirstBookmarkSaysItIsNotSaved() {
        var (s, _) = press([.character("b")] + Self.chars("demo") + [.enter], state(location: nil))
        #expect(s.bookmarks.count == 1)
        #expect(s.unsavedBookmarks.isEmpty, "nothing to save to")
        #expect(s.message?.text.contains("not saved: start with --workspace FILE or --record") == true)
        let second = FixtureSnapshots.busy()
        (s, _) = press([.character("b"), .enter], s, second)
        #expect(s.message?.text == "Bookmarked user u42 (this session only)")
    }

    @Test func aFailedSaveIsAnErrorMessageAndTheBookmarkStays() {
        var (s, _) = press([.character("b")] + Self.chars("x") + [.enter], state())
        let saver = Saver()
        saver.failure = DiskFull()
        s.saveBookmarks(saver.save)
        #expect(s.message?.isError == true)
        #expect(s.message?.text == "Could not save the bookmark of user u42: demo.sqlite: database or disk is full — kept for this session")
        #expect(s.bookmarks == [UserBookmark(user: "u42", note: "x")])
        #expect(s.unsavedBookmarks.isEmpty, "a failed save is not retried on every key")
    }

    // MARK: The next-bookmark key

    @Test func apostropheCyclesThroughBookmarksSelectingEach() {
        var s = state()
        for (user, note) in [("u196", "drifts from comedy to horror"), ("u7", ""), ("u301", "new parent")] {
            s.remember(UserBookmark(user: user, note: note))
        }
        var selected: [String] = []
        var messages: [String] = []
        for _ in 0..<4 {
            let (next, commands) = press([.character("'")], s)
            s = next
            for case .selectUser(let user) in commands { selected.append(user) }
            messages.append(s.message?.text ?? "")
        }
        #expect(selected == ["u196", "u7", "u301", "u196"])
        #expect(messages == [
            "bookmark 1/3: user u196 — drifts from comedy to horror",
            "bookmark 2/3: user u7",
            "bookmark 3/3: user u301 — new parent",
            "bookmark 1/3: user u196 — drifts from comedy to horror",
        ])
    }

    @Test func theFirstJumpStartsAfterTheSelectedUser() {
        var s = state()
        for user in ["u7", "u42", "u301"] { s.remember(UserBookmark(user: user, note: "")) }
        let (next, commands) = press([.character("'")], s)
        #expect(commands.contains(.selectUser("u301")), "u42 is selected and bookmarked second: next is the third")
        #expect(next.message?.text == "bookmark 3/3: user u301")
    }

    @Test func aJumpAfterBookmarkingGoesOnFromTheNewBookmark() {
        var s = state()
        s.remember(UserBookmark(user: "u7", note: ""))
        s.remember(UserBookmark(user: "u9", note: ""))
        (s, _) = press([.character("b"), .enter], s)
        #expect(s.bookmarkCursor == 2)
        let (_, commands) = press([.character("'")], s)
        #expect(commands.contains(.selectUser("u7")))
    }

    @Test func withoutBookmarksTheKeySaysHowToMakeOne() {
        let (s, commands) = press([.character("'")], state())
        #expect(commands.isEmpty)
        #expect(s.message?.text == "No bookmarks yet: b bookmarks the selected user")
    }

    // MARK: Start and the app loop

    @Test func startsWithTheStoresBookmarksOneStopPerUser() {
        let store = BookmarkStore(bookmarks: [
            UserBookmark(user: "u196", note: "comedy"), UserBookmark(user: "u7", note: ""),
            UserBookmark(user: "u196", note: "comedy to horror"),
        ], location: "demo.sqlite") { _ in }
        let state = DashboardApp.initialState(options: DashboardOptions(bookmarks: store), config: DashboardConfig(), library: ThemeLibrary(directories: []))
        #expect(state.bookmarks == [UserBookmark(user: "u196", note: "comedy to horror"), UserBookmark(user: "u7", note: "")])
        #expect(state.bookmarkLocation == "demo.sqlite")
        let none = DashboardApp.initialState(options: DashboardOptions(), config: DashboardConfig(), library: ThemeLibrary(directories: []))
        #expect(none.bookmarkLocation == nil && none.bookmarks.isEmpty)
    }

    @Test func theLoopSavesABookmarkRightAfterEnter() {
        let saver = Saver()
        let store = BookmarkStore(bookmarks: [], location: "demo.sqlite") { try saver.save($0) }
        let terminal = MemoryTerminal(width: 120, height: 40, keys: [.character("b")] + Self.chars("vip") + [.enter])
        let connection = FixtureEngineConnection(FixtureSnapshots.busy())
        let clock = LoopTests.Clock()
        var loop = DashboardLoop(terminal: terminal, connection: connection, library: ThemeLibrary(directories: []), screenshotDirectory: NSTemporaryDirectory(),
                                 framesPerSecond: 20, bookmarks: store, now: { clock.now += 0.05; return clock.now }, wallClock: { 0 }, shouldStop: { false })
        var state = LoopTests.startState(options: DashboardOptions(bookmarks: store))
        loop.run(&state, maxIterations: 1)
        #expect(saver.saved == [UserBookmark(user: "u42", note: "vip")])
        loop.run(&state, maxIterations: 1)
        #expect(terminal.text.contains("Bookmarked user u42 — saved in demo.sqlite"))
        #expect(terminal.text.contains("★ u42"))
    }

    // MARK: On screen

    @Test func promptGolden() {
        let size = GridSize(width: 80, height: 24)
        var s = FixtureSnapshots.state(focus: .drift, size: size)
        s.bookmarkLocation = "demo.sqlite"
        s.prompt = .init(kind: .bookmark(user: "u42"), text: "drifts from audio to toys")
        let text = GoldenTests.render(snapshot, s, size: size)
        #expect(text.split(separator: "\n").last!.contains("Bookmark user u42, note: drifts from audio to toys"))
        assertGolden(text, named: "prompt-bookmark-80x24")
        s.bookmarkLocation = nil
        #expect(GoldenTests.render(snapshot, s, size: size).contains("Bookmark user u42 (this session only), note: drifts"))
    }

    @Test func aBookmarkedUserIsStarredGolden() {
        let size = GridSize(width: 120, height: 40)
        var s = FixtureSnapshots.state(focus: .neighbourhood, size: size)
        s.remember(UserBookmark(user: "u42", note: "drifts from audio to toys"))
        let text = GoldenTests.render(snapshot, s, size: size)
        #expect(text.contains("★ u42 · 312 events"), "Interest drift title")
        #expect(text.contains("u42 ★"), "Neighbourhood centre")
        assertGolden(text, named: "bookmarked-120x40")
        let plain = GoldenTests.render(snapshot, FixtureSnapshots.state(focus: .neighbourhood, size: size), size: size)
        #expect(!plain.contains("★"))
    }

    @Test func bookmarkedUsersAreStarredInTheNeighbourhoodAndInASCII() throws {
        var snap = snapshot
        let item = NodeLine(node: NodeRef(.item, 311), name: "i311", detail: "Noise-cancelling headphones")
        snap.neighbourhood = NeighbourhoodView(center: item, rows: [
            NeighbourLine(target: NodeLine(node: NodeRef(.user, 7), name: "u7", detail: nil), relation: "purchase", strength: 2, age: 60, count: 1),
            NeighbourLine(target: NodeLine(node: NodeRef(.user, 9), name: "u9", detail: nil), relation: "view", strength: 1, age: 60, count: 1),
        ])
        let size = GridSize(width: 120, height: 40)
        var s = FixtureSnapshots.state(focus: .neighbourhood, size: size)
        s.zoomed = true
        s.remember(UserBookmark(user: "u7", note: ""))
        let text = GoldenTests.render(snap, s, size: size)
        #expect(text.contains("u7 ★"))
        #expect(!text.contains("u9 ★"))
        let mono = try ThemeLibrary(directories: []).theme(named: "mono")
        let ascii = Renderer.render(snapshot: snap, state: s, theme: mono, size: size).text()
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("u7 *"))
    }
}
