public import ArgumentParser
import Foundation
public import InterestGraph

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Helpers shared by the commands: dataset options, progress on stderr, JSON output.

// Public only because the enum is; nothing outside this executable sees it.
extension DatasetFormat: ExpressibleByArgument {}
extension TrainingMode: ExpressibleByArgument {}

/// Options every command that reads a dataset accepts (`@OptionGroup var dataset: DatasetOptions`).
struct DatasetOptions: ParsableArguments {
    @Option(help: "Input layout: \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: DatasetFormat = .auto

    @Flag(help: "Stop at the first bad row (non-zero exit) instead of skipping and counting it.")
    var strict = false

    @Option(name: .customLong("map"), help: ArgumentHelp(
        "Map a column to a field: COLUMN=FIELD (user, item, timestamp, action, value, category, brand, price, title, entities, ignore). Repeatable.",
        valueName: "column=field"))
    var mappings: [String] = []

    func validate() throws {
        _ = try columnMap()
    }

    /// `--map` entries as a dictionary.
    func columnMap() throws -> [String: String] {
        var map: [String: String] = [:]
        for entry in mappings {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--map expects COLUMN=FIELD, got '\(entry)'")
            }
            map[parts[0]] = parts[1]
        }
        return map
    }

    /// Says on stderr that a dataset name is about to be fetched (first use), so a pause for
    /// the download is explained.
    static func announceFetch(_ pathOrName: String) {
        let name = pathOrName.lowercased()
        let cache = DatasetCache()
        guard !FileManager.default.fileExists(atPath: pathOrName), DatasetCache.knownDatasets.contains(name), !cache.isCached(name) else { return }
        Console.error("\(name) is not cached yet; fetching it into \(cache.root) ...")
    }

    /// Read options with a progress line on stderr for large inputs.
    func readOptions(progress: ProgressLine? = ProgressLine.standardError()) throws -> ReadOptions {
        var options = ReadOptions(strict: strict, columnMap: try columnMap())
        if let progress {
            options.progress = { done, total in progress.update(done: done, total: total) }
        }
        return options
    }
}

/// A one-line progress indicator on stderr, shown only when stderr is a terminal and the
/// input is large enough for waiting to be noticeable.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var lastPercent = -1
    private var shown = false
    private let minimumBytes: Int64
    private let label: String

    init(label: String = "reading", minimumBytes: Int64 = 16 << 20) {
        self.label = label
        self.minimumBytes = minimumBytes
    }

    /// A progress line when stderr is a TTY, else `nil`.
    static func standardError(label: String = "reading") -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine(label: label) : nil
    }

    func update(done: Int64, total: Int64) {
        guard total >= minimumBytes, total > 0 else { return }
        let percent = Int(done * 100 / total)
        lock.lock()
        defer { lock.unlock() }
        guard percent != lastPercent else { return }
        lastPercent = percent
        shown = true
        let mib = { (b: Int64) in String(format: "%.1f", Double(b) / 1_048_576) }
        Console.error("\r\(label) \(percent)% (\(mib(done)) / \(mib(total)) MiB)", newline: false)
    }

    /// Clears the line if anything was drawn.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { Console.error("\r\u{1B}[K", newline: false) }
        shown = false
    }
}

/// Output helpers: stdout for results, stderr for everything else.
enum Console {
    static func error(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((newline ? text + "\n" : text).utf8))
    }

    /// Prints a value as one JSON object with sorted keys.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Human-readable figures.
enum Format {
    /// `1234567` -> `1,234,567`.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 {
            v /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func duration(_ seconds: Double) -> String {
        let days = seconds / 86_400
        if days >= 2 { return String(format: "%.1f days", days) }
        if seconds >= 7200 { return String(format: "%.1f hours", seconds / 3600) }
        return String(format: "%.0f s", seconds)
    }

    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// Up to one decimal, no trailing ".0".
    static func number(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    static func date(_ t: Double) -> String { CivilTime.format(t) }

    /// Left-aligned first column, right-aligned others, two spaces apart.
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for r in rows { for (k, cell) in r.enumerated() { widths[k] = max(widths[k], cell.count) } }
        return rows.map { r in
            r.enumerated().map { k, cell in
                let pad = String(repeating: " ", count: widths[k] - cell.count)
                return k == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
