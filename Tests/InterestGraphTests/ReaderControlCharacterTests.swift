import Foundation
import Testing
@testable import InterestGraph

/// Control characters (C0 and DEL; tab except as the delimiter) in ids and names are handled
/// the same wherever they are in a file and whatever the format: the row is rejected with
/// `file:line:column` and what was expected (lenient: skipped, counted, first examples kept;
/// strict: the read stops at the first). A file where such rows are at least half of all
/// rows is refused as binary data. Before, only the first MiB was checked: a NUL at byte
/// 1,048,000 refused the whole file, one at byte 1,049,000 became part of a category name.
@Suite struct ReaderControlCharacterTests {
    static let header = "user,item,timestamp,action,value,category,brand,price\n"

    /// Identical-length rows; `row(k)` is data row k (line k + 2).
    static func row(_ k: Int) -> String {
        let n = String(k)
        let id = String(repeating: "0", count: 7 - n.count) + n
        return "u\(id),i\(id),1700000000,view,,Books/Sci-Fi,Orbit,12.5\n"
    }

    /// A file of `rows` rows with byte `bad` written into the category field ("Sci-F?i") of
    /// the row holding byte `offset`; returns the bytes and that row's line and column.
    static func file(rows: Int, bad: UInt8, near offset: Int) -> (bytes: [UInt8], line: Int, column: Int) {
        var bytes = Array(header.utf8)
        for k in 0..<rows { bytes += Array(row(k).utf8) }
        let length = row(0).utf8.count
        let k = (offset - header.utf8.count) / length
        // The byte after "Sci-F": rows end in "i,Orbit,12.5\n".
        let column = length - "i,Orbit,12.5\n".utf8.count
        bytes[header.utf8.count + k * length + column] = bad
        return (bytes, k + 2, column + 1)
    }

    @Test("a NUL rejects its row wherever it is", arguments: [120, 1_048_000, 1_049_000, 2_500_000])
    func nulRejectsItsRowWhereverItIs(offset: Int) throws {
        let rows = 50_000  // about 2.9 MB
        let (bytes, line, column) = Self.file(rows: rows, bad: 0, near: offset)
        let data = try ReaderFixtures.load(bytes: bytes)
        #expect(data.events.count == rows - 1)
        #expect(data.report.rejectedByReason == ["control character": 1])
        let issue = try #require(data.report.examples.first)
        #expect(issue.line == line)
        #expect(issue.column == column)
        #expect(issue.kind == .controlCharacter)
        #expect(issue.reason.contains("U+0000 (NUL)"))
        #expect(issue.reason.contains("expected text"))
        #expect(!data.catalogue.items.values.contains { $0.categories.contains { $0.contains("\0") } })
        #expect(data.catalogue.items.values.allSatisfy { $0.categories == ["Books/Sci-Fi"] })

        do {
            _ = try ReaderFixtures.load(bytes: bytes, options: ReadOptions(strict: true))
            Issue.record("a strict read accepted a NUL")
        } catch let error as DatasetError {
            #expect(error.issue?.line == line)
            #expect(error.issue?.kind == .controlCharacter)
            #expect(error.description.hasPrefix("events.csv:\(line):\(column): control character U+0000 (NUL)") || error.description.contains(":\(line):\(column): control character U+0000 (NUL)"))
        }
    }

    @Test("every control byte is rejected, tab only where it is not the delimiter", arguments: [0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x09] as [UInt8])
    func controlBytesAreRejected(_ byte: UInt8) throws {
        let (bytes, line, column) = Self.file(rows: 10, bad: byte, near: 200)
        let data = try ReaderFixtures.load(bytes: bytes)
        #expect(data.events.count == 9)
        #expect(data.report.examples.map(\.kind) == [.controlCharacter])
        #expect(data.report.examples.first?.line == line)
        #expect(data.report.examples.first?.column == column)
    }

    @Test func tabAsTheDelimiterAndLineBreaksInQuotesAreText() throws {
        let tsv = try ReaderFixtures.load("user\titem\ttimestamp\nu1\ti1\t1700000000\n", name: "e.tsv")
        #expect(tsv.events.count == 1)
        let quoted = try ReaderFixtures.load("user,item,timestamp,brand\nu1,i1,1700000000,\"two\nlines\"\n")
        #expect(quoted.catalogue.items["i1"]?.brand == "two\nlines")
        #expect(quoted.report.rejected == 0)
        // Inside quotes any other control byte still rejects the row.
        let nul = try ReaderFixtures.load("user,item,timestamp,brand\nu1,i1,1700000000,\"a\u{0}b\"\nu2,i2,1700000001,b\n")
        #expect(nul.events.map(\.user) == ["u2"])
        #expect(nul.report.examples.first.map { "\($0.line):\($0.column)" } == "2:20")
    }

