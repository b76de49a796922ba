import Testing
@testable import InterestGraph

@Suite("TOML parser")
struct TOMLParserTests {
    // MARK: Valid documents

    @Test func scalarsOfEveryKind() throws {
        let doc = """
        # a comment
        title = "Driftscope"   # trailing comment
        count = 42
        negative = -17
        plus = +5
        big = 1_000_000
        hex = 0xDEAD_beef
        octal = 0o755
        binary = 0b1101
        pi = 3.14159
        exponent = 6.02e23
        small = -1.5E-3
        infinite = inf
        minus_infinite = -inf
        not_a_number = nan
        yes = true
        no = false
        date = 2024-03-01
        stamp = 1979-05-27T07:32:00Z
        spaced = 1979-05-27 07:32:00
        time = 07:32:00
        """
        let t = try TOMLParser.parse(doc)
        #expect(try t.string("title", file: "t") == "Driftscope")
        #expect(try t.integer("count", file: "t") == 42)
        #expect(try t.integer("negative", file: "t") == -17)
        #expect(try t.integer("plus", file: "t") == 5)
        #expect(try t.integer("big", file: "t") == 1_000_000)
        #expect(try t.integer("hex", file: "t") == 0xDEAD_BEEF)
        #expect(try t.integer("octal", file: "t") == 0o755)
        #expect(try t.integer("binary", file: "t") == 0b1101)
        #expect(abs(try #require(try t.double("pi", file: "t")) - 3.14159) < 1e-12)
        #expect(abs(try #require(try t.double("exponent", file: "t")) / 6.02e23 - 1) < 1e-12)
        #expect(abs(try #require(try t.double("small", file: "t")) + 0.0015) < 1e-15)
        #expect(try t.double("infinite", file: "t") == .infinity)
        #expect(try t.double("minus_infinite", file: "t") == -.infinity)
        #expect(try #require(try t.double("not_a_number", file: "t")).isNaN)
        #expect(try t.boolean("yes", file: "t") == true)
        #expect(try t.boolean("no", file: "t") == false)
        #expect(t["date"] == .dateTime("2024-03-01"))
        #expect(t["stamp"] == .dateTime("1979-05-27T07:32:00Z"))
        #expect(t["spaced"] == .dateTime("1979-05-27T07:32:00"))
        #expect(t["time"] == .dateTime("07:32:00"))
        #expect(t.keys.first == "title")
        #expect(t.line(of: "count") == 3)
    }

    @Test func integersConvertToDoublesButNotBack() throws {
        let t = try TOMLParser.parse("a = 3\nb = 2.5")
        #expect(try t.double("a", file: "f") == 3)
        #expect(throws: TOMLError.self) { try t.integer("b", file: "f") }
    }

