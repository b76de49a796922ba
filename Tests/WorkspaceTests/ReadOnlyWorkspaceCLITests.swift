import Foundation
import Testing
import TestSupport
@testable import Workspace

/// Commands that only read open the workspace read-only: a 0644 file in a directory the user
/// cannot write (someone else's workspace, a shared or mounted folder) can be listed,
/// inspected and exported, and nothing is written. The tests run as root, whom permissions
/// do not stop, so the commands run as `nobody` (`setpriv`), for whom they are real.
@Suite("CLI: a workspace this user cannot write", .serialized)
struct ReadOnlyWorkspaceCLITests {
    static let setpriv = "/usr/bin/setpriv"

    /// A root-owned directory (0755) holding a finished simulation run in `w.sqlite` (0644,
    /// no -wal or -shm left), and a copy of the binary `nobody` can run.
    struct Fixture {
        let root: URL
        let workspace: String
        let binary: String

        init() throws {
            root = URL(fileURLWithPath: "/tmp").appendingPathComponent("driftscope-readonly-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let shared = root.appendingPathComponent("shared")
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
            workspace = shared.appendingPathComponent("w.sqlite").path
            binary = root.appendingPathComponent("driftscope").path
            try FileManager.default.copyItem(atPath: try DriftscopeBinary.url().path, toPath: binary)
            let small = DriftscopeBinary.packageRoot.appendingPathComponent("sample-data/scenarios/small.toml").path
            let made = try DriftscopeBinary.run(["simulate", "--scenario", small, "--workspace", workspace])
            #expect(made.status == 0, "\(made.stderr)")
            chmod(root.path, 0o755)
            chmod(shared.path, 0o755)
            chmod(workspace, 0o644)
            chmod(binary, 0o755)
        }

        /// `driftscope ARGUMENTS` as `nobody` (uid and gid 65534, no supplementary groups).
        func asNobody(_ arguments: [String]) throws -> ChildProcess.Result {
            try ChildProcess.run(URL(fileURLWithPath: ReadOnlyWorkspaceCLITests.setpriv), [
                "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "HOME=/tmp", binary,
            ] + arguments)
        }

        /// The directory's entries and the file's bytes: what "nothing was written" means.
        func state() throws -> (entries: [String], bytes: Data) {
            let directory = URL(fileURLWithPath: workspace).deletingLastPathComponent().path
            return (try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), try Data(contentsOf: URL(fileURLWithPath: workspace)))
        }
    }

    @Test func readingCommandsWorkAndWriteNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.setpriv), "setpriv (util-linux) is needed to run as nobody")
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let before = try fixture.state()
        #expect(before.entries == ["w.sqlite"])
        // The condition is real: nobody cannot create a file beside the workspace.
        let touch = try ChildProcess.run(URL(fileURLWithPath: Self.setpriv), [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/touch", fixture.workspace + "-probe",
        ])
        #expect(touch.status != 0)

        let list = try fixture.asNobody(["runs", "list", "--workspace", fixture.workspace])
        #expect(list.status == 0, "runs list: \(list.stderr)")
        #expect(list.stdout.contains("simulation"), "runs list: \(list.stdout)")
        let show = try fixture.asNobody(["runs", "show", "1", "--workspace", fixture.workspace])
        #expect(show.status == 0, "runs show: \(show.stderr)")
        let info = try fixture.asNobody(["workspace", "info", "--workspace", fixture.workspace, "--check"])
        #expect(info.status == 0, "workspace info: \(info.stderr)")
        #expect(info.stdout.contains("opened read-only; not writable by this user"), "workspace info: \(info.stdout)")
        #expect(info.stdout.contains("integrity    ok"))
        let bookmarks = try fixture.asNobody(["workspace", "bookmarks", "--workspace", fixture.workspace])
        #expect(bookmarks.status == 0, "workspace bookmarks: \(bookmarks.stderr)")
        let export = try fixture.asNobody(["export-events", "--workspace", fixture.workspace, "--out", "/tmp/driftscope-readonly-export-\(getpid()).csv"])
        defer { unlink("/tmp/driftscope-readonly-export-\(getpid()).csv") }
        #expect(export.status == 0, "export-events: \(export.stderr)")

        let after = try fixture.state()
        #expect(after.entries == before.entries, "files appeared beside the workspace")
        #expect(after.bytes == before.bytes, "the workspace file changed")
    }

    /// A writer that never closed (killed, or still running) leaves its latest commits in the
    /// -wal file: a reader that can read the -wal and -shm files sees them, without writing.
    @Test func commitsStillInTheWALAreRead() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.setpriv), "setpriv (util-linux) is needed to run as nobody")
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        // A bookmark committed into the WAL by a process that exits without closing.
        let python = """
            import os, sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("INSERT INTO bookmarks (run_id, user, note, created_at) VALUES (1, 'u-in-the-wal', 'only in the WAL', 1)")
            c.commit()
            os._exit(0)
            """
        let wrote = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", python, fixture.workspace])
        try #require(wrote.status == 0, "\(wrote.stderr)")
        for suffix in ["", "-wal", "-shm"] { chmod(fixture.workspace + suffix, 0o644) }
        let before = try fixture.state()
        #expect(before.entries == ["w.sqlite", "w.sqlite-shm", "w.sqlite-wal"])
        let bookmarks = try fixture.asNobody(["workspace", "bookmarks", "--workspace", fixture.workspace])
        #expect(bookmarks.status == 0, "workspace bookmarks: \(bookmarks.stderr)")
        #expect(bookmarks.stdout.contains("u-in-the-wal"), "workspace bookmarks: \(bookmarks.stdout)")
        let list = try fixture.asNobody(["runs", "list", "--workspace", fixture.workspace])
        #expect(list.status == 0, "runs list: \(list.stderr)")
        let after = try fixture.state()
        #expect(after.entries == before.entries)
        #expect(after.bytes == before.bytes)
    }

    /// Recording needs writes: `eval --workspace` says at once that it cannot, before it
    /// evaluates anything, and names the read-only commands.
    @Test func recordingIsRefusedEarlyAndClearly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.setpriv), "setpriv (util-linux) is needed to run as nobody")
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let before = try fixture.state()
        let shop = DriftscopeBinary.packageRoot.appendingPathComponent("sample-data/shop-small.csv").path
        let eval = try fixture.asNobody(["eval", shop, "--protocol", "prequential", "--model", "mostpop", "--workspace", fixture.workspace])
        #expect(eval.status != 0)
        #expect(eval.stderr.contains("cannot write this workspace: no write permission"), "eval: \(eval.stderr)")
        #expect(eval.stderr.contains("open it read-only"))
        #expect(!eval.stderr.contains("attempt to write a readonly database"))
        #expect(!eval.stdout.contains("HR@10"), "it evaluated before refusing: \(eval.stdout)")
        let after = try fixture.state()
        #expect(after.entries == before.entries)
        #expect(after.bytes == before.bytes)
    }
}
