import Foundation
import Testing

/// `make bench` runs `bench all`, which runs every benchmark with no arguments: each must have
/// a default for everything it needs.
@Suite struct BenchAllCLITests {
    /// `bench replay` once required its file, and `make bench` stopped there with status 64.
    @Test func replayRunsWithNoSourceOnTheDefaultDataset() throws {
        let result = try CLIRunner.run(["bench", "replay", "--seconds", "1", "--every", "1", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any])
        #expect((report["replayed_events"] as? Int ?? 0) > 0, "\(result.stdout)")
        #expect((report["source"] as? String ?? "").contains("ml-100k"), "\(result.stdout)")
    }

    /// Where the kernel offers transparent huge pages, the process starts again with glibc's
    /// malloc asking for them for every block of 4 MiB or more (``LargePages`` in the
    /// executable); `DRIFTSCOPE_LARGE_PAGES=0` keeps 4 KiB pages. A user's own
    /// `GLIBC_TUNABLES` stands either way.
    @Test func theProcessStartsAgainOnHugePagesUnlessAskedNotTo() throws {
        let mode = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        let offered = mode.contains("[always]") || mode.contains("[madvise]")
        let inherited = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"]
        let userChoice = inherited.map { $0.contains("glibc.malloc.hugetlb=1") || $0.contains("glibc.malloc.hugetlb=2") }
        for (environment, expected) in [([String: String](), userChoice ?? true), (["DRIFTSCOPE_LARGE_PAGES": "0"], userChoice ?? false)] {
            let result = try CLIRunner.run(["bench", "replay", "--seconds", "1", "--every", "1", "--json"], environment: environment)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["large_pages"] as? Bool == (offered && expected), "\(environment): \(result.stdout)")
            #expect((report["huge_page_bytes"] as? Int).map { $0 >= 0 } == true)
        }
    }
}
