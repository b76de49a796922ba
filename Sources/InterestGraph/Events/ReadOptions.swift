/// How readers treat bad rows, unusual column names and progress reporting.
public struct ReadOptions: Sendable {
    /// Stop at the first bad row with a ``DatasetError`` instead of skipping and counting it.
    public var strict: Bool
    /// Extra column names: source column (case-insensitive) to field, where a field is one of
    /// `user`, `item`, `timestamp`, `action`, `value`, `category`, `brand`, `price`, `title`,
    /// `entities`, or `ignore`. Applied before the built-in aliases.
    public var columnMap: [String: String]
    /// How many rejected rows to keep as examples in the ``ReadReport``.
    public var maxExamples: Int
    /// Called after each chunk read with (bytes read so far, total bytes of every file the
    /// dataset reads). Called on the reading thread.
    public var progress: (@Sendable (Int64, Int64) -> Void)?

    public init(
        strict: Bool = false, columnMap: [String: String] = [:], maxExamples: Int = 5,
        progress: (@Sendable (Int64, Int64) -> Void)? = nil
    ) {
        self.strict = strict
        self.columnMap = columnMap
        self.maxExamples = maxExamples
        self.progress = progress
    }
}
