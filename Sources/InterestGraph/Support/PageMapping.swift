#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
internal import CPageMapping

/// Page mappings of their own for the large aligned tables (``AlignedBuffer``).
///
/// Why: the per-user and per-edge tables double as a shop grows, and a doubling copied the
/// whole table into fresh memory on the engine thread: at 8 M edges the edge records (256 MB)
/// took a second, the dashboard frozen meanwhile (`bench replay`'s longest pause). A table
/// that is its own mapping grows with `mremap`, which moves page table entries and copies
/// nothing; the new half's pages are touched as its rows arrive. Mappings start page-aligned
/// (more than the 64 bytes ``AlignedBuffer`` needs) and come from the kernel zeroed.
///
/// Tables under ``threshold`` stay with the allocator (a mapping per small table would cost
/// a system call each and waste most of a page). Where the process was started with glibc's
/// huge-page tunable (the `driftscope` executable does so, see `LargePages`), mappings are
/// advised to use huge pages as malloc's own are; elsewhere (Darwin) nothing is mapped here.
enum PageMapping {
    /// Tables of at least this many bytes get a mapping of their own.
    static let threshold = 4 << 20

    /// Whether to advise huge pages: as glibc's malloc was told to (`glibc.malloc.hugetlb`).
    static let advisesHugePages: Bool = {
        let tunables = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] ?? ""
        return tunables.contains("glibc.malloc.hugetlb=1") || tunables.contains("glibc.malloc.hugetlb=2")
    }()

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    @inline(__always)
    private static func rounded(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }

    /// A zeroed mapping of at least `bytes`, or `nil` (too small, or not on Linux, or the
    /// kernel said no: the caller then allocates as usual).
    static func map(bytes: Int) -> (address: UnsafeMutableRawPointer, bytes: Int)? {
        #if os(Linux)
        guard bytes >= threshold else { return nil }
        let length = rounded(bytes)
        guard let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              address != MAP_FAILED else { return nil }
        if advisesHugePages { _ = madvise(address, length, MADV_HUGEPAGE) }
        return (address, length)
        #else
        return nil
        #endif
    }

    /// The mapping at `address` grown to at least `bytes` (its contents kept, perhaps at a new
    /// address), or `nil` with the old mapping unchanged.
    static func remap(_ address: UnsafeMutableRawPointer, from oldBytes: Int, toAtLeast bytes: Int) -> (address: UnsafeMutableRawPointer, bytes: Int)? {
        let length = rounded(bytes)
        guard let moved = ds_mremap_maymove(address, oldBytes, length) else { return nil }
        return (moved, length)
    }

    static func unmap(_ address: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        _ = munmap(address, bytes)
        #endif
    }
}
