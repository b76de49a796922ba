import Foundation

extension Scenario {
    /// Loads a scenario file, or a scenario by name: `sample-data/scenarios/NAME.toml` when
    /// `pathOrName` has no slash and no `.toml` suffix (see ``resolvePath(_:)``), else the
    /// copy compiled into the binary (``builtinNames``), so a binary installed or copied away
    /// from the checkout still opens the bundled shops. A file found on disk always wins:
    /// the files are the editable copies.
    ///
    /// - Throws: ``TOMLError`` with file, line and column for syntax errors, and file, line,
    ///   key and expected type or range for schema errors (unknown keys are rejected); files
    ///   over ``TOMLParser/maximumDocumentBytes`` are refused.
    public static func load(_ pathOrName: String) throws(TOMLError) -> Scenario {
        let path = resolvePath(pathOrName)
        let text: String
        let file: String
        if FileManager.default.fileExists(atPath: path) {
            text = try TOMLParser.readDocument(atPath: path, what: "scenario file")
            file = path
        } else if isName(pathOrName), let builtin = BuiltinScenarios.sources[pathOrName] {
            text = builtin
            file = "built-in \(pathOrName).toml"
        } else {
            let names = BuiltinScenarios.names.joined(separator: ", ")
            throw TOMLError(file: path, line: 0, message: "cannot read the scenario file (looked for '\(path)'; expected a readable .toml file or a bundled name: \(names))")
        }
        var scenario = try Scenario(toml: text, file: file)
        if scenario.name == "scenario" {
            scenario.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        }
        return scenario
    }

    /// The scenarios compiled into the binary, loadable by name from any directory.
    public static var builtinNames: [String] { BuiltinScenarios.names }

    /// Whether `pathOrName` names a scenario (a bundled name or a file found for it) rather
    /// than a path.
    public static func isName(_ pathOrName: String) -> Bool {
        !pathOrName.contains("/") && !pathOrName.hasSuffix(".toml")
    }

    /// Whether `pathOrName` can be loaded as a scenario: a `.toml` path, a name with a file
    /// in `sample-data/scenarios/`, or a bundled name.
    public static func exists(_ pathOrName: String) -> Bool {
        if pathOrName.hasSuffix(".toml") { return true }
        guard isName(pathOrName) else { return false }
        return BuiltinScenarios.sources[pathOrName] != nil || FileManager.default.fileExists(atPath: resolvePath(pathOrName))
    }

    /// The file a scenario path or name stands for. A path is itself; a name is looked up in
    /// `sample-data/scenarios/` under the current directory, then under each directory above
    /// the running executable (so `make run`'s binary, or a copy of the checkout's
    /// `.build/release/driftscope`, finds the editable scenarios from any directory), then in
    /// `share/driftscope/scenarios/` beside the executable's `bin/` (`make install`). When no
    /// candidate exists, the current-directory one is returned (``load(_:)`` then uses the
    /// compiled-in copy, or names that path in its error).
    public static func resolvePath(_ pathOrName: String) -> String {
        resolvePath(pathOrName, executable: Bundle.main.executableURL)
    }

    static func resolvePath(_ pathOrName: String, executable: URL?) -> String {
        guard isName(pathOrName) else { return pathOrName }
        let relative = "sample-data/scenarios/\(pathOrName).toml"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        let binDirectory = executable?.resolvingSymlinksInPath().deletingLastPathComponent()
        var directory = binDirectory
        while let d = directory, d.path != "/", !d.path.isEmpty {
            let candidate = d.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = d.deletingLastPathComponent()
        }
        if let installed = binDirectory?.deletingLastPathComponent().appendingPathComponent("share/driftscope/scenarios/\(pathOrName).toml").path,
           FileManager.default.fileExists(atPath: installed) {
            return installed
        }
        return relative
    }

