import InterestGraph

/// Everything the dashboard itself remembers between frames (the engine's data lives in the
/// snapshot). A value type: ``DashboardState/reduce(_:_:_:)`` maps (state, key, snapshot) to
/// a new state plus engine commands, so input handling is testable without a terminal.
struct DashboardState: Sendable {
    // MARK: Focus and layout

    var focus: PanelID = .training
    var zoomed = false
    var showHelp = false
    var helpScroll = 0
    /// The last terminal size, for mouse hit tests and page sizes.
    var size = GridSize(width: 120, height: 40)

    // MARK: Lists

    /// Highlighted row per panel.
    var selection: [PanelID: Int] = [:]
    /// Recommendations panel shows the highlighted item's audience instead of the top-K.
    var showAudience = false
    /// Neighbourhood trail: the nodes visited before the current centre, oldest first.
    var breadcrumbs: [NodeLine] = []
    /// Highlighted row of the audience list.
    var audienceSelection = 0
    /// A browse sent but not yet answered by a snapshot.
    var pendingBrowse: PendingBrowse?

    struct PendingBrowse: Sendable, Hashable {
        var node: NodeRef
        var sentAt: Double
    }

    // MARK: Modal input

    enum PromptKind: Sendable, Hashable {
        case searchUser
        case searchItem
        case inject(action: Action)
        /// The text is the note for the user's bookmark.
        case bookmark(user: String)

        /// Characters the prompt takes: ids are short, a demo note may be a sentence.
        var maxLength: Int {
            if case .bookmark = self { return 160 }
            return 80
        }
    }

    struct Prompt: Sendable, Hashable {
        var kind: PromptKind
        var text: String
        /// The highlighted suggestion of a search prompt (an index into the engine's matches).
        var choice = 0
        /// Whether ↑/↓ picked a suggestion, so Enter takes it rather than the typed text.
        var choosing = false

        init(kind: PromptKind, text: String) {
            self.kind = kind
            self.text = text
        }

        /// The node kind a search prompt completes, `nil` for other prompts.
        var completionKind: NodeKind? {
            switch kind {
            case .searchUser: .user
            case .searchItem: .item
            case .inject, .bookmark: nil
            }
        }

        /// The engine's suggestions when they answer this prompt's text, else `nil`.
        func suggestions(in snapshot: EngineSnapshot) -> IdCompletion? {
            guard let kind = completionKind, let c = snapshot.completion, c.kind == kind, c.prefix == text,
                  !c.matches.isEmpty else { return nil }
            return c
        }
    }

    var prompt: Prompt?
    var confirmReset = false
    /// The who-changed view (over the panels, taking the keys), `nil` when closed.
    var changesView: ChangesViewState?
    /// Users to save as an audience file (the app loop writes it right after the key).
    var audienceExport: AudienceExport?

    // MARK: Engine-facing memory

    /// Values sent with `.setHyperparameter` that the snapshot does not show yet.
    var pendingTunables: [String: PendingValue] = [:]
    var pendingSpeed: PendingValue?
    /// The selected user as last seen in a snapshot, to notice changes.
    var trackedUser: String?
    var lastSequence: UInt64 = .max
    /// The rate measurement last added to the rate histories (``EngineSnapshot/rateSamples``).
    var lastRateSample = -1
    /// ``EngineSnapshot/messageCount`` of the last engine answer shown.
    var lastEngineMessage = 0
    /// Sampled events/s and updates/s, one per new snapshot, oldest first (bounded).
    var eventRateHistory: [Float] = []
    var updateRateHistory: [Float] = []
    /// Select this user at the first snapshot (from `--user`), or the top demo candidate.
    var initialUser: String?
    var didInitialSelection = false

    /// Recent rank movements of the selected user's recommendations, by item. The engine
    /// re-ranks twice a second and reports movement since the previous ranking only, so an
    /// arrow would flash for half a second; this keeps each one on screen for
    /// ``DashboardState/moveLifetime`` seconds.
    var recentMoves: [String: RankMove] = [:]
    var recentMovesUser: String?
    static let moveLifetime = 5.0

    struct RankMove: Sendable, Hashable {
        /// Positions moved up (positive) or down; nil = new in the list.
        var change: Int?
        var at: Double
    }

    /// The movement to show for a recommendation: the snapshot's own, or a recent one.
    func displayedMove(_ line: RecommendationLine) -> Int? {
        if line.rankChange != 0 { return line.rankChange }
        if let move = recentMoves[line.item], now - move.at < DashboardState.moveLifetime { return move.change }
        return 0
    }

    struct PendingValue: Sendable, Hashable {
        var value: Double
        var sentAt: Double
    }

    // MARK: Run comparison

    /// Runs the compare key cycles through (from ``RunOverlaySource``).
    var overlayChoices: [RunOverlaySource.Choice] = []
    /// Index into ``overlayChoices`` of the run to overlay; nil = none.
    var overlayChoice: Int?
    /// The overlaid run's curves, once the app loop has loaded what ``overlayChoice`` asks for.
    var overlay: RunOverlay?

    // MARK: Bookmarks

    /// Bookmarked users, one entry per user, in the order the next-bookmark key visits them.
    var bookmarks: [UserBookmark] = []
    /// Index into ``bookmarks`` of the one last jumped to or made.
    var bookmarkCursor: Int?
    /// Where new bookmarks are saved ("demo.sqlite"); nil = for this session only.
    var bookmarkLocation: String?
    /// Made in the prompt, not yet handed to ``BookmarkStore/save``: the reducer stays pure,
    /// the app loop saves them right after the key (``saveBookmarks(_:)``).
    var unsavedBookmarks: [UserBookmark] = []
    /// The "not saved" warning was shown (it comes with the first session-only bookmark).
    var warnedUnsaved = false

    // MARK: Look and feel

    var keymap = Keymap.defaults
    var themeNames: [String] = ["dark"]
    var themeIndex = 0
    var themeName: String { themeNames[min(themeIndex, themeNames.count - 1)] }

    // MARK: Messages and effects

    struct Message: Sendable, Hashable {
        var text: String
        var isError: Bool
        var expires: Double
    }

    var message: Message?
    /// Monotonic seconds, set by ``tick(_:now:)``; used for message expiry and the demo.
    var now: Double = 0
    var shouldQuit = false
    var screenshotRequested = false
    var demo: DemoTour?

    // MARK: Shared engine (driftscope attach)

    /// Control or watching, when the engine is shared by several dashboards; nil for an
    /// engine in this process. Set by the app loop from the connection every frame.
    var attachment: EngineAttachment?
    /// The take-control key was pressed; the app loop asks the connection (the reducer stays pure).
    var controlRequested = false
    /// Hit regions of the last frame, for mouse clicks (set by the app loop after rendering).
    var regions: [PanelRegion] = []

    static let historyLimit = 240

    init() {}

    func selected(_ panel: PanelID) -> Int { selection[panel] ?? 0 }

    mutating func show(_ text: String, error: Bool = false, seconds: Double = 4) {
        message = Message(text: text, isError: error, expires: now + seconds)
    }
}

/// Where a panel was drawn, and where its list rows start, for mouse hit tests.
struct PanelRegion: Sendable, Hashable {
    var panel: PanelID
    var rect: Rect
    /// The rectangle of list rows (empty when the panel has no list).
    var rows: Rect
    /// Index of the first visible row.
    var firstRow: Int
    /// Screen lines per list row (the drift heatmap grows its rows when it has room).
    var rowHeight = 1
}
