import Foundation
import Synchronization

/// Replays a dataset file while a thread of its own is still reading it: the engine applies
/// the first events a fraction of a second after opening, not after the whole file is in.
///
/// Why: reading `large.csv` (23.2 M events, 1.7 GB) takes about 19 s on one core, and the
/// engine sat idle that long before its first event while the second core did nothing. Here
/// the reading thread parses the file into chunks of compact columns (``CompactEvents``,
/// ``chunkSize`` events each) and publishes each as it is done; the engine replays published
/// chunks on its own core and waits only when it catches up with the reader (at the start).
///
/// **Time order.** A replay is in time order. A file whose rows are already in time order
/// (exports by time, the simulator's files) streams. The first row earlier than the one
/// before it stops the chunks: the rest of the file is read, the whole of it sorted (stably,
/// as ``CompactReplaySource`` does), and the replay continues from that. If no event was
/// handed out yet (a file out of order near its top, like ml-100k's `u.data`), nothing else
/// happens; otherwise the source asks for a restart (``SourceGap/restart(_:)``) and the engine
/// replays the sorted file from its first event.
///
/// **Catalogue.** The side catalogue (`FILE.catalogue.csv`, ml-100k's `u.item`) is read
/// before the first event. Attributes carried on rows are applied by the graph as their rows
/// arrive (as for a live stream), not merged into the catalogue ahead of time.
///
/// **A share of the users.** ``partitioned(pathOrName:format:options:partitions:)`` makes one
/// source per ``UserPartition`` over one reading thread: each hands out only its users'
/// events, in the same order, so engines in one process can split a file's users as engines
/// that share a partitioned stream do (docs/SCALE-OUT.md). Each chunk is filtered once, when
/// it becomes the current one (the offsets of its events in this partition), so looking
/// ahead (``upcomingKeys(ahead:)``) sees this source's own next events.
///
/// **Errors.** An error before the first chunk (a missing file, a strict-mode bad row near the
/// top, no events) is thrown by the initialiser, as a blocking load would. A later one ends
/// the replay where it happened and is reported by ``loadError``.
public struct StreamingReplaySource: EventSource {
    /// Events per published chunk: about 50 ms of reading, 1.9 MB of columns.
    static let chunkSize = 65_536
    /// How long a look for the next chunk waits for the reader before the source says it is
    /// ``SourceGap/waiting`` (the engine then answers commands and looks again).
    static let readerWait = 0.01

    public let name: String
    public let catalogue: ItemCatalogue
    private let load: StreamingLoad
    /// The users this source hands out (`nil`: all of them).
    private let partition: UserPartition?
    /// With a partition: per user key of ``names`` (or of ``sorted``), whether the user is in it.
    private var owned: [Bool] = []
    /// With a partition: the offsets in ``current`` of its events, in order; ``offset`` then
    /// counts in this list, not in the chunk.
    private var selected: [Int32] = []
    /// The same for the sorted file, indexed by ``position``.
    private var sortedSelected: [Int32] = []
    /// The chunks seen so far (references to the loader's).
    private var chunks: [CompactEvents] = []
    /// The whole load's names, attribute sets and key space, grown chunk by chunk.
    private var names = CompactEvents()
    /// The chunk being replayed, `chunks[chunkIndex]` (-1: none yet), held apart so that an
    /// event is read from a stored value, not through the array.
    private var current = CompactEvents()
    private var chunkIndex = -1
    private var offset = 0
    /// Set once the file turned out not to be in time order: the whole of it, sorted.
    private var sorted: CompactEvents?
    private var restartReason: String?
    /// The last look for a chunk found the reader behind (not the end).
    private var waiting = false
    public private(set) var position = 0

    /// Starts reading `pathOrName` (a file, a dataset directory or a known dataset name) and
    /// returns once its catalogue and first chunk are read.
    /// - Throws: what the reader throws before the first chunk; `no events to replay`.
    public init(pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init()) throws {
        try self.init(pathOrName: pathOrName, format: format, options: options, chunkSize: Self.chunkSize)
    }

