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
    /// How the file was opened: commands that only read open it ``Access/readOnly``.
    public let access: Access
    /// The serialised connection; `Sendable`, shared with the recorder's writer thread.
    let database: DatabaseQueue

    /// How a workspace is opened.
    public enum Access: Sendable {
        /// Created when missing, migrated, recordable.
        case readWrite
        /// An existing file, opened with a read-only SQLite connection: no migration, no
        /// permission change, nothing written. Works on a file (or in a directory) this user
        /// cannot write; see ``init(path:create:access:)``.
        case readOnly
    }

    /// Opens the workspace at `path`, creating it when no file exists there (unless `create`
    /// is `false`).
    ///
    /// A new file is built under a temporary name created with `O_CREAT | O_EXCL` and mode
    /// 0600, given the Driftscope `application_id`, WAL mode and the current schema, and only
    /// then linked into place, so `path` never names a half-made workspace.
    ///
    /// With `access: .readOnly` (commands that only read: `runs`, `workspace info`,
    /// `export-events`) the file must exist; it is checked as usual and opened through a
    /// read-only connection, never migrated: a file written by an older build is read as it
    /// is. In a directory this user cannot write, SQLite cannot create the `-wal` and `-shm`
    /// files a WAL reader needs; when they do not exist no writer can be running either (a
    /// writer creates them), so the file is opened `immutable` (no locks, no WAL index).
    /// - Throws: ``WorkspaceError`` with kind `.notAWorkspace` (not SQLite, or SQLite without
    ///   the Driftscope application id or schema table; the file is left untouched),
    ///   `.newerSchema`, `.corrupt` or `.io` (also when a read-write open finds the file or
    ///   its directory not writable: the message says so and names the read-only commands).
    /// - Parameter create: when `false`, a missing file is an error (`.notFound`) instead of
    ///   a new workspace: commands that only read or erase must not create one by a typo.
    public init(path: String, create: Bool = true, access: Access = .readWrite) throws {
        self.path = path
        self.access = access
        if !WorkspaceFile.exists(path) {
            guard create, access == .readWrite else {
                throw WorkspaceError(.notFound, "\(path): no workspace here (one is created by recording a run, e.g. `driftscope dashboard --workspace \(path)`)")
            }
            try WorkspaceFile.create(at: path)
        }
        database = try Self.open(path, access: access)
    }

    /// Why this process cannot write the workspace (no write permission on the file, or on
    /// the directory that must hold its `-wal` and `-shm` files), or nil when it can.
    public var writeProblem: String? { WorkspaceFile.writeProblem(path) }

    /// Checks and opens an existing workspace, retrying for up to 10 s while SQLite reports
    /// it busy or locked. Some steps of opening a WAL database (recovery, a WAL index being
    /// rebuilt by another process) report busy at once instead of waiting on the busy
    /// timeout, and a `runs list` polled beside a dashboard that is opening its recorder
    /// must not turn that run's recording off.
    private static func open(_ path: String, access: Access) throws -> DatabaseQueue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try WorkspaceFile.checkHeader(path)
                try WorkspaceFile.checkSchema(path)
                if access == .readOnly { return try WorkspaceFile.openForReading(path) }
                if let problem = WorkspaceFile.writeProblem(path) {
                    throw WorkspaceError(.io, "\(path): cannot write this workspace: \(problem); commands that only read it (runs, workspace info, workspace bookmarks, export-events) open it read-only")
                }
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
