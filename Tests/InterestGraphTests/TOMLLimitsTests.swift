import Foundation
import Testing
@testable import InterestGraph

/// The inputs a reliability probe used to crash or stall the parser, generated in memory:
/// each must now end in a clean error with its line and column. (Speed is measured in
/// docs/BENCHMARKS.md, not here.)
@Suite("TOML limits")
struct TOMLLimitsTests {
    static func deepArrays(_ depth: Int) -> String {
        "x = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    }

    static func deepInlineTables(_ depth: Int) -> String {
        "x = " + String(repeating: "{a = ", count: depth) + "1" + String(repeating: "}", count: depth) + "\n"
    }

    static func dottedKey(parts: Int) -> String {
        Array(repeating: "a", count: parts).joined(separator: ".") + " = 1\n"
    }

    /// `count` drift tables of a valid scenario; with `lastInvalid` the last lacks a value.
    static func driftTables(_ count: Int, lastInvalid: Bool) -> String {
        var text = "name = \"many\"\n"
        for i in 0..<count {
            if lastInvalid && i == count - 1 {
                text += "[[drift]]\nkind =\n"
            } else {
                text += "[[drift]]\nkind = \"abrupt\"\nlabel = \"d\(i)\"\nday = 14\nusers = 1\nto = \"Baby\"\n\n"
            }
        }
        return text
    }

    struct Probe: Sendable, CustomStringConvertible {
        var description: String
        var text: @Sendable () -> String
        var column: Int
    }

    /// The level past the limit: `x` is level 1, so array 128 and inline table key 128 are
    /// level 129; so is part 129 of a dotted key.
    static let probes = [
        Probe(description: "50,000-deep arrays", text: { deepArrays(50_000) }, column: 4 + 128),
        Probe(description: "30,000-deep inline tables", text: { deepInlineTables(30_000) }, column: 5 * 128 + 1),
        Probe(description: "a 50,000-part dotted key", text: { dottedKey(parts: 50_000) }, column: 2 * 129 - 1),
    ]

    @Test("deep nesting is an error at the level past the limit, not a stack overflow", arguments: probes)
    func deepNestingIsAnError(_ probe: Probe) {
        do {
            _ = try TOMLParser.parse(probe.text(), file: "deep.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("deep.toml:1:\(probe.column): nested too deeply: more than 128 levels"), "\(error)")
        }
    }

    @Test("a deep scenario is reported, not fatal", arguments: probes)
    func deepScenarioIsAnError(_ probe: Probe) {
        #expect(throws: TOMLError.self) { try Scenario(toml: probe.text(), file: "deep.toml") }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        // x, then 127 arrays: 128 levels.
        var value = try #require(try TOMLParser.parse(Self.deepArrays(127))["x"])
        var depth = 0
        while case .array(let inner) = value, let first = inner.first {
            value = first
            depth += 1
        }
        #expect(depth == 126)  // the innermost array is empty
        #expect(throws: TOMLError.self) { try TOMLParser.parse(Self.deepArrays(128)) }
        #expect(try TOMLParser.parse(Self.dottedKey(parts: 128)).table("a", file: "f") != nil)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(Self.dottedKey(parts: 129)) }
        // Header parts count too: [a.b] then c.d... makes the levels add up.
        let header = "[" + Array(repeating: "h", count: 100).joined(separator: ".") + "]\n"
        #expect(throws: TOMLError.self) { try TOMLParser.parse(header + Self.dottedKey(parts: 29)) }
        _ = try TOMLParser.parse(header + Self.dottedKey(parts: 28))
    }

    @Test func twentyThousandDriftTablesWithTheLastInvalid() {
        let count = 20_000
        do {
            _ = try Scenario(toml: Self.driftTables(count, lastInvalid: true), file: "many.toml")
            Issue.record("accepted")
        } catch {
            // The name line, 7 lines per valid table, then the bad table's header and key.
            #expect(error.line == 1 + 7 * (count - 1) + 2, "\(error)")
            #expect(error.column == 7, "\(error)")
            #expect(error.message.contains("expected a value"), "\(error)")
        }
    }

    @Test func twentyThousandDriftTablesKeepTheirOrderAndLines() throws {
        let count = 20_000
        let root = try TOMLParser.parse(Self.driftTables(count, lastInvalid: false), file: "many.toml")
        let drifts = try #require(try root.tables("drift", file: "many.toml"))
        #expect(drifts.count == count)
        #expect(try drifts.last?.string("label", file: "f") == "d\(count - 1)")
        #expect(drifts.last?.line == 2 + 7 * (count - 1))
        #expect(try Scenario(toml: Self.driftTables(count, lastInvalid: false), file: "many.toml").drifts.count == count)
    }

    // MARK: Size

    @Test func documentsOverFourMebibytesAreRefused() {
        let text = "a = 1\n" + String(repeating: "#", count: TOMLParser.maximumDocumentBytes)
        #expect(throws: TOMLError(file: "big.toml", line: 0, message: "the file is larger than 4 MiB, the limit for TOML files")) {
            try TOMLParser.parse(text, file: "big.toml")
        }
    }

    @Test func filesOverFourMebibytesAreRefusedBeforeTheyAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-toml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = dir.appendingPathComponent("big.toml")
        try Data(repeating: UInt8(ascii: "#"), count: TOMLParser.maximumDocumentBytes + 1).write(to: big)
        #expect(throws: TOMLError(file: big.path, line: 0, message: "the scenario file is larger than 4 MiB, the limit for TOML files")) {
            try Scenario.load(big.path)
        }
        // A device that never ends is cut off at the limit too.
        if FileManager.default.fileExists(atPath: "/dev/zero") {
            #expect(throws: TOMLError.self) { try TOMLParser.readDocument(atPath: "/dev/zero", what: "theme") }
        }
        let exact = dir.appendingPathComponent("exact.toml")
        try Data(repeating: UInt8(ascii: "#"), count: TOMLParser.maximumDocumentBytes).write(to: exact)
        #expect(try TOMLParser.readDocument(atPath: exact.path, what: "theme").utf8.count == TOMLParser.maximumDocumentBytes)
    }

    @Test func filesMustBeUTF8WithAtMostOneByteOrderMark() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-toml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let latin1 = dir.appendingPathComponent("latin1.toml")
        try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xE9, 0x22, 0x0A]).write(to: latin1)
        #expect(throws: TOMLError(file: latin1.path, line: 0, message: "the theme is not UTF-8 text")) {
            try TOMLParser.readDocument(atPath: latin1.path, what: "theme")
        }
        let twoMarks = dir.appendingPathComponent("bom.toml")
        try Data([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x61, 0x3D, 0x31, 0x0A]).write(to: twoMarks)
        let text = try TOMLParser.readDocument(atPath: twoMarks.path, what: "theme")
        #expect(throws: TOMLError.self) { try TOMLParser.parse(text) }
    }
}
