import Foundation
import Testing
@testable import InterestGraph

/// The package root, for the shipped sample data.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedScenario(_ name: String) throws -> Scenario {
    try Scenario.load(packageRoot.appendingPathComponent("sample-data/scenarios/\(name).toml").path)
}

@Suite("Scenarios")
struct ScenarioTests {
    @Test(arguments: ["default", "small", "seasonal", "large"])
    func shippedScenariosParse(_ name: String) throws {
        let s = try shippedScenario(name)
        #expect(s.name == name)
        #expect(s.days > s.warmupDays)
        #expect(!(s.drifts.isEmpty && s.seasons.isEmpty))
    }

    /// A bundled name is found from any directory through the executable's location (the
    /// dashboard's no-argument default must open outside the checkout too).
    @Test func namesResolveNextToTheExecutable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-scenario-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let scenarios = root.appendingPathComponent("sample-data/scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        let name = "only-here-\(UInt32.random(in: 0...UInt32.max))"
        let file = scenarios.appendingPathComponent("\(name).toml")
        try Data("name = \"x\"\n".utf8).write(to: file)
        let executable = root.appendingPathComponent(".build/release/driftscope")
        #expect(Scenario.resolvePath(name, executable: executable) == file.path)
        // Not found anywhere: the current-directory path, for the error message.
        #expect(Scenario.resolvePath("missing-\(name)", executable: executable) == "sample-data/scenarios/missing-\(name).toml")
        // Paths are never searched for.
        #expect(Scenario.resolvePath("a/b.toml", executable: executable) == "a/b.toml")
    }

    @Test("compiled-in scenarios equal sample-data/scenarios/*.toml")
    func builtinsMatchFiles() throws {
        let folder = packageRoot.appendingPathComponent("sample-data/scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(BuiltinScenarios.names), "run `make embed`")
        for name in BuiltinScenarios.names {
            let file = try String(contentsOf: folder.appendingPathComponent("\(name).toml"), encoding: .utf8)
            #expect(file == BuiltinScenarios.sources[name], "sample-data/scenarios/\(name).toml changed: run `make embed`")
        }
    }

    /// Away from the checkout (no sample-data/ anywhere) a bundled name loads the compiled-in
    /// copy, and gives the same scenario as the file.
    @Test(arguments: ["default", "small", "seasonal", "large"])
    func builtinsLoadWithoutTheFiles(_ name: String) throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-nowhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let executable = elsewhere.appendingPathComponent("bin/driftscope")
        #expect(Scenario.resolvePath(name, executable: executable) == "sample-data/scenarios/\(name).toml")
        let text = try #require(BuiltinScenarios.sources[name])
        #expect(try Scenario(toml: text, file: name) == shippedScenario(name))
        #expect(Scenario.exists(name))
        #expect(!Scenario.exists("no-such-scenario"))
    }

    @Test func defaultScenarioIsAShopThatLooksAlive() throws {
        let s = try shippedScenario("default")
        #expect(s.users.count >= 1_000)
        #expect(s.catalogue.items >= 1_000)
        #expect(s.catalogue.departments * s.catalogue.categoriesPerDepartment >= 24)
        // Several drifts start within two simulated days after the warm-up: under a minute at
        // the default replay speed of one simulated hour per second.
        let warm = s.warmupDays
        let early = s.drifts.filter { $0.day >= warm && $0.day - warm <= 2 }
        #expect(early.count >= 3)
        #expect(ReplayClock<ArrayEventSource>.defaultDemoSpeed == 3_600)
    }

    @Test func missingKeysKeepDefaults() throws {
        let s = try Scenario(toml: "name = \"tiny\"\n[users]\ncount = 12\n")
        #expect(s.name == "tiny")
        #expect(s.users.count == 12)
        #expect(s.users.sessionsPerDay == Scenario.Users().sessionsPerDay)
        #expect(s.catalogue == Scenario.Catalogue())
        #expect(s.funnel == Scenario.Funnel())
        #expect(s.drifts.isEmpty)
    }

