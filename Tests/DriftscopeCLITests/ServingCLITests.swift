import Foundation
import Testing

/// `recommend`, `audience`, `similar` and `export` run as the built binary on a small shop
/// written to a temporary directory.
@Suite struct ServingCLITests {
    static let categories = ["Shoes", "Bags", "Hats", "Coats"]

    /// 24 users, each with 8 events on distinct items: 4 in their favourite category
    /// (`u % 4`), 2 in the next one, 1 in each of the other two. 4 categories x 6 items,
    /// 2 brands per category, prices 10...60, a material entity.
    static func files() -> [String: [UInt8]] {
        var catalogue = "item,title,category,brand,price,entities\n"
        for name in categories {
            for j in 0..<6 {
                catalogue += "\(name.lowercased())\(j),\(name) model \(j),\(name),\(name)Co\(j % 2),\(10 + j * 10),material:m\(j % 3)\n"
            }
        }
        var events = "user,item,timestamp,action\n"
        var t = 1_700_000_000
        for e in 0..<8 {
            for u in 0..<24 {
                let favourite = categories[u % 4]
                let category = e < 4 ? favourite : (e < 6 ? categories[(u + 1) % 4] : categories[(u + e) % 4])
                let item = "\(category.lowercased())\((u * 7 + e * 5) % 6)"
                events += "user\(u),\(item),\(t),\(e % 3 == 0 ? "purchase" : "view")\n"
                t += 60
            }
        }
        return ["shop.csv": Array(events.utf8), "shop.catalogue.csv": Array(catalogue.utf8)]
    }

    static func withShop<T>(_ body: (String) throws -> T) throws -> T {
        let directory = try CLIRunner.directory(with: files())
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory.appendingPathComponent("shop.csv").path)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static let fast = ["--epochs", "8", "--seed", "5"]

