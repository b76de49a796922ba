import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resident memory of this process, for benchmarks and the status line.
public enum ProcessMemory {
    /// The peak resident set size so far, in bytes (`getrusage` `ru_maxrss`).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        return Int(usage.ru_maxrss) * 1024  // KiB on Linux
        #endif
    }

    /// The current resident set size in bytes (`/proc/self/statm` on Linux; the peak elsewhere).
    public static func currentResidentBytes() -> Int {
        #if os(Linux)
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return peakResidentBytes() }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return peakResidentBytes() }
        // Fields: size resident shared text lib data dt, in pages.
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return peakResidentBytes() }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return peakResidentBytes()
        #endif
    }

    /// Anonymous memory backed by transparent huge pages, in bytes (`AnonHugePages` in
    /// `/proc/self/smaps_rollup`; 0 where there is no such file).
    public static func hugePageBytes() -> Int {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("AnonHugePages:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return 0
        #else
        return 0
        #endif
    }
}
