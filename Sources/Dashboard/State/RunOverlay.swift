/// Another run's loss and metric curves, for the Training panel to draw over the live ones.
///
/// Plain data: the dashboard knows nothing of workspaces; the caller reads a recorded run's
/// metrics timeline and hands it over (see ``RunOverlaySource``).
public struct RunOverlay: Sendable, Hashable {
    public struct Point: Sendable, Hashable {
        /// Events the run's graph had ingested: the axis both runs are aligned on.
        public var events: Int
        public var step: Int
        public var loss: Float?
        public var hitRate10: Double
        public var mrr: Double

        public init(events: Int, step: Int, loss: Float?, hitRate10: Double, mrr: Double) {
            self.events = events
            self.step = step
            self.loss = loss
            self.hitRate10 = hitRate10
            self.mrr = mrr
        }
    }

    public var run: Int64
    /// How the legend names the run: "run 3 · ml-100k".
    public var label: String
    /// Oldest first.
    public var points: [Point]

    public init(run: Int64, label: String, points: [Point]) {
        self.run = run
        self.label = label
        self.points = points
    }
}

/// The runs the dashboard may overlay, and how to load one (called on the UI thread when
/// the user picks a run; a recorded timeline holds at most a few thousand points).
public struct RunOverlaySource: Sendable {
    public struct Choice: Sendable, Hashable {
        public var run: Int64
        public var label: String

        public init(run: Int64, label: String) {
            self.run = run
            self.label = label
        }
    }

    /// In the order the compare key cycles through them.
    public var choices: [Choice]
    /// Shown from the start (`--compare RUN_ID`).
    public var initial: Int64?
    public var load: @Sendable (Int64) throws -> RunOverlay

    public init(choices: [Choice], initial: Int64? = nil, load: @escaping @Sendable (Int64) throws -> RunOverlay) {
        self.choices = choices
        self.initial = initial
        self.load = load
    }
}
