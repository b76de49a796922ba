import ArgumentParser
import Workspace

/// `--workspace FILE`, shared by the commands that read or change a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .customLong("workspace"), help: ArgumentHelp(
        "The workspace file (default: $XDG_DATA_HOME/driftscope/workspace.sqlite, or ~/.local/share/driftscope/workspace.sqlite).",
        valueName: "file"))
    var path: String?

    /// The file to use: `--workspace`, else the default location.
    var resolvedPath: String { path ?? Workspace.defaultPath() }

    /// Opens an existing workspace to change it; a missing file is an error, never a new
    /// workspace.
    func open() throws -> Workspace {
        try Workspace(path: resolvedPath, create: false)
    }

    /// Opens an existing workspace read-only, for commands that only read: works on a file
    /// (or in a directory) this user cannot write, and writes nothing.
    func openForReading() throws -> Workspace {
        try Workspace(path: resolvedPath, create: false, access: .readOnly)
    }
}