    init(pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init(), chunkSize: Int) throws {
        self = try Self.partitioned(pathOrName: pathOrName, format: format, options: options, partitions: 1, chunkSize: chunkSize)[0]
    }

    /// One source per partition of the file's users (``UserPartition``), all fed by one
    /// reading thread: source `k` hands out the events of partition `k` of `partitions`, in
    /// file (time) order. With one partition, the plain source.
    /// - Throws: what the reader throws before the first chunk; `no events to replay`.
    public static func partitioned(pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init(), partitions: Int) throws -> [StreamingReplaySource] {
        try partitioned(pathOrName: pathOrName, format: format, options: options, partitions: partitions, chunkSize: Self.chunkSize)
    }

    static func partitioned(pathOrName: String, format: DatasetFormat = .auto, options: ReadOptions = .init(), partitions: Int, chunkSize: Int) throws -> [StreamingReplaySource] {
        let name = try DatasetLoader.name(of: pathOrName, format: format)
        let count = max(1, partitions)
        let load = StreamingLoad(chunkSize: chunkSize, partitions: count)
        let thread = Thread {
            load.read(pathOrName, format: format, options: options)
        }
        thread.name = "driftscope.read"
        thread.start()
        let (catalogue, hasEvents) = try load.waitForStart()
        guard hasEvents else { throw EngineError(message: "\(pathOrName): no events to replay") }
        guard count > 1 else { return [StreamingReplaySource(name: name, catalogue: catalogue, load: load)] }
        return (0..<count).map { StreamingReplaySource(name: name, catalogue: catalogue, load: load, partition: UserPartition(index: $0, of: count)) }
    }

    /// A source over `load`, fed by its caller (tests drive a load row by row).
    init(name: String, catalogue: ItemCatalogue, load: StreamingLoad, partition: UserPartition? = nil) {
        self.name = name
        self.catalogue = catalogue
        self.load = load
        self.partition = partition
    }

    /// The partition this source hands out (`nil`: every user's events).
    public var userPartition: UserPartition? { partition }

    public var kind: SourceStatus.Kind { .replay }
    /// Known once the whole file is read (`nil` while it is being read); with a partition,
    /// its events only.
    public var totalCount: Int? {
        if sorted != nil { return sortedCount }
        return load.eventCount(partition: partition)
    }
    public var loadError: String? { load.failureMessage }

    /// Stops the reading thread if it is still reading (the engine stopped early).
    public func close() { load.cancel() }

    public mutating func peekTime() -> Double? {
        if sorted == nil, ensureEvent() { return current.timestamps[currentIndex(offset)] }
        guard let sorted, position < sortedCount, restartReason == nil else { return nil }
        return sorted.timestamps[sortedIndex(position)]
    }

    /// - Complexity: O(1); waits (briefly) only when the replay has caught up with the reader.
    public mutating func next() -> Event? {
        if sorted == nil, ensureEvent() {
            defer {
                offset += 1
                position += 1
            }
            return current.event(at: currentIndex(offset), names: names)
        }
        guard let sorted, position < sortedCount, restartReason == nil else { return nil }
        defer { position += 1 }
        return sorted.event(at: sortedIndex(position))
    }

    /// Looks within the chunk being replayed (or the sorted file) only: past its end the next
    /// chunk may not be published yet, and a missed hint costs one miss, not a wait.
    public func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? {
        guard let k = upcomingOffset(ahead: ahead) else { return nil }
        return keys(at: k)
    }

    /// Also asks for the event's attribute set: its entry `ahead` events on, and the list
    /// behind an entry asked for `ahead / 2` events ago (``CompactEvents/prefetchAttributeList(at:sets:)``).
    public func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? {
        let far = upcomingOffset(ahead: ahead)
        var keys: (user: Int32, item: Int32)?
        if let far { keys = self.keys(at: far) }
        let near = upcomingOffset(ahead: ahead - ahead / 2)
        // Through the stored values (no copy of a store's tables per event).
        if sorted != nil {
            if let keys { sorted?.prefetchNames(of: keys) }
            sorted?.prefetchAttributes(entryAt: far, listAt: near)
        } else {
            if let keys { names.prefetchNames(of: keys) }
            if let far { current.prefetchAttributeEntry(at: far, sets: names.attributeSets) }
            if let near { current.prefetchAttributeList(at: near, sets: names.attributeSets) }
        }
        return keys
    }

