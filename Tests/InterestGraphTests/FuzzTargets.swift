// The fuzz targets: feed bytes to a reader and check what it returns.
//
// Compiled twice: into the test target (the seed regression test, `@testable import`), and by
// `Fuzz/fuzz.sh` together with the InterestGraph sources into one libFuzzer executable, where
// it is part of the module itself and DRIFTSCOPE_FUZZ drops the import.
import Foundation
#if !DRIFTSCOPE_FUZZ
@testable import InterestGraph
#endif

/// One reader under fuzzing: `check` reads `bytes` and throws ``FuzzFailure`` when the result
/// breaks an invariant. Any other outcome (a result, or the reader's own error for bad input)
/// is a pass; a crash or a hang is the fuzzer's to catch.
enum FuzzTarget: String, CaseIterable, Sendable {
    case csv, jsonl, toml

    /// The seed folder under `Tests/FuzzCorpus/`.
    var corpusFolder: String { rawValue }

    func check(_ bytes: [UInt8], scratch: String) throws(FuzzFailure) {
        switch self {
        case .csv: try FuzzChecks.delimited(bytes, scratch: scratch)
        case .jsonl: try FuzzChecks.jsonLines(bytes, scratch: scratch)
        case .toml: try FuzzChecks.toml(bytes)
        }
    }
}

