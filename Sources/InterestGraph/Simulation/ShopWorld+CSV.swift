/// CSV renderings of a simulated run, byte-for-byte deterministic for a seed:
/// integers and fixed-point decimals are formatted by hand (no locale, no float printing).
///
/// Layouts (documented in sample-data/README.md):
/// - events: `user,item,timestamp,action,value,category,brand,price` (value = quantity on purchases)
/// - catalogue: `item,category,brand,price,entities` (entities `|`-separated)
/// - knowledge graph: `head,relation,tail`
/// - true shares: `user,time,category,share` per checkpoint (shares below 0.005 left out)
/// - drifts: `kind,label,user,start,end,crossover,from,to,amount,users`
extension ShopWorld {
    /// Streams the event CSV (header first) in chunks of about `chunkSize` bytes, stopping
    /// after `limit` events (a prefix of the full stream, for quick benchmark runs).
    /// - Returns: the number of events written.
    /// - Complexity: O(events); no per-event allocation (ids and item columns are pre-rendered).
    @discardableResult
    public func writeEventsCSV(chunkSize: Int = 1 << 20, limit: Int = .max, _ write: ([UInt8]) throws -> Void) rethrows -> Int {
        let catalogue = self.catalogue
        let users = FlatStrings(truth.userIDs.map { $0 + "," })
        let items = FlatStrings(catalogue.itemIDs.map { $0 + "," })
        let suffixes = FlatStrings((0..<catalogue.itemCount).map { i in
            ",\(catalogue.categoryNames[Int(catalogue.itemCategory[i])]),\(catalogue.brandNames[Int(catalogue.itemBrand[i])]),\(CSVFormat.cents(Int(catalogue.itemPriceCents[i])))\n"
        })
        let actions = FlatStrings(Action.allCases.map { ",\($0.name)," })
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize + 256)
        buffer.append(contentsOf: "user,item,timestamp,action,value,category,brand,price\n".utf8)
        var simulator = ShopSimulator(world: self)
        var count = 0
        while count < limit, let e = simulator.next() {
            users.append(Int(e.user), to: &buffer)
            items.append(Int(e.item), to: &buffer)
            CSVFormat.appendInteger(e.time, to: &buffer)
            actions.append(Int(e.action.rawValue), to: &buffer)
            if e.action == .purchase { CSVFormat.appendInteger(Int64(e.quantity), to: &buffer) }
            suffixes.append(Int(e.item), to: &buffer)
            count += 1
            if buffer.count >= chunkSize {
                try write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try write(buffer) }
        return count
    }

    /// The catalogue CSV: every item, including those launched during the run.
    public func catalogueCSV() -> String {
        var out = "item,category,brand,price,entities\n"
        for i in 0..<catalogue.itemCount {
            out += "\(catalogue.itemIDs[i]),\(catalogue.categoryNames[Int(catalogue.itemCategory[i])]),\(catalogue.brandNames[Int(catalogue.itemBrand[i])]),\(CSVFormat.cents(Int(catalogue.itemPriceCents[i]))),\(catalogue.itemEntities(i).joined(separator: "|"))\n"
        }
        return out
    }

    /// The knowledge-graph CSV (brand -> maker -> country).
    public func knowledgeGraphCSV() -> String {
        var out = "head,relation,tail\n"
        for t in catalogue.triples { out += "\(t.head),\(t.relation),\(t.tail)\n" }
        return out
    }

    /// True category shares of every present user every `interval` seconds from the start.
    public func trueSharesCSV(interval: Double = 86_400, _ write: ([UInt8]) throws -> Void) rethrows {
        var buffer: [UInt8] = []
        buffer.append(contentsOf: "user,time,category,share\n".utf8)
        let categoryBytes = catalogue.categoryNames.map { Array(",\($0),".utf8) }
        let userPrefix = truth.userIDs.map { Array($0.utf8) + [UInt8(ascii: ",")] }
        var shares = [Double](repeating: 0, count: catalogue.categoryCount)
        let step = max(interval, 60)
        var t = scenario.start
        while t <= scenario.end {
            for u in 0..<userCount where Double(userArrival[u]) <= t && Double(userChurn[u]) > t {
                shares.withUnsafeMutableBufferPointer { truth.fill(user: u, at: t, into: $0) }
                for c in shares.indices where shares[c] >= 0.005 {
                    buffer.append(contentsOf: userPrefix[u])
                    CSVFormat.appendInteger(Int64(t), to: &buffer)
                    buffer.append(contentsOf: categoryBytes[c])
                    CSVFormat.appendFixed(shares[c], digits: 4, to: &buffer)
                    buffer.append(UInt8(ascii: "\n"))
                }
                if buffer.count >= 1 << 20 {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            t += step
        }
        if !buffer.isEmpty { try write(buffer) }
    }

    /// The drift schedule as CSV, one row per drifted user and one per seasonal wave.
    public func driftsCSV() -> String {
        var out = "kind,label,user,start,end,crossover,from,to,amount,users\n"
        for d in truth.drifts {
            var row = "\(d.kind.rawValue),\(d.label.replacingCommas),\(d.user ?? ""),\(Int64(d.start)),\(Int64(d.end)),"
            row += d.crossover.map { String(Int64($0)) } ?? ""
            var amount: [UInt8] = []
            CSVFormat.appendFixed(d.amount, digits: 3, to: &amount)
            row += ",\(d.from.joined(separator: "|")),\(d.to.joined(separator: "|")),\(String(decoding: amount, as: UTF8.self)),\(d.affectedUsers)\n"
            out += row
        }
        return out
    }
}

/// Many short strings as one byte array with offsets: appending one is a bounded copy with
/// no reference counting (an array of arrays retains and releases on every access).
struct FlatStrings {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]

    init(_ strings: [String]) {
        for s in strings {
            bytes.append(contentsOf: s.utf8)
            offsets.append(bytes.count)
        }
    }

    @inline(__always)
    func append(_ index: Int, to buffer: inout [UInt8]) {
        let start = offsets[index], end = offsets[index + 1]
        bytes.withUnsafeBufferPointer { all in
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }
}

enum CSVFormat {
    /// `1299` -> `12.99`.
    static func cents(_ c: Int) -> String {
        let rest = c % 100
        return "\(c / 100).\(rest < 10 ? "0" : "")\(rest)"
    }

    @inline(__always)
    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        var v = value
        if v < 0 {
            buffer.append(UInt8(ascii: "-"))
            v = -v
        }
        if v < 10 {
            buffer.append(UInt8(48 + v))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while v > 0 {
                raw[n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            }
            for k in stride(from: n - 1, through: 0, by: -1) { buffer.append(raw[k]) }
        }
    }

    /// A non-negative value with a fixed number of decimals, rounded half up.
    static func appendFixed(_ value: Double, digits: Int, to buffer: inout [UInt8]) {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((max(0, value) * Double(scale)).rounded())
        appendInteger(scaled / scale, to: &buffer)
        buffer.append(UInt8(ascii: "."))
        var rest = scaled % scale
        var divisor = scale / 10
        while divisor > 0 {
            buffer.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

private extension String {
    var replacingCommas: String { String(map { $0 == "," || $0 == "\n" ? ";" : $0 }) }
}
