import Foundation
import Synchronization

/// Persistent worker threads that run one parallel region at a time, with a cheap barrier
/// inside the region.
///
/// Why not `DispatchQueue.concurrentPerform` per loop (what the engine used before): a
/// training batch is ten or so short phases (three forward layers, the BPR gradient, three
/// backward layers, the optimiser), each 0.1–0.6 ms. Handing every phase to Dispatch woke a worker thread each time and the second
/// core gained only 11% on the epoch. Here the helpers spin for a while after each region (the
/// next one usually follows within microseconds) and only then park, and the phases of one
/// region are separated by ``Region/barrier()``, a counter the threads spin on.
///
/// The calling thread is worker 0; `workers - 1` helper threads are started on first use and
/// live for the process. One region runs at a time (a second caller waits for the first), so
/// a region body must not start another region.
///
/// ```swift
/// WorkerPool.shared(workers: 2).run { region in
///     phaseOne(part: region.worker)
///     region.barrier()          // everyone finished phase one
///     phaseTwo(part: region.worker)
/// }
/// ```
final class WorkerPool: @unchecked Sendable {
    // @unchecked: `job` is written by the caller before `generation` is bumped (release) and
    // read by helpers after they observe the bump (acquire); nothing else is shared mutable.

    /// Threads taking part in every region, the caller included.
    let workers: Int

    /// Incremented once per region; helpers start a region when they see it change.
    private let generation = Atomic<Int>(0)
    /// Helpers still running the current region.
    private let pending = Atomic<Int>(0)
    /// Barrier state: arrivals in the current phase, and the phase number threads wait on.
    private let arrived = Atomic<Int>(0)
    private let phase = Atomic<Int>(0)
    /// Index 0 (the caller) is unused.
    private let helpers: [Helper]
    /// Serialises regions from different callers.
    private let regionLock = Mutex(())
    private var job: (@Sendable (Region) -> Void)?

    /// A helper thread's parking spot. Set while it is parked on its semaphore (Dekker-style
    /// hand-off with `generation`, both sequentially consistent, so a wake-up cannot be lost).
    private final class Helper: Sendable {
        let parked = Atomic<Bool>(false)
        let wakeup = DispatchSemaphore(value: 0)
    }

    /// Spins of a waiting helper before it parks: about 0.2–1 ms, longer than the serial gap
    /// between the regions of consecutive batches, far shorter than a scheduler tick.
    static let spinsBeforePark = 200_000
    /// Spins at a barrier before yielding the CPU (the other thread may have been preempted
    /// on a busy machine; yielding lets it run instead of burning its time slice).
    static let spinsBeforeYield = 4_000

    /// The thread's view of a running region.
    struct Region: Sendable {
        /// This thread's index, `0..<workers` (0 is the caller).
        let worker: Int
        /// Threads in the region.
        let workers: Int
        fileprivate let pool: WorkerPool

        /// Waits until every worker of the region has reached this barrier. Writes made
        /// before it by any worker are visible to all workers after it.
        @inline(__always)
        func barrier() {
            if workers > 1 { pool.barrier() }
        }
    }

    private init(workers: Int) {
        self.workers = max(1, workers)
        helpers = (0..<self.workers).map { _ in Helper() }
        for worker in 1..<self.workers {
            let thread = Thread { self.helperLoop(worker: worker) }
            thread.name = "driftscope.worker.\(worker)"
            thread.start()
        }
    }

    private static let pools = Mutex<[Int: WorkerPool]>([:])

    /// The process-wide pool with `workers` threads (created on first use).
    static func shared(workers: Int) -> WorkerPool {
        let n = min(max(workers, 1), 64)
        return pools.withLock { pools in
            if let pool = pools[n] { return pool }
            let pool = WorkerPool(workers: n)
            pools[n] = pool
            return pool
        }
    }

    /// Runs `body` once on each of the ``workers`` threads (the caller is worker 0) and
    /// returns when all have finished.
    /// - Complexity: a region costs about a microsecond on top of `body` while the helpers
    ///   are still spinning from the previous one, a thread wake-up otherwise.
    func run(_ body: @Sendable (Region) -> Void) {
        regionLock.withLock { _ in
            guard workers > 1 else {
                body(Region(worker: 0, workers: 1, pool: self))
                return
            }
            withoutActuallyEscaping(body) { escaping in
                job = escaping
                pending.store(workers - 1, ordering: .relaxed)
                generation.add(1, ordering: .sequentiallyConsistent)
                for worker in 1..<workers where helpers[worker].parked.exchange(false, ordering: .sequentiallyConsistent) {
                    helpers[worker].wakeup.signal()
                }
                escaping(Region(worker: 0, workers: workers, pool: self))
                var spins = 0
                while pending.load(ordering: .acquiring) > 0 {
                    spins += 1
                    if spins >= Self.spinsBeforeYield {
                        spins = 0
                        sched_yield()
                    }
                }
                job = nil
            }
        }
    }

    private func helperLoop(worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins >= Self.spinsBeforePark {
                    spins = 0
                    let helper = helpers[worker]
                    helper.parked.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen {
                        helper.wakeup.wait()  // the caller cleared `parked` and signalled
                    } else if !helper.parked.exchange(false, ordering: .sequentiallyConsistent) {
                        helper.wakeup.wait()  // the caller saw us parked and signals: consume it
                    }
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if let job { job(Region(worker: worker, workers: workers, pool: self)) }
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// Sense-reversing barrier over all ``workers`` threads.
    private func barrier() {
        let current = phase.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == workers {
            arrived.store(0, ordering: .relaxed)
            phase.store(current &+ 1, ordering: .releasing)
            return
        }
        var spins = 0
        while phase.load(ordering: .acquiring) == current {
            spins += 1
            if spins >= Self.spinsBeforeYield {
                spins = 0
                sched_yield()
            }
        }
    }
}

extension WorkerPool.Region {
    /// This worker's share of `0..<count`: near-equal contiguous ranges in worker order.
    func share(of count: Int) -> Range<Int> {
        (count * worker / workers)..<(count * (worker + 1) / workers)
    }
}
