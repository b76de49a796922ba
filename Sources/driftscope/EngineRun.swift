import Foundation
import InterestGraph
import Workspace

/// Options shared by the commands that run the engine and may record into a workspace.
struct WorkspaceRecording {
    var workspace: String?
    var record: Bool
    var resume: Bool

    var path: String? {
        if let workspace { return workspace }
        return record || resume ? Workspace.defaultPath() : nil
    }

    /// Sets up recording (and resuming) on `configuration`; returns the source to run, which
    /// for a resumed run is the one the run was recorded from, the run recorded into, and
    /// for a resumed replay the catalogue recorded with it (what lets the file be read
    /// again while the log replays: ``BackgroundLoadedSource``).
    func apply(to configuration: inout EngineConfiguration, source: SourceSpecification, sourceName: String, seed: UInt64?) throws -> (source: SourceSpecification, run: Int64?, catalogue: ItemCatalogue?) {
        guard let path else { return (source, nil, nil) }
        var catalogue: ItemCatalogue?
        let workspace = try Workspace(path: path)
        let run: Int64
        var source = source
        // A stream run logs each entry's id and acknowledges entries once logged.
        let slot = FeedSlot()
        var isStream = false
        if resume {
            guard let last = try workspace.lastRun() else {
                throw CommandError("\(path): no run to resume; start one with --workspace \(path)")
            }
            run = last.id
            switch last.sourceKind {
            case .simulation: source = .scenario(path: last.source, seed: last.seed)
            case .replay, .idle:
                source = .dataset(last.source)
                catalogue = try workspace.catalogue(run: last.id)
            case .stream:
                source = try StreamSources.resumed(last.source, workspace: workspace, run: run, slot: slot)
                isStream = true
            }
            // The checkpoint's row now, its tables (a gigabyte at a million users) on their own
            // thread while the log replays.
            let summary = try workspace.latestCheckpointSummary(run: run)
            if let json = summary?.hyperparameters ?? Optional(last.hyperparameters),
               let hyperparameters = try? JSONDecoder().decode(Hyperparameters.self, from: Data(json)) {
                configuration.hyperparameters = hyperparameters
            }
            let position = try workspace.loggedPosition(run: run)
            let checkpoint = summary.map { summary in
                PendingCheckpoint(sourcePosition: summary.sourcePosition, tableNames: summary.tableNames) {
                    try Workspace(path: path, create: false).checkpoint(id: summary.id, run: run)
                }
            }
            configuration.resume = ResumePlan(sourcePosition: position, pendingCheckpoint: checkpoint) { body in
                // Opened again on the engine thread: a workspace belongs to one thread.
                let log = try Workspace(path: path, create: false)
                var reader = try log.events(run: run, from: 0)
                try reader.forEachPage(before: position, body)
            }
            try workspace.resume(run: run)
        } else {
            let json = (try? JSONEncoder().encode(configuration.hyperparameters)).map { [UInt8]($0) } ?? []
            var kind: SourceStatus.Kind
            if case .scenario = source { kind = .simulation } else { kind = .replay }
            if case .custom(let name, _) = source, StreamSources.isStream(name) {
                kind = .stream
                source = try StreamSources.specification(name, acknowledge: .whenLogged, slot: slot)
                isStream = true
            }
            run = try workspace.beginRun(source: kind, name: sourceName, seed: seed, codeVersion: Driftscope.configuration.version, hyperparameters: json)
        }
        let ledger: (any SourcePositionLedger)? = isStream ? slot : nil
        configuration.makeRecorder = { try WorkspaceRecorder(workspace: Workspace(path: path, create: false), run: run, ledger: ledger) }
        return (source, run, catalogue)
    }
}
