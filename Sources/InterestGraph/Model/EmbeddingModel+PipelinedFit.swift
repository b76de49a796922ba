import Foundation

/// The offline fit on two cores: one thread draws sampled batches (triples and subgraphs)
/// while the fitting thread trains on the previous one.
///
/// Why this split: during a fit the graph does not change, and what a sampled batch draws
/// depends only on the graph, the replay buffer and the generator, never on the embeddings
/// (``SampledBatch``). Drawing was about half of a sampled fit's time on one core, the
/// arithmetic the rest, so overlapping the two nearly halves the fit. Both use the model's
/// one generator in the same order as a single thread (triples of batch 0, its subgraph,
/// triples of batch 1, ...), so a pipelined fit is bit for bit the sequential fit, whatever
/// the threads' timing.
extension EmbeddingModel {
    /// Runs `count` sampled batches on `graph` (which must not change meanwhile), drawing
    /// batch `k + 1` on a second thread while batch `k` trains, and calls `onStep` with each
    /// batch's index and outcome in order on the calling thread.
    ///
    /// Equivalent, bit for bit, to `count` calls of ``trainBatch(graph:publish:yielding:)``
    /// on a sampled graph (see `ModelPipelinedFitTests`).
    /// - Complexity: O(count * batch * prod(fanouts) * dimension) work on two threads; wall
    ///   time about the larger of drawing and training per batch, times `count`.
    mutating func trainSampledBatches(graph: HeteroGraph, count: Int, onStep: (Int, TrainingStep) -> Void) {
        guard count > 0, !replay.isEmpty else { return }
        ensureRows(graph: graph, random: false)
        // As trainSampledBatch: no whole-table snapshots on the sampled path.
        snapshot = nil
        let source = sampledBatchSource(graph: graph)
        var first = SampledBatch()
        swap(&first, &sampledBatch)
        // The graph is fixed for the whole fit: its neighbour lists and degrees are flattened
        // once (FrozenNeighbours), not looked up in arrays of arrays per neighbour drawn.
        let frozen = FrozenNeighbours(graph: graph, sideWeight: h.sideWeight, otherItemDegree: otherItemDegree)
        let pipeline = SampledBatchPipeline(first: first, otherItemDegree: otherItemDegree, frozen: frozen, rng: rng)
        let thread = Thread { pipeline.draw(count: count, from: source, graph: graph) }
        thread.name = "driftscope.sampler"
        thread.start()
        for k in 0..<count {
            pipeline.drawn.wait()
            let step = runSampledBatch(pipeline.slots[k % 2].batch, graph: graph)
            pipeline.emptied.signal()
            onStep(k, step)
        }
        pipeline.finished.wait()
        // Leave the model as the sequential batches would: the generator after the last
        // draw, the last batch's triples in `batchRows`, its storage kept for reuse.
        rng = pipeline.rng
        var last = SampledBatch()
        swap(&last, &pipeline.slots[(count - 1) % 2].batch)
        last.subgraph.otherItemDegree = []
        last.subgraph.frozen = nil
        swap(&last.triples, &batchRows)
        sampledBatch = last
    }
}

/// The hand-off between the drawing thread and the fitting thread: two batch slots (double
/// buffering) and two counting semaphores, so neither thread spins.
///
/// Batch `k` goes through slot `k % 2`. The drawing thread waits on ``emptied`` (two slots
/// free at the start), draws into the slot and signals ``drawn``; the fitting thread waits on
/// ``drawn``, trains from the slot and signals ``emptied``. So the drawing thread is at most
/// one batch ahead of the one training, and a slot is never drawn into while it trains.
final class SampledBatchPipeline: @unchecked Sendable {
    // @unchecked: `slots[k % 2].batch` is written only by the drawing thread between its
    // `emptied.wait()` and `drawn.signal()` for batch k, and read only by the fitting thread
    // between its `drawn.wait()` and `emptied.signal()` for batch k; `rng` is written only by
    // the drawing thread, and read by the fitting thread only after `finished.wait()` (and
    // before the thread starts). A semaphore's signal happens-before the wait it releases, so
    // every access is ordered; `slots` itself never changes.
    final class Slot {
        var batch: SampledBatch

        init(_ batch: SampledBatch) { self.batch = batch }
    }

    let slots: [Slot]
    /// Slots free to draw into.
    let emptied = DispatchSemaphore(value: 2)
    /// Drawn batches not yet trained.
    let drawn = DispatchSemaphore(value: 0)
    /// Signalled once the drawing thread has drawn every batch and stored ``rng``.
    let finished = DispatchSemaphore(value: 0)
    /// The model's generator: the drawing thread's from the start until ``finished``.
    private(set) var rng: SeededGenerator

    /// `first`: storage to reuse for slot 0; both slots get `otherItemDegree` and `frozen`
    /// (shared, not copied: nobody writes them during a fit).
    init(first: SampledBatch, otherItemDegree: [Float], frozen: FrozenNeighbours, rng: SeededGenerator) {
        var first = first
        var second = SampledBatch()
        first.subgraph.otherItemDegree = otherItemDegree
        first.subgraph.frozen = frozen
        second.subgraph.otherItemDegree = otherItemDegree
        second.subgraph.frozen = frozen
        slots = [Slot(first), Slot(second)]
        self.rng = rng
    }

    /// The drawing thread's loop: batches `0..<count` in order, into slot `k % 2`.
    func draw(count: Int, from source: SampledBatchSource, graph: HeteroGraph) {
        var generator = rng
        for k in 0..<count {
            emptied.wait()
            slots[k % 2].batch.draw(from: source, graph: graph, rng: &generator)
            drawn.signal()
        }
        rng = generator
        finished.signal()
    }
}
