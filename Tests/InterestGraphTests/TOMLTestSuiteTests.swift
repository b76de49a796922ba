import Foundation
import Testing
@testable import InterestGraph

/// The toml-test suite (https://github.com/toml-lang/toml-test), when a copy is at hand:
///
/// ```sh
/// TOML_TEST_DIR=/path/to/toml-test/tests swift test <flags> --skip-build --filter TOMLTestSuite
/// ```
///
/// Runs every file listed in `files-toml-1.0.0`. The suite is not committed (it is someone
/// else's project, and 900 files); without the variable the test is skipped.
@Suite("toml-test suite")
struct TOMLTestSuiteTests {
    static let directory = ProcessInfo.processInfo.environment["TOML_TEST_DIR"]

    @Test(.enabled(if: directory != nil, "set TOML_TEST_DIR to toml-test's tests directory"))
    func everyTOML10FileIsJudgedRight() throws {
        let report = TOMLTestHarness.run(directory: try #require(Self.directory))
        print("toml-test 1.0.0: valid accepted with the right values \(report.validOK)/\(report.validTotal), "
            + "invalid rejected \(report.invalidOK)/\(report.invalidTotal)")
        #expect(report.validTotal + report.invalidTotal > 0, "no files listed in files-toml-1.0.0")
        for failure in report.failures { Issue.record("\(failure)") }
    }
}


/// Reads toml-test's files: `valid/**.toml` must parse to the values in the `.json` beside
/// them (toml-test's tagged JSON), `invalid/**.toml` must be rejected (as bytes that are
/// not UTF-8, or by the parser).
enum TOMLTestHarness {
    struct Report { var validOK = 0, validTotal = 0, invalidOK = 0, invalidTotal = 0; var failures: [String] = [] }

    static func run(directory: String, list: String = "files-toml-1.0.0") -> Report {
        var report = Report()
        let listText = (try? String(contentsOfFile: directory + "/" + list, encoding: .utf8)) ?? ""
        for name in listText.split(separator: "\n").map(String.init) where name.hasSuffix(".toml") {
            let path = directory + "/" + name
            let text = try? TOMLParser.readDocument(atPath: path, what: "file")
            if name.hasPrefix("valid/") {
                report.validTotal += 1
                guard let text else { report.failures.append("\(name): not UTF-8"); continue }
                do {
                    let table = try TOMLParser.parse(text, file: name)
                    let jsonPath = path.dropLast(5) + ".json"
                    guard let jd = FileManager.default.contents(atPath: String(jsonPath)),
                          let expected = try? JSONSerialization.jsonObject(with: jd, options: [.fragmentsAllowed]) else {
                        report.failures.append("\(name): no expected JSON"); continue
                    }
                    if let problem = compare(.table(table), expected, at: "") {
                        report.failures.append("\(name): wrong value: \(problem)")
                    } else {
                        report.validOK += 1
                    }
                } catch {
                    report.failures.append("\(name): rejected: \(error)")
                }
            } else if name.hasPrefix("invalid/") {
                report.invalidTotal += 1
                guard let text else { report.invalidOK += 1; continue }
                do {
                    _ = try TOMLParser.parse(text, file: name)
                    report.failures.append("\(name): accepted")
                } catch {
                    report.invalidOK += 1
                }
            }
        }
        return report
    }

    static func normalizeDate(_ s: String) -> String {
        var out = s.uppercased().replacingOccurrences(of: " ", with: "T")
        // Fraction digits: .600 and .6 are the same instant.
        if let dot = out.firstIndex(of: ".") {
            var end = out.index(after: dot)
            while end < out.endIndex, out[end].isNumber { end = out.index(after: end) }
            var fraction = String(out[out.index(after: dot)..<end])
            while fraction.hasSuffix("0") { fraction.removeLast() }
            out.replaceSubrange(dot..<end, with: fraction.isEmpty ? "" : "." + fraction)
        }
        return out
    }

    static let dateTimeKinds: [String: TOMLValue.DateTimeKind] = [
        "datetime": .offsetDateTime, "datetime-local": .localDateTime, "date-local": .localDate, "time-local": .localTime,
    ]

    static func compare(_ value: TOMLValue, _ expected: Any, at path: String) -> String? {
        switch value {
        case .table(let t):
            guard let dict = expected as? [String: Any] else { return "\(path): table, expected \(expected)" }
            if dict.count == 2, dict["type"] is String, dict["value"] != nil, t.keys.count != 2 || t["type"] == nil {
                return "\(path): table, expected a \(dict["type"]!)"
            }
            guard Set(t.keys) == Set(dict.keys), t.keys.count == dict.count else {
                return "\(path): keys \(t.keys.sorted()) != \(dict.keys.sorted())"
            }
            for k in t.keys {
                if let p = compare(t[k]!, dict[k]!, at: path + "." + k) { return p }
            }
            return nil
        case .array(let a):
            guard let arr = expected as? [Any] else { return "\(path): array, expected \(expected)" }
            guard arr.count == a.count else { return "\(path): \(a.count) elements, expected \(arr.count)" }
            for (i, (x, y)) in zip(a, arr).enumerated() {
                if let p = compare(x, y, at: "\(path)[\(i)]") { return p }
            }
            return nil
        default:
            guard let dict = expected as? [String: Any], let type = dict["type"] as? String,
                  let v = dict["value"] as? String else {
                return "\(path): \(value), expected \(expected)"
            }
            switch (value, type) {
            case (.string(let s), "string"): return s == v ? nil : "\(path): \(s.debugDescription) != \(v.debugDescription)"
            case (.integer(let i), "integer"): return Int(v) == i ? nil : "\(path): \(i) != \(v)"
            case (.boolean(let b), "bool"): return String(b) == v ? nil : "\(path): \(b) != \(v)"
            case (.float(let d), "float"):
                switch v {
                case "nan", "+nan", "-nan": return d.isNaN ? nil : "\(path): \(d) != nan"
                case "inf", "+inf": return d == .infinity ? nil : "\(path): \(d) != inf"
                case "-inf": return d == -.infinity ? nil : "\(path): \(d) != -inf"
                default:
                    guard let e = Double(v) else { return "\(path): bad expected float \(v)" }
                    return abs(d - e) <= 1e-12 * max(1, abs(e)) ? nil : "\(path): \(d) != \(v)"
                }
            case (.dateTime(let s), _) where dateTimeKinds[type] != nil:
                guard value.dateTimeKind == dateTimeKinds[type] else {
                    return "\(path): \(s) is \(String(describing: value.dateTimeKind)), expected \(type)"
                }
                return normalizeDate(s) == normalizeDate(v) ? nil : "\(path): \(s) != \(v)"
            default:
                return "\(path): \(value) is not \(type) \(v)"
            }
        }
    }
}
