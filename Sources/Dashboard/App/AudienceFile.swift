import Foundation

/// Saves a user list from the who-changed view as an audience: one user id per line, in the
/// screenshot directory, for a campaign tool or `driftscope` scripts to pick up.
enum AudienceFile {
    /// Writes `audience-<name>-<stamp>.txt` (a fresh name if taken); returns its path.
    static func save(_ export: AudienceExport, directory: String, time: Double) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = Format.dateTime(time).filter { $0.isNumber || $0 == " " }.replacingOccurrences(of: " ", with: "-")
        // Only letters, digits and dashes from the filter text reach the file name.
        let name = String(export.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(48))
        var path = (directory as NSString).appendingPathComponent("audience-\(name)-\(stamp).txt")
        var n = 2
        while FileManager.default.fileExists(atPath: path) {
            path = (directory as NSString).appendingPathComponent("audience-\(name)-\(stamp)-\(n).txt")
            n += 1
        }
        try (export.users.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
