import Foundation
import Synchronization
import Testing
@testable import InterestGraph

/// Slots the workers of a region write; each test writes disjoint slots per worker and
/// phase, as the engine does with rows.
private final class Slots: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Int>
    init(_ count: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: -1)
    }
    deinit { values.deallocate() }
    var array: [Int] { Array(values) }
}

private final class Counters: Sendable {
    let inside = Atomic<Int>(0)
    let overlaps = Atomic<Int>(0)
}

@Suite("Worker pool: regions, barriers and row ownership")
struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyWorkerRunsOnceAndBarriersSeparatePhases(workers: Int) {
        let pool = WorkerPool.shared(workers: workers)
        #expect(pool.workers == workers)
        let phases = 5
        for round in 0..<300 {
            let slots = Slots(workers * phases)
            let seen = Slots(workers * phases)
            pool.run { region in
                for phase in 0..<phases {
                    slots.values[phase * region.workers + region.worker] = round * 100 + phase
                    region.barrier()
                    // After the barrier every worker's write of this phase is visible.
                    var complete = 1
                    for w in 0..<region.workers where slots.values[phase * region.workers + w] != round * 100 + phase { complete = 0 }
                    seen.values[phase * region.workers + region.worker] = complete
                    region.barrier()
                }
            }
            #expect(seen.array.allSatisfy { $0 == 1 }, "round \(round)")
            // Now and then let the helpers park, so the wake-up path is exercised too.
            if round % 50 == 49 { Thread.sleep(forTimeInterval: 0.01) }
        }
    }

    @Test func regionsFromTwoCallersDoNotInterleave() async {
        let pool = WorkerPool.shared(workers: 2)
        let counters = Counters()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<200 {
                        pool.run { region in
                            if region.worker == 0, counters.inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 {
                                counters.overlaps.add(1, ordering: .relaxed)
                            }
                            region.barrier()
                            if region.worker == 0 { counters.inside.subtract(1, ordering: .sequentiallyConsistent) }
                        }
                    }
                }
            }
        }
        #expect(counters.overlaps.load(ordering: .relaxed) == 0)
    }

    @Test(arguments: [(0, 2), (1, 3), (5, 2), (1_000, 2), (1_000, 7)])
    func partitionsCoverEveryRowOnceInOrder(rows: Int, parts: Int) {
        // A made-up CSR with skewed row lengths.
        var rowStart: [Int32] = [0]
        for r in 0..<rows { rowStart.append(rowStart[r] + Int32((r * 37) % 11 + (r < 10 ? 200 : 0))) }
        let ranges = PropagationGraph.balancedPartitions(rowStart: rowStart, parts: parts)
        #expect(ranges.count == parts, "one range per worker, even when some are empty")
        var next = 0
        for range in ranges {
            #expect(range.lowerBound == next)
            next = range.upperBound
        }
        #expect(next == rows)
    }

    @Test func regionSharesSplitACountExactly() {
        let pool = WorkerPool.shared(workers: 3)
        let slots = Slots(3 * 2)
        pool.run { region in
            let share = region.share(of: 10)
            slots.values[2 * region.worker] = share.lowerBound
            slots.values[2 * region.worker + 1] = share.upperBound
        }
        #expect(slots.array == [0, 3, 3, 6, 6, 10])
    }
}