    @Test func everyKeyIsRead() throws {
        let doc = """
        name = "all"
        seed = 99
        start = 2023-12-24
        days = 20
        warmup_days = 5

        [catalogue]
        departments = 9
        categories_per_department = 3
        brands_per_category = 2
        items = 100
        zipf_exponent = 0.9
        launches_per_day = 1.5
        consumables = ["Grocery", "Books"]

        [users]
        count = 50
        interests_min = 1
        interests_max = 3
        concentration = 0.5
        exploration = 0.1
        sessions_per_day = 2
        views_per_session = 4
        arrivals_per_day = 3
        churn_per_day = 0.01

        [funnel]
        click = 0.5
        cart = 0.4
        purchase = 0.3
        repeat_probability = 0.2
        repeat_days = 7

        [[drift]]
        kind = "gradual"
        label = "slow"
        day = 6
        duration = 4
        users = 7
        from = "Home"
        to = "Books/Fiction"
        amount = 0.8
        focus = 0.6

        [[season]]
        label = "wave"
        department = "Garden"
        day = 8
        duration = 3
        peak = 0.2
        fraction = 0.25
        """
        let s = try Scenario(toml: doc)
        #expect(s.seed == 99)
        #expect(s.start == 1_703_376_000)  // 2023-12-24T00:00:00Z
        #expect(s.days == 20 && s.warmupDays == 5)
        #expect(s.catalogue.departments == 9 && s.catalogue.categoriesPerDepartment == 3 && s.catalogue.brandsPerCategory == 2)
        #expect(s.catalogue.items == 100 && s.catalogue.zipfExponent == 0.9 && s.catalogue.launchesPerDay == 1.5)
        #expect(s.catalogue.consumables == ["Grocery", "Books"])
        #expect(s.users.count == 50 && s.users.interestsMin == 1 && s.users.interestsMax == 3)
        #expect(s.users.concentration == 0.5 && s.users.exploration == 0.1 && s.users.sessionsPerDay == 2)
        #expect(s.users.viewsPerSession == 4 && s.users.arrivalsPerDay == 3 && s.users.churnPerDay == 0.01)
        #expect(s.funnel.click == 0.5 && s.funnel.cart == 0.4 && s.funnel.purchase == 0.3)
        #expect(s.funnel.repeatProbability == 0.2 && s.funnel.repeatDays == 7)
        let d = try #require(s.drifts.first)
        #expect(d.kind == .gradual && d.label == "slow" && d.day == 6 && d.duration == 4 && d.users == 7)
        #expect(d.from == "Home" && d.to == "Books/Fiction" && d.amount == 0.8 && d.focus == 0.6)
        let w = try #require(s.seasons.first)
        #expect(w.label == "wave" && w.department == "Garden" && w.day == 8 && w.duration == 3 && w.peak == 0.2 && w.fraction == 0.25)
    }

    struct Bad: Sendable, CustomStringConvertible {
        var text: String
        var line: Int
        var message: String
        var description: String { message }
    }

