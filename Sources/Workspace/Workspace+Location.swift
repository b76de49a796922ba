import Foundation

extension Workspace {
    /// The file used when no `--workspace` is given:
    /// `$XDG_DATA_HOME/driftscope/workspace.sqlite`, or
    /// `~/.local/share/driftscope/workspace.sqlite` when `XDG_DATA_HOME` is unset or relative
    /// (the XDG base-directory rules ignore relative values).
    public static func defaultPath(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = home + "/.local/share"
        }
        return base + "/driftscope/workspace.sqlite"
    }

    /// Opens the default workspace, creating its directory (owner-only) and the file if needed.
    public static func openDefault(environment: [String: String]? = nil) throws -> Workspace {
        let path = defaultPath(environment: environment)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw WorkspaceError(.io, "\(directory): cannot create the workspace directory (\(error.localizedDescription))")
        }
        return try Workspace(path: path)
    }
}
