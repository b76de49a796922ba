import Synchronization

/// Process-wide unique version numbers for the state serving caches depend on.
///
/// A model or graph takes a fresh stamp on every change its serving caches read (see
/// ``EmbeddingModel/finalsStamp`` and ``HeteroGraph/catalogueStamp``). Stamps are drawn from
/// one counter rather than counted per value because copies of a value diverge: two copies
/// of a model that each changed once must not both read "version 2" and share a cache entry.
enum ServingStamp {
    private static let counter = Atomic<UInt64>(0)

    /// A stamp no other call returns.
    /// - Complexity: O(1), one uncontended atomic add.
    static func next() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue
    }
}