    @Test func jsonLinesRejectRawAndEscapedControlCharacters() throws {
        let text = [
            #"{"user": "u1", "item": "i1", "ts": 1700000000}"#,
            "{\"user\": \"u\u{0}2\", \"item\": \"i2\", \"ts\": 1700000000}",
            #"{"user": "u3", "item": "i\u00003", "ts": 1700000000}"#,
            #"{"user": "u4", "item": "i4", "ts": 1700000000, "brand": "a\tb"}"#,
            "{\"user\": \"u5\", \"item\": \"i5\", \"ts\": 1700000000, \"brand\": \"del\u{7F}\"}",
            #"{"user": "u6", "item": "i6", "ts": 1700000000, "brand": "two\nlines"}"#,
        ].joined(separator: "\n") + "\n" + (7...9).map { "{\"user\": \"u\($0)\", \"item\": \"i\", \"ts\": 1}\n" }.joined()
        let data = try ReaderFixtures.load(text, name: "e.jsonl")
        #expect(data.events.map(\.user) == ["u1", "u6", "u7", "u8", "u9"])
        #expect(data.report.rejectedByReason == ["control character": 4])
        #expect(data.report.examples.map(\.line) == [2, 3, 4, 5])
        #expect(data.report.examples.map(\.column) == [12, 26, 59, 61])
        #expect(data.catalogue.items["i6"]?.brand == "two\nlines")
        let strict = try ReaderFixtures.strictIssue(text, name: "e.jsonl")
        #expect(strict?.line == 2)
        #expect(strict?.kind == .controlCharacter)
        // Without the last three good lines, 4 of 6 rows are bad: binary, as for CSV.
        let mostlyBad = text.split(separator: "\n").prefix(6).joined(separator: "\n") + "\n"
        #expect(throws: DatasetError.self) { _ = try ReaderFixtures.load(mostlyBad, name: "e.jsonl") }
    }

    @Test func catalogueAndMovieLensRowsAreCheckedToo() throws {
        let directory = try ReaderFixtures.temporaryDirectory()
        defer { ReaderFixtures.cleanup(directory) }
        let catalogue = try ReaderFixtures.write("item,category,brand,price\ni1,Books,Orbit,1\ni2,Bo\u{0}oks,Orbit,2\n", to: "c.csv", in: directory)
        let (read, report) = try DatasetLoader.loadCatalogue(catalogue)
        #expect(read.items.keys.sorted() == ["i1"])
        #expect(report.examples.map { "\($0.line):\($0.column):\($0.kind)" } == ["3:6:controlCharacter"])

        let ml = try ReaderMovieLensTests.rawLayout()
        defer { ReaderFixtures.cleanup(ml) }
        var data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ml + "/u.data")))
        let secondLine = data.firstIndex(of: 0x0A)! + 1
        data[secondLine] = 0x1B
        try Data(data).write(to: URL(fileURLWithPath: ml + "/u.data"))
        let loaded = try DatasetLoader.load(ml)
        #expect(loaded.events.count == 3)
        #expect(loaded.report.examples.map { "\($0.line):\($0.column):\($0.kind)" } == ["2:1:controlCharacter"])
    }

    /// Mostly binary: refused, the same whether the binary rows come first or after 2 MiB of
    /// good ones; a few bad rows among many good ones are only rejected.
    @Test(arguments: [false, true])
    func mostlyBinaryFilesAreRefusedWherever(badFirst: Bool) throws {
        let good = (0..<30_000).map { Self.row($0) }.joined()
        let bad = (0..<30_001).map { "u\($0),i\u{0}\u{1}\u{2},1700000000\n" }.joined()
        let text = Self.header + (badFirst ? bad + good : good + bad)
        do {
            _ = try ReaderFixtures.load(text)
            Issue.record("a mostly binary file was accepted")
        } catch let error as DatasetError {
            #expect(error.description.contains("looks like binary data, not text: 30,001 of 60,002 rows") || error.description.contains("looks like binary data, not text: 30001 of 60002 rows"), "\(error)")
        }
        let few = Self.header + good + (0..<10).map { "u\($0),i\u{0},1700000000\n" }.joined()
        let data = try ReaderFixtures.load(few)
        #expect(data.events.count == 30_000)
        #expect(data.report.rejectedByReason == ["control character": 10])
    }
}
