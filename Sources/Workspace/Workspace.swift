import Foundation
import GRDB

/// One SQLite file that holds everything a Driftscope session must not lose: runs, the
/// ingested event log, hyperparameter changes, the metrics timeline, model checkpoints and
/// bookmarks.
///
/// ```swift
/// let workspace = try Workspace(path: "demo.sqlite")           // opens, or creates (0600)
/// let run = try workspace.beginRun(source: .replay, name: "ml-100k", seed: nil,
///                                  codeVersion: "0.1.0", hyperparameters: Array(#"{"lr":0.01}"#.utf8))
/// let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
/// try recorder.record(events: slice)                            // from the engine thread
/// try recorder.finish(at: Date().timeIntervalSince1970)
/// ```
///
/// A `Workspace` holds nothing but the path and a serialised GRDB connection, so it is
/// `Sendable`: the engine thread can record through it while the dashboard reads another
/// run's metrics; calls are serialised, never concurrent. A ``WorkspaceRecorder`` made from it
/// writes on its own background thread through the same connection.
///
/// Opening never writes to a file that is not a workspace: the SQLite header and
/// `application_id` are read first with plain `read(2)`, then the schema table through a
/// read-only connection, and only then is the file opened for writing and migrated.
public final class Workspace: Sendable {
    /// The file, as given.
    public let path: String
    /// The serialised connection; `Sendable`, shared with the recorder's writer thread.
    let database: DatabaseQueue

    /// Opens the workspace at `path`, creating it when no file exists there (unless `create`
    /// is `false`).
    ///
    /// A new file is built under a temporary name created with `O_CREAT | O_EXCL` and mode
    /// 0600, given the Driftscope `application_id`, WAL mode and the current schema, and only
    /// then linked into place, so `path` never names a half-made workspace.
    /// - Throws: ``WorkspaceError`` with kind `.notAWorkspace` (not SQLite, or SQLite without
    ///   the Driftscope application id or schema table; the file is left untouched),
    ///   `.newerSchema`, `.corrupt` or `.io`.
    /// - Parameter create: when `false`, a missing file is an error (`.notFound`) instead of
    ///   a new workspace: commands that only read or erase must not create one by a typo.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        if !WorkspaceFile.exists(path) {
            guard create else {
                throw WorkspaceError(.notFound, "\(path): no workspace here (one is created by recording a run, e.g. `driftscope dashboard --workspace \(path)`)")
            }
            try WorkspaceFile.create(at: path)
        }
        database = try Self.open(path)
    }

    /// Checks and opens an existing workspace, retrying for up to 10 s while SQLite reports
    /// it busy or locked. Some steps of opening a WAL database (recovery, a WAL index being
    /// rebuilt by another process) report busy at once instead of waiting on the busy
    /// timeout, and a `runs list` polled beside a dashboard that is opening its recorder
    /// must not turn that run's recording off.
    private static func open(_ path: String) throws -> DatabaseQueue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try WorkspaceFile.checkHeader(path)
                try WorkspaceFile.checkSchema(path)
                WorkspaceFile.restrictPermissions(path)
                let database = try WorkspaceFile.openForWriting(path)
                do {
                    try WorkspaceSchema.migrator.migrate(database)
                } catch {
                    throw WorkspaceFile.mapped(error, path: path)
                }
                return database
            } catch let error as WorkspaceError where error.isTransientLock && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// The schema version this build writes; `PRAGMA user_version` of a migrated file.
    public static var schemaVersion: Int { WorkspaceSchema.version }

    /// `PRAGMA application_id` of every workspace ("DRFT").
    public static var applicationID: Int32 { WorkspaceSchema.applicationID }

    /// Runs `body` in a read, turning SQLite errors into one-line ``WorkspaceError``s.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw mapped(error)
        }
    }

    /// Runs `body` in one write transaction, turning SQLite errors into ``WorkspaceError``s.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw mapped(error)
        }
    }

    func mapped(_ error: any Error) -> any Error {
        WorkspaceFile.mapped(error, path: path)
    }
}