    /// The source keys at store offset `k` (``upcomingOffset(ahead:)``), read through the
    /// stored values (binding `sorted` would copy its tables' references).
    @inline(__always)
    private func keys(at k: Int) -> (user: Int32, item: Int32)? {
        sorted != nil ? sorted?.keys(at: k) : current.keys(at: k)
    }

    /// The store offset of this source's event `ahead` places on, within the chunk being
    /// replayed or the sorted file; `nil` past its end.
    @inline(__always)
    private func upcomingOffset(ahead: Int) -> Int? {
        if sorted != nil {
            let k = position + ahead
            return restartReason == nil && k < sortedCount ? sortedIndex(k) : nil
        }
        let k = offset + ahead
        return k < currentCount ? currentIndex(k) : nil
    }

    public mutating func restart() {
        position = 0
        chunkIndex = -1
        offset = 0
        current = CompactEvents()
        selected = []
    }

    // MARK: The partition's events

    /// Events of the current chunk this source hands out.
    private var currentCount: Int { partition == nil ? current.count : selected.count }
    /// The sorted file's events this source hands out.
    private var sortedCount: Int { partition == nil ? sorted?.count ?? 0 : sortedSelected.count }

    /// The chunk offset of this source's `k`-th event of the current chunk.
    @inline(__always)
    private func currentIndex(_ k: Int) -> Int { partition == nil ? k : Int(selected[k]) }

    @inline(__always)
    private func sortedIndex(_ k: Int) -> Int { partition == nil ? k : Int(sortedSelected[k]) }

    /// Marks the users of `userNames` (appended to the key space's names) as in the partition or not.
    private mutating func noteUsers(_ userNames: [String]) {
        guard let partition else { return }
        owned.reserveCapacity(owned.count + userNames.count)
        for user in userNames { owned.append(partition.contains(user: user)) }
    }

    /// The offsets of `events`' events whose user is in the partition.
    /// - Complexity: O(events).
    private func selection(of events: CompactEvents) -> [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(events.count / max(1, partition?.count ?? 1) + 64)
        owned.withUnsafeBufferPointer { owned in
            for (k, user) in events.users.enumerated() where owned[Int(user)] { result.append(Int32(k)) }
        }
        return result
    }

    /// A restart once, when the file was found out of order after events were handed out
    /// (the source is then back at the sorted file's first event); `waiting` while the reader
    /// is behind; `ended` at the end.
    public mutating func takeGap() -> SourceGap {
        if let reason = restartReason {
            restartReason = nil
            return .restart(reason)
        }
        return waiting ? .waiting : .ended
    }

    /// Moves to the next published chunk when the current one is used up, waiting for the
    /// reader if need be. - Returns: whether an event is at `(chunkIndex, offset)`.
    @inline(__always)
    private mutating func ensureEvent() -> Bool {
        offset < currentCount ? true : advance()
    }

    private mutating func advance() -> Bool {
        while true {
            if offset < currentCount { return true }
            let next = chunkIndex + 1
            if next < chunks.count {
                chunkIndex = next
                current = chunks[next]
                if partition != nil { selected = selection(of: current) }
                offset = 0
                continue
            }
            waiting = false
            switch load.chunk(next, waitingAtMost: Self.readerWait) {
            case .pending:
                waiting = true
                return false
            case .chunk(let chunk):
                chunks.append(chunk)
                noteUsers(chunk.userNames)
                names.userNames += chunk.userNames
                names.itemNames += chunk.itemNames
                names.attributeSets += chunk.attributeSets
                names.space = chunk.space
            case .end:
                return false
            case .sorted(let whole):
                sorted = whole
                if partition != nil {
                    owned = []
                    noteUsers(whole.userNames)
                    sortedSelected = selection(of: whole)
                }
                chunks = []
                current = CompactEvents()
                selected = []
                chunkIndex = -1
                names = CompactEvents()
                if position > 0 {
                    restartReason = "\(name) is not in time order: replaying it again from its first event, sorted"
                    position = 0
                }
                return false
            }
        }
    }
}

