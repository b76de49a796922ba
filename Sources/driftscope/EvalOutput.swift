import Foundation
import InterestGraph

/// Text tables, JSON and CSV for `driftscope eval`.
enum EvalOutput {
    /// - Parameter runs: workspace runs recorded per model (`--workspace`), listed under
    ///   `workspace_runs` when there are any.
    static func json(_ report: EvaluationReport, runs: [(model: ModelKind, run: Int64)] = []) throws -> String {
        var object: [String: Any] = [
            "dataset": report.dataset,
            "events": report.events,
            "default_model": report.defaultModel.rawValue,
        ]
        if !report.temporal.isEmpty {
            var temporal: [String: Any] = [:]
            for entry in report.temporal {
                let m = entry.metrics
                var row: [String: Any] = [
                    "Recall@10": m.recall10, "Recall@20": m.recall20, "NDCG@10": m.ndcg10, "NDCG@20": m.ndcg20,
                    "HR@20": m.hitRate20, "Precision@20": m.precision20, "MRR": m.mrr, "Coverage@20": m.coverage20,
                    "train_seconds": entry.trainSeconds, "users": m.users,
                ]
                if !entry.calibration.isEmpty { row["scoring_settings"] = entry.calibration.joined(separator: " ") }
                temporal[entry.model.rawValue] = row
            }
            object["temporal"] = temporal
            object["temporal_test_users"] = [
                "ranked": report.temporal.first?.metrics.users ?? 0, "eligible": report.eligibleTestUsers,
                "sampled": report.testUsersSampled, "rule": report.testUsersSampled ? testUserRule : "all",
            ] as [String: Any]
        }
        if !report.prequential.isEmpty {
            var prequential: [String: Any] = [:]
            for entry in report.prequential {
                let m = entry.metrics
                prequential[entry.model.rawValue] = [
                    "HR@10": m.hitRate10, "MRR": m.mrr, "scored": m.scored, "eligible": m.eligible,
                    "sample_every": m.sampleEvery, "streamed": m.streamed,
                    "update_microseconds": m.updateMicroseconds, "fit_seconds": m.fitSeconds, "seconds": m.seconds,
                    "background_batches": m.backgroundBatches, "background_every": m.backgroundEvery,
                    "peak_rss_bytes": m.peakResidentBytes,
                ]
            }
            object["prequential"] = prequential
            object["sample_every"] = report.sampleEvery
        }
        object["peak_rss_bytes"] = report.peakResidentBytes
        if !runs.isEmpty {
            object["workspace_runs"] = Dictionary(runs.map { ($0.model.rawValue, $0.run) }, uniquingKeysWith: { $1 })
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    /// How `--test-users` picks users, in words (tables and JSON).
    static let testUserRule = "smallest FNV-1a 64-bit hash of the user id"

    static func writeTopK(_ lists: [ExportedList], to path: String) throws {
        var text = "user,rank,item,score\n"
        for list in lists {
            for (rank, entry) in list.items.enumerated() {
                text += "\(csv(list.user)),\(rank + 1),\(csv(entry.item)),\(entry.score)\n"
            }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func tables(_ report: EvaluationReport) -> String {
        var out = "\(report.dataset): \(report.events) events"
        if report.validation { out += " (VALIDATION split inside train, not the test)" }
        out += "; default model \(report.defaultModel.rawValue)\n"
        if !report.temporal.isEmpty {
            let base = report.temporal.first { $0.model == .mostPop }?.metrics.ndcg20
            let users = report.temporal.first?.metrics.users ?? 0
            if report.testUsersSampled {
                out += "\nProtocol A (temporal hold-out 80/20, \(users) of \(report.eligibleTestUsers) test users: the \(testUserRule))\n"
            } else {
                out += "\nProtocol A (temporal hold-out 80/20, \(users) test users)\n"
            }
            var rows = [["Model", "R@10", "R@20", "N@10", "N@20", "HR@20", "P@20", "MRR", "Cov@20", "Nov@20", "ILD@20", "N@20 lift", "train s", "s/epoch"]]
            for entry in report.temporal {
                let m = entry.metrics
                rows.append([
                    entry.model.rawValue, f(m.recall10), f(m.recall20), f(m.ndcg10), f(m.ndcg20), f(m.hitRate20),
                    f(m.precision20), f(m.mrr), f(m.coverage20), String(format: "%.2f", m.novelty20), f(m.diversity20),
                    lift(m.ndcg20, base), String(format: "%.2f", entry.trainSeconds),
                    entry.epochSeconds.map { String(format: "%.3f", $0) } ?? "-",
                ])
            }
            out += table(rows)
            let calibrated = report.temporal.filter { !$0.calibration.isEmpty }
            if !calibrated.isEmpty {
                out += "Scoring settings chosen on this dataset's validation split: "
                    + calibrated.map { "\($0.model.rawValue) \($0.calibration.joined(separator: " "))" }.joined(separator: "; ") + "\n"
            }
        }
        if !report.prequential.isEmpty {
            let base = report.prequential.first { $0.model == .mostPop }?.metrics.hitRate10
            if report.sampleEvery > 1 {
                out += "\nProtocol B (prequential, first 50% train only; sampled: every \(report.sampleEvery)th eligible event scored, every event learned)\n"
            } else {
                out += "\nProtocol B (prequential, first 50% train only)\n"
            }
            var rows = [["Model", "HR@10", "MRR", "S", "scored", "eligible", "HR@10 lift", "update us", "fit s", "bg batches", "total s", "peak MiB"]]
            for entry in report.prequential {
                let m = entry.metrics
                rows.append([
                    entry.model.rawValue, f(m.hitRate10), f(m.mrr), "\(m.sampleEvery)", "\(m.scored)", "\(m.eligible)", lift(m.hitRate10, base),
                    String(format: "%.2f", m.updateMicroseconds), String(format: "%.2f", m.fitSeconds),
                    "\(m.backgroundBatches)", String(format: "%.2f", m.seconds), mebibytes(m.peakResidentBytes),
                ])
            }
            out += table(rows)
        }
        if report.peakResidentBytes > 0 { out += "\nPeak resident memory: \(mebibytes(report.peakResidentBytes)) MiB\n" }
        return out
    }

    private static func f(_ x: Double) -> String { String(format: "%.4f", x) }

    private static func mebibytes(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    private static func lift(_ x: Double, _ base: Double?) -> String {
        guard let base, base > 0 else { return "-" }
        return String(format: "%+.1f%%", (x / base - 1) * 100)
    }

    private static func table(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
        var out = ""
        for (r, row) in rows.enumerated() {
            let cells = row.enumerated().map { k, cell in
                k == 0 ? cell.padding(toLength: widths[k], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[k] - cell.count) + cell
            }
            out += cells.joined(separator: "  ") + "\n"
            if r == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
