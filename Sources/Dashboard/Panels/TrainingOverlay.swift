import InterestGraph

/// The Training chart's series with another run overlaid: both runs on one x axis, events
/// ingested, because training steps mean different things in runs of different speeds or
/// batch sizes while "after N events" means the same. The x range is the live run's; the
/// other run's curves are cut to it (interpolated onto its edges), so they show what that run
/// looked like at the same point of the stream.
struct TrainingOverlay {
    typealias Points = [(x: Double, y: Double)]

    var range: ClosedRange<Double>
    var loss: Points
    var hitRate10: Points
    var otherLoss: Points
    var otherHitRate10: Points
    /// Changes of the live run placed on the events axis (those outside the known steps are
    /// left out).
    var markers: [(x: Double, change: ChangeRecord)]

    /// Aligns the live curves and `overlay` on events ingested; `nil` before the live run has
    /// a loss point.
    static func align(loss: [MetricPoint], prequential: [PrequentialPoint], changes: [ChangeRecord], overlay: RunOverlay) -> TrainingOverlay? {
        guard !loss.isEmpty else { return nil }
        let live = loss.map { (x: Double($0.events), y: Double($0.value)) }
        let hits = prequential.map { (x: Double($0.events), y: Double($0.hitRate10)) }
        var lo = Double.infinity, hi = -Double.infinity
        for p in live + hits {
            lo = min(lo, p.x)
            hi = max(hi, p.x)
        }
        if hi - lo < 1 { hi = lo + 1 }
        let range = lo...hi
        let otherLoss = overlay.points.compactMap { p in p.loss.map { (x: Double(p.events), y: Double($0)) } }
        let otherHits = overlay.points.map { (x: Double($0.events), y: $0.hitRate10) }
        let steps = loss.map { (step: $0.step, events: Double($0.events)) }
        return TrainingOverlay(
            range: range, loss: live, hitRate10: hits,
            otherLoss: clip(otherLoss, to: range), otherHitRate10: clip(otherHits, to: range),
            markers: changes.compactMap { c in events(atStep: c.step, steps).map { ($0, c) } })
    }

    /// The points inside `range`, plus the points where the line crosses its edges
    /// (interpolated), with a break (a NaN point) wherever the line leaves the range, so no
    /// segment is drawn outside it or along its edge.
    /// - Complexity: O(points).
    static func clip(_ points: Points, to range: ClosedRange<Double>) -> Points {
        var out: Points = []
        var previous: (x: Double, y: Double)?
        for p in points where p.x.isFinite && p.y.isFinite {
            if let q = previous {
                let edges = q.x < p.x ? [range.lowerBound, range.upperBound] : [range.upperBound, range.lowerBound]
                var crossed = false
                for edge in edges where (q.x - edge) * (p.x - edge) < 0 {
                    let t = (edge - q.x) / (p.x - q.x)
                    out.append((edge, q.y + t * (p.y - q.y)))
                    crossed = true
                }
                // Leaving the range: break the line at the edge.
                if crossed, !range.contains(p.x) { out.append((.nan, .nan)) }
            }
            if range.contains(p.x) { out.append(p) }
            previous = p
        }
        return out
    }

    /// Events ingested at training step `step`, interpolated between the loss points around
    /// it; `nil` outside them.
    static func events(atStep step: Int, _ steps: [(step: Int, events: Double)]) -> Double? {
        guard let first = steps.first, let last = steps.last, step >= first.step, step <= last.step else { return nil }
        for k in steps.indices.dropFirst() where steps[k].step >= step {
            let a = steps[k - 1], b = steps[k]
            guard b.step > a.step else { return b.events }
            return a.events + Double(step - a.step) / Double(b.step - a.step) * (b.events - a.events)
        }
        return first.events
    }
}
