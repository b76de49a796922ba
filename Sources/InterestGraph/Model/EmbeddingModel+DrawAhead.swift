import Foundation

/// The live engine's sampled batches on two cores: while batch `k` trains on the engine
/// thread, batch `k + 1` is drawn on another, from the graph as it is at that moment.
///
/// Why: drawing a sampled batch (its triples and the layered neighbour sample, cache misses
/// over a million users' lists) was more than half of a batch on the engine thread at the
/// large shop's size, and the engine's training share is a share of its time. The graph does
/// not change while a batch trains (the engine thread is busy training it), and drawing never
/// reads the embeddings (``SampledBatch``), so the next batch can be drawn meanwhile. The
/// engine waits for that draw before it applies another event, so the drawing thread never
/// reads a graph that changes; the engine's time per batch becomes the larger of drawing and
/// training instead of their sum.
///
/// What changes: a batch is drawn one batch earlier than it trains, so it misses the events
/// of the slices in between (a few hundred milliseconds); its node numbering is its own graph's
/// (``SampledSubgraph/space``, ids only grow). A hyperparameter change or a forgotten user
/// drops the batch drawn ahead. Draws use their own generator (``EmbeddingModel/aheadRng``),
/// so the online steps' ``EmbeddingModel/rng`` is never touched by two threads.
extension EmbeddingModel {
    /// One sampled batch of the live engine: trains the batch drawn ahead (drawing it now when
    /// there is none), drawing the next one on another thread meanwhile.
    /// - Complexity: O(batch * prod(fanouts) * dimension) on each of two threads; wall time
    ///   about the larger of drawing and training one batch.
    mutating func trainSampledBatchDrawingAhead(graph: HeteroGraph) -> TrainingStep {
        let source = sampledBatchSource(graph: graph)
        // The last batch's storage, reused by the next draw.
        var spare = SampledBatch()
        swap(&spare, &sampledBatch)
        var current: SampledBatch
        if let ahead = drawnAhead {
            current = ahead
            drawnAhead = nil
        } else {
            current = SampledBatch()
            current.subgraph.otherItemDegree = otherItemDegree
            current.draw(from: source, graph: graph, rng: &aheadRng)
            current.subgraph.otherItemDegree = []
        }
        spare.subgraph.otherItemDegree = otherItemDegree
        // Moved in, not copied: a `spare` still holding the storage while the other thread
        // draws would make that draw copy the batch's arrays (its node map is 4 bytes per node
        // of the shop, copied twice per batch; perf saw it as page faults on the draw thread).
        let job = AheadDraw(taking: &spare, source: source, graph: graph, rng: aheadRng)
        DispatchQueue.global(qos: .userInitiated).async { job.run() }
        var step = runSampledBatch(current, graph: graph)
        job.done.wait()
        step.helperCPUSeconds = job.cpuSeconds
        var next = job.takeBatch()
        aheadRng = job.rng
        // Nothing of the model's may stay shared with the batch drawn ahead: the engine writes
        // these degrees between batches, and a shared buffer would be copied whole.
        next.subgraph.otherItemDegree = []
        drawnAhead = next
        batchRows = current.triples
        sampledBatch = current
        return step
    }
}

/// One batch drawn on another thread: its inputs, its result and a semaphore.
///
/// @unchecked Sendable: the engine thread writes every field before it hands the job to the
/// queue and reads them only after ``done``'s wait returns; ``run()`` writes them before it
/// signals. A semaphore's signal happens-before the wait it releases. ``run()`` lets go of the
/// graph and the source before it signals, so once the engine thread goes on it holds the
/// only references to their arrays (a second one would make its next write copy an array of
/// millions of entries).
final class AheadDraw: @unchecked Sendable {
    private var batch: SampledBatch
    private var source: SampledBatchSource?
    private var graph: HeteroGraph?
    private(set) var rng: SeededGenerator
    /// The drawing thread's CPU seconds for the draw.
    private(set) var cpuSeconds = 0.0
    let done = DispatchSemaphore(value: 0)

    /// Takes `batch`'s storage (leaving an empty batch there), so the draw finds it unique.
    init(taking batch: inout SampledBatch, source: SampledBatchSource, graph: HeteroGraph, rng: SeededGenerator) {
        self.batch = SampledBatch()
        swap(&self.batch, &batch)
        self.source = source
        self.graph = graph
        self.rng = rng
    }

    func run() {
        let start = ThreadCPUClock.seconds()
        if let source, let graph { batch.draw(from: source, graph: graph, rng: &rng) }
        cpuSeconds = ThreadCPUClock.seconds() - start
        source = nil
        graph = nil
        done.signal()
    }

    /// The drawn batch, moved out (after ``done``).
    func takeBatch() -> SampledBatch {
        var taken = SampledBatch()
        swap(&taken, &batch)
        return taken
    }
}
