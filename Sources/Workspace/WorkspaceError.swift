/// Why a workspace could not be opened, read or written. Every case prints as one line that
/// names the file.
public struct WorkspaceError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file is not a SQLite database, or is one that Driftscope did not create.
        case notAWorkspace
        /// The file was created by a newer Driftscope with migrations this build does not know.
        case newerSchema
        /// SQLite reported corruption, or a stored blob does not decode.
        case corrupt
        /// The file or its directory could not be created, read or written.
        case io
        /// A run, checkpoint or bookmark that does not exist.
        case notFound
        /// A request that contradicts what is stored (such as a checkpoint whose tables do not
        /// match its id lists).
        case invalid
    }

    public var kind: Kind
    /// The one-line explanation, starting with the file path where there is one.
    public var message: String

    /// SQLite said "busy" or "locked": another connection held the file for longer than the
    /// busy timeout, or at a step where SQLite does not wait (opening a WAL file while
    /// another process opens or closes it). Worth retrying; the file is fine.
    public var isTransientLock = false

    public init(_ kind: Kind, _ message: String, isTransientLock: Bool = false) {
        self.kind = kind
        self.message = message
        self.isTransientLock = isTransientLock
    }

    public var description: String { message }
}
