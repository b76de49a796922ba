import Foundation
import InterestGraph
import Workspace

/// `simulate --workspace FILE`: the generated events as a run (source kind simulation, the
/// scenario and its seed), exactly the stream `dashboard --scenario` replays, so the run can
/// be exported, compared, and resumed by the dashboard.
enum SimulateRecording {
    /// Events per `record(events:)` call.
    static let slice = 8_192

    /// Records every event of `world`'s simulation into a new run; returns it and the count.
    /// - Parameter scenario: the scenario as given (a name in sample-data/scenarios/ or a file
    ///   path), recorded as the absolute path of the file read, so the run resumes from any
    ///   directory.
    static func record(world: ShopWorld, scenario: String, path: String) throws -> (run: Int64, events: Int) {
        let workspace = try Workspace(path: path)
        let file = Scenario.resolvePath(scenario)
        let name = FileManager.default.fileExists(atPath: file) ? URL(fileURLWithPath: file).standardizedFileURL.path : scenario
        let settings = [UInt8](try JSONEncoder().encode(Hyperparameters()))
        let run = try workspace.beginRun(
            source: .simulation, name: name, seed: world.scenario.seed,
            codeVersion: Driftscope.configuration.version, hyperparameters: settings)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        var source = SimulationSource(world: world)
        // The catalogue first: the events name items whose category, brand, price and
        // knowledge-graph links only the catalogue holds (export-events writes them back).
        try recorder.record(catalogue: source.catalogue)
        var pending: [RecordedEvent] = []
        pending.reserveCapacity(slice)
        var position: Int64 = 0
        while let event = source.next() {
            pending.append(RecordedEvent(position: position, event: event))
            position += 1
            if pending.count == slice {
                try recorder.record(events: pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        try recorder.record(events: pending)
        try recorder.finish(at: Date().timeIntervalSince1970)
        return (run, Int(position))
    }
}
