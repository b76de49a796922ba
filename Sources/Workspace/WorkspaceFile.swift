import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-level work on a workspace: creation, the read-only checks done before any write,
/// and opening for writing. Every `open(2)`-level call of the module lives here.
enum WorkspaceFile {
    static let sqliteMagic = Array("SQLite format 3\0".utf8)

    /// `write(2)`, named apart from the `write` methods of the types that call it.
    static func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        write(fd, bytes, count)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    // MARK: Creation

    /// Creates a complete, empty workspace at `path` (see ``Workspace/init(path:)``).
    /// Returns quietly when another process created `path` first.
    static func create(at path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw WorkspaceError(.io, "\(path): cannot create the workspace: directory \(directory) does not exist")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".creating-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw WorkspaceError(.io, "\(path): cannot create the workspace (\(String(cString: strerror(errno))))")
        }
        // The mode given to open(2) is filtered by the umask, which can only remove bits;
        // fchmod makes 0600 exact whatever the umask.
        fchmod(fd, 0o600)
        close(fd)
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        do {
            let queue = try openForWriting(temporary, creating: true)
            try queue.write { db in
                try db.execute(sql: "PRAGMA application_id = \(WorkspaceSchema.applicationID)")
            }
            try WorkspaceSchema.migrator.migrate(queue)
            // Closing the last connection checkpoints the WAL into the file and deletes it.
            try queue.close()
        } catch {
            throw mapped(error, path: path)
        }
        // link(2) fails when `path` exists, unlike rename(2): a workspace created meanwhile by
        // another process is never replaced.
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { return }
            // File systems without hard links: rename, after a last existence check.
            guard !exists(path), rename(temporary, path) == 0 else {
                throw WorkspaceError(.io, "\(path): cannot create the workspace (\(String(cString: strerror(code))))")
            }
        }
        let dirfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    // MARK: Checks before any write

    /// Reads the first 100 bytes and checks the SQLite magic string and the Driftscope
    /// `application_id` (big-endian at offset 68).
    ///
    /// The bytes are read through SQLite's own file layer, never a plain `open(2)`/`close(2)`:
    /// POSIX record locks belong to the process, so closing *any* descriptor of the file
    /// drops every lock this process's SQLite connections hold on it. Another process's
    /// connection then believes it is the last one, checkpoints and deletes the `-wal` and
    /// `-shm` files on close, and this process goes on committing into unlinked files that
    /// no reader sees (found by polling `runs list` beside a recording dashboard). SQLite's
    /// unix layer tracks files per inode and defers such a close while locks are held.
    static func checkHeader(_ path: String) throws {
        let untouched = "; the file was left untouched"
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw WorkspaceError(.io, "\(path): cannot read the workspace (\(String(cString: strerror(errno))))")
        }
        // Checked before opening: opening a FIFO for reading would block.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: not a regular file")
        }
        let header = try HeaderReader.first100Bytes(of: path)
        if header.isEmpty {
            throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: the file is empty\(untouched)")
        }
        guard header.count == 100, Array(header[0..<16]) == sqliteMagic else {
            throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: not a SQLite database (no SQLite header)\(untouched)")
        }
        let id = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int32(bitPattern: id) == WorkspaceSchema.applicationID else {
            let found = id == 0 ? "no application_id" : "application_id " + String(format: "0x%08X", id)
            throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: a SQLite database of another application (\(found))\(untouched)")
        }
    }

    /// Through a read-only connection: the application id, the migrations table, and whether
    /// a newer build wrote migrations this one does not know.
    static func checkSchema(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        // A connection closing elsewhere (the last one checkpoints the WAL under an
        // exclusive lock) or a writer mid-commit: wait for it as the writer connection does,
        // rather than call a sound workspace "locked".
        configuration.busyMode = .timeout(10)
        configuration.label = "driftscope.workspace.check"
        do {
            let queue = try DatabaseQueue(path: readOnlyLocation(path), configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard id == WorkspaceSchema.applicationID else {
                    throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: application_id \(id); the file was left untouched")
                }
                guard try db.tableExists("grdb_migrations") else {
                    throw WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: no schema table (grdb_migrations); the file was left untouched")
                }
                let migrator = WorkspaceSchema.migrator
                if try migrator.hasBeenSuperseded(db) {
                    let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                    throw WorkspaceError(.newerSchema, "\(path): written by a newer Driftscope (migrations \(applied.joined(separator: ", ")); this build knows up to v\(WorkspaceSchema.version)); the file was left untouched")
                }
                if try migrator.appliedMigrations(db).contains("v1"), try !db.tableExists("runs") {
                    throw WorkspaceError(.corrupt, "\(path): damaged workspace: schema v1 recorded but table 'runs' is missing; the file was left untouched")
                }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_READONLY_RECOVERY {
            // A WAL left by a crash that only a writer may recover. The header already proved
            // the file is ours, so recovery is allowed; the writer connection re-checks.
            return
        } catch {
            throw mapped(error, path: path, untouched: true)
        }
    }

    /// Tightens a workspace copied with broader permissions back to owner-only.
    static func restrictPermissions(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 != 0, info.st_uid == geteuid() else { return }
        chmod(path, info.st_mode & 0o700)
    }

    // MARK: Opening for reading

    /// Why this process cannot write `path` as a workspace, or nil. SQLite writes the file
    /// and creates `-wal` and `-shm` files beside it, so both the file and its directory must
    /// be writable.
    static func writeProblem(_ path: String) -> String? {
        if access(path, W_OK) != 0 {
            return "no write permission on the file (\(String(cString: strerror(errno))))"
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if access(directory, W_OK) != 0 {
            return "no write permission on its directory \(directory), which must hold the -wal and -shm files (\(String(cString: strerror(errno))))"
        }
        return nil
    }

    /// What a read-only connection should open: the path itself, or, when this user cannot
    /// write the workspace (``writeProblem(_:)``) and no `-wal` file exists, the path as a URI
    /// with `immutable=1`.
    ///
    /// A WAL reader needs the `-shm` (and `-wal`) files: it uses them when they exist and
    /// creates them when it can; in a directory it cannot write and without them SQLite fails
    /// ("unable to open database file"), and where it can, it would leave files of its own
    /// beside someone else's workspace (a read-only connection cannot remove them on close).
    /// Without a `-wal` file no writer is running (a writer creates it, and removes it when it
    /// closes), so the file is treated as unchanging: no locks, no WAL index, no files made
    /// (sqlite.org/wal.html, "Read-Only Databases"; sqlite.org/uri.html, `immutable`). With a
    /// `-wal` file the latest commits may be in it, so the file is opened normally and SQLite
    /// reads them through the existing `-shm` (readable is enough). The system SQLite
    /// interprets URI file names (Debian builds it with SQLITE_USE_URI). The owner of a
    /// workspace gets a normal read-only connection, which may leave empty `-wal`/`-shm`
    /// files of the owner's, reused by the next writer.
    static func readOnlyLocation(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard writeProblem(path) != nil, !exists(path + "-wal") else { return path }
        var escaped = ""
        for byte in url.path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7F...:
                escaped += String(format: "%%%02X", byte)
            default:
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return "file:" + escaped + "?immutable=1"
    }

    /// A read-only connection to a checked workspace (``readOnlyLocation(_:)``): no pragma
    /// that writes, no migration, no permission change.
    static func openForReading(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        // A writer mid-commit in another process: wait for it, as the writer connection does.
        configuration.busyMode = .timeout(10)
        configuration.label = "driftscope.workspace.read"
        do {
            return try DatabaseQueue(path: readOnlyLocation(path), configuration: configuration)
        } catch {
            throw mapped(error, path: path)
        }
    }

    // MARK: Opening for writing

    /// Pages of new workspaces. 16 KiB instead of SQLite's 4 KiB: the event log is written
    /// as large blobs, and every page of a commit costs a WAL frame (header, checksum, write);
    /// measured, the log writer's CPU per event fell by a third (82 to 53 ns) for 3% more
    /// bytes. SQLite fixes the page size when a file is created; older files keep theirs.
    static let pageSize = 16_384

    static func openForWriting(_ path: String, creating: Bool = false) throws -> DatabaseQueue {
        var configuration = Configuration()
        // Another process (a `runs list` beside a live dashboard) may hold the lock briefly.
        configuration.busyMode = .timeout(10)
        configuration.label = "driftscope.workspace"
        configuration.prepareDatabase { db in
            // Before anything is written: the first write fixes it for the file's life.
            if creating { try db.execute(sql: "PRAGMA page_size = \(pageSize)") }
            // WAL is persistent (set when the file was created); set here rather than through
            // GRDB's `journalMode = .wal`, which would also lower `synchronous` to NORMAL.
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw WorkspaceError(.io, "\(path): cannot switch the workspace to WAL mode")
            }
            // Deleted content is overwritten with zeros, so `forget` leaves no readable trace.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // In WAL mode FULL syncs the log at every commit: a committed batch survives a
            // power cut, not only a killed process. Commits are ~10 per second at engine
            // speed (the 100 ms deadline); at most ~80 at millions of events per second (one
            // per RecorderPolicy.flushEvents).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw mapped(error, path: path)
        }
    }

    // MARK: Errors

    /// Why SQLite could not open a workspace this user can read: its WAL files. A writer that
    /// has not closed (still running, or killed) keeps its latest commits in `-wal`; reading
    /// them needs `-wal` and `-shm` readable, or a directory where `-shm` can be made.
    static func cannotOpenReason(_ path: String) -> String {
        guard access(path, R_OK) == 0 else { return "" }
        let wal = path + "-wal", shm = path + "-shm"
        if exists(wal), access(wal, R_OK) != 0 {
            return " (its write-ahead log \(wal), which holds the latest commits of a writer that has not closed, is not readable by this user)"
        }
        if exists(shm), access(shm, R_OK) != 0 {
            return " (its shared-memory file \(shm) is not readable by this user)"
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if exists(wal), !exists(shm), access(directory, W_OK) != 0 {
            return " (\(wal) exists without its -shm file, which this user cannot create in \(directory))"
        }
        return ""
    }

    /// A one-line ``WorkspaceError`` for any error raised by SQLite or GRDB.
    static func mapped(_ error: any Error, path: String, untouched: Bool = false) -> any Error {
        if error is WorkspaceError { return error }
        guard let db = error as? DatabaseError else {
            return WorkspaceError(.io, "\(path): \(error)")
        }
        let suffix = untouched ? "; the file was left untouched" : ""
        let message = (db.message ?? "SQLite error \(db.resultCode.rawValue)").replacingOccurrences(of: "\n", with: " ")
        switch db.resultCode {
        case .SQLITE_NOTADB:
            return WorkspaceError(.notAWorkspace, "\(path): not a Driftscope workspace: \(message)\(suffix)")
        case .SQLITE_CORRUPT:
            return WorkspaceError(.corrupt, "\(path): damaged workspace: \(message)\(suffix)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return WorkspaceError(.io, "\(path): \(message)\(suffix)", isTransientLock: true)
        case .SQLITE_CANTOPEN:
            return WorkspaceError(.io, "\(path): \(message)\(cannotOpenReason(path))\(suffix)")
        case .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_PERM, .SQLITE_READONLY:
            return WorkspaceError(.io, "\(path): \(message)\(suffix)")
        default:
            return WorkspaceError(.invalid, "\(path): \(message)\(suffix)")
        }
    }
}
