import Dashboard
import InterestGraph
import Workspace

/// The recorded runs a dashboard can overlay in its Training panel, read from a workspace
/// and handed to the Dashboard module as plain data (it never imports Workspace).
enum RunOverlays {
    /// The runs of the workspace at `path` except `current` (the one being recorded), newest
    /// first, with a loader of their metrics timelines.
    /// - Throws: when the workspace cannot be opened, or `initial` names no run in it.
    static func source(path: String, excluding current: Int64?, initial: Int64?) throws -> RunOverlaySource {
        let workspace = try Workspace(path: path, create: false)
        let runs = try workspace.runs().map(\.run)
        if let initial, !runs.contains(where: { $0.id == initial }) {
            let known = runs.map { String($0.id) }.joined(separator: ", ")
            throw CommandError("\(path): no run \(initial) to compare with (runs: \(known.isEmpty ? "none" : known))")
        }
        let labels = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, label($0)) })
        let choices = runs.filter { $0.id != current || $0.id == initial }
            .sorted { $0.id > $1.id }
            .map { RunOverlaySource.Choice(run: $0.id, label: label($0)) }
        return RunOverlaySource(choices: choices, initial: initial) { run in
            let points = try workspace.metrics(run: run).map {
                RunOverlay.Point(events: $0.events, step: $0.step, loss: $0.loss, hitRate10: $0.hitRate10, mrr: $0.mrr)
            }
            return RunOverlay(run: run, label: labels[run] ?? "run \(run)", points: points)
        }
    }

    /// "run 3: ml-100k", "run 4: default (seed 7)".
    static func label(_ run: RunRecord) -> String {
        var text = "run \(run.id): \(run.source)"
        if let seed = run.seed { text += " (seed \(seed))" }
        return text
    }
}
