import Foundation
import InterestGraph
import Workspace

/// `eval --workspace FILE`: one run per model evaluated with protocol B, holding the
/// prequential timeline as its metrics and the protocol's final HR@10/MRR as its last point,
/// so `runs list`, `runs compare` and the dashboard's overlay show them.
enum EvalRecording {
    /// Timeline points per model (the workspace keeps at most 2,000 per run).
    static let points = 400

    /// Streamed events between two timeline points for a stream of `events`.
    static func interval(events: Int) -> Int { max(100, events / 2 / points) }

    /// Records every prequential entry of `report`; returns the run ids, in model order.
    /// - Parameters:
    ///   - source: the dataset as given on the command line (what a run's source names).
    ///   - finishedAt: wall-clock seconds when the evaluation ended; the models ran one after
    ///     another before it, each for its own `metrics.seconds`.
    static func record(_ report: EvaluationReport, source: String, options: EvaluationRunner.Options, path: String, finishedAt: Double) throws -> [(model: ModelKind, run: Int64)] {
        let workspace = try Workspace(path: path)
        var end = finishedAt
        var started: [Double] = Array(repeating: 0, count: report.prequential.count)
        for (k, entry) in report.prequential.enumerated().reversed() {
            started[k] = end - entry.metrics.seconds
            end = started[k]
        }
        var runs: [(ModelKind, Int64)] = []
        for (k, entry) in report.prequential.enumerated() {
            let hyperparameters = try EvaluationRunner.hyperparameters(for: entry.model, protocol: .prequential, options: options)
            let json = try settings(hyperparameters, model: entry.model, options: options, metrics: entry.metrics)
            let run = try workspace.beginRun(
                source: .replay, name: source, seed: options.seed, codeVersion: Driftscope.configuration.version,
                hyperparameters: json, at: started[k])
            let recorder = try WorkspaceRecorder(workspace: workspace, run: run, policy: RecorderPolicy(writer: .inline))
            for point in entry.metrics.timeline {
                try recorder.record(metrics: RunMetricsPoint(
                    step: point.backgroundBatches, wallTime: started[k] + point.seconds, clock: point.timestamp,
                    loss: point.loss, hitRate10: point.hitRate10, mrr: point.mrr,
                    eventsPerSecond: point.seconds > 0 ? Double(point.streamed) / point.seconds : 0, events: point.events))
            }
            try recorder.finish(at: started[k] + entry.metrics.seconds)
            runs.append((entry.model, run))
        }
        return runs
    }

    /// The run's starting settings: the model's hyperparameters (so `dashboard --resume`
    /// could decode them) plus what identifies the evaluation, for `runs compare`.
    /// - Parameter metrics: the run's results, whose sampling (`sample_every`, `scored`,
    ///   `eligible`) is recorded beside the settings; nil before the run.
    static func settings(_ hyperparameters: Hyperparameters, model: ModelKind, options: EvaluationRunner.Options, metrics: PrequentialMetrics? = nil) throws -> [UInt8] {
        let encoder = JSONEncoder()
        // Some tuned settings are infinite (ItemKNN's half-life: no decay).
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let encoded = try encoder.encode(hyperparameters)
        var object = (try JSONSerialization.jsonObject(with: encoded) as? [String: Any]) ?? [:]
        object["model"] = model.rawValue
        var evaluation: [String: Any] = [
            "protocol": "prequential", "warmup": options.validation ? 0.9 : 0.5,
            "background_every": options.backgroundEvery, "validation": options.validation,
            "sample_every": max(1, options.sampleEvery),
        ]
        if let metrics {
            evaluation["scored"] = metrics.scored
            evaluation["eligible"] = metrics.eligible
        }
        object["evaluation"] = evaluation
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
