import Testing
@testable import InterestGraph

/// The file load's interner (``LoadInterner``) and the builder that interns each row a few
/// rows after it arrives (``CompactEvents/Builder``).
@Suite("Load interner")
struct LoadInternerTests {
    /// Dense ids in order of first meeting, one per distinct name, through many doublings
    /// of the table; every id names its name.
    @Test func idsAreDenseAndStableThroughGrowth() {
        var interner = LoadInterner()
        var rng = SeededGenerator(seed: 3)
        var expected: [String: Int32] = [:]
        for _ in 0..<40_000 {
            // Short ids (stored inline) and long ones (heap strings) mixed, with repeats.
            let k = rng.index(below: 12_000)
            let name = k % 3 == 0 ? "customer-with-a-long-identifier-\(k)" : "u\(k)"
            let (id, isNew) = interner.intern(name)
            if let known = expected[name] {
                #expect(id == known && !isNew, "\(name)")
            } else {
                #expect(isNew && Int(id) == expected.count, "\(name) got \(id)")
                expected[name] = id
            }
        }
        #expect(interner.count == expected.count)
        for (name, id) in expected { #expect(interner.name(id) == name) }
    }

    /// Equal strings are one name, as in a `Dictionary`: a long id built twice (two heap
    /// buffers) and two spellings of one accented id (composed, decomposed).
    @Test func equalStringsShareAnId() {
        var interner = LoadInterner()
        let a = interner.intern(String(repeating: "x", count: 40) + "1").id
        let b = interner.intern(String(repeating: "x", count: 40) + String(1)).id
        #expect(a == b)
        let composed = interner.intern("caf\u{E9}").id
        let decomposed = interner.intern("cafe\u{301}").id
        #expect(composed == decomposed)
        #expect(interner.intern("cafe").id != composed)
        // A non-ASCII name equal to an ASCII one (the Kelvin sign is `K`), either first.
        let kelvin = interner.intern("\u{212A}9").id
        #expect(interner.intern("K9").id == kelvin)
        let plain = interner.intern("K7").id
        #expect(interner.intern("\u{212A}7").id == plain)
        #expect(interner.count == 5)
    }

    static func event(_ k: Int, at time: Double) -> Event {
        Event(user: "u\(k % 7)", item: "i\(k % 5)", action: .view, timestamp: time,
              attributes: ItemAttributes(categories: ["c\(k % 5)"], brand: "b\(k % 2)"))
    }

    /// A chunk taken while rows still wait to be interned holds every row appended, in file
    /// order, with its names numbered in order of first meeting; fewer rows than the
    /// look-ahead and more both work.
    @Test(arguments: [3, CompactEvents.Builder.lookahead + 1, 50])
    func aChunkHoldsEveryRowAppended(rows: Int) {
        var builder = CompactEvents.Builder()
        let events = (0..<rows).map { Self.event($0, at: Double($0)) }
        for event in events { builder.append(event) }
        #expect(builder.pendingCount == rows)
        let chunk = builder.takeChunk()
        #expect(builder.pendingCount == 0)
        #expect(chunk.count == rows)
        for (k, event) in events.enumerated() {
            #expect(chunk.userNames[Int(chunk.users[k])] == event.user, "row \(k)")
            #expect(chunk.itemNames[Int(chunk.items[k])] == event.item, "row \(k)")
            #expect(chunk.timestamps[k] == event.timestamp, "row \(k)")
            // A chunk's attribute sets are the load's from the first new one (after "none").
            #expect(chunk.attributeSets[Int(chunk.attributes[k]) - 1] == event.attributes, "row \(k)")
        }
        // Ids follow the order of first meeting, though items are interned a row early.
        func firstMet(_ names: [String]) -> [String] {
            var seen = Set<String>()
            return names.filter { seen.insert($0).inserted }
        }
        #expect(chunk.itemNames == firstMet(events.map(\.item)))
        #expect(chunk.userNames == firstMet(events.map(\.user)))
        // The next chunk holds only the names met first in it.
        builder.append(Self.event(100, at: 1e6))
        let next = builder.takeChunk()
        #expect(next.count == 1 && next.userNames.isEmpty == (rows > 2))
    }

    /// Order is judged when a row arrives, not when it is interned: a stream reader must not
    /// publish a chunk holding a row out of order.
    @Test func anEarlierRowIsSeenAtOnce() {
        var builder = CompactEvents.Builder()
        for k in 0..<4 { builder.append(Self.event(k, at: Double(100 + k))) }
        #expect(builder.isSorted)
        builder.append(Self.event(9, at: 1))
        #expect(!builder.isSorted)
        #expect(builder.pendingCount == 5)
    }
}
