import Foundation
import GRDB
import Testing
@testable import Workspace

#if canImport(Glibc)
import Glibc
#endif

@Suite("Workspace file: creation, schema, refusal of foreign files")
struct WorkspaceOpeningTests {
    @Test func creationMigratesTheSchema() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        do { _ = try Workspace(path: path) }
        let raw = try TestFiles.raw(path, readonly: true)
        try raw.read { (db: Database) throws in
            for table in ["runs", "event_batches", "changes", "metrics", "checkpoints", "checkpoint_tables", "bookmarks", "run_catalogues", "event_source_ids", "event_names", "grdb_migrations"] {
                #expect(try db.tableExists(table), "missing table \(table)")
            }
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == Workspace.schemaVersion)
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == Workspace.applicationID)
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") == ["v1", "v2", "v3", "v4"])
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
        // No temporary file is left beside it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("creating") }
        #expect(leftovers.isEmpty)
    }

    @Test func fileIsOwnerOnlyWhateverTheUmask() throws {
        let directory = try TemporaryDirectory()
        let previous = umask(0)
        defer { umask(previous) }
        let workspace = try TestFiles.makeWorkspace(in: directory)
        _ = try TestFiles.beginRun(workspace)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: workspace.path + suffix) {
            var info = stat()
            #expect(stat(workspace.path + suffix, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600, "\(suffix) has mode \(String(info.st_mode & 0o777, radix: 8))")
        }
    }

    @Test func copiedWorkspaceIsTightenedBackToOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        do { _ = try Workspace(path: path) }
        chmod(path, 0o644)
        _ = try Workspace(path: path)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func connectionUsesWALAndSecureDelete() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        try workspace.database.read { (db: Database) throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA secure_delete") == 1)
            #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2)
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            // New files get large pages (fewer WAL frames per logged batch).
            #expect(try Int.fetchOne(db, sql: "PRAGMA page_size") == WorkspaceFile.pageSize)
        }
    }

    @Test func reopeningKeepsData() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("w.sqlite")
        let run: Int64
        do {
            let workspace = try Workspace(path: path)
            run = try TestFiles.beginRun(workspace)
        }
        let again = try Workspace(path: path)
        #expect(try again.lastRun()?.id == run)
        #expect(try again.run(run)?.source == "ml-100k")
    }

    @Test func defaultPathFollowsXDG() {
        #expect(Workspace.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/a"]) == "/data/driftscope/workspace.sqlite")
        #expect(Workspace.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/driftscope/workspace.sqlite")
        // The XDG rules say a relative value is ignored.
        #expect(Workspace.defaultPath(environment: ["XDG_DATA_HOME": "rel", "HOME": "/home/a"]) == "/home/a/.local/share/driftscope/workspace.sqlite")
    }

    @Test func openDefaultCreatesTheDirectory() throws {
        let directory = try TemporaryDirectory()
        let workspace = try Workspace.openDefault(environment: ["XDG_DATA_HOME": directory.path, "HOME": directory.path])
        #expect(workspace.path == directory.path + "/driftscope/workspace.sqlite")
        #expect(FileManager.default.fileExists(atPath: workspace.path))
    }

    // MARK: Foreign and damaged files

    enum Foreign: String, CaseIterable, CustomTestStringConvertible {
        case empty, text, randomBytes, shortSQLiteHeader, foreignSQLite, ourIDWithoutSchema, damagedFirstPage, newerSchema

        var testDescription: String { rawValue }

        var expectedKind: WorkspaceError.Kind {
            switch self {
            case .damagedFirstPage: .corrupt
            case .newerSchema: .newerSchema
            default: .notAWorkspace
            }
        }

        /// Writes the file and returns nothing; the test reads it back byte for byte.
        func make(at path: String, scratch: TemporaryDirectory) throws {
            switch self {
            case .empty:
                TestFiles.write(Data(), to: path)
            case .text:
                TestFiles.write(Data("user,item,timestamp\nu1,i1,1700000000\n".utf8), to: path)
            case .randomBytes:
                var generator = SystemRandomNumberGenerator()
                TestFiles.write(Data((0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }), to: path)
            case .shortSQLiteHeader:
                TestFiles.write(Data("SQLite format 3\0".utf8 + [1, 2, 3]), to: path)
            case .foreignSQLite:
                let queue = try DatabaseQueue(path: path)
                try queue.write { (db: Database) throws in
                    try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')")
                }
                try queue.close()
            case .ourIDWithoutSchema:
                let queue = try DatabaseQueue(path: path)
                try queue.write { (db: Database) throws in
                    try db.execute(sql: "PRAGMA application_id = \(Workspace.applicationID)")
                    try db.execute(sql: "CREATE TABLE other (x)")
                }
                try queue.close()
            case .damagedFirstPage:
                let source = scratch.file("source-\(UUID().uuidString).sqlite")
                do {
                    let workspace = try Workspace(path: source)
                    _ = try TestFiles.beginRun(workspace)
                }
                var bytes = try #require(TestFiles.bytes(source))
                // Keep the 100-byte header (magic, application id), wreck the schema table.
                for k in 100..<min(bytes.count, 4096) { bytes[k] = UInt8(truncatingIfNeeded: k &* 31 &+ 7) }
                TestFiles.write(bytes, to: path)
            case .newerSchema:
                do {
                    let workspace = try Workspace(path: path)
                    try workspace.database.write { (db: Database) throws in
                        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
                    }
                }
            }
        }
    }

    @Test(arguments: Foreign.allCases)
    func foreignOrDamagedFileIsRefusedAndLeftUntouched(_ kind: Foreign) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("given.sqlite")
        try kind.make(at: path, scratch: directory)
        let before = try #require(TestFiles.bytes(path))
        var infoBefore = stat()
        stat(path, &infoBefore)

        let error = #expect(throws: WorkspaceError.self) { try Workspace(path: path) }
        #expect(error?.kind == kind.expectedKind)
        // One line that names the file.
        #expect(error?.message.hasPrefix(path) == true)
        #expect(error?.message.contains("\n") == false)

        #expect(TestFiles.bytes(path) == before, "the file changed")
        var infoAfter = stat()
        stat(path, &infoAfter)
        #expect(infoAfter.st_mode == infoBefore.st_mode)
        #expect(infoAfter.st_size == infoBefore.st_size)
    }

    @Test func directoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: WorkspaceError.self) { try Workspace(path: directory.path) }
        #expect(error?.kind == .notAWorkspace)
    }

    @Test func missingDirectoryIsAnIOError() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: WorkspaceError.self) { try Workspace(path: directory.file("no/such/dir/w.sqlite")) }
        #expect(error?.kind == .io)
    }
}
