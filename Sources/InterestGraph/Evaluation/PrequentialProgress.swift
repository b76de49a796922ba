/// One point of a prequential run's timeline: the protocol's metrics so far, after
/// ``streamed`` events of the stream (what `eval --workspace` records as a run's metrics).
public struct PrequentialProgress: Sendable, Codable, Hashable {
    /// Events streamed after the warm-up, and of them scored.
    public var streamed: Int
    public var scored: Int
    /// Events the graph holds (warm-up included): the axis runs are aligned on.
    public var events: Int
    /// Cumulative over the scored events so far; the last point equals the final metrics.
    public var hitRate10: Double
    public var mrr: Double
    /// Background training batches so far, and the loss of the latest (nil before one).
    public var backgroundBatches: Int
    public var loss: Float?
    /// The stream's clock (the last event's timestamp) and wall seconds since the start.
    public var timestamp: Double
    public var seconds: Double

    public init(streamed: Int, scored: Int, events: Int, hitRate10: Double, mrr: Double, backgroundBatches: Int, loss: Float?, timestamp: Double, seconds: Double) {
        self.streamed = streamed
        self.scored = scored
        self.events = events
        self.hitRate10 = hitRate10
        self.mrr = mrr
        self.backgroundBatches = backgroundBatches
        self.loss = loss
        self.timestamp = timestamp
        self.seconds = seconds
    }
}
