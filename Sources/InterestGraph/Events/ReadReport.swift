/// One rejected row: where it is and what was wrong with it.
public struct ReadIssue: Sendable, Error, Hashable, CustomStringConvertible {
    /// Why a row was rejected, for counting by reason.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case wrongColumnCount = "wrong column count"
        case emptyField = "empty required field"
        case missingField = "missing field"
        case badTimestamp = "bad timestamp"
        case badNumber = "bad number"
        case unknownAction = "unknown action"
        case unterminatedQuote = "unterminated quote"
        case malformedQuote = "malformed quote"
        case invalidUTF8 = "invalid UTF-8"
        case malformedJSON = "malformed JSON"
        case recordTooLong = "record too long"
        case controlCharacter = "control character"
    }

    /// The file as the user named it (or as found inside a dataset directory).
    public var file: String
    /// 1-based line of the offending field (not of the record start, for multi-line records).
    public var line: Int
    /// 1-based column in characters within that line.
    public var column: Int
    public var reason: String
    public var kind: Kind

    public init(file: String, line: Int, column: Int, reason: String, kind: Kind) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        self.kind = kind
    }

    /// `file:line:column: reason`, the format editors and compilers use.
    public var description: String { "\(file):\(line):\(column): \(reason)" }
}

/// What a read accepted and rejected.
public struct ReadReport: Sendable {
    /// Events delivered.
    public var accepted: Int = 0
    /// Rejected rows counted by ``ReadIssue/Kind`` raw value.
    public var rejectedByReason: [String: Int] = [:]
    /// The first rejected rows, in file order (at most ``ReadOptions/maxExamples``).
    public var examples: [ReadIssue] = []
    /// Things the reader chose not to use (columns, side files), so nothing is skipped silently.
    public var notes: [String] = []

    public init() {}

    /// Total rejected rows.
    public var rejected: Int { rejectedByReason.values.reduce(0, +) }
}

/// A fatal input problem: the dataset cannot be read at all (or, in strict mode, a bad row).
public struct DatasetError: Error, Sendable, CustomStringConvertible {
    /// One line, naming the file and what was expected.
    public var message: String
    /// The bad row that stopped a strict read.
    public var issue: ReadIssue?

    public init(_ message: String, issue: ReadIssue? = nil) {
        self.message = message
        self.issue = issue
    }

    public var description: String { message }
}

/// A dataset read into memory.
public struct LoadedDataset: Sendable {
    /// `ml-100k`, the atomic-file name, or the file name without its extension.
    public var name: String
    /// Events in file order.
    public var events: [Event]
    /// Side files plus attributes carried on event rows.
    public var catalogue: ItemCatalogue
    public var report: ReadReport

    public init(name: String, events: [Event], catalogue: ItemCatalogue, report: ReadReport) {
        self.name = name
        self.events = events
        self.catalogue = catalogue
        self.report = report
    }
}
