import Testing
@testable import InterestGraph

/// TOML 1.0 rules, one table per rule, from the specification (https://toml.io/en/v1.0.0)
/// and the cases the toml-test suite caught. Each valid case is a document whose key `v`
/// must hold the given value; each invalid case must be rejected with the given words.
@Suite("TOML 1.0 conformance")
struct TOMLConformanceTests {
    struct Valid: Sendable, CustomStringConvertible {
        var text: String
        var value: TOMLValue
        init(_ text: String, _ value: TOMLValue) {
            self.text = text
            self.value = value
        }
        var description: String { text }
    }

    struct Invalid: Sendable, CustomStringConvertible {
        var text: String
        var message: String
        init(_ text: String, _ message: String) {
            self.text = text
            self.message = message
        }
        var description: String { text }
    }

    private func check(_ valid: Valid) throws {
        let table = try TOMLParser.parse(valid.text, file: "valid.toml")
        let v = try #require(table["v"], "no key v in \(valid.text.debugDescription)")
        switch (v, valid.value) {
        case (.float(let a), .float(let b)):
            #expect(a == b || abs(a - b) <= 1e-12 * max(1, abs(b)), "\(a) != \(b)")
        default:
            #expect(v == valid.value)
        }
    }

    private func reject(_ invalid: Invalid) {
        do {
            let table = try TOMLParser.parse(invalid.text, file: "bad.toml")
            Issue.record("accepted \(invalid.text.debugDescription) as \(table.values)")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.line >= 1, "\(error)")
            #expect(error.message.contains(invalid.message), "\(error)")
        }
    }

    // MARK: Strings

    @Test("multi-line strings may hold one or two quotes next to their delimiters", arguments: [
        Valid("v = ''''one quote''''", .string("'one quote'")),
        Valid("v = '''''two quotes'''''", .string("''two quotes''")),
        Valid(#"v = """"one quote"""""#, .string(#""one quote""#)),
        Valid(#"v = """""two quotes""""""#, .string(#"""two quotes"""#)),
        Valid("v = '''a '' b'''", .string("a '' b")),
        Valid(#"v = """a "" b""""#, .string(#"a "" b"#)),
    ])
    func quotesInsideMultilineStrings(_ c: Valid) throws { try check(c) }

    @Test("a line-ending backslash trims white space, spaces after it included", arguments: [
        Valid("v = \"\"\"a \\   \n   b\"\"\"", .string("a b")),
        Valid("v = \"\"\"a\\\r\n\r\n  b\"\"\"", .string("ab")),
        Valid("v = \"\"\"\\\n\"\"\"", .string("")),
    ])
    func lineEndingBackslash(_ c: Valid) throws { try check(c) }

    @Test("escapes: only TOML 1.0's", arguments: [
        Invalid(#"v = "\e""#, "invalid escape sequence '\\e'"),
        Invalid(#"v = "\x41""#, "invalid escape sequence '\\x'"),
        Invalid(#"v = "a\ b""#, "invalid escape sequence '\\ '"),
        Invalid("v = \"\"\"a\\ b\"\"\"", "invalid escape sequence '\\ '"),
        Invalid(#"v = "\u00""#, "expected 4 hex digits"),
        Invalid(#"v = "\UFFFFFFFF""#, "not a Unicode scalar value"),
    ])
    func badEscapes(_ c: Invalid) { reject(c) }

    @Test("control characters other than tab must be escaped", arguments: [
        Invalid("v = \"a\u{0}b\"", "control character U+0000 in a string"),
        Invalid("v = 'a\u{7F}b'", "control character U+007F in a string"),
        Invalid("v = \"\"\"a\u{1F}b\"\"\"", "control character U+001F in a string"),
        Invalid("v = '''a\rb'''", "control character U+000D in a string"),
        Invalid("v = 1 # a\u{7F}", "control character U+007F in comment"),
        Invalid("v = 1 # a\u{0}", "control character U+0000 in comment"),
        Invalid("v = 1 # bare\r", "control character U+000D in comment"),
        Invalid("v = 1\r", "expected the end of the line, found U+000D"),
        Invalid("v = \"a\nb\"", "unterminated string"),
        Invalid("v = 'a\r\nb'", "unterminated string"),
    ])
    func controlCharacters(_ c: Invalid) { reject(c) }

    @Test("tabs are allowed in strings and comments", arguments: [
        Valid("v = \"a\tb\" #\tc", .string("a\tb")),
        Valid("v = '''a\tb'''", .string("a\tb")),
    ])
    func tabs(_ c: Valid) throws { try check(c) }

    @Test("multi-line strings: at most two quotes before the delimiter", arguments: [
        Invalid(#"v = """a"""""""#, "too many quotes"),
        Invalid("v = '''a''''''", "too many quotes"),
    ])
    func tooManyQuotes(_ c: Invalid) { reject(c) }

    // MARK: Integers and floats

    @Test("integers: 64 bits, no leading zeros, lower-case prefixes, no sign on prefixed forms", arguments: [
        Valid("v = 0x7FFF_FFFF_FFFF_FFFF", .integer(.max)),
        Valid("v = -9223372036854775808", .integer(.min)),
        Valid("v = +0", .integer(0)),
        Valid("v = -0", .integer(0)),
        Valid("v = 0o17", .integer(15)),
        Valid("v = 0b1_0", .integer(2)),
        Valid("v = 0x00ff", .integer(255)),
    ])
    func validIntegers(_ c: Valid) throws { try check(c) }

    @Test("malformed integers", arguments: [
        Invalid("v = 01", "invalid value '01'"),
        Invalid("v = -01", "invalid value '-01'"),
        Invalid("v = 0_1", "invalid value '0_1'"),
        Invalid("v = 0x", "invalid value '0x'"),
        Invalid("v = 0X1", "invalid value '0X1'"),
        Invalid("v = +0x1", "invalid value '+0x1'"),
        Invalid("v = 0b2", "invalid value '0b2'"),
        Invalid("v = 0x_1", "invalid value '0x_1'"),
        Invalid("v = 0x1_", "invalid value '0x1_'"),
        Invalid("v = 1_", "invalid value '1_'"),
        Invalid("v = 9223372036854775808", "invalid value"),
        Invalid("v = 0x8000000000000000", "invalid value"),
    ])
    func invalidIntegers(_ c: Invalid) { reject(c) }

    @Test("floats: digits on both sides of the dot, exponent digits may have leading zeros", arguments: [
        Valid("v = 1e007", .float(1e7)),
        Valid("v = 1_000.000_1", .float(1000.0001)),
        Valid("v = -0.0", .float(-0.0)),
        Valid("v = 6.626e-34", .float(6.626e-34)),
        Valid("v = 1E+2", .float(100)),
        Valid("v = 0.5e1", .float(5)),
        Valid("v = -inf", .float(-.infinity)),
    ])
    func validFloats(_ c: Valid) throws { try check(c) }

    @Test("malformed floats", arguments: [
        Invalid("v = 1e_1", "invalid value '1e_1'"),
        Invalid("v = 1_e1", "invalid value '1_e1'"),
        Invalid("v = 1._5", "invalid value '1._5'"),
        Invalid("v = 1.5_", "invalid value '1.5_'"),
        Invalid("v = 1e", "invalid value '1e'"),
        Invalid("v = 1e+", "invalid value '1e+'"),
        Invalid("v = 1.2.3", "invalid value '1.2.3'"),
        Invalid("v = 1e2.5", "invalid value '1e2.5'"),
        Invalid("v = 00.1", "invalid value '00.1'"),
        Invalid("v = -01.1", "invalid value '-01.1'"),
        Invalid("v = Inf", "invalid value 'Inf'"),
        Invalid("v = nan_", "invalid value 'nan_'"),
        Invalid("v = 1e400", "invalid value '1e400'"),
        Invalid("v = 0x1p3", "invalid value '0x1p3'"),
    ])
    func invalidFloats(_ c: Invalid) { reject(c) }

    // MARK: Dates and times

    @Test("the four date and time kinds, written canonically", arguments: [
        Valid("v = 1987-07-05t17:45:00z", .dateTime("1987-07-05T17:45:00Z")),
        Valid("v = 1979-05-27 07:32:00.5-07:00", .dateTime("1979-05-27T07:32:00.5-07:00")),
        Valid("v = 1979-05-27T07:32:00", .dateTime("1979-05-27T07:32:00")),
        Valid("v = 2000-02-29", .dateTime("2000-02-29")),
        Valid("v = 2024-02-29 # leap year", .dateTime("2024-02-29")),
        Valid("v = 07:32:00.999", .dateTime("07:32:00.999")),
        Valid("v = [1979-05-27, 23:59:59]", .array([.dateTime("1979-05-27"), .dateTime("23:59:59")])),
    ])
    func validDates(_ c: Valid) throws { try check(c) }

    @Test func dateTimeKinds() throws {
        let t = try TOMLParser.parse("a = 1979-05-27T07:32:00Z\nb = 1979-05-27T07:32:00-07:00\nc = 1979-05-27 07:32:00\nd = 1979-05-27\ne = 07:32:00\nf = 1")
        #expect(t["a"]?.dateTimeKind == .offsetDateTime)
        #expect(t["b"]?.dateTimeKind == .offsetDateTime)
        #expect(t["c"]?.dateTimeKind == .localDateTime)
        #expect(t["d"]?.dateTimeKind == .localDate)
        #expect(t["e"]?.dateTimeKind == .localTime)
        #expect(t["f"]?.dateTimeKind == nil)
    }

    @Test("dates and times must exist and be complete", arguments: [
        Invalid("v = 2021-02-30", "invalid date or time '2021-02-30'"),
        Invalid("v = 2021-02-29", "invalid date or time"),
        Invalid("v = 1900-02-29", "invalid date or time"),
        Invalid("v = 2021-04-31", "invalid date or time"),
        Invalid("v = 2021-13-01", "invalid date or time"),
        Invalid("v = 2021-00-01", "invalid date or time"),
        Invalid("v = 2021-01-00", "invalid date or time"),
        Invalid("v = 24:00:00", "invalid date or time '24:00:00'"),
        Invalid("v = 12:60:00", "invalid date or time"),
        Invalid("v = 12:00:61", "invalid date or time"),
        Invalid("v = 07:32", "invalid date or time '07:32'"),
        Invalid("v = 1979-05-27T07:32Z", "invalid date or time"),
        Invalid("v = 1979-05-2707:32:00", "invalid date or time"),
        Invalid("v = 1979-05-27X07:32:00", "invalid date or time"),
        Invalid("v = 1979-05-27T07:32:00+07", "invalid date or time"),
        Invalid("v = 1979-05-27T07:32:00+7:00", "invalid date or time"),
        Invalid("v = 1979-05-27T07:32:00+24:00", "invalid date or time"),
        Invalid("v = 07:32:00.", "invalid date or time '07:32:00.'"),
        Invalid("v = 1979-05-27T07:32:00.Z", "invalid date or time"),
        Invalid("v = 07:32:00Z", "invalid date or time"),
        Invalid("v = 1979-5-27", "invalid date or time"),
        Invalid("v = 10000-01-01", "invalid value"),
        Invalid("v = 2020-01-01x", "invalid date or time"),
        Invalid("v = 1979-05-27T", "invalid date or time"),
    ])
    func invalidDates(_ c: Invalid) { reject(c) }

    // MARK: Keys

    @Test("keys: bare keys are ASCII letters, digits, _ and -; quoted keys may be anything", arguments: [
        Valid("\"\" = 0\nv = 1", .integer(1)),
        Valid("v.\"a.b\" = 1", .table({ var t = TOMLTable(); t.set("a.b", .integer(1), line: 1); t.line = 1; return t }())),
        Valid("1234 = 0\nv = 2", .integer(2)),
        Valid("v . 'x' = 3", .table({ var t = TOMLTable(); t.set("x", .integer(3), line: 1); t.line = 1; return t }())),
    ])
    func validKeys(_ c: Valid) throws { try check(c) }

    @Test("malformed keys", arguments: [
        Invalid("é = 1", "expected a key, found 'é'"),
        Invalid("\"\"\"a\"\"\" = 1", "a key cannot be a multi-line string"),
        Invalid("'''a''' = 1", "a key cannot be a multi-line string"),
        Invalid("a b = 1", "expected '=' after key 'a'"),
        Invalid("a. = 1", "expected a key, found '='"),
        Invalid(".a = 1", "expected a key, found '.'"),
        Invalid("a = 1 = 2", "expected the end of the line, found '='"),
        Invalid("a\n= 1", "expected '=' after key 'a'"),
    ])
    func invalidKeys(_ c: Invalid) { reject(c) }

    // MARK: Tables

    @Test("tables may be defined once, by a header or by dotted keys, but not both", arguments: [
        Invalid("[a]\n[a]", "table [a] is defined twice"),
        Invalid("a.b = 1\n[a]", "table [a] is defined twice: dotted keys already defined it"),
        Invalid("[a]\nb.c = 1\n[a.b]", "table [a.b] is defined twice"),
        Invalid("[a.b]\nc = 1\n[a]\nb.d = 2", "key 'b' is a table with its own [header]"),
        Invalid("[a.b.c]\nz = 9\n[a]\nb.c.t = 9", "key 'c' is a table with its own [header]"),
        Invalid("[a]\nb = 1\n[a.b]", "key 'b' is an integer, not a table"),
        Invalid("[[a]]\n[a]", "table [a] is already an array of tables"),
        Invalid("a = []\n[[a]]", "key 'a' is not an array of tables"),
        Invalid("[[a.b]]\n[a]\nb.c = 1", "key 'b' is an array of tables; dotted keys cannot add to it"),
    ])
    func tableDefinitions(_ c: Invalid) { reject(c) }

    @Test("inline tables are complete: no trailing comma, no line break, never extended", arguments: [
        Invalid("v = {a = 1,}", "expected a key, found '}'"),
        Invalid("v = {a = 1\n}", "expected ',' or '}' in inline table"),
        Invalid("v = {,}", "expected a key, found ','"),
        Invalid("v = {a = 1, a = 2}", "key 'a' is defined twice"),
        Invalid("v = {a.b = 1, a = 2}", "key 'a' is defined twice"),
        Invalid("v = {a = {b = 1}, a.c = 2}", "inline tables are complete"),
        Invalid("v = {a = 1}\nv.b = 2", "inline tables are complete"),
        Invalid("v = {a = 1}\n[v]", "inline table, which cannot be extended"),
        Invalid("[t]\nv = {a = 1}\n[t.v.b]", "inline table, which cannot be extended"),
        Invalid("v = {a = 1} # ok\n[[v]]", "key 'v' is not an array of tables"),
    ])
    func inlineTables(_ c: Invalid) { reject(c) }

    @Test func validTableShapes() throws {
        let doc = """
        [fruit]
        apple.color = "red"
        apple.taste.sweet = true

        [fruit.apple.texture]
        smooth = true

        [x.y.z]
        [x]
        y.w = 1

        [[a.b]]
        [a]
        c = { d.e = 1, d.f = [
          1, # comment inside an array inside an inline table
          2,
        ] }
        """
        let t = try TOMLParser.parse(doc)
        let apple = try #require(try t.table("fruit", file: "f")?.table("apple", file: "f"))
        #expect(try apple.string("color", file: "f") == "red")
        #expect(try apple.table("texture", file: "f")?.boolean("smooth", file: "f") == true)
        #expect(try t.table("x", file: "f")?.table("y", file: "f")?.integer("w", file: "f") == 1)
        let d = try #require(try t.table("a", file: "f")?.table("c", file: "f")?.table("d", file: "f"))
        #expect(d["f"] == .array([.integer(1), .integer(2)]))
        #expect(try t.table("a", file: "f")?.tables("b", file: "f")?.count == 1)
    }

    @Test("table headers: [[ and ]] have no space inside", arguments: [
        Invalid("[ [a]]", "expected a key, found '['"),
        Invalid("[[a] ]", "expected ']]' to close the array-of-tables header"),
        Invalid("[a]]", "expected the end of the line, found ']'"),
        Invalid("[a.]", "expected a key, found ']'"),
    ])
    func headers(_ c: Invalid) { reject(c) }

    // MARK: Arrays and booleans

    @Test("arrays: commas between values, one trailing comma, any types mixed", arguments: [
        Valid("v = [1, 'a', 2.5, [true], {x = 1},]", .array([
            .integer(1), .string("a"), .float(2.5), .array([.boolean(true)]),
            .table({ var t = TOMLTable(); t.set("x", .integer(1), line: 1); t.line = 1; return t }()),
        ])),
        Valid("v = [\n# only a comment\n]", .array([])),
    ])
    func validArrays(_ c: Valid) throws { try check(c) }

    @Test("malformed arrays and booleans", arguments: [
        Invalid("v = [1,,2]", "expected a value"),
        Invalid("v = [,]", "expected a value"),
        Invalid("v = [1 2]", "expected ',' or ']' in array"),
        Invalid("v = True", "invalid value 'True'"),
        Invalid("v = truee", "expected a value"),
        Invalid("v = t", "expected a value"),
    ])
    func invalidArraysAndBooleans(_ c: Invalid) { reject(c) }
}