/// A broken invariant, with what was seen.
struct FuzzFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum FuzzChecks {
    /// The readers take paths (they stream large files), so each input goes through a file in
    /// `scratch`, a directory of its own (nothing beside it is read as a side catalogue).
    static func write(_ bytes: [UInt8], scratch: String, name: String) throws(FuzzFailure) -> String {
        let path = scratch + "/" + name
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw FuzzFailure("cannot write \(path): \(error)")
        }
        return path
    }

    /// Lines as the reader counts them: the last may lack its newline. The delimited reader
    /// also ends a record at a lone CR (old Mac files), so for it a lone CR counts too.
    static func lineCount(_ bytes: [UInt8], loneCarriageReturns: Bool) -> Int {
        var lines = 1
        for (i, b) in bytes.enumerated() {
            if b == 0x0A || (loneCarriageReturns && b == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A)) { lines += 1 }
        }
        return lines
    }

    /// Reads leniently and strictly and checks that the two agree with each other and with
    /// the input. `rowsSeen`, when the format allows counting rows without parsing them,
    /// must equal accepted + rejected.
    static func readBothWays(_ path: String, format: DatasetFormat, bytes: [UInt8], rowsSeen: Int?) throws(FuzzFailure) {
        let lenient: LoadedDataset
        do {
            lenient = try DatasetLoader.load(path, format: format, options: ReadOptions(maxExamples: 3))
        } catch let error as DatasetError {
            // The whole input refused (empty, binary, no user/item/timestamp): fine, if it says why.
            if error.message.isEmpty { throw FuzzFailure("fatal error with an empty message") }
            return
        } catch {
            throw FuzzFailure("lenient read threw \(type(of: error)), not DatasetError: \(error)")
        }
        let report = lenient.report
        let lines = lineCount(bytes, loneCarriageReturns: format == .csv)
        if report.accepted != lenient.events.count {
            throw FuzzFailure("report.accepted \(report.accepted) but \(lenient.events.count) events")
        }
        for (reason, count) in report.rejectedByReason where count <= 0 || ReadIssue.Kind(rawValue: reason) == nil {
            throw FuzzFailure("rejectedByReason[\(reason)] = \(count)")
        }
        if report.examples.count != min(report.rejected, 3) {
            throw FuzzFailure("\(report.examples.count) examples for \(report.rejected) rejected rows")
        }
        for issue in report.examples {
            if issue.line < 1 || issue.line > lines || issue.column < 1 {
                throw FuzzFailure("issue at line \(issue.line) column \(issue.column) in \(lines) lines: \(issue)")
            }
            if report.rejectedByReason[issue.kind.rawValue] == nil {
                throw FuzzFailure("example of kind '\(issue.kind.rawValue)' not counted: \(issue)")
            }
        }
        if report.accepted + report.rejected > lines {
            throw FuzzFailure("\(report.accepted) accepted + \(report.rejected) rejected rows from \(lines) lines")
        }
        if let rowsSeen, report.accepted + report.rejected != rowsSeen {
            throw FuzzFailure("\(report.accepted) accepted + \(report.rejected) rejected != \(rowsSeen) rows")
        }
        for event in lenient.events where event.user.isEmpty || event.item.isEmpty || !event.timestamp.isFinite {
            throw FuzzFailure("accepted an event without user, item or finite time: \(event)")
        }

        // Strict stops at exactly the first row lenient rejected, and otherwise reads the same.
        do {
            let strict = try DatasetLoader.load(path, format: format, options: ReadOptions(strict: true, maxExamples: 3))
            if report.rejected > 0 {
                throw FuzzFailure("strict read accepted a file whose lenient read rejected \(report.examples[0])")
            }
            if strict.events.map({ "\($0)" }) != lenient.events.map({ "\($0)" }) {
                throw FuzzFailure("strict and lenient reads delivered different events")
            }
        } catch let failure as FuzzFailure {
            throw failure
        } catch let error as DatasetError {
            guard report.rejected > 0 else { throw FuzzFailure("strict read failed on a clean file: \(error)") }
            if error.issue != report.examples.first {
                throw FuzzFailure("strict stopped at \(error.issue.map { "\($0)" } ?? "nil"), lenient's first rejection was \(report.examples[0])")
            }
        } catch {
            throw FuzzFailure("strict read threw \(type(of: error)): \(error)")
        }
    }

    static func delimited(_ bytes: [UInt8], scratch: String) throws(FuzzFailure) {
        let path = try write(bytes, scratch: scratch, name: "input.csv")
        // Quoted fields may span lines, so rows cannot be counted without the scanner itself.
        try readBothWays(path, format: .csv, bytes: bytes, rowsSeen: nil)
    }

    static func jsonLines(_ bytes: [UInt8], scratch: String) throws(FuzzFailure) {
        let path = try write(bytes, scratch: scratch, name: "input.jsonl")
        // One row per line that holds anything but spaces and tabs (a byte-order mark first,
        // and a carriage return last, belong to no row).
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var rows = 0
        for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var content = line
            if content.last == 0x0D { content = content.dropLast() }
            if content.contains(where: { $0 != 0x20 && $0 != 0x09 }) { rows += 1 }
        }
        try readBothWays(path, format: .jsonl, bytes: bytes, rowsSeen: rows)
    }

    static func toml(_ bytes: [UInt8]) throws(FuzzFailure) {
        // Config files reach the parser as Strings; invalid UTF-8 is repaired on the way in.
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.reduce(1) { $0 + ($1 == "\n" || $1 == "\r\n" ? 1 : 0) }
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text, file: "fuzz.toml")
        } catch {
            if error.line < 1 || error.line > lines || error.column < 1 || error.message.isEmpty {
                throw FuzzFailure("error at line \(error.line) column \(error.column) in \(lines) lines: '\(error.message)'")
            }
            return
        }
        try checkTable(table, lines: lines, path: "")
    }

    /// Every key once, with a value and a line inside the document, all the way down.
    static func checkTable(_ table: TOMLTable, lines: Int, path: String) throws(FuzzFailure) {
        if Set(table.keys).count != table.keys.count || table.keys.count != table.values.count {
            throw FuzzFailure("table '\(path)': keys \(table.keys) and \(table.values.count) values")
        }
        for key in table.keys {
            guard let value = table[key] else { throw FuzzFailure("table '\(path)': key '\(key)' without a value") }
            let line = table.line(of: key)
            if line < 1 || line > lines { throw FuzzFailure("'\(path).\(key)' on line \(line) of \(lines)") }
            try checkValue(value, lines: lines, path: path + "." + key)
        }
    }

    static func checkValue(_ value: TOMLValue, lines: Int, path: String) throws(FuzzFailure) {
        switch value {
        case .table(let t): try checkTable(t, lines: lines, path: path)
        case .array(let items): for (i, item) in items.enumerated() { try checkValue(item, lines: lines, path: "\(path)[\(i)]") }
        default: break
        }
    }
}