    @Test func stringsWithEscapes() throws {
        let doc = #"""
        basic = "tab\there \"quoted\" back\\slash \u00E9 \U0001F600 nl\n"
        literal = 'C:\Users\no\escapes'
        multi = """
        first
        second"""
        trimmed = """\
            one \
            two"""
        multiliteral = '''
        raw \n stays'''
        quotes = """a "quoted" word"""
        empty = ""
        """#
        let t = try TOMLParser.parse(doc)
        #expect(try t.string("basic", file: "f") == "tab\there \"quoted\" back\\slash é 😀 nl\n")
        #expect(try t.string("literal", file: "f") == #"C:\Users\no\escapes"#)
        #expect(try t.string("multi", file: "f") == "first\nsecond")
        #expect(try t.string("trimmed", file: "f") == "one two")
        #expect(try t.string("multiliteral", file: "f") == #"raw \n stays"#)
        #expect(try t.string("quotes", file: "f") == #"a "quoted" word"#)
        #expect(try t.string("empty", file: "f") == "")
    }

    @Test func multiLineStringsKeepLineNumbersRight() throws {
        let t = try TOMLParser.parse("a = \"\"\"\none\ntwo\n\"\"\"\nb = 1\n")
        #expect(t.line(of: "b") == 5)
    }

    @Test func tablesAndDottedKeys() throws {
        let doc = """
        name = "root"
        site.owner.name = "Ada"
        "quoted key" = 1
        'literal key' = 2

        [catalogue]
        items = 3000
        price.currency = "EUR"

        [catalogue.limits]
        max = 9

        [ users ]
        count = 10
        point = { x = 1, y = 2 }
        """
        let t = try TOMLParser.parse(doc)
        let site = try #require(try t.table("site", file: "f"))
        let owner = try #require(try site.table("owner", file: "f"))
        #expect(try owner.string("name", file: "f") == "Ada")
        #expect(try t.integer("quoted key", file: "f") == 1)
        #expect(try t.integer("literal key", file: "f") == 2)
        let catalogue = try #require(try t.table("catalogue", file: "f"))
        #expect(catalogue.line == 6)
        #expect(try catalogue.integer("items", file: "f") == 3000)
        #expect(try catalogue.table("price", file: "f")?.string("currency", file: "f") == "EUR")
        #expect(try catalogue.table("limits", file: "f")?.integer("max", file: "f") == 9)
        let users = try #require(try t.table("users", file: "f"))
        #expect(try users.table("point", file: "f")?.integer("y", file: "f") == 2)
        #expect(users.line(of: "count") == 14)
    }

    @Test func arraysOfTablesWithSubTables() throws {
        let doc = """
        [[drift]]
        kind = "abrupt"
        to = "Baby"

        [drift.extra]
        note = "first"

        [[drift]]
        kind = "gradual"

        [drift.extra]
        note = "second"

        [[season]]
        department = "Garden"
        """
        let t = try TOMLParser.parse(doc)
        let drifts = try #require(try t.tables("drift", file: "f"))
        #expect(drifts.count == 2)
        #expect(try drifts[0].string("kind", file: "f") == "abrupt")
        #expect(try drifts[0].table("extra", file: "f")?.string("note", file: "f") == "first")
        #expect(try drifts[1].string("kind", file: "f") == "gradual")
        #expect(try drifts[1].table("extra", file: "f")?.string("note", file: "f") == "second")
        #expect(drifts[0].line == 1)
        #expect(drifts[1].line == 8)
        #expect(drifts[1].line(of: "kind") == 9)
        #expect(try t.tables("season", file: "f")?.first?.string("department", file: "f") == "Garden")
    }

    @Test func arraysAcrossLinesWithCommentsAndTrailingComma() throws {
        let doc = """
        names = [
          "Grocery",  # food
          "Beauty",
        ]
        nested = [[1, 2], [3]]
        inline = [{ a = 1 }, { a = 2 }]
        empty = []
        """
        let t = try TOMLParser.parse(doc)
        #expect(try t.strings("names", file: "f") == ["Grocery", "Beauty"])
        #expect(t["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.integer(3)])]))
        #expect(try t.tables("inline", file: "f")?.map { try $0.integer("a", file: "f") } == [1, 2])
        #expect(try t.strings("empty", file: "f") == [])
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let t = try TOMLParser.parse("\u{FEFF}a = 1\r\nb = \"x\"\r\n[t]\r\nc = 2\r\n")
        #expect(try t.integer("a", file: "f") == 1)
        #expect(try t.string("b", file: "f") == "x")
        #expect(try t.table("t", file: "f")?.integer("c", file: "f") == 2)
        #expect(t.line(of: "b") == 2)
    }

    @Test func superTableMayFollowItsChild() throws {
        let t = try TOMLParser.parse("[a.b]\nx = 1\n[a]\ny = 2\n")
        let a = try #require(try t.table("a", file: "f"))
        #expect(try a.integer("y", file: "f") == 2)
        #expect(try a.table("b", file: "f")?.integer("x", file: "f") == 1)
    }

    // MARK: Syntax errors, each with its line and column

    struct BadDocument: Sendable, CustomStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var message: String
        var description: String { message }
    }

    static let badDocuments: [BadDocument] = [
        BadDocument(text: "a = ", line: 1, column: 5, message: "expected a value"),
        BadDocument(text: "a = \nb = 1", line: 1, column: 5, message: "expected a value"),
        BadDocument(text: "a 1", line: 1, column: 3, message: "expected '=' after key 'a'"),
        BadDocument(text: "x = 1\n= 2", line: 2, column: 1, message: "expected a key, found '='"),
        BadDocument(text: "a = \"open", line: 1, column: 10, message: "unterminated string"),
        BadDocument(text: "a = \"open\nb = 1", line: 1, column: 10, message: "unterminated string"),
        BadDocument(text: "a = 'open", line: 1, column: 10, message: "unterminated string"),
        BadDocument(text: "a = \"\"\"never closed", line: 1, column: 20, message: "unterminated multi-line string"),
        BadDocument(text: "a = '''never closed", line: 1, column: 20, message: "unterminated multi-line string"),
        BadDocument(text: "a = \"bad \\q escape\"", line: 1, column: 10, message: "invalid escape sequence '\\q'"),
        BadDocument(text: "a = \"\\u12\"", line: 1, column: 6, message: "invalid unicode escape '\\u12': expected 4 hex digits"),
        BadDocument(text: "a = \"\\uD800\"", line: 1, column: 6, message: "not a Unicode scalar value"),
        BadDocument(text: "a = \"\\U0001F6", line: 1, column: 6, message: "expected 8 hex digits"),
        BadDocument(text: "a = \"\\", line: 1, column: 6, message: "unterminated escape sequence"),
        BadDocument(text: "a = [1, 2", line: 1, column: 10, message: "unterminated array"),
        BadDocument(text: "a = [1 2]", line: 1, column: 8, message: "expected ',' or ']' in array"),
        BadDocument(text: "a = {x = 1", line: 1, column: 11, message: "expected ',' or '}' in inline table"),
        BadDocument(text: "a = {x 1}", line: 1, column: 8, message: "expected '=' in inline table"),
        BadDocument(text: "a = {x = 1, x = 2}", line: 1, column: 13, message: "key 'x' is defined twice"),
        BadDocument(text: "a = {x = 1,\n}", line: 1, column: 12, message: "expected a key, found the end of the line"),
        BadDocument(text: "a = tru", line: 1, column: 5, message: "expected a value"),
        BadDocument(text: "a = hello", line: 1, column: 5, message: "invalid value 'hello'"),
        BadDocument(text: "a = 012", line: 1, column: 5, message: "invalid value '012'"),
        BadDocument(text: "a = 01.5", line: 1, column: 5, message: "invalid value '01.5'"),
        BadDocument(text: "a = 1__000", line: 1, column: 5, message: "invalid value '1__000'"),
        BadDocument(text: "a = _1", line: 1, column: 5, message: "invalid value '_1'"),
        BadDocument(text: "a = 1.", line: 1, column: 5, message: "invalid value '1.'"),
        BadDocument(text: "a = .5", line: 1, column: 5, message: "invalid value '.5'"),
        BadDocument(text: "a = 1.e5", line: 1, column: 5, message: "invalid value '1.e5'"),
        BadDocument(text: "a = 0xZZ", line: 1, column: 5, message: "invalid value '0xZZ'"),
        BadDocument(text: "a = 99999999999999999999", line: 1, column: 5, message: "invalid value"),
        BadDocument(text: "a = 1 2", line: 1, column: 7, message: "expected the end of the line, found '2'"),
        BadDocument(text: "a = \"x\" y", line: 1, column: 9, message: "expected the end of the line, found 'y'"),
        BadDocument(text: "[t\nx = 1", line: 1, column: 3, message: "expected ']' to close the table header"),
        BadDocument(text: "[[t]\nx = 1", line: 1, column: 5, message: "expected ']]' to close the array-of-tables header"),
        BadDocument(text: "[]", line: 1, column: 2, message: "expected a key, found ']'"),
        BadDocument(text: "[t] junk", line: 1, column: 5, message: "expected the end of the line, found 'j'"),
        BadDocument(text: "a = 1\na = 2", line: 2, column: 1, message: "key 'a' is defined twice"),
        BadDocument(text: "a = 1\na.b = 2", line: 2, column: 1, message: "key 'a' is not a table"),
        BadDocument(text: "[t]\nx = 1\n\n[t]\ny = 2", line: 4, column: 1, message: "table [t] is defined twice"),
        BadDocument(text: "a = 1\n[a]", line: 2, column: 1, message: "key 'a' is an integer, not a table"),
        BadDocument(text: "[a]\n[[a]]", line: 2, column: 1, message: "key 'a' is not an array of tables"),
        BadDocument(text: "[[a]]\n[a]", line: 2, column: 1, message: "table [a] is already an array of tables"),
        BadDocument(text: "a = [1]\n[a.b]", line: 2, column: 1, message: "key 'a' is an array, not a table"),
        BadDocument(text: "x = 1\n# bad \u{01} control", line: 2, column: 7, message: "control character U+0001 in comment"),
    ]

    @Test(arguments: badDocuments)
    func syntaxErrorNamesLineAndColumn(_ bad: BadDocument) {
        do {
            _ = try TOMLParser.parse(bad.text, file: "bad.toml")
            Issue.record("parsed without error: \(bad.text.debugDescription)")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.column == bad.column, "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
            #expect(error.description.hasPrefix("bad.toml:\(bad.line):\(bad.column): "))
        }
    }

    // MARK: Schema errors from the typed accessors

    @Test func typeMismatchNamesLineKeyAndExpectedType() throws {
        let t = try TOMLParser.parse("a = 1\n\nname = 5\nlist = [1, \"x\"]\ntabs = [1]\nflag = \"yes\"\nsub = 3", file: "s.toml")
        func check(_ body: () throws -> Void, line: Int, _ text: String) {
            do {
                try body()
                Issue.record("no error for \(text)")
            } catch {
                guard let error = error as? TOMLError else { Issue.record("not a TOMLError: \(error)"); return }
                #expect(error.line == line, "\(error)")
                #expect(error.message.contains(text), "\(error)")
                #expect(error.file == "s.toml")
            }
        }
        check({ _ = try t.string("name", file: "s.toml") }, line: 3, "key 'name': expected a string, found integer")
        check({ _ = try t.strings("list", file: "s.toml") }, line: 4, "key 'list': expected an array of strings, found integer")
        check({ _ = try t.strings("name", file: "s.toml") }, line: 3, "expected an array of strings, found integer")
        check({ _ = try t.tables("tabs", file: "s.toml") }, line: 5, "key 'tabs': expected an array of tables, found integer")
        check({ _ = try t.tables("name", file: "s.toml") }, line: 3, "expected an array of tables, found integer")
        check({ _ = try t.boolean("flag", file: "s.toml") }, line: 6, "key 'flag': expected true or false, found string")
        check({ _ = try t.table("sub", file: "s.toml") }, line: 7, "key 'sub': expected a table, found integer")
        check({ _ = try t.double("flag", file: "s.toml") }, line: 6, "key 'flag': expected a number, found string")
        check({ _ = try t.integer("flag", file: "s.toml") }, line: 6, "key 'flag': expected an integer, found string")
        #expect(try t.integer("missing", file: "s.toml") == nil)
    }

    @Test func unknownKeysAreRejectedWithTheirLine() throws {
        let t = try TOMLParser.parse("[users]\ncount = 3\ncuont = 4\n", file: "u.toml")
        let users = try #require(try t.table("users", file: "u.toml"))
        do {
            try users.rejectUnknownKeys(["count"], file: "u.toml", context: "users")
            Issue.record("typo accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.message == "unknown key 'cuont' in [users]; expected one of: count")
        }
        try users.rejectUnknownKeys(["count", "cuont"], file: "u.toml")
    }

    @Test func errorWithoutLineDescribesTheFileOnly() {
        #expect(TOMLError(file: "x.toml", line: 0, message: "cannot read").description == "x.toml: cannot read")
        #expect(TOMLError(file: "x.toml", line: 4, message: "m").description == "x.toml:4: m")
    }
}
