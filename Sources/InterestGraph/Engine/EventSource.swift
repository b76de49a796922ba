/// Where events come from: the shop simulator or a file replay, behind one interface.
///
/// A source hands out events in time order, one at a time, and can start over (the replay
/// clock seeks backward by restarting and fast-forwarding).
///
/// ```swift
/// var source = SimulationSource(scenario: try Scenario.load("default"))
/// while let event = source.next() { graph.apply(event) }
/// ```
public protocol EventSource: Sendable {
    /// Shown in the status bar: "scenario default (seed 7)" or "ml-100k".
    var name: String { get }
    var kind: SourceStatus.Kind { get }
    /// Item attributes and knowledge-graph facts to load before the first event.
    var catalogue: ItemCatalogue { get }
    /// The number of events when known up front (file replay), else `nil`.
    var totalCount: Int? { get }
    /// Events handed out since the start or the last ``restart()``.
    var position: Int { get }
    /// The time of the next event without consuming it; `nil` at the end.
    mutating func peekTime() -> Double?
    /// The next event in time order; `nil` at the end.
    mutating func next() -> Event?
    /// Goes back to the first event.
    mutating func restart()
    /// Each user's true interests, for simulated sources.
    var groundTruth: GroundTruth? { get }
    /// Where a live replay should begin playing at its chosen speed: the events before it only
    /// build history and are fast-forwarded. `nil` to play from the first event.
    var warmupEnd: Double? { get }
    /// A live stream's connection and lag, for the snapshot; `nil` for files and the simulator.
    var streamStatus: StreamStatus? { get }
    /// Continues a recorded run whose log holds the first `count` events: files and the
    /// simulator read past them; a stream, which keeps its own read position, only counts
    /// them so that positions go on from where the log ends.
    mutating func skipLogged(_ count: Int64)
    /// The engine is done with the source (it stopped): release connections and threads.
    func close()
    /// `(bytes read, bytes in all)` while the source still reads its file on another thread
    /// (``BackgroundLoadedSource``), `nil` when it has its events.
    var loadingProgress: (done: Int64, total: Int64)? { get }
    /// Why the source could not read its events, once known (`nil`: it could, or it is not done).
    var loadError: String? { get }
    /// Why ``peekTime()`` had no event (asked only then): the events ended, more are on their
    /// way, or the replay must start over. A restart is reported once.
    mutating func takeGap() -> SourceGap
    /// The source keys (``Event/keys``' user and item) of the event `ahead` places after the
    /// next one (0: the next), when the source already holds it; `nil` otherwise. A hint for
    /// asking the cache ahead of time (``EngineCore/prefetchAhead()``), never an event: a
    /// source that cannot look ahead cheaply keeps the default.
    /// - Complexity: O(1).
    func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)?
    /// ``upcomingKeys(ahead:)``, having asked the cache for what building that event will
    /// read (its user's name entry: a miss into a million names otherwise, a third of
    /// building an event). A hint; the default only returns the keys.
    /// - Complexity: O(1).
    func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)?
}

/// Why an ``EventSource`` had no event to hand out.
public enum SourceGap: Sendable, Hashable {
    /// No more events (a live stream may still deliver some later).
    case ended
    /// More are on their way (a file still being read, ``StreamingReplaySource``): ask again
    /// shortly.
    case waiting
    /// The replay must start over from the first event, for this reason (a streamed file found
    /// out of time order); the source is already back at its first event.
    case restart(String)
}

extension EventSource {
    public var groundTruth: GroundTruth? { nil }
    public var warmupEnd: Double? { nil }
    public var streamStatus: StreamStatus? { nil }
    public mutating func skipLogged(_ count: Int64) {
        for _ in 0..<max(0, count) where next() != nil {}
    }
    public func close() {}
    public var loadingProgress: (done: Int64, total: Int64)? { nil }
    public var loadError: String? { nil }
    public mutating func takeGap() -> SourceGap { .ended }
    public func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? { nil }
    public func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? { upcomingKeys(ahead: ahead) }

    /// A ``SourceStatus`` for the snapshot (speed comes from the clock).
    public func status(speed: Double, isFinished: Bool) -> SourceStatus {
        var s = SourceStatus()
        s.kind = kind
        s.name = name
        s.speed = speed
        s.position = position
        s.total = totalCount
        s.stream = streamStatus
        // A live stream that has run dry is waiting, not done.
        s.isFinished = isFinished && s.stream == nil
        return s
    }
}

/// A type-erased ``EventSource``, for code that picks the source at run time.
public struct AnyEventSource: EventSource {
    private var base: any EventSource

    public init(_ base: some EventSource) { self.base = base }

    public var name: String { base.name }
    public var kind: SourceStatus.Kind { base.kind }
    public var catalogue: ItemCatalogue { base.catalogue }
    public var totalCount: Int? { base.totalCount }
    public var position: Int { base.position }
    public var groundTruth: GroundTruth? { base.groundTruth }
    public var warmupEnd: Double? { base.warmupEnd }
    public var streamStatus: StreamStatus? { base.streamStatus }
    public mutating func skipLogged(_ count: Int64) { base.skipLogged(count) }
    public func close() { base.close() }
    public var loadingProgress: (done: Int64, total: Int64)? { base.loadingProgress }
    public var loadError: String? { base.loadError }
    public mutating func takeGap() -> SourceGap { base.takeGap() }
    public func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? { base.upcomingKeys(ahead: ahead) }
    public func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? { base.prefetchUpcoming(ahead: ahead) }
    public mutating func peekTime() -> Double? { base.peekTime() }
    public mutating func next() -> Event? { base.next() }
    public mutating func restart() { base.restart() }
}
