import ArgumentParser
import Foundation
import InterestGraph
import Workspace

/// `driftscope workspace`: the workspace file itself.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Inspect a workspace file and bookmark users in it.",
        discussion: """
            A workspace is one SQLite file (owner-only, WAL mode) holding runs, their event logs, \
            hyperparameter changes, metrics and checkpoints, and bookmarked users. See \
            docs/WORKSPACE.md for the schema.

            Examples:
              driftscope workspace info
              driftscope workspace bookmark --user 196 --note "drifts from comedy to horror"
              driftscope workspace bookmarks --json
              driftscope workspace unbookmark 3
            """,
        subcommands: [Info.self, Bookmark.self, Bookmarks.self, Unbookmark.self, CrashTest.self],
        defaultSubcommand: Info.self)

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Path, schema version, counts and size.")

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Also run SQLite's integrity check (reads the whole file).")
        var check = false

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            let workspace = try workspace.openForReading()
            let info = try workspace.info()
            let integrity = check ? try workspace.integrityCheck() : nil
            let writeProblem = workspace.writeProblem
            if json {
                try Console.printJSON(InfoJSON(info: info, integrity: integrity, writeProblem: writeProblem))
                return
            }
            var lines = [
                "\(info.path)",
                "  schema       v\(info.schemaVersion) (\(info.journalMode) journal)",
                "  runs         \(Format.count(info.runs))",
                "  events       \(Format.count(info.events))",
                "  checkpoints  \(Format.count(info.checkpoints))",
                "  bookmarks    \(Format.count(info.bookmarks))",
                "  size         \(Format.bytes(Int(info.fileBytes)))",
                // Info only reads: say so, and whether recording into it would work.
                "  access       opened read-only" + (writeProblem.map { "; not writable by this user: \($0)" } ?? ""),
            ]
            if let integrity { lines.append("  integrity    \(integrity.joined(separator: "; "))") }
            print(lines.joined(separator: "\n"))
            if let integrity, integrity != ["ok"] { throw ExitCode(1) }
        }
    }

    struct Bookmark: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bookmark a user with a note (for demos).")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: ArgumentHelp("The user id.", valueName: "id"))
        var user: String

        @Option(help: "A note to show with the bookmark.")
        var note: String = ""

        @Option(name: .customLong("run"), help: ArgumentHelp("Attach the bookmark to a run.", valueName: "id"))
        var runID: Int64?

        func run() throws {
            // Bookmarking is the one command here that may start a workspace.
            let workspace = try Workspace(path: self.workspace.resolvedPath)
            let id = try workspace.addBookmark(user: user, note: note, run: runID)
            print("bookmark \(id): user '\(user)'\(note.isEmpty ? "" : ": \(note)")")
        }
    }

    struct Unbookmark: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a bookmark by its id (see `workspace bookmarks`).")

        @OptionGroup var workspace: WorkspaceOptions

        @Argument(help: ArgumentHelp("The bookmark id.", valueName: "id"))
        var id: Int64

        func run() throws {
            try workspace.open().removeBookmark(id)
            print("removed bookmark \(id)")
        }
    }

    struct Bookmarks: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List bookmarked users.")

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Print one JSON array.")
        var json = false

        func run() throws {
            let bookmarks = try workspace.openForReading().bookmarks()
            if json {
                try Console.printJSON(bookmarks.map { BookmarkJSON(id: $0.id, run: $0.run, user: $0.user, note: $0.note, createdAt: $0.createdAt) })
                return
            }
            guard !bookmarks.isEmpty else {
                print("no bookmarks")
                return
            }
            var table = TextTable(["ID", "USER", "RUN", "SAVED", "NOTE"])
            for b in bookmarks {
                table.add([String(b.id), b.user, b.run.map(String.init) ?? "-", RunText.time(b.createdAt), b.note.isEmpty ? "-" : b.note])
            }
            print(table.render())
        }
    }
}

struct InfoJSON: Encodable {
    var info: WorkspaceInfo
    var integrity: [String]?
    /// Why this user cannot write the file (nil: writable).
    var writeProblem: String?

    enum CodingKeys: String, CodingKey {
        case path, runs, events, checkpoints, bookmarks, integrity, writable
        case writeProblem = "write_problem"
        case schemaVersion = "schema_version"
        case journalMode = "journal_mode"
        case fileBytes = "file_bytes"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(info.path, forKey: .path)
        try c.encode(info.schemaVersion, forKey: .schemaVersion)
        try c.encode(info.journalMode, forKey: .journalMode)
        try c.encode(info.runs, forKey: .runs)
        try c.encode(info.events, forKey: .events)
        try c.encode(info.checkpoints, forKey: .checkpoints)
        try c.encode(info.bookmarks, forKey: .bookmarks)
        try c.encode(info.fileBytes, forKey: .fileBytes)
        try c.encodeIfPresent(integrity, forKey: .integrity)
        try c.encode(writeProblem == nil, forKey: .writable)
        try c.encodeIfPresent(writeProblem, forKey: .writeProblem)
    }
}

struct BookmarkJSON: Encodable {
    var id: Int64
    var run: Int64?
    var user: String
    var note: String
    var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case id, run, user, note
        case createdAt = "created_at"
    }
}
