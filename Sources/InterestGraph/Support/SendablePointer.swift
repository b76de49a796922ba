/// A raw pointer that may cross into worker threads.
///
/// `@unchecked Sendable` is sound here only because every parallel region in the engine hands
/// each worker a disjoint set of rows to write, and reads shared inputs only (``WorkerPool``).
struct SendablePointer<Pointee>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Pointee>
    init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
    init(_ base: UnsafePointer<Pointee>) { self.base = UnsafeMutablePointer(mutating: base) }
}