    /// Parses a scenario document. Keys that are absent keep their defaults.
    public init(toml text: String, file: String = "<scenario>") throws(TOMLError) {
        self.init()
        let root = try TOMLParser.parse(text, file: file)
        let top = ScenarioReader(table: root, file: file, section: "")
        try top.rejectUnknown(["name", "seed", "start", "days", "warmup_days", "catalogue", "users", "funnel", "drift", "season"])
        name = try top.string("name") ?? name
        seed = UInt64(try top.integer("seed", in: 0...Int.max) ?? Int(seed))
        if let date = try top.date("start") { start = date }
        days = try top.double("days", in: 0.01...3_650) ?? days
        warmupDays = try top.double("warmup_days", in: 0...3_650) ?? warmupDays
        guard warmupDays < days else {
            throw TOMLError(file: file, line: root.line(of: "warmup_days"), message: "key 'warmup_days': expected a number of days below 'days' (\(days)), found \(warmupDays)")
        }

        if let table = try root.table("catalogue", file: file) {
            let r = ScenarioReader(table: table, file: file, section: "catalogue")
            try r.rejectUnknown(["departments", "categories_per_department", "subcategories_per_category", "brands_per_category", "items", "zipf_exponent", "launches_per_day", "consumables"])
            catalogue.departments = try r.integer("departments", in: 1...ShopVocabulary.departments.count) ?? catalogue.departments
            catalogue.categoriesPerDepartment = try r.integer("categories_per_department", in: 1...ShopVocabulary.maxCategoriesPerDepartment) ?? catalogue.categoriesPerDepartment
            catalogue.subcategoriesPerCategory = try r.integer("subcategories_per_category", in: 0...50) ?? catalogue.subcategoriesPerCategory
            catalogue.brandsPerCategory = try r.integer("brands_per_category", in: 1...20) ?? catalogue.brandsPerCategory
            catalogue.items = try r.integer("items", in: 1...10_000_000) ?? catalogue.items
            catalogue.zipfExponent = try r.double("zipf_exponent", in: 0...4) ?? catalogue.zipfExponent
            catalogue.launchesPerDay = try r.double("launches_per_day", in: 0...1_000_000) ?? catalogue.launchesPerDay
            if let names = try r.strings("consumables") {
                let known = ShopVocabulary.departments.prefix(catalogue.departments).map(\.name)
                for n in names where !known.contains(n) {
                    throw r.error("consumables", "expected department names from: \(known.joined(separator: ", ")); found '\(n)'")
                }
                catalogue.consumables = names
            }
        }
        guard catalogue.items >= catalogue.leafCount else {
            throw TOMLError(file: file, line: root.line(of: "catalogue"), message: "[catalogue] items: expected at least one item per leaf category (\(catalogue.leafCount)), found \(catalogue.items)")
        }

        if let table = try root.table("users", file: file) {
            let r = ScenarioReader(table: table, file: file, section: "users")
            try r.rejectUnknown(["count", "interests_min", "interests_max", "concentration", "exploration", "sessions_per_day", "views_per_session", "arrivals_per_day", "churn_per_day"])
            users.count = try r.integer("count", in: 1...10_000_000) ?? users.count
            users.interestsMin = try r.integer("interests_min", in: 1...8) ?? users.interestsMin
            users.interestsMax = try r.integer("interests_max", in: 1...8) ?? users.interestsMax
            guard users.interestsMin <= users.interestsMax else {
                throw r.error("interests_max", "expected a value of at least interests_min (\(users.interestsMin)), found \(users.interestsMax)")
            }
            users.concentration = try r.double("concentration", in: 0.01...100) ?? users.concentration
            users.exploration = try r.double("exploration", in: 0...0.9) ?? users.exploration
            users.sessionsPerDay = try r.double("sessions_per_day", in: 0.01...100) ?? users.sessionsPerDay
            users.viewsPerSession = try r.double("views_per_session", in: 1...200) ?? users.viewsPerSession
            users.arrivalsPerDay = try r.double("arrivals_per_day", in: 0...1_000_000) ?? users.arrivalsPerDay
            users.churnPerDay = try r.double("churn_per_day", in: 0...1) ?? users.churnPerDay
        }
        let categoryCount = catalogue.leafCount
        users.interestsMax = min(users.interestsMax, categoryCount)
        users.interestsMin = min(users.interestsMin, users.interestsMax)

        if let table = try root.table("funnel", file: file) {
            let r = ScenarioReader(table: table, file: file, section: "funnel")
            try r.rejectUnknown(["click", "cart", "purchase", "repeat_probability", "repeat_days"])
            funnel.click = try r.double("click", in: 0...1) ?? funnel.click
            funnel.cart = try r.double("cart", in: 0...1) ?? funnel.cart
            funnel.purchase = try r.double("purchase", in: 0...1) ?? funnel.purchase
            funnel.repeatProbability = try r.double("repeat_probability", in: 0...1) ?? funnel.repeatProbability
            funnel.repeatDays = try r.double("repeat_days", in: 0.1...365) ?? funnel.repeatDays
        }

        let departments = ShopVocabulary.departments.prefix(catalogue.departments).map(\.name)
        let categories = ShopVocabulary.categoryNames(departments: catalogue.departments, categoriesPerDepartment: catalogue.categoriesPerDepartment)
        // A drift may name any node of the tree: department, category and, in a three-level
        // tree, subcategory.
        let leaves = catalogue.subcategoriesPerCategory > 0
            ? ShopVocabulary.leafNames(departments: catalogue.departments, categoriesPerDepartment: catalogue.categoriesPerDepartment, subcategoriesPerCategory: catalogue.subcategoriesPerCategory)
            : []
        let places = Set(departments + categories + leaves)

        for table in try root.tables("drift", file: file) ?? [] {
            let r = ScenarioReader(table: table, file: file, section: "[drift]")
            try r.rejectUnknown(["kind", "label", "day", "duration", "users", "from", "to", "amount", "focus"])
            var d = Drift()
            if let kind = try r.string("kind") {
                guard let k = Drift.Kind(rawValue: kind) else {
                    throw r.error("kind", "expected one of: \(Drift.Kind.allCases.map(\.rawValue).joined(separator: ", ")); found '\(kind)'")
                }
                d.kind = k
            }
            d.label = try r.string("label") ?? d.kind.rawValue
            d.day = try r.double("day", in: 0...days) ?? d.day
            d.duration = try r.double("duration", in: 0...3_650) ?? (d.kind == .gradual ? 7 : 0)
            if d.kind == .gradual, d.duration <= 0 {
                throw r.error("duration", "expected a positive number of days for a gradual drift, found \(d.duration)")
            }
            if d.kind == .abrupt { d.duration = 0 }
            d.users = try r.integer("users", in: 0...10_000_000) ?? d.users
            if let from = try r.string("from") {
                guard places.contains(from) else { throw r.error("from", "expected a department or 'Department/Category' of this shop (\(departments.joined(separator: ", "))); found '\(from)'") }
                d.from = from
            }
            guard let to = try r.string("to") else {
                throw TOMLError(file: file, line: table.line, message: "[[drift]]: missing key 'to' (a department or 'Department/Category')")
            }
            guard places.contains(to) else { throw r.error("to", "expected a department or 'Department/Category' of this shop (\(departments.joined(separator: ", "))); found '\(to)'") }
            if let from = d.from, from == to || to.hasPrefix(from + "/") || from.hasPrefix(to + "/") {
                throw r.error("to", "expected a place different from and not inside 'from' ('\(from)'), found '\(to)'")
            }
            d.to = to
            d.amount = try r.double("amount", in: 0...1) ?? d.amount
            d.focus = try r.double("focus", in: 0...1) ?? d.focus
            drifts.append(d)
        }

        for table in try root.tables("season", file: file) ?? [] {
            let r = ScenarioReader(table: table, file: file, section: "[season]")
            try r.rejectUnknown(["label", "department", "day", "duration", "peak", "fraction"])
            var s = Season()
            guard let department = try r.string("department") else {
                throw TOMLError(file: file, line: table.line, message: "[[season]]: missing key 'department'")
            }
            guard departments.contains(department) else {
                throw r.error("department", "expected one of: \(departments.joined(separator: ", ")); found '\(department)'")
            }
            s.department = department
            s.label = try r.string("label") ?? department
            s.day = try r.double("day", in: 0...days) ?? s.day
            s.duration = try r.double("duration", in: 0.01...3_650) ?? s.duration
            s.peak = try r.double("peak", in: 0...1) ?? s.peak
            s.fraction = try r.double("fraction", in: 0...1) ?? s.fraction
            seasons.append(s)
        }
    }
}

