import Testing
@testable import InterestGraph

@Suite struct ReaderFieldParsingTests {
    private func parse<T>(_ text: String, _ body: (FieldBytes) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @Test(arguments: [
        ("0", 0.0), ("42", 42), ("-3.25", -3.25), (" 7 ", 7), ("+1.5", 1.5), ("1e3", 1000), ("2.5E-1", 0.25),
        ("881250949", 881_250_949), ("0.1", 0.1), ("12345678901234567890", 1.2345678901234567e19),
    ])
    func numbersParse(text: String, value: Double) {
        #expect(parse(text, FieldParsing.double) == value)
    }

    @Test(arguments: ["", "-", ".", "abc", "1.2.3", "nan", "inf", "0x10", "1e", "12abc", "1,5"])
    func nonNumbersAreRejected(text: String) {
        #expect(parse(text, FieldParsing.double) == nil)
    }

    @Test(arguments: [
        ("1700000000", 1_700_000_000.0), ("1700000000000", 1_700_000_000), ("1700000000000000", 1_700_000_000),
        ("1970-01-01T00:00:00Z", 0), ("2000-02-29T12:00:00Z", 951_825_600), ("1969-12-31T23:59:59Z", -1),
        ("2024-03-01T10:00:00-02:30", 1_709_296_200), ("2024-03-01T10:00:00+0100", 1_709_283_600),
        ("2024-03-01t10:00Z", 1_709_287_200),
    ])
    func timestampsParse(text: String, value: Double) {
        #expect(parse(text, FieldParsing.timestamp) == value)
    }

    @Test(arguments: ["2023-13-01", "2023-02-29", "2024-03-01T25:00:00Z", "2024-03-01T10:00:00Q", "2024-03-01T10", "yesterday", "2024-03-01T10:00:00."])
    func badTimestampsAreRejected(text: String) {
        #expect(parse(text, FieldParsing.timestamp) == nil)
    }

    @Test func utf8ValidationFindsTheFirstBadByte() {
        let cases: [([UInt8], Int?)] = [
            (Array("plain ascii text, long enough".utf8), nil),
            (Array("café 😀".utf8), nil),
            ([0x61, 0xC3], 1),  // truncated
            ([0x61, 0x62, 0xC0, 0x80], 2),  // overlong
            ([0xED, 0xA0, 0x80], 0),  // surrogate
            ([0xF4, 0x90, 0x80, 0x80], 0),  // above U+10FFFF
            (Array("12345678".utf8) + [0xFF], 8),
        ]
        for (bytes, expected) in cases {
            #expect(bytes.withUnsafeBufferPointer(FieldParsing.firstInvalidUTF8) == expected)
        }
    }

    @Test func civilTimeRoundTrips() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilTime.civilFromDays(days)
            #expect(CivilTime.daysFromCivil(year: y, month: m, day: d) == days)
        }
        #expect(CivilTime.iso8601(1_700_000_000) == "2023-11-14T22:13:20Z")
        #expect(CivilTime.iso8601(-1) == "1969-12-31T23:59:59Z")
    }

    @Test func seededGeneratorIsDeterministic() {
        var a = SeededGenerator(seed: 99)
        var b = SeededGenerator(seed: 99)
        var c = SeededGenerator(seed: 100)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
    }
}
