import Foundation
import Synchronization

/// A dataset replay whose file is read on a thread of its own while the engine restores a
/// resumed run from its workspace.
///
/// Resuming a replay needs the file only for the events after the log: the graph, model and
/// histories come from the workspace. Reading the file first and restoring after took both
/// times in a row (40 s of reading `large.csv` before 193 s of log replay, on two cores of
/// which one sat idle); here the engine thread replays the log while the second core reads
/// the file, and the first event it asks for waits for whatever of the read is left.
///
/// The catalogue is the one recorded with the run (the items' dense ids, and so the
/// checkpoint's rows, follow it), so nothing the engine builds before its first event needs
/// the file. A file that cannot be read again ends the replay with ``loadError``, which the
/// engine shows as its message.
public struct BackgroundLoadedSource: EventSource {
    /// The loading thread's result, shared by every copy of the source.
    final class Loading: Sendable {
        struct State: Sendable {
            var done: Int64 = 0
            var total: Int64 = 0
            var result: Result<AnyEventSource, EngineError>?
        }
        let state = Mutex(State())
        let ready = DispatchSemaphore(value: 0)

        /// Blocks until the file is read; every caller after the first returns at once.
        func wait() -> Result<AnyEventSource, EngineError> {
            if let result = state.withLock({ $0.result }) { return result }
            ready.wait()
            ready.signal()
            return state.withLock { $0.result! }
        }
    }

    public let name: String
    public let catalogue: ItemCatalogue
    private let loading: Loading
    private var loaded: AnyEventSource?
    /// Logged events to skip once the file is read.
    private var skipped: Int64 = 0

    /// Starts reading `pathOrName` (as ``SourceSpecification/dataset(_:)``) on a new thread.
    /// - Parameter catalogue: the run's recorded catalogue, what the engine builds its graph on.
    public init(pathOrName: String, catalogue: ItemCatalogue) {
        self.name = (try? DatasetLoader.name(of: pathOrName, format: .auto)) ?? pathOrName
        self.catalogue = catalogue
        let loading = Loading()
        self.loading = loading
        let thread = Thread {
            let options = ReadOptions(progress: { done, total in
                loading.state.withLock { $0.done = done; $0.total = total }
            })
            let result: Result<AnyEventSource, EngineError>
            do {
                result = .success(try SourceSpecification.openDataset(pathOrName, options: options))
            } catch {
                result = .failure(EngineError(message: "\(pathOrName) could not be read again: \(error)"))
            }
            loading.state.withLock { $0.result = result }
            loading.ready.signal()
        }
        thread.name = "driftscope.load"
        thread.start()
    }

    /// `(bytes read, bytes in all)` while the file is being read, `nil` once it is.
    public var loadingProgress: (done: Int64, total: Int64)? {
        loading.state.withLock { $0.result == nil ? ($0.done, $0.total) : nil }
    }

    /// Why the file could not be read again (the replay then has no events), once known.
    public var loadError: String? {
        loading.state.withLock { state in
            if case .failure(let error)? = state.result { return error.message }
            return nil
        }
    }

    /// The read source, waiting for it the first time; `nil` when it could not be read.
    private mutating func resolved() -> AnyEventSource? {
        if loaded == nil, case .success(var source) = loading.wait() {
            source.skipLogged(skipped)
            loaded = source
        }
        return loaded
    }

    public var kind: SourceStatus.Kind { .replay }
    /// `nil` until the file is read (asking must not wait for it).
    public var totalCount: Int? { loaded?.totalCount }
    public var position: Int { loaded?.position ?? Int(skipped) }

    public mutating func skipLogged(_ count: Int64) {
        if loaded != nil { loaded!.skipLogged(count) } else { skipped += max(0, count) }
    }

    public mutating func peekTime() -> Double? {
        guard resolved() != nil else { return nil }
        return loaded!.peekTime()
    }

    public func upcomingKeys(ahead: Int) -> (user: Int32, item: Int32)? {
        loaded?.upcomingKeys(ahead: ahead)
    }

    public func prefetchUpcoming(ahead: Int) -> (user: Int32, item: Int32)? {
        loaded?.prefetchUpcoming(ahead: ahead)
    }

    public mutating func next() -> Event? {
        guard resolved() != nil else { return nil }
        return loaded!.next()
    }

    public mutating func restart() {
        guard resolved() != nil else { return }
        loaded!.restart()
    }
}
