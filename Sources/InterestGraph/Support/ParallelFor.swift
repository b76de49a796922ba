import Dispatch

/// A raw pointer that may cross into worker threads.
///
/// `@unchecked Sendable` is sound here only because every parallel loop in the engine hands
/// each worker a disjoint range of rows to write, and reads shared inputs only.
struct SendablePointer<Pointee>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Pointee>
    init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
    init(_ base: UnsafePointer<Pointee>) { self.base = UnsafeMutablePointer(mutating: base) }
}

enum ParallelFor {
    /// Runs `body(chunk)` for `chunk` in `0..<chunks`, on up to `chunks` threads (Dispatch's
    /// `concurrentPerform`, outside Swift concurrency's cooperative pool); with one chunk it
    /// runs inline. Returns when every chunk is done.
    @inline(__always)
    static func run(chunks: Int, _ body: @Sendable (Int) -> Void) {
        if chunks <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
        }
    }

    /// Splits `0..<count` into `parts` near-equal contiguous ranges.
    static func ranges(count: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, min(parts, max(count, 1)))
        return (0..<p).map { k in (count * k / p)..<(count * (k + 1) / p) }
    }
}
