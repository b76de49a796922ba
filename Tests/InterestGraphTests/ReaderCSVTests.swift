import Foundation
import Testing
@testable import InterestGraph

@Suite struct ReaderCSVTests {
    @Test func ratingsHeaderWithPipeCategoriesNeedsNoOptions() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("ratings_basic.csv"))
        #expect(data.report.accepted == 5)
        #expect(data.report.rejected == 0)
        #expect(data.events.map(\.user) == ["alice", "bob", "alice", "carol", "bob"])
        #expect(data.events.allSatisfy { $0.action == .rating })
        #expect(data.events[1].value == 3.5)
        #expect(data.events[0].attributes?.categories == ["Action", "Comedy"])
        #expect(data.events[3].attributes?.categories == ["Horror", "Thriller", "Action"])
        #expect(data.catalogue.items["m1"]?.categories == ["Action", "Comedy"])

        var graph = HeteroGraph()
        graph.load(data.catalogue)
        for event in data.events { graph.apply(event) }
        let stats = graph.statistics
        #expect(stats.users == 3)
        #expect(stats.items == 3)
        #expect(stats.categories == 5)
        #expect(stats.userItemEdges == 5)
    }

    @Test func lenientReadCountsEveryReasonWithLineAndColumn() throws {
        let data = try DatasetLoader.load(ReaderFixtures.path("events_broken.csv"))
        #expect(data.report.accepted == 2)
        #expect(data.events.map(\.user) == ["u1", "u6"])
        #expect(data.events[1].action == .purchase)
        #expect(data.events[1].value == 19.5)
        #expect(data.report.rejected == 5)
        #expect(data.report.rejectedByReason == [
            "wrong column count": 1, "unknown action": 1, "bad timestamp": 1, "bad number": 1, "unterminated quote": 1,
        ])
        let found = data.report.examples.map { "\($0.line):\($0.column):\($0.kind.rawValue)" }
        #expect(found == [
            "3:23:wrong column count", "4:7:unknown action", "5:12:bad timestamp", "6:27:bad number", "8:1:unterminated quote",
        ])
        let first = try #require(data.report.examples.first)
        #expect(first.description.hasSuffix("events_broken.csv:3:23: expected 5 fields, found 4"))
        #expect(data.report.examples[1].reason.contains("teleport"))
    }

    @Test func examplesAreCappedButCountsAreNot() throws {
        var text = "user,item,timestamp\n"
        for k in 0..<20 { text += "u\(k),i\(k),never\n" }
        let data = try ReaderFixtures.load(text, options: ReadOptions(maxExamples: 3))
        #expect(data.report.rejectedByReason["bad timestamp"] == 20)
        #expect(data.report.examples.map(\.line) == [2, 3, 4])
    }

    @Test func strictStopsAtTheFirstBadRow() throws {
        let issue = try #require(try ReaderFixtures.strictIssue("user,item,timestamp\nu1,i1,5\nu2,i2,5,extra\nu3,i3,bad\n"))
        #expect(issue.line == 3)
        #expect(issue.column == 9)
        #expect(issue.kind == .wrongColumnCount)
        #expect(throws: DatasetError.self) {
            _ = try DatasetLoader.load(ReaderFixtures.path("events_broken.csv"), options: ReadOptions(strict: true))
        }
    }

    @Test func strictErrorMessageIsFileLineColumnReason() throws {
        do {
            _ = try DatasetLoader.load(ReaderFixtures.path("events_broken.csv"), options: ReadOptions(strict: true))
            Issue.record("strict read succeeded")
        } catch let error as DatasetError {
            #expect(error.description.hasSuffix("events_broken.csv:3:23: expected 5 fields, found 4"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: [
        ("user,item,timestamp\n", 0),
        ("user,item,timestamp\r\n\r\n", 0),
    ])
    func headerOnlyFileHasNoEvents(text: String, events: Int) throws {
        let data = try ReaderFixtures.load(text)
        #expect(data.events.count == events)
        #expect(data.report.rejected == 0)
    }

    /// A bad quote skips the rest of its line only, whatever the line ending: with lone CRs
    /// it used to run on to the next LF, which never came, and swallow every later row.
    @Test(arguments: ["\n", "\r\n", "\r"])
    func aMalformedQuoteCostsOneRowWithAnyLineEnding(newline: String) throws {
        let text = ["user,item,timestamp", "\"a\"x,b,1", "c,d,2", "e,f,3", ""].joined(separator: newline)
        let data = try ReaderFixtures.load(text)
        #expect(data.events.map(\.user) == ["c", "e"])
        #expect(data.report.rejected == 1)
    }

    @Test func emptyAndBlankFilesAreFatal() throws {
        for text in ["", "\n\n  \n", "\u{FEFF}"] {
            #expect(throws: DatasetError.self) { _ = try ReaderFixtures.load(text) }
        }
        do {
            _ = try ReaderFixtures.load("")
        } catch let error as DatasetError {
            #expect(error.description.hasSuffix("events.csv: empty file"))
        }
    }

    @Test func missingRequiredColumnIsFatalAndNamesIt() throws {
        do {
            _ = try ReaderFixtures.load("user,thing,when\nu1,p1,5\n")
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.description.contains("missing required columns item, timestamp"))
            #expect(error.description.contains("--map"))
        }
    }

    @Test func columnMapNamesOtherColumns() throws {
        let text = "visitor,product,when,what\nv1,p1,1700000000,VIEW\nv2,p1,1700000001,Add To Cart\n"
        let data = try ReaderFixtures.load(text, options: ReadOptions(columnMap: ["Visitor": "user", "product": "item", "when": "timestamp", "what": "action"]))
        #expect(data.events.map(\.user) == ["v1", "v2"])
        #expect(data.events.map(\.action) == [.view, .cart])
        #expect(throws: DatasetError.self) {
            _ = try ReaderFixtures.load(text, options: ReadOptions(columnMap: ["visitor": "customer"]))
        }
        #expect(throws: DatasetError.self) {
            _ = try ReaderFixtures.load(text, options: ReadOptions(columnMap: ["nosuch": "user"]))
        }
    }

    @Test func binaryGarbageIsFatal() throws {
        var rng = SeededGenerator(seed: 7)
        let garbage = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(throws: DatasetError.self) { _ = try ReaderFixtures.load(bytes: garbage) }
        // Control bytes without NUL are still binary.
        let controls = [UInt8]("user,item,timestamp\n".utf8) + (0..<200).map { UInt8(1 + $0 % 8) }
        #expect(throws: DatasetError.self) { _ = try ReaderFixtures.load(bytes: controls) }
        do {
            _ = try ReaderFixtures.load(bytes: [0x1F, 0x8B, 8, 0, 0, 0])
        } catch let error as DatasetError {
            #expect(error.description.contains("gzip"))
        }
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("User_Id,Item_Id,TS\r\nu1,i1,1700000000\r\nu2,i2,1700000001\r\n".utf8)
        let data = try ReaderFixtures.load(bytes: bytes)
        #expect(data.events.map(\.user) == ["u1", "u2"])
        #expect(data.events.map(\.item) == ["i1", "i2"])
        #expect(data.events[1].timestamp == 1_700_000_001)
    }

    @Test func quotedFieldsHoldDelimitersNewlinesAndEscapedQuotes() throws {
        let text = "user,item,timestamp,brand\r\n\"a,b\",\"multi\r\nline\",1700000000,\"Big \"\"B\"\" Co\"\r\nc,d,1700000001,\"\"\r\nx,y,bad,z\r\n"
        let data = try ReaderFixtures.load(text)
        #expect(data.events.count == 2)
        #expect(data.events[0].user == "a,b")
        #expect(data.events[0].item == "multi\r\nline")
        #expect(data.events[0].attributes?.brand == "Big \"B\" Co")
        #expect(data.events[1].attributes == nil)
        // The bad row after a two-line record is on line 5.
        #expect(data.report.examples.first?.line == 5)
        #expect(data.report.examples.first?.column == 5)
    }

    @Test func textAfterAClosingQuoteIsAMalformedRow() throws {
        let data = try ReaderFixtures.load("user,item,timestamp\n\"u1\"x,i1,5\nu2,i2,6\n")
        #expect(data.events.map(\.user) == ["u2"])
        #expect(data.report.rejectedByReason == ["malformed quote": 1])
        #expect(data.report.examples.first.map { "\($0.line):\($0.column)" } == "2:5")
    }

    @Test func unterminatedQuoteCostsOneRowNotTheRestOfTheFile() throws {
        // The stray quote opens on line 2; without a closing quote the reader resumes on line 3.
        let data = try ReaderFixtures.load("user,item,timestamp\nu1,\"i1,5\nu2,i2,6\nu3,i3,7\n")
        #expect(data.events.map(\.user) == ["u2", "u3"])
        #expect(data.report.examples.first.map { "\($0.line):\($0.column):\($0.kind)" } == "2:4:unterminatedQuote")
    }

    @Test func invalidUTF8IsRejectedAtItsColumn() throws {
        let bytes = Array("user,item,timestamp\nu1,ok,5\nu2,b".utf8) + [0xC3, 0x28] + Array("d,6\n".utf8)
        let data = try ReaderFixtures.load(bytes: bytes)
        #expect(data.events.map(\.user) == ["u1"])
        let issue = try #require(data.report.examples.first)
        #expect(issue.kind == .invalidUTF8)
        #expect(issue.line == 3)
        #expect(issue.column == 5)
        #expect(issue.reason.contains("'item'"))
    }

    @Test(arguments: [
        ("\t", "user\titem\ttimestamp\nu1\ti1\t5\n"),
        (";", "user;item;timestamp\nu1;i1;5\n"),
        ("|", "user|item|timestamp\nu1|i1|5\n"),
        (",", "user,item,timestamp\nu1,i1,5\n"),
    ])
    func delimiterIsDetected(delimiter: String, text: String) throws {
        let data = try ReaderFixtures.load(text)
        #expect(data.events.map(\.item) == ["i1"], "delimiter \(delimiter)")
    }

    @Test func timestampsInSecondsMillisecondsAndISO8601() throws {
        let text = """
            user,item,timestamp
            u,a,1700000000
            u,b,1700000000000
            u,c,1700000000.5
            u,d,2023-11-14T22:13:20Z
            u,e,2023-11-14T22:13:20.250Z
            u,f,2023-11-14T23:13:20+01:00
            u,g,2023-11-14 22:13:20
            u,h,2023-11-14
            u,i,2023-02-30T00:00:00Z

            """
        let data = try ReaderFixtures.load(text)
        let t = Dictionary(uniqueKeysWithValues: data.events.map { ($0.item, $0.timestamp) })
        #expect(t["a"] == 1_700_000_000)
        #expect(t["b"] == 1_700_000_000)
        #expect(t["c"] == 1_700_000_000.5)
        #expect(t["d"] == 1_700_000_000)
        #expect(abs(t["e"]! - 1_700_000_000.25) < 1e-6)
        #expect(t["f"] == 1_700_000_000)
        #expect(t["g"] == 1_700_000_000)
        #expect(t["h"] == 1_699_920_000)
        #expect(t["i"] == nil)
        #expect(data.report.rejectedByReason == ["bad timestamp": 1])
    }

    @Test func missingActionColumnMeansRatingWithValueElseView() throws {
        let data = try ReaderFixtures.load("user,item,timestamp,weight\nu1,i1,5,2\nu2,i2,6,\n")
        #expect(data.events.map(\.action) == [.rating, .view])
        #expect(data.report.notes.contains { $0.contains("no action column") })
    }

    @Test func unknownActionIsRejectedNotMapped() throws {
        let data = try ReaderFixtures.load("user,item,timestamp,event_type\nu1,i1,5,refund\nu2,i2,6,transaction\n")
        #expect(data.events.map(\.action) == [.purchase])
        #expect(data.report.rejectedByReason == ["unknown action": 1])
    }

    @Test func emptyIdentifierIsAnEmptyFieldRow() throws {
        let data = try ReaderFixtures.load("user,item,timestamp\n ,i1,5\nu2,i2,6\n")
        #expect(data.events.count == 1)
        #expect(data.report.rejectedByReason == ["empty required field": 1])
    }

    @Test func ignoredColumnsAreNoted() throws {
        let data = try ReaderFixtures.load("user,item,timestamp,session\nu1,i1,5,s\n")
        #expect(data.report.notes.contains { $0.contains("ignored column session") })
    }

    @Test func progressReportsBytesUpToTheTotal() throws {
        final class Box: @unchecked Sendable {
            var calls: [(Int64, Int64)] = []
        }
        let box = Box()
        var text = "user,item,timestamp\n"
        for k in 0..<50_000 { text += "user\(k),item\(k % 977),\(1_700_000_000 + k)\n" }
        let data = try ReaderFixtures.load(text, options: ReadOptions(progress: { box.calls.append(($0, $1)) }))
        #expect(data.events.count == 50_000)
        let last = try #require(box.calls.last)
        #expect(last.0 == Int64(text.utf8.count))
        #expect(last.1 == Int64(text.utf8.count))
        #expect(zip(box.calls, box.calls.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    }

    @Test func recordsSpanningChunkBoundariesAreIntact() throws {
        // Over 1 MiB so the reader refills mid-record at least once; quoted fields with newlines.
        var text = "user,item,timestamp,category\n"
        var expected: [String] = []
        for k in 0..<40_000 {
            let item = "item \"\"\(k)\"\" with, comma\nand newline"
            text += "u\(k),\"\(item)\",\(1_700_000_000 + k),\"a|b\"\n"
            expected.append("item \"\(k)\" with, comma\nand newline")
        }
        let data = try ReaderFixtures.load(text)
        #expect(data.report.rejected == 0)
        #expect(data.events.map(\.item) == expected)
    }

    @Test func streamDeliversCatalogueFirstThenEventsInOrder() throws {
        var order: [String] = []
        let report = try DatasetLoader.stream(
            ReaderFixtures.path("shop/events.csv"),
            catalogue: { catalogue in order.append("catalogue:\(catalogue.items.count)") },
            body: { event in order.append(event.item + ":" + event.action.name) })
        #expect(order == ["catalogue:3", "sku1:view", "sku1:click", "sku1:purchase", "sku2:view"])
        #expect(report.accepted == 4)
    }
}
