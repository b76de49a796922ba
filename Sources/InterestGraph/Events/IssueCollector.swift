/// A bad row found while decoding fields, before its line and column are known.
struct RowProblem: Error, Sendable {
    var kind: ReadIssue.Kind
    var reason: String
    /// Buffer offset the problem points at; the reader turns it into line and column.
    var offset: Int
}

/// Counts rejected rows by reason, keeps the first examples, and stops strict reads.
struct IssueCollector: Sendable {
    var report = ReadReport()
    let strict: Bool
    let maxExamples: Int

    init(options: ReadOptions) {
        strict = options.strict
        maxExamples = max(0, options.maxExamples)
    }

    /// Records a rejected row.
    /// - Throws: ``DatasetError`` carrying the issue when reading strictly.
    mutating func reject(_ issue: ReadIssue) throws(DatasetError) {
        if strict { throw DatasetError(issue.description, issue: issue) }
        report.rejectedByReason[issue.kind.rawValue, default: 0] += 1
        if report.examples.count < maxExamples { report.examples.append(issue) }
    }

    mutating func note(_ text: String) {
        report.notes.append(text)
    }
}
