import Testing
@testable import InterestGraph

/// The edge lookup: the open-addressing table, and the switch from scanning a light user's
/// list to the table once the user is heavy.
@Suite struct GraphEdgeIndexTests {
    /// One random operation on the table and the reference dictionary, checking what the
    /// table answers: `0` removes `key`, `1` sets it, anything else inserts it if absent.
    static func apply(_ operation: UInt64, key: UInt64, value: Int32, to table: inout EdgeIndex, and reference: inout [UInt64: Int32]) {
        switch operation {
        case 0:
            #expect(table.removeValue(forKey: key) == reference.removeValue(forKey: key))
        case 1:
            table[key] = value
            reference[key] = value
        default:
            let inserted = table.valueOrInsert(key, value)
            #expect(inserted == reference[key])
            if inserted == nil { reference[key] = value }
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func tableMatchesADictionaryUnderRandomInsertsAndRemovals(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var table = EdgeIndex()
        var reference: [UInt64: Int32] = [:]
        for step in 0..<40_000 {
            // Few distinct keys so removals hit and probe runs wrap around.
            let key = UInt64(rng.next() % 64) << 32 | UInt64(rng.next() % 64)
            Self.apply(rng.next() % 4, key: key, value: Int32(step), to: &table, and: &reference)
            #expect(table.count == reference.count)
        }
        for (key, value) in reference { #expect(table[key] == value) }
        for user in 0..<64 as Range<UInt64> {
            for item in 0..<64 as Range<UInt64> where reference[user << 32 | item] == nil {
                #expect(table[user << 32 | item] == nil)
            }
        }
    }

    /// A full table is drained into its successor a few slots per insert: lookups, inserts,
    /// overwrites and removals while a drain is under way answer as a dictionary does, through
    /// growths from 16 to 32,768 slots.
    @Test(arguments: [5, 6] as [UInt64])
    func answersStayExactWhileAFullTableDrains(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var table = EdgeIndex()
        var reference: [UInt64: Int32] = [:]
        var stepsWhileDraining = 0
        for step in 0..<60_000 {
            // Mostly inserts, so the table keeps growing; keys from a space of 16k.
            let key = UInt64(rng.next() % 128) << 32 | UInt64(rng.next() % 128)
            let probe = UInt64(rng.next() % 128) << 32 | UInt64(rng.next() % 128)
            if table.isDraining { stepsWhileDraining += 1 }
            Self.apply(rng.next() % 8, key: key, value: Int32(step), to: &table, and: &reference)
            #expect(table[probe] == reference[probe])
            #expect(table.count == reference.count)
        }
        #expect(stepsWhileDraining > 1_000)
        for (key, value) in reference { #expect(table[key] == value) }
    }

    /// Copies share their tables until one writes, even mid-drain: the other keeps its keys.
    @Test func aCopyTakenWhileDrainingIsIndependent() {
        var table = EdgeIndex()
        var key: UInt64 = 0
        while !table.isDraining {
            table[key << 32 | 7] = Int32(key)
            key += 1
        }
        let copy = table
        for k in 0..<key { table.removeValue(forKey: k << 32 | 7) }
        table[1 << 40] = 99
        #expect(table.count == 1 && table[1 << 40] == 99)
        #expect(copy.count == Int(key))
        for k in 0..<key { #expect(copy[k << 32 | 7] == Int32(k)) }
        #expect(copy[1 << 40] == nil)
    }

    @Test func heavyUsersStayConsistentAcrossTheThresholdAndRemovals() throws {
        var graph = HeteroGraph(decay: .none)
        var rng = SeededGenerator(seed: 9)
        var expected: [String: Float] = [:]  // "user/item" -> strength
        for step in 0..<6_000 {
            let user = "u\(rng.next() % 5)", item = "i\(rng.next() % 60)"
            if rng.next() % 7 == 0, let u = graph.userID(user), let i = graph.itemID(item) {
                let removed = graph.removeEdge(user: u, item: i)
                #expect(removed == (expected.removeValue(forKey: "\(user)/\(item)") != nil))
                continue
            }
            graph.apply(Event(user: user, item: item, action: .click, timestamp: Double(step)))
            expected["\(user)/\(item)", default: 0] += 2
        }
        #expect(graph.statistics.userItemEdges == expected.count)
        for u in 0..<5 {
            for i in 0..<60 {
                guard let user = graph.userID("u\(u)"), let item = graph.itemID("i\(i)") else { continue }
                let want = expected["u\(u)/i\(i)"]
                #expect(graph.hasEdge(user: user, item: item) == (want != nil))
                #expect(abs(graph.strength(user: user, item: item) - Double(want ?? 0)) < 1e-3)
                if let edge = graph.edgeID(user: user, item: item) {
                    #expect(graph.edgeUser[Int(edge)] == user && graph.edgeItem[Int(edge)] == item)
                }
            }
        }
    }

    /// A user's item list (what the lookup scans and `items(ofUser:)` returns) stays the
    /// items of their edge list, position for position, through new edges, removals,
    /// delisted items and forgotten users, on both sides of the scan threshold.
    @Test(arguments: [4, 17] as [UInt64])
    func userItemListsFollowTheEdgeListsInLockstep(seed: UInt64) {
        var graph = HeteroGraph(decay: .none)
        var rng = SeededGenerator(seed: seed)
        var checked = 0
        var heavyChecked = 0
        // Every list against its edges, and every edge found by its lookup (a scan, or the
        // index above the threshold).
        func verify() {
            for u in 0..<graph.userCapacity {
                #expect(graph.userItems[u] == graph.userEdges[u].map { graph.edgeItem[Int($0)] })
                #expect(graph.items(ofUser: Int32(u)) == graph.userItems[u])
                for (edge, item) in zip(graph.userEdges[u], graph.userItems[u]) {
                    #expect(graph.edgeID(user: Int32(u), item: item) == edge)
                    checked += 1
                    if graph.userEdges[u].count > HeteroGraph.scanDegree { heavyChecked += 1 }
                }
            }
        }
        for step in 0..<8_000 {
            let user = "u\(rng.next() % 6)", item = "i\(rng.next() % 120)"
            switch rng.next() % 40 {
            case 0..<5:
                if let u = graph.userID(user), let i = graph.itemID(item) { graph.removeEdge(user: u, item: i) }
            case 5:
                if let u = graph.userID(user) { graph.forgetUser(u) }
            case 6 where step % 5 == 0:
                if let i = graph.itemID(item) { graph.removeItem(i) }
            default:
                graph.apply(Event(user: user, item: item, action: .view, timestamp: Double(step)))
            }
            if step % 250 == 249 { verify() }
        }
        verify()
        // Some users crossed the scan threshold (their lookups went through the table).
        #expect(heavyChecked > 0)
        #expect(checked > heavyChecked)
    }

    /// The sixteen-at-a-time scan finds what a plain scan finds: the first position, on
    /// every length around the vector width and the scan limit, with repeats and misses.
    @Test func theVectorScanFindsTheFirstPosition() {
        var rng = SeededGenerator(seed: 9)
        for count in 0...(HeteroGraph.scanDegree + 3) {
            let items = (0..<count).map { _ in Int32(rng.index(below: max(1, count / 2 + 1))) }
            items.withUnsafeBufferPointer { buffer in
                for item in Int32(-1)...Int32(count / 2 + 1) {
                    #expect(HeteroGraph.firstIndex(of: item, in: buffer) == items.firstIndex(of: item), "\(item) in \(count)")
                }
            }
        }
    }
}
