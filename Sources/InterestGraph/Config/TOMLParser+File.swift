import Foundation

extension TOMLParser {
    /// Reads a TOML file's text for ``parse(_:file:)``.
    ///
    /// Never reads more than ``maximumDocumentBytes`` (plus one byte to tell): a huge file, or
    /// a device such as `/dev/zero` given as a theme or config file, is refused quickly
    /// instead of filling memory at start-up.
    ///
    /// - Parameter what: the file's role in messages: "scenario file", "theme", "config file".
    /// - Throws: ``TOMLError`` without a line when the file cannot be read, is too large or is
    ///   not UTF-8.
    public static func readDocument(atPath path: String, what: String) throws(TOMLError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let missing = !FileManager.default.fileExists(atPath: path)
            throw TOMLError(file: path, line: 0, message: "cannot read the \(what)" + (missing ? " (looked for '\(path)')" : ""))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumDocumentBytes + 1) ?? Data()
        } catch {
            throw TOMLError(file: path, line: 0, message: "cannot read the \(what): \(error.localizedDescription)")
        }
        guard data.count <= maximumDocumentBytes else {
            let limit = "\(maximumDocumentBytes >> 20) MiB"
            throw TOMLError(file: path, line: 0, message: "the \(what) is larger than \(limit), the limit for TOML files")
        }
        // Not String(data:encoding:), which drops a leading byte order mark: TOML allows one only.
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TOMLError(file: path, line: 0, message: "the \(what) is not UTF-8 text")
        }
        return text
    }
}