/// The reading side of a ``StreamingReplaySource``: the reading thread appends events and
/// publishes chunks; sources take them. Every field is guarded by `condition`.
final class StreamingLoad: @unchecked Sendable {
    enum Next {
        case chunk(CompactEvents)
        /// The file is read and every chunk was taken (or the read failed).
        case end
        /// The file was not in time order: all of it, sorted.
        case sorted(CompactEvents)
        /// Not yet: the reader is behind.
        case pending
    }

    let chunkSize: Int
    /// Users are counted per partition of this many (``UserPartition``).
    let partitions: Int
    private let condition = NSCondition()
    /// The reading thread's alone until ``finish(error:)`` (see ``append(row:)``), so the
    /// per-row accesses skip the runtime's exclusivity checks: each was a call into a
    /// thread-local access set (perf: 3% of the reading thread).
    @exclusivity(unchecked) private var builder = CompactEvents.Builder()
    private var chunks: [CompactEvents] = []
    private var catalogue: ItemCatalogue?
    private var outOfOrder = false
    private var whole: CompactEvents?
    private var finished = false
    /// Events read, set when the read is over.
    private var total: Int?
    /// Per partition, set when the read is over.
    private var partitionTotals: [Int]?
    private var failure: (any Error)?
    /// The read failed before a chunk was published: the source's initialiser throws.
    private var failedAtStart = false
    /// Set by ``cancel()``; read by the reading thread per row, hence an atomic.
    private let cancelled = Atomic<Bool>(false)

    init(chunkSize: Int, partitions: Int = 1) {
        self.chunkSize = max(1, chunkSize)
        self.partitions = max(1, partitions)
        builder.reserve(self.chunkSize)
    }

    private struct Cancelled: Error {}