    @Test func recommendJSONHasKRowsWithExplanations() throws {
        try Self.withShop { path in
            let result = try CLIRunner.run(["recommend", path, "--user", "user3", "--k", "5", "--model", "lightgcn", "--json"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try Self.json(result.stdout)
            #expect(object["user"] as? String == "user3")
            #expect(object["model"] as? String == "LightGCN")
            #expect(object["dataset"] as? String == "shop")
            #expect(object["history"] as? Int == 8)
            let rows = try #require(object["recommendations"] as? [[String: Any]])
            #expect(rows.count == 5)
            for (k, row) in rows.enumerated() {
                #expect(row["rank"] as? Int == k + 1)
                #expect((row["title"] as? String)?.contains("model") == true)
                let explanation = try #require(row["explanation"] as? [String: Any])
                let text = try #require(explanation["text"] as? String)
                #expect(!text.isEmpty)
                #expect(["brand", "kg", "category", "similar"].contains(explanation["kind"] as? String ?? ""))
                // The path starts from one of user3's items.
                let anchor = try #require(explanation["anchor"] as? String)
                #expect(Self.usersOf(anchor).contains("user3"), "anchor \(anchor)")
            }
            let scores = rows.compactMap { $0["score"] as? Double }
            #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 })
        }
    }

    @Test func recommendTableHasTheDocumentedColumns() throws {
        try Self.withShop { path in
            let result = try CLIRunner.run(["recommend", path, "--user", "user0", "--k", "3", "--model", "mf-bpr"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("Top 3 for user user0 (8 items in history) from MF-BPR on shop (192 events)") == true, "\(result.stdout)")
            let header = try #require(lines.first { $0.hasPrefix("rank") })
            for column in ["rank", "item", "title", "score", "category", "explanation"] { #expect(header.contains(column)) }
            #expect(lines.count == 2 + 3)
        }
    }

    @Test func filtersReachTheCommand() throws {
        try Self.withShop { path in
            let result = try CLIRunner.run(["recommend", path, "--user", "user1", "--k", "4", "--category", "Hats", "--max-price", "40", "--include-seen", "--json"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let rows = try #require(try Self.json(result.stdout)["recommendations"] as? [[String: Any]])
            #expect(rows.count == 4)  // hats0...hats3 cost 10...40
            for row in rows {
                #expect((row["categories"] as? [String]) == ["Hats"])
                #expect(try #require(row["price"] as? Double) <= 40)
            }
        }
    }

    @Test(arguments: [
        (["recommend", "--user", "nobody"], "unknown user 'nobody' in shop (24 users, e.g. user0, user1, user2)"),
        (["audience", "--item", "socks9"], "unknown item 'socks9' in shop (24 items"),
        (["similar", "--item", "socks9"], "unknown item 'socks9'"),
        (["recommend", "--user", "user1", "--category", "Gloves"], "unknown category 'Gloves' in shop (4 known: Bags, Coats, Hats, Shoes)"),
        (["recommend", "--user", "user1", "--brand", "Acme"], "unknown brand 'Acme'"),
    ])
    func unknownIDsAreOneLineErrors(arguments: [String], message: String) throws {
        try Self.withShop { path in
            let result = try CLIRunner.run([arguments[0], path] + Array(arguments.dropFirst()) + Self.fast)
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
            #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        }
    }

    @Test(arguments: [
        ["similar", "--user", "user1", "--item", "hats1"], ["similar"], ["recommend", "--user", "user1", "--k", "0"],
        ["recommend", "--user", "user1", "--min-price", "50", "--max-price", "10"], ["recommend", "--user", "user1", "--model", "deepfm"],
        ["export", "--out", "/tmp/unused", "--model", "mostpop"],
    ])
    func badOptionsAreRejected(arguments: [String]) throws {
        try Self.withShop { path in
            let result = try CLIRunner.run([arguments[0], path] + Array(arguments.dropFirst()))
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test func audienceJSONLeavesOutExistingUsers() throws {
        try Self.withShop { path in
            let result = try CLIRunner.run(["audience", path, "--item", "bags2", "--k", "6", "--json"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try Self.json(result.stdout)
            #expect(object["item"] as? String == "bags2")
            #expect(object["title"] as? String == "Bags model 2")
            let rows = try #require(object["audience"] as? [[String: Any]])
            #expect(rows.count == 6)
            let existing = Self.usersOf("bags2")
            #expect(object["interactions"] as? Int == existing.count)
            for row in rows { #expect(!existing.contains(try #require(row["user"] as? String))) }
            let scores = rows.compactMap { $0["score"] as? Double }
            #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 })
        }
    }

    static func usersOf(_ item: String) -> Set<String> {
        let events = String(decoding: files()["shop.csv"]!, as: UTF8.self).split(separator: "\n").dropFirst()
        return Set(events.map { $0.split(separator: ",") }.filter { $0[1] == item }.map { String($0[0]) })
    }

    @Test(arguments: [("--user", "user5"), ("--item", "coats4")])
    func similarJSONExcludesTheQuery(option: String, id: String) throws {
        try Self.withShop { path in
            let result = try CLIRunner.run(["similar", path, option, id, "--k", "5", "--json"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try Self.json(result.stdout)
            let query = try #require(object["query"] as? [String: Any])
            #expect(query["id"] as? String == id)
            #expect(query["kind"] as? String == String(option.dropFirst(2)))
            let rows = try #require(object["similar"] as? [[String: Any]])
            #expect(rows.count == 5)
            #expect(!rows.contains { $0["id"] as? String == id })
            let scores = rows.compactMap { $0["score"] as? Double }
            #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 })
        }
    }

    @Test func exportProjectorWritesAlignedVectorsAndMetadata() throws {
        try Self.withShop { path in
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: out) }
            let result = try CLIRunner.run(["export", path, "--out", out.path, "--model", "lightgcn"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let vectors = try String(contentsOf: out.appendingPathComponent("vectors.tsv"), encoding: .utf8).split(separator: "\n")
            let metadata = try String(contentsOf: out.appendingPathComponent("metadata.tsv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(vectors.count == 24 + 24)
            #expect(metadata.count == vectors.count + 1)
            #expect(metadata.first == "id\tkind\ttitle\tcategory")
            #expect(Set(vectors.map { $0.split(separator: "\t").count }) == [64])
            #expect(vectors.allSatisfy { $0.split(separator: "\t").allSatisfy { Float($0)?.isFinite == true } })
            #expect(metadata.dropFirst().first?.hasPrefix("user0\tuser\t\t") == true)
            #expect(metadata.contains("shoes0\titem\tShoes model 0\tShoes"))
            #expect(result.stdout.contains("Wrote 24 users and 24 items (dimension 64)"))
        }
    }

    @Test func exportNpyWritesNumPyArraysAndIDs() throws {
        try Self.withShop { path in
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: out) }
            let result = try CLIRunner.run(["export", path, "--out", out.path, "--format", "npy", "--json"] + Self.fast)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try Self.json(result.stdout)
            #expect(summary["users"] as? Int == 24)
            #expect(summary["dimension"] as? Int == 64)
            for (name, rows) in [("users", 24), ("items", 24)] {
                let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent("\(name).npy")))
                #expect(Array(bytes.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
                let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
                #expect((10 + headerLength) % 64 == 0)
                let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
                #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), 64), }"))
                #expect(header.hasSuffix("\n"))
                #expect(bytes.count == 10 + headerLength + rows * 64 * 4)
                let ids = try String(contentsOf: out.appendingPathComponent("\(name).txt"), encoding: .utf8).split(separator: "\n")
                #expect(ids.count == rows)
            }
        }
    }
}
