import ArgumentParser
import Workspace

/// `driftscope forget`: erase one user from a workspace file.
struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a user from a workspace: events, bookmarks, checkpoint rows; then vacuum.",
        discussion: """
            Deletes the user's events from every run's log and their bookmarks, blanks their id \
            and zeroes their embedding and optimiser rows in every checkpoint, then rebuilds the \
            file (VACUUM) and empties the write-ahead log, so no free page keeps their bytes. \
            A running dashboard forgets the user in its live graph and model itself (press the \
            forget key); this command works on the file.

            Example: driftscope forget --workspace demo.sqlite --user 196
            """)

    @OptionGroup var workspace: WorkspaceOptions

    @Option(help: ArgumentHelp("The user id, exactly as the source wrote it.", valueName: "id"))
    var user: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard !user.isEmpty else { throw ValidationError("--user must not be empty") }
    }

    func run() throws {
        let report = try workspace.open().forget(user: user)
        if json {
            try Console.printJSON(ForgetJSON(user: user, events: report.events, bookmarks: report.bookmarks, checkpoints: report.checkpoints, walTruncated: report.walTruncated))
            return
        }
        print("forgot user '\(user)' in \(workspace.resolvedPath): \(Format.count(report.events)) events, \(report.bookmarks) bookmarks, \(report.checkpoints) checkpoints rewritten; file vacuumed")
        if !report.walTruncated {
            Console.error("warning: another process has the workspace open; the write-ahead log keeps old pages until it closes")
        }
    }
}

struct ForgetJSON: Encodable {
    var user: String
    var events: Int
    var bookmarks: Int
    var checkpoints: Int
    var walTruncated: Bool

    enum CodingKeys: String, CodingKey {
        case user, events, bookmarks, checkpoints
        case walTruncated = "wal_truncated"
    }
}
