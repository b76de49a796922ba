/// A TOML value.
///
/// Dates and times are checked against the calendar and kept as text in RFC 3339 form, with
/// `T` and `Z` upper case and a space separator written `T` (`1979-05-27T07:32:00Z`); which
/// of TOML's four kinds a text is comes from ``dateTimeKind``. One case rather than four, so
/// that the switches of existing readers stay exhaustive.
public indirect enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The TOML type name, for "expected X, found Y" messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }

    /// TOML's four date and time types.
    public enum DateTimeKind: Sendable, Hashable {
        /// `1979-05-27T07:32:00Z` or `1979-05-27T00:32:00-07:00`.
        case offsetDateTime
        /// `1979-05-27T07:32:00`.
        case localDateTime
        /// `1979-05-27`.
        case localDate
        /// `07:32:00`.
        case localTime
    }

    /// The kind of a `.dateTime` value, nil for other values.
    public var dateTimeKind: DateTimeKind? {
        guard case .dateTime(let text) = self else { return nil }
        let scalars = Array(text.unicodeScalars)
        guard let t = scalars.firstIndex(of: "T") else {
            return scalars.contains(":") ? .localTime : .localDate
        }
        let offset = scalars[t...].contains { $0 == "Z" || $0 == "+" || $0 == "-" }
        return offset ? .offsetDateTime : .localDateTime
    }

    /// "an integer", "a string": for messages.
    var typeNameWithArticle: String {
        switch self {
        case .integer, .array: "an \(typeName)"
        default: "a \(typeName)"
        }
    }
}

/// A TOML table that remembers key order and the line each key was defined on, so that
/// errors found after parsing (a wrong type, an unknown key) can still name their line.
public struct TOMLTable: Sendable, Hashable {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: TOMLValue] = [:]
    public private(set) var lines: [String: Int] = [:]
    /// The line of the table's header (`[name]`), 0 for the root or an inline table's line.
    public var line: Int = 0

    public init() {}

    public subscript(key: String) -> TOMLValue? { values[key] }

    public func line(of key: String) -> Int { lines[key] ?? line }

    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if values[key] == nil { keys.append(key) }
        values[key] = value
        lines[key] = line
    }
}

/// A TOML syntax error or a schema error found while reading a parsed document.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int = 0, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if line <= 0 { return "\(file): \(message)" }
        return column > 0 ? "\(file):\(line):\(column): \(message)" : "\(file):\(line): \(message)"
    }
}
