/// Everything that defines a simulated shop run: world size, rhythm, funnel and the schedule
/// of interest changes. Read from a TOML file (see sample-data/README.md) or built in code.
///
/// The defaults describe the default scenario shipped in `sample-data/scenarios/default.toml`
/// minus its drift schedule, so a file only has to say what differs.
public struct Scenario: Sendable, Hashable {
    public var name = "scenario"
    public var seed: UInt64 = 7
    /// Simulation start in seconds since the Unix epoch (UTC).
    public var start: Double = 1_709_251_200  // 2024-03-01
    /// Length of the run in days.
    public var days: Double = 28
    /// Days at the start that only build up history; a live replay fast-forwards through them.
    public var warmupDays: Double = 0

    public var catalogue = Catalogue()
    public var users = Users()
    public var funnel = Funnel()
    /// Per-user interest changes (gradual slides and abrupt life events).
    public var drifts: [Drift] = []
    /// Department-wide waves that affect many users at once.
    public var seasons: [Season] = []

    public init() {}

    /// The end of the run, seconds since the epoch.
    public var end: Double { start + days * 86_400 }

    public struct Catalogue: Sendable, Hashable {
        /// 1...12 departments, taken in the vocabulary's order (Home, Sports, Electronics, ...).
        public var departments = 8
        /// 1...8 categories per department.
        public var categoriesPerDepartment = 6
        /// Subcategories per category: 0 keeps the two-level tree ("Home/Kitchen" are the
        /// leaves); more makes a third level ("Home/Kitchen/Kitchen Essentials") whose
        /// subcategories are the leaves items, brands and interests belong to.
        public var subcategoriesPerCategory = 0
        /// Brands per leaf category.
        public var brandsPerCategory = 4
        /// Items on sale at the start.
        public var items = 3_000
        /// Zipf exponent of item popularity within a category.
        public var zipfExponent = 1.1
        /// New items launched per day during the run (item cold start).
        public var launchesPerDay = 10.0
        /// Departments whose purchases repeat; `nil` means the vocabulary's consumables.
        public var consumables: [String]?
        public init() {}

        /// Leaf categories of the tree: departments x categories (x subcategories).
        public var leafCount: Int { departments * categoriesPerDepartment * max(1, subcategoriesPerCategory) }
    }

    public struct Users: Sendable, Hashable {
        /// Users present at the start.
        public var count = 5_000
        public var interestsMin = 2
        public var interestsMax = 4
        /// Dirichlet concentration of a user's interest weights (smaller = more lopsided).
        public var concentration = 0.8
        /// Share of every session spread evenly over all categories (browsing, curiosity).
        public var exploration = 0.05
        /// Mean sessions per user per day (each user draws their own rate around it).
        public var sessionsPerDay = 0.8
        /// Mean item views per session.
        public var viewsPerSession = 6.0
        /// New users arriving per day (user cold start).
        public var arrivalsPerDay = 40.0
        /// Probability per day that an active user goes dormant for good (churn).
        public var churnPerDay = 0.003
        public init() {}
    }

    /// Conditional funnel probabilities; the defaults give view:click:cart:purchase of
    /// about 100:30:8:3.
    public struct Funnel: Sendable, Hashable {
        public var click = 0.30
        public var cart = 0.27
        public var purchase = 0.375
        /// Probability that a purchase in a consumable department is repeated later.
        public var repeatProbability = 0.6
        /// Mean days until a repeated purchase is due.
        public var repeatDays = 12.0
        public init() {}
    }

    public struct Drift: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Interests slide linearly from `from` to `to` over `duration` days.
            case gradual
            /// A life event: interests jump at `day`.
            case abrupt
        }
        public var kind: Kind = .abrupt
        public var label = ""
        /// Start, in days after the scenario start.
        public var day = 1.0
        /// Days of the slide (gradual only).
        public var duration = 0.0
        /// Number of users affected.
        public var users = 50
        /// A department ("Sports"), category ("Sports/Running") or, in a three-level tree,
        /// subcategory ("Sports/Running/Running Essentials"); `nil` = each user's top department.
        public var from: String?
        /// A department, category or subcategory; a department or (three-level) category
        /// moves the mass into leaves under it.
        public var to = "Baby"
        /// Share of the `from` mass that moves.
        public var amount = 0.9
        /// Share of the moved mass that lands on the user's main new leaf when `to` has leaves under it.
        public var focus = 0.75
        public init() {}
    }

    public struct Season: Sendable, Hashable {
        public var label = ""
        public var department = "Garden"
        /// Start, in days after the scenario start.
        public var day = 1.0
        public var duration = 7.0
        /// Share of an affected user's interest the department takes at the peak.
        public var peak = 0.35
        /// Fraction of users affected.
        public var fraction = 0.5
        public init() {}
    }
}
