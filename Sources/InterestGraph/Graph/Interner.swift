/// Maps external string ids to dense `Int32` ids and back.
///
/// Removed ids leave a hole (an empty name) so that dense ids stay stable for the embedding
/// tables indexed by them; the string itself is dropped so no lookup can find it again.
struct Interner: Sendable {
    private(set) var ids: [String: Int32] = [:]
    private(set) var names: [String] = []

    var count: Int { names.count }
    var liveCount: Int { ids.count }

    /// Returns the id for `name`, creating it if needed.
    /// - Complexity: O(1) amortised (one hash lookup).
    @inline(__always)
    mutating func intern(_ name: String) -> (id: Int32, isNew: Bool) {
        if let id = ids[name] { return (id, false) }
        let id = Int32(names.count)
        ids[name] = id
        names.append(name)
        return (id, true)
    }

    func lookup(_ name: String) -> Int32? { ids[name] }

    /// Whether `id` is the live id of `name` (what `lookup(name) == id` says, without hashing).
    /// Names are unique and a removed id's name is empty, so a non-empty name found at `id`
    /// is that id's. Names shared with the caller's storage compare as one word.
    /// - Complexity: O(1) for shared or small names, else O(name length).
    @inline(__always)
    func holds(_ name: String, at id: Int32) -> Bool {
        id >= 0 && Int(id) < names.count && !name.isEmpty && names[Int(id)] == name
    }

    func name(_ id: Int32) -> String { names[Int(id)] }

    /// Forgets the string behind `id`; the slot stays, empty.
    mutating func remove(_ id: Int32) {
        let name = names[Int(id)]
        guard !name.isEmpty else { return }
        ids[name] = nil
        names[Int(id)] = ""
    }

    mutating func reserveCapacity(_ n: Int) {
        ids.reserveCapacity(n)
        names.reserveCapacity(n)
    }
}