/// Typed, range-checked reading of one scenario section; errors name the section and key.
private struct ScenarioReader {
    var table: TOMLTable
    var file: String
    var section: String

    private func qualified(_ key: String) -> String {
        if section.isEmpty { return key }
        if section.hasPrefix("[") { return "\(section) \(key)" }
        return "\(section).\(key)"
    }

    func error(_ key: String, _ expectation: String) -> TOMLError {
        TOMLError(file: file, line: table.line(of: key), message: "key '\(qualified(key))': \(expectation)")
    }

    /// Re-labels an accessor's type error with the section-qualified key.
    private func relabel(_ e: TOMLError, _ key: String) -> TOMLError {
        var e = e
        e.message = e.message.replacingOccurrences(of: "key '\(key)'", with: "key '\(qualified(key))'")
        return e
    }

    func rejectUnknown(_ known: Set<String>) throws(TOMLError) {
        try table.rejectUnknownKeys(known, file: file, context: section.hasPrefix("[") ? String(section.dropFirst().dropLast()) : section)
    }

    func string(_ key: String) throws(TOMLError) -> String? {
        do { return try table.string(key, file: file) } catch { throw relabel(error, key) }
    }

    func strings(_ key: String) throws(TOMLError) -> [String]? {
        do { return try table.strings(key, file: file) } catch { throw relabel(error, key) }
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(TOMLError) -> Int? {
        let value: Int?
        do { value = try table.integer(key, file: file) } catch { throw relabel(error, key) }
        guard let v = value else { return nil }
        guard range.contains(v) else { throw self.error(key, "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(v)") }
        return v
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(TOMLError) -> Double? {
        let value: Double?
        do { value = try table.double(key, file: file) } catch { throw relabel(error, key) }
        guard let v = value else { return nil }
        guard range.contains(v) else { throw self.error(key, "expected a number in \(format(range.lowerBound))...\(format(range.upperBound)), found \(format(v))") }
        return v
    }

    /// A `YYYY-MM-DD` date as a TOML local date or a string, as UTC midnight.
    func date(_ key: String) throws(TOMLError) -> Double? {
        guard let v = table[key] else { return nil }
        let text: String
        switch v {
        case .dateTime(let t), .string(let t): text = t
        default: throw self.error(key, "expected a date such as 2024-03-01, found \(v.typeName)")
        }
        guard let seconds = CivilTime.parseDate(text) else { throw self.error(key, "expected a date such as 2024-03-01, found '\(text)'") }
        return seconds
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
