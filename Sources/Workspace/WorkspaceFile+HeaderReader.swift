import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WorkspaceFile {
    /// Reads the start of a file through SQLite's default VFS (see
    /// ``WorkspaceFile/checkHeader(_:)`` for why not through a plain descriptor).
    enum HeaderReader {
        /// Up to the first 100 bytes of `path` (fewer when the file is shorter, none when empty).
        /// - Throws: ``WorkspaceError`` `.io` when the file cannot be opened or read.
        static func first100Bytes(of path: String) throws -> [UInt8] {
            guard let vfs = sqlite3_vfs_find(nil), let open = vfs.pointee.xOpen else {
                throw WorkspaceError(.io, "\(path): SQLite has no default file layer")
            }
            // The VFS keeps the name pointer until xClose: it must outlive the open file.
            guard let name = strdup(path) else { throw WorkspaceError(.io, "\(path): out of memory") }
            defer { free(name) }
            let file = UnsafeMutableRawPointer.allocate(byteCount: Int(vfs.pointee.szOsFile), alignment: 16)
            file.initializeMemory(as: UInt8.self, repeating: 0, count: Int(vfs.pointee.szOsFile))
            defer { file.deallocate() }
            let handle = file.assumingMemoryBound(to: sqlite3_file.self)
            var flags: Int32 = 0
            let opened = open(vfs, name, handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags)
            // A failed xOpen may still leave methods set; closing is then required and safe.
            defer { if let methods = handle.pointee.pMethods { _ = methods.pointee.xClose?(handle) } }
            guard opened == SQLITE_OK, let methods = handle.pointee.pMethods else {
                throw WorkspaceError(.io, "\(path): cannot read the workspace (\(String(cString: sqlite3_errstr(opened))))")
            }
            var size: sqlite3_int64 = 0
            guard methods.pointee.xFileSize?(handle, &size) == SQLITE_OK else {
                throw WorkspaceError(.io, "\(path): cannot read the workspace size")
            }
            let count = Int(min(size, 100))
            guard count > 0 else { return [] }
            var bytes = [UInt8](repeating: 0, count: count)
            let read = bytes.withUnsafeMutableBytes { methods.pointee.xRead?(handle, $0.baseAddress, Int32(count), 0) }
            guard read == SQLITE_OK else {
                throw WorkspaceError(.io, "\(path): cannot read the workspace header (SQLite I/O error \(read ?? -1))")
            }
            return bytes
        }
    }
}