    /// The reading thread's body: reads `pathOrName` to its end, an error or a cancellation.
    func read(_ pathOrName: String, format: DatasetFormat, options: ReadOptions) {
        do {
            _ = try DatasetLoader.stream(pathOrName, format: format, options: options, catalogue: { deliver($0) }, body: { event in
                if cancelled.load(ordering: .relaxed) { throw Cancelled() }
                append(event)
            }, rows: { row in
                if cancelled.load(ordering: .relaxed) { throw Cancelled() }
                append(row: row)
            })
            finish(error: nil)
        } catch is Cancelled {
            finish(error: nil)
        } catch {
            finish(error: error)
        }
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    func deliver(_ catalogue: ItemCatalogue) {
        condition.withLock {
            self.catalogue = catalogue
            condition.broadcast()
        }
    }

    /// Appends one event (reading thread only): ``append(row:)``.
    func append(_ event: Event) { append(row: DecodedRow(event)) }

    /// Appends one row (reading thread only); publishes a chunk every ``chunkSize`` events
    /// while the file is in time order.
    /// - Complexity: O(1) amortised; takes the lock once per chunk.
    func append(row: DecodedRow) {
        // `builder` is touched by the reading thread alone until `finish`, except that
        // `finish` and the sources read `outOfOrder` under the lock.
        builder.append(row: row)
        readCount += 1
        if builder.isSorted {
            if builder.pendingCount >= chunkSize {
                publish(builder.takeChunk())
                builder.reserve(chunkSize)
            }
        } else if !outOfOrderNoted {
            outOfOrderNoted = true
            condition.withLock {
                outOfOrder = true
                condition.broadcast()
            }
        }
    }

    // The reading thread's own state (never read by another thread): the count, whether it
    // published a chunk, and its copy of `outOfOrder` (no lock per row).
    @exclusivity(unchecked) private var readCount = 0
    @exclusivity(unchecked) private var publishedAny = false
    @exclusivity(unchecked) private var outOfOrderNoted = false

    private func publish(_ chunk: CompactEvents) {
        publishedAny = true
        condition.withLock {
            chunks.append(chunk)
            condition.broadcast()
        }
    }

    /// Ends the load: the last chunk, or the whole file sorted when it was out of order.
    /// A read that failed before its first chunk publishes nothing (the initialiser throws).
    func finish(error: (any Error)?) {
        let failedAtStart = error != nil && !publishedAny
        let userNames = builder.userNames
        if !failedAtStart, outOfOrderNoted {
            let taken = condition.withLock { chunks }
            let all = builder.finish(after: taken)
            condition.withLock {
                whole = all
                chunks = []
            }
        } else if !failedAtStart, builder.pendingCount > 0 {
            publish(builder.takeChunk())
        }
        // The interners' tables (a hash entry per name) are not needed any more.
        builder = CompactEvents.Builder()
        let count = readCount
        var counts: [Int] = []
        if partitions > 1, !failedAtStart {
            let columns = condition.withLock { whole.map { [$0] } ?? chunks }
            counts = Self.partitionCounts(users: userNames, columns: columns, partitions: partitions)
        }
        condition.withLock {
            partitionTotals = failedAtStart ? nil : counts
            if catalogue == nil { catalogue = ItemCatalogue() }
            failure = error
            self.failedAtStart = failedAtStart
            total = failedAtStart ? 0 : count
            finished = true
            condition.broadcast()
        }
    }

    /// The events of each of `partitions` user partitions in `columns` (whose user keys index
    /// `users`): each user's partition hashed once, then one pass over the user columns.
    /// Counted once the read is over rather than per row, where hashing the id was 2% of the
    /// reading thread (perf) and a table lookup per row a miss.
    /// - Complexity: O(users + events).
    static func partitionCounts(users: [String], columns: [CompactEvents], partitions: Int) -> [Int] {
        let partitionOfUser = users.map { UInt32(UserPartition.index(ofUser: $0, partitions: partitions)) }
        var counts = [Int](repeating: 0, count: partitions)
        partitionOfUser.withUnsafeBufferPointer { partitionOf in
            for chunk in columns {
                for user in chunk.users { counts[Int(partitionOf[Int(user)])] += 1 }
            }
        }
        return counts
    }

    /// Waits for the catalogue and for the first chunk or the end of the read (a file out of
    /// order before its first chunk is read and sorted whole, as a blocking load would), and
    /// returns the catalogue and whether there is any event.
    /// - Throws: the read's error when it failed before any chunk was published.
    func waitForStart() throws -> (catalogue: ItemCatalogue, hasEvents: Bool) {
        try condition.withLock {
            while !finished && (catalogue == nil || chunks.isEmpty) { condition.wait() }
            if failedAtStart, let failure { throw failure }
            return (catalogue ?? ItemCatalogue(), !chunks.isEmpty || (whole?.count ?? 0) > 0)
        }
    }

    /// Chunk `index` once published; the sorted file when it turned out of order (once it is
    /// sorted); `.end` past the last chunk of a read that is over; `.pending` when none of
    /// these came within `seconds`.
    func chunk(_ index: Int, waitingAtMost seconds: Double) -> Next {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while true {
                if outOfOrder {
                    if let whole { return .sorted(whole) }
                    if finished { return .end }
                } else if index < chunks.count {
                    return .chunk(chunks[index])
                } else if finished {
                    return .end
                }
                if !condition.wait(until: deadline) { return .pending }
            }
        }
    }

    /// Events read, once the read is over.
    var eventCount: Int? {
        condition.withLock { total }
    }

    /// Events of `partition` (all events for `nil`), once the read is over.
    func eventCount(partition: UserPartition?) -> Int? {
        guard let partition, partition.count == partitions, partitions > 1 else { return eventCount }
        return condition.withLock { partitionTotals?[partition.index] }
    }

    /// The read's error, once it ended with one.
    var failureMessage: String? {
        condition.withLock { failure.map { "\($0)" } }
    }
}
