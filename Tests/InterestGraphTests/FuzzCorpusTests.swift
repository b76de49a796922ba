import Foundation
import Testing
@testable import InterestGraph

/// The committed fuzz seeds (`Tests/FuzzCorpus/`), each read once through the same checks
/// `make fuzz` runs: quick, so every `make test` replays them, and any input the fuzzer once
/// broke a reader with stays fixed once it is copied there.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus")

    @Test("every seed reads without breaking an invariant", arguments: FuzzTarget.allCases)
    func seeds(_ target: FuzzTarget) throws {
        let folder = FuzzCorpusTests.corpus.appendingPathComponent(target.corpusFolder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 4, "seeds for \(target) in \(folder.path)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-fuzz-seeds-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(throws: Never.self, "\(target)/\(name)") { try target.check(bytes, scratch: scratch) }
        }
    }

    /// The checks themselves catch what they claim to: a JSON Lines count that does not add up.
    @Test func checksCountRows() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("driftscope-fuzz-self-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let good = Array("{\"user\":\"u\",\"item\":\"i\",\"timestamp\":1}\n\n{\"user\":\"u\"}\n".utf8)
        let path = try FuzzChecks.write(good, scratch: scratch, name: "x.jsonl")
        #expect(throws: Never.self) { try FuzzChecks.readBothWays(path, format: .jsonl, bytes: good, rowsSeen: 2) }
        #expect(throws: FuzzFailure.self) { try FuzzChecks.readBothWays(path, format: .jsonl, bytes: good, rowsSeen: 3) }
    }
}
