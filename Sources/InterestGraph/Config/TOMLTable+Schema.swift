/// Typed reading of a parsed table with errors that name file, line, key and expected type.
///
/// ```swift
/// let users = try table.integer("users", file: path) ?? 2000
/// ```
extension TOMLTable {
    private func mismatch(_ key: String, expected: String, found: TOMLValue, file: String) -> TOMLError {
        TOMLError(file: file, line: line(of: key), message: "key '\(key)': expected \(expected), found \(found.typeName)")
    }

    public func string(_ key: String, file: String) throws(TOMLError) -> String? {
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw mismatch(key, expected: "a string", found: v, file: file) }
        return s
    }

    public func integer(_ key: String, file: String) throws(TOMLError) -> Int? {
        guard let v = self[key] else { return nil }
        guard case .integer(let i) = v else { throw mismatch(key, expected: "an integer", found: v, file: file) }
        return i
    }

    /// A float; integers are accepted and converted.
    public func double(_ key: String, file: String) throws(TOMLError) -> Double? {
        guard let v = self[key] else { return nil }
        switch v {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: throw mismatch(key, expected: "a number", found: v, file: file)
        }
    }

    public func boolean(_ key: String, file: String) throws(TOMLError) -> Bool? {
        guard let v = self[key] else { return nil }
        guard case .boolean(let b) = v else { throw mismatch(key, expected: "true or false", found: v, file: file) }
        return b
    }

    public func table(_ key: String, file: String) throws(TOMLError) -> TOMLTable? {
        guard let v = self[key] else { return nil }
        guard case .table(let t) = v else { throw mismatch(key, expected: "a table", found: v, file: file) }
        return t
    }

    public func strings(_ key: String, file: String) throws(TOMLError) -> [String]? {
        guard let v = self[key] else { return nil }
        guard case .array(let elements) = v else { throw mismatch(key, expected: "an array of strings", found: v, file: file) }
        var out: [String] = []
        for e in elements {
            guard case .string(let s) = e else { throw mismatch(key, expected: "an array of strings", found: e, file: file) }
            out.append(s)
        }
        return out
    }

    /// An array of tables (`[[key]]`) or an array of inline tables.
    public func tables(_ key: String, file: String) throws(TOMLError) -> [TOMLTable]? {
        guard let v = self[key] else { return nil }
        guard case .array(let elements) = v else { throw mismatch(key, expected: "an array of tables", found: v, file: file) }
        var out: [TOMLTable] = []
        for e in elements {
            guard case .table(let t) = e else { throw mismatch(key, expected: "an array of tables", found: e, file: file) }
            out.append(t)
        }
        return out
    }

    /// Throws on the first key not in `known`: a typo should not be silently ignored.
    public func rejectUnknownKeys(_ known: Set<String>, file: String, context: String = "") throws(TOMLError) {
        for key in keys where !known.contains(key) {
            let place = context.isEmpty ? "" : " in [\(context)]"
            throw TOMLError(file: file, line: line(of: key), message: "unknown key '\(key)'\(place); expected one of: \(known.sorted().joined(separator: ", "))")
        }
    }
}
