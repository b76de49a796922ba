import Testing
@testable import InterestGraph

/// Row attributes parsed once per distinct bytes (``RowAttributeCache``) and the loaders'
/// byte hash (``LoaderHash``): a cached row reads exactly as a parsed one, bad rows are still
/// rejected each with its own line, and equal lists come back as one stored list.
@Suite("Reader attribute cache")
struct ReaderAttributeCacheTests {
    static func key(_ category: String, _ brand: String, _ price: String) -> (RowAttributeCache.Key, [[UInt8]]) {
        let parts = [Array(category.utf8), Array(brand.utf8), Array(price.utf8)]
        let key = parts[0].withUnsafeBufferPointer { c in
            parts[1].withUnsafeBufferPointer { b in
                parts[2].withUnsafeBufferPointer { p in RowAttributeCache.Key(c, b, p) }
            }
        }
        return (key, parts)
    }

    static func storage(_ list: [String]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Thousands of keys through the table's doublings: each finds its own value, keys that
    /// differ in one byte or in where a field ends do not meet, and an unseen key misses.
    @Test func everyKeyFindsItsOwnValue() {
        var cache = RowAttributeCache()
        for k in 0..<5_000 {
            let value = ItemAttributes(categories: ["c\(k % 97)"], brand: "b\(k)", price: Double(k))
            cache.insert(value, for: Self.key("c\(k % 97)", "b\(k)", "\(k)").0)
        }
        #expect(cache.count == 5_000)
        for k in stride(from: 0, to: 5_000, by: 7) {
            let found = cache.attributes(for: Self.key("c\(k % 97)", "b\(k)", "\(k)").0)
            #expect(found == .some(ItemAttributes(categories: ["c\(k % 97)"], brand: "b\(k)", price: Double(k))), "key \(k)")
        }
        // The same bytes split between fields differently are another key.
        #expect(cache.attributes(for: Self.key("c1", "b1", "1").0) != nil)
        #expect(cache.attributes(for: Self.key("c1b", "1", "1").0) == nil)
        #expect(cache.attributes(for: Self.key("c1", "b1", "2").0) == nil)
        #expect(cache.attributes(for: Self.key("", "", "").0) == nil)
    }

    /// Rows with no attributes cache `nil` (a hit, not a miss); a key longer than a slot is
    /// never cached.
    @Test func absentAttributesAndLongKeys() {
        var cache = RowAttributeCache()
        cache.insert(nil, for: Self.key("", "", "").0)
        #expect(cache.attributes(for: Self.key("", "", "").0) == .some(nil))
        let long = String(repeating: "x", count: RowAttributeCache.maxKeyBytes)
        let (key, _) = Self.key(long, "b", "1")
        #expect(!key.fits)
        cache.insert(ItemAttributes(categories: [long]), for: key)
        #expect(cache.attributes(for: key) == nil)
        #expect(cache.count == 1)
    }

    /// A full cache that rows hit at least as often as they filled it empties and keeps
    /// working; one whose keys never came back stops keeping keys for the rest of the read.
    @Test(arguments: [true, false])
    func aFullCacheEmptiesOrStops(repeated: Bool) {
        var cache = RowAttributeCache()
        let value = ItemAttributes(categories: ["c"])
        for k in 0..<RowAttributeCache.maxEntries {
            let key = Self.key("c", "b\(k)", "").0
            cache.insert(value, for: key)
            if repeated { _ = cache.attributes(for: key) }
        }
        #expect(cache.count == RowAttributeCache.maxEntries)
        let next = Self.key("c", "new", "").0
        cache.insert(value, for: next)
        #expect(cache.isDisabled == !repeated)
        #expect(cache.count == (repeated ? 1 : 0))
        #expect(cache.attributes(for: next) == (repeated ? .some(value) : .none))
        #expect(cache.attributes(for: Self.key("c", "b0", "").0) == nil)
    }

    /// Equal category lists and brands inserted under different keys come back as one
    /// stored list: the retain a row's event makes lands on a shared object.
    @Test func equalListsAreStoredOnce() throws {
        var cache = RowAttributeCache()
        let brand = String(repeating: "Brandname", count: 3)  // a heap string
        cache.insert(ItemAttributes(categories: ["Home", "Bath"], brand: brand, price: 1), for: Self.key("Home|Bath", brand, "1").0)
        cache.insert(ItemAttributes(categories: ["Home", "Bath"], brand: brand, price: 2), for: Self.key("Home|Bath", brand, "2").0)
        let inserted = cache.insert(ItemAttributes(categories: ["Home", "Bath"], brand: brand, price: 3), for: Self.key("Home|Bath", brand, "3").0)
        let first = try #require(cache.attributes(for: Self.key("Home|Bath", brand, "1").0) ?? nil)
        #expect(Self.storage(try #require(inserted.attributes).categories) == Self.storage(first.categories), "insert hands back the stored list")
        let second = try #require(cache.attributes(for: Self.key("Home|Bath", brand, "2").0) ?? nil)
        #expect(first.price == 1 && second.price == 2)
        #expect(Self.storage(first.categories) == Self.storage(second.categories))
        #expect(first.brand == second.brand)
    }

    /// A file whose items repeat their attributes reads exactly as its rows say, whether a
    /// row's attributes were parsed or found: quoted and spaced spellings of one set are
    /// equal values; a row with a bad price is rejected every time, each with its own line.
    @Test func cachedRowsReadAsParsedRowsAndBadRowsStayBad() throws {
        let text = """
            user,item,timestamp,category,brand,price
            u1,i1,1,Home|Bath,Kesdera,75.99
            u2,i1,2,Home|Bath,Kesdera,75.99
            u3,i2,3,"Home|Bath",Kesdera,75.99
            u4,i3,4,Home | Bath,Kesdera,75.990
            u5,i4,5,Garden,Monvia,oops
            u6,i4,6,Garden,Monvia,oops
            u7,i5,7,,,
            u8,i5,8,,,

            """
        let data = try ReaderFixtures.load(text)
        #expect(data.report.accepted == 6)
        #expect(data.report.rejectedByReason == ["bad number": 2])
        #expect(data.report.examples.map(\.line) == [6, 7])
        let bath = ItemAttributes(categories: ["Home", "Bath"], brand: "Kesdera", price: 75.99)
        #expect(data.events.map(\.attributes) == [bath, bath, bath, bath, nil, nil])
        // Rows 2 and 3 came from row 1's cached set, and row 4's equal list was stored
        // once: one list among all four, the row that parsed it first included.
        let lists = try data.events[0..<4].map { try #require($0.attributes).categories }
        for list in lists { #expect(Self.storage(list) == Self.storage(lists[0])) }
    }

    /// The hash reads every byte: ids one byte apart, of every length around a word, hash
    /// apart (a fixed set: collisions would show as equal hashes).
    @Test func loaderHashSeesEveryByte() {
        var seen = Set<UInt64>()
        var count = 0
        for length in 1...20 {
            for position in 0..<length {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                bytes[position] = UInt8(ascii: "b")
                seen.insert(bytes.withUnsafeBytes { LoaderHash.hash($0) })
                count += 1
            }
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            seen.insert(plain.withUnsafeBytes { LoaderHash.hash($0) })
            count += 1
        }
        #expect(seen.count == count)
        let a: [UInt8] = [1, 2, 3]
        let b: [UInt8] = [1, 2, 3]
        #expect(a.withUnsafeBytes { LoaderHash.hash($0) } == b.withUnsafeBytes { LoaderHash.hash($0) })
    }
}
