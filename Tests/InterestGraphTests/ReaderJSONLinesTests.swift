import Foundation
import Testing
@testable import InterestGraph

@Suite struct ReaderJSONLinesTests {
    @Test func fixtureReadsGoodLinesAndReportsBadOnes() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("events.jsonl"))
        #expect(data.events.map(\.user) == ["u1", "u1", "7"])
        #expect(data.events.map(\.action) == [.view, .cart, .purchase])
        let march1 = 1_709_287_200.0  // 2024-03-01T10:00:00Z
        #expect(data.events[0].timestamp == march1)
        #expect(abs(data.events[1].timestamp - (march1 + 300.25)) < 1e-6)
        #expect(data.events[2].timestamp == march1)
        #expect(data.events[0].attributes == ItemAttributes(categories: ["shoes", "running"], brand: "Acme", price: 59.9))
        #expect(data.events[2].attributes?.categories == ["socks", "running"])
        #expect(data.events[2].value == 2)
        #expect(data.report.rejectedByReason == ["bad timestamp": 1, "unknown action": 1, "malformed JSON": 1, "missing field": 1])
        let located = data.report.examples.map { "\($0.line):\($0.column):\($0.kind.rawValue)" }
        #expect(located == ["5:51:bad timestamp", "6:77:unknown action", "7:18:malformed JSON", "8:66:missing field"])
        #expect(data.report.notes.contains { $0.contains("ignored key session") })
    }

    @Test func firstObjectWithoutRequiredKeysIsFatal() throws {
        #expect(throws: DatasetError.self) {
            _ = try ReaderFixtures.load("{\"who\": \"u1\", \"what\": \"i1\", \"when\": 5}\n", name: "e.jsonl")
        }
        let mapped = try ReaderFixtures.load(
            "{\"who\": \"u1\", \"what\": \"i1\", \"when\": 5}\n", name: "e.jsonl",
            options: ReadOptions(columnMap: ["who": "user", "what": "item", "when": "timestamp"]))
        #expect(mapped.events.map(\.item) == ["i1"])
    }

    @Test func escapesAndUnicodeAreDecoded() throws {
        let line = #"{"user": "caf\u00e9 \"x\"", "item": "\ud83d\ude00", "ts": "1700000000"}"# + "\n"
        let data = try ReaderFixtures.load(line, name: "e.ndjson")
        #expect(data.events.first?.user == "café \"x\"")
        #expect(data.events.first?.item == "😀")
    }

    @Test func detectedFromContentWithoutExtension() throws {
        let data = try ReaderFixtures.load("{\"user\": \"u\", \"item\": \"i\", \"ts\": 1}\n", name: "events.log")
        #expect(data.events.count == 1)
    }

    @Test(arguments: [
        #"{"user": "u", "item": "i", "ts": 1"#,
        #"{"user": "u", "item": "i", "ts": 1} trailing"#,
        #"{"user": "u", "item": "i", "ts": tru}"#,
        #"{"user": "u", "item": "i", "ts": "1}"#,
        #"{"user": "u", "item": "i", "ts": 1, "x": "\q"}"#,
        #"{"user": "u", "item": "i", "ts": 1, "x": [1, 2}"#,
        #"{"user": ["u"], "item": "i", "ts": 1}"#,
    ])
    func malformedLinesAreRejected(line: String) throws {
        let text = "{\"user\": \"ok\", \"item\": \"i\", \"ts\": 1}\n" + line + "\n"
        let data = try ReaderFixtures.load(text, name: "e.jsonl")
        #expect(data.events.map(\.user) == ["ok"])
        #expect(data.report.rejected == 1)
        #expect(data.report.examples.first?.line == 2)
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 10_000)
        let text = "{\"user\": \"ok\", \"item\": \"i\", \"ts\": 1}\n{\"user\": \"u\", \"item\": \"i\", \"ts\": 1, \"x\": \(deep)}\n"
        let data = try ReaderFixtures.load(text, name: "e.jsonl")
        #expect(data.report.rejectedByReason == ["malformed JSON": 1])
    }

    @Test func invalidUTF8InAStringIsRejected() throws {
        let bytes = Array("{\"user\": \"ok\", \"item\": \"i\", \"ts\": 1}\n{\"user\": \"a".utf8) + [0xFF] + Array("\", \"item\": \"i\", \"ts\": 1}\n".utf8)
        let data = try ReaderFixtures.load(bytes: bytes, name: "e.jsonl")
        #expect(data.report.examples.map { "\($0.line):\($0.column):\($0.kind.rawValue)" } == ["2:12:invalid UTF-8"])
    }

    @Test func strictStopsWithLineAndColumn() throws {
        let issue = try #require(try ReaderFixtures.strictIssue("{\"user\": \"u\", \"item\": \"i\", \"ts\": 1}\n{\"user\": \"u\", \"item\": \"i\", \"ts\": \"soon\"}\n", name: "e.jsonl"))
        #expect(issue.line == 2)
        #expect(issue.column == 35)
        #expect(issue.kind == .badTimestamp)
    }
}