    static let badScenarios: [Bad] = [
        Bad(text: "sede = 3", line: 1, message: "unknown key 'sede'; expected one of: catalogue, days, drift"),
        Bad(text: "name = 3", line: 1, message: "key 'name': expected a string, found integer"),
        Bad(text: "days = \"ten\"", line: 1, message: "key 'days': expected a number, found string"),
        Bad(text: "days = 0", line: 1, message: "key 'days': expected a number in 0.01...3650, found 0"),
        Bad(text: "seed = -1", line: 1, message: "key 'seed': expected an integer in 0..."),
        Bad(text: "start = \"March\"", line: 1, message: "key 'start': expected a date such as 2024-03-01, found 'March'"),
        Bad(text: "start = 2024-02-30", line: 1, message: "invalid date or time '2024-02-30'"),
        Bad(text: "start = \"2024-02-30\"", line: 1, message: "found '2024-02-30'"),
        Bad(text: "start = 5", line: 1, message: "key 'start': expected a date such as 2024-03-01, found integer"),
        Bad(text: "days = 5\nwarmup_days = 5", line: 2, message: "key 'warmup_days': expected a number of days below 'days'"),
        Bad(text: "\n[users]\ncount = \"many\"", line: 3, message: "key 'users.count': expected an integer, found string"),
        Bad(text: "[users]\ncount = 0", line: 2, message: "key 'users.count': expected an integer in 1...10000000, found 0"),
        Bad(text: "[users]\ncuont = 10", line: 2, message: "unknown key 'cuont' in [users]"),
        Bad(text: "[users]\ninterests_min = 4\ninterests_max = 2", line: 3, message: "key 'users.interests_max': expected a value of at least interests_min (4), found 2"),
        Bad(text: "[users]\nexploration = 1.5", line: 2, message: "key 'users.exploration': expected a number in 0...0.9, found 1.5"),
        Bad(text: "[catalogue]\ndepartments = 13", line: 2, message: "key 'catalogue.departments': expected an integer in 1...12, found 13"),
        Bad(text: "[catalogue]\nconsumables = [\"Gadgets\"]", line: 2, message: "key 'catalogue.consumables': expected department names from: Home, Sports"),
        Bad(text: "[catalogue]\nconsumables = \"Grocery\"", line: 2, message: "key 'catalogue.consumables': expected an array of strings, found string"),
        Bad(text: "[catalogue]\nitems = 5", line: 1, message: "[catalogue] items: expected at least one item per leaf category (48), found 5"),
        Bad(text: "[funnel]\nclick = 2", line: 2, message: "key 'funnel.click': expected a number in 0...1, found 2"),
        Bad(text: "[funnel]\nclick = true", line: 2, message: "key 'funnel.click': expected a number, found boolean"),
        Bad(text: "users = 3", line: 1, message: "key 'users': expected a table, found integer"),
        Bad(text: "[[drift]]\nkind = \"sudden\"\nto = \"Baby\"", line: 2, message: "key '[drift] kind': expected one of: gradual, abrupt; found 'sudden'"),
        Bad(text: "[[drift]]\nkind = \"abrupt\"", line: 1, message: "[[drift]]: missing key 'to'"),
        Bad(text: "[[drift]]\nto = \"Pets\"", line: 2, message: "key '[drift] to': expected a department or 'Department/Category' of this shop"),
        Bad(text: "[[drift]]\nto = \"Baby\"\nfrom = \"Baby/Diapers\"", line: 2, message: "key '[drift] to': expected a place different from and not inside 'from'"),
        Bad(text: "[[drift]]\nkind = \"gradual\"\nduration = 0\nto = \"Baby\"", line: 3, message: "key '[drift] duration': expected a positive number of days for a gradual drift"),
        Bad(text: "days = 10\n[[drift]]\nday = 11\nto = \"Baby\"", line: 3, message: "key '[drift] day': expected a number in 0...10, found 11"),
        Bad(text: "[[drift]]\nto = \"Baby\"\nuser = 3", line: 3, message: "unknown key 'user' in [drift]"),
        Bad(text: "[[season]]\npeak = 0.2", line: 1, message: "[[season]]: missing key 'department'"),
        Bad(text: "[[season]]\ndepartment = \"Toys\"", line: 2, message: "key '[season] department': expected one of: Home, Sports"),
        Bad(text: "[[season]]\ndepartment = \"Garden\"\nfraction = -0.1", line: 3, message: "key '[season] fraction': expected a number in 0...1, found -0.1"),
        Bad(text: "[users]\ncount = 5\ncount = 6", line: 3, message: "key 'count' is defined twice"),
    ]

    @Test(arguments: badScenarios)
    func badScenarioNamesLineKeyAndExpectation(_ bad: Bad) {
        do {
            _ = try Scenario(toml: bad.text, file: "bad.toml")
            Issue.record("accepted: \(bad.text.debugDescription)")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
        }
    }

    @Test func syntaxErrorsKeepTheirColumn() {
        do {
            _ = try Scenario(toml: "[users]\ncount = 12 13\n", file: "s.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "s.toml:2:12: expected the end of the line, found '1'")
        }
    }

    @Test func missingFileIsAClearError() {
        do {
            _ = try Scenario.load("/nonexistent/none.toml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/none.toml: cannot read the scenario file"))
        }
    }

    @Test func namesResolveToTheSampleFolder() {
        #expect(Scenario.resolvePath("default") == "sample-data/scenarios/default.toml")
        #expect(Scenario.resolvePath("x.toml") == "x.toml")
        #expect(Scenario.resolvePath("dir/x") == "dir/x")
    }

    @Test(arguments: [("2024-03-01", 1_709_251_200.0), ("1970-01-01", 0), ("2000-02-29", 951_782_400), ("2024-03-01T00:00:00Z", 1_709_251_200)])
    func datesParse(_ text: String, _ seconds: Double) {
        #expect(CivilTime.parseDate(text) == seconds)
        #expect(CivilTime.format(seconds).hasPrefix(String(text.prefix(10))))
    }

    @Test func invalidDatesAreRejected() {
        for text in ["2023-02-29", "2024-13-01", "24-03-01", "2024-03-01T12:00:00", "2024/03/01"] {
            #expect(CivilTime.parseDate(text) == nil, "\(text)")
        }
    }
}
