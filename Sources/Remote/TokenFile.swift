import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The shared secret a TCP server asks for: 32 random bytes as hex, in a file only its owner
/// can read (0600), created by `serve` when missing and read by `attach`.
public enum TokenFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The token in `path`; creates the file (0600, a fresh random token) when it does not exist.
    public static func readOrCreate(path: String) throws -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            guard errno == EEXIST else { throw Failure(description: "\(path): cannot create the token file: \(String(cString: strerror(errno)))") }
            return try read(path: path)
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw Failure(description: "\(path): cannot write the token") }
        return token
    }

    /// The token in `path`. Refuses a file that others can read or write: a token anyone on
    /// the machine can read protects nothing.
    public static func read(path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(description: "\(path): cannot read the token file: \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Failure(description: "\(path): the token file is open to others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
              let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\(path): not a token file (expected one line of text)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else { throw Failure(description: "\(path): the token is too short (at least 16 characters)") }
        return token
    }

    /// Compares in time independent of where the strings differ.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        let a = Array((given ?? "").utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { difference |= (i < a.count ? a[i] : 0) ^ b[i] }
        return difference == 0
    }
}
