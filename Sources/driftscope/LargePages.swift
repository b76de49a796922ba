#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Backs the big tables with 2 MiB pages where the kernel offers them, by starting the
/// process again with glibc's malloc told to (`GLIBC_TUNABLES`).
///
/// Why: at a shop's size every event reads a dozen rows scattered over gigabytes (graph
/// entries and edge lists, model rows, drift history), and with 4 KiB pages nearly each read
/// also misses the TLB, whose 1,536 entries cover 6 MiB; the page walks were the largest
/// part of the look-ahead hints' cost (perf). With 2 MiB pages the same entries cover 3 GiB.
/// Debian's kernels give huge pages only to memory that asks for them (`madvise` mode), and
/// most tables are Swift arrays whose allocation we do not control, so glibc does the asking:
/// `glibc.malloc.hugetlb=1` advises every block it maps itself, and
/// `glibc.malloc.mmap_threshold=4194304` makes every block of 4 MiB or more such a block
/// (the default threshold grows up to 32 MiB, leaving mid-sized tables in the 4 KiB heap).
/// A replay of all of `large.csv` took 10% less time this way (docs/BENCHMARKS.md, "Huge
/// pages for the big tables"); smaller blocks stay in the heap on 4 KiB pages (a 1 MiB
/// threshold gained less: more page faults).
///
/// Tunables are read once, when the process starts, so setting them means starting again:
/// `execv` of `/proc/self/exe` with the same arguments (same process id, same terminal)
/// before anything else runs. Nothing happens when the kernel has huge pages off (`never`),
/// when `GLIBC_TUNABLES` is already set (the user's choice stands), or with
/// `DRIFTSCOPE_LARGE_PAGES=0`.
enum LargePages {
    /// The tunables the process is started again with.
    static let tunables = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304"
    /// Set in the started-again process, so it never starts a third time.
    static let marker = "DRIFTSCOPE_LARGE_PAGES_ADOPTED"

    /// Starts the process again with ``tunables`` when it should (see the type's comment);
    /// returns when it should not, or when starting again failed (the process then runs on
    /// 4 KiB pages, as it would have without this).
    static func adopt() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard environment[marker] == nil, environment["GLIBC_TUNABLES"] == nil,
              environment["DRIFTSCOPE_LARGE_PAGES"] != "0", kernelOffersHugePages else { return }
        setenv("GLIBC_TUNABLES", tunables, 1)
        setenv(marker, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here: exec failed (no /proc, say). Undo, so children do not inherit a half setup.
        unsetenv("GLIBC_TUNABLES")
        unsetenv(marker)
        #endif
    }

    /// Whether this process's malloc asks for huge pages: started again by ``adopt()``, or
    /// started with `glibc.malloc.hugetlb` set by the user, on a kernel that offers them.
    static var inUse: Bool {
        #if os(Linux)
        let tunables = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] ?? ""
        return kernelOffersHugePages && (tunables.contains("glibc.malloc.hugetlb=1") || tunables.contains("glibc.malloc.hugetlb=2"))
        #else
        return false
        #endif
    }

    /// The kernel's transparent huge page mode is `always` or `madvise` (not `never`, and the
    /// file exists).
    static var kernelOffersHugePages: Bool {
        guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8) else { return false }
        return mode.contains("[always]") || mode.contains("[madvise]")
    }
}
