import Foundation

/// ItemKNN: item-item cosine similarity on the (time-decayed, binary) user-item matrix; a user's
/// score for item `b` is the sum of `b`'s similarity to every item in the user's history.
///
/// A full ``fit(graph:)`` keeps the ``Hyperparameters/neighbours`` most similar items per item
/// (sparse rows); streamed events then add co-occurrences to those rows as they happen, so the
/// model learns online like every other model in the evaluation. In a catalogue too large for
/// the dense index (see ``CooccurrenceIndex/denseLimit``) a row that grows online to twice
/// ``neighbourLimit`` entries keeps its heaviest ``neighbourLimit``, so memory stays
/// O(items x neighbours) however long the stream.
public struct ItemKNNModel: Sendable {
    var index: CooccurrenceIndex
    /// The co-occurrence counts to send to the engines holding the other users (`nil`: not
    /// shared; see ``SignalOutbox``).
    var signals: SignalOutbox?
    public var neighbourLimit: Int {
        didSet { index.rowLimit = neighbourLimit }
    }

    public init(halfLife: Double, neighbours: Int) {
        index = CooccurrenceIndex(halfLife: halfLife)
        neighbourLimit = max(1, neighbours)
        index.rowLimit = neighbourLimit
    }

    /// Rebuilds similarities from every live edge of the graph.
    /// - Complexity: O(sum over users of degree^2) time, O(items) scratch.
    public mutating func fit(graph: HeteroGraph) {
        let itemCount = graph.items.count
        var fresh = CooccurrenceIndex(halfLife: index.halfLife)
        fresh.rowLimit = neighbourLimit
        fresh.ensureItems(itemCount)
        fresh.reference = graph.now
        let halfLife = index.halfLife
        // Per-edge decay factor at the graph clock; the factor of a pair is that of its newer edge.
        var edgeDecay = [Float](repeating: 0, count: graph.edgeUser.count)
        for e in edgeDecay.indices where graph.edgeUser[e] >= 0 {
            edgeDecay[e] = halfLife.isFinite ? Float(exp2(-(graph.now - graph.edgeStates[e].time) / halfLife)) : 1
        }
        for a in 0..<itemCount {
            for edge in graph.itemEdges[a] { fresh.mass[a] += edgeDecay[Int(edge)] }
        }
        fresh.refreshInverseRootMass()
        var accumulator = [Float](repeating: 0, count: itemCount)
        var touched: [Int32] = []
        var heap = TopKHeap(capacity: neighbourLimit)
        for a in 0..<itemCount where fresh.mass[a] > 0 {
            touched.removeAll(keepingCapacity: true)
            for edge in graph.itemEdges[a] {
                let da = edgeDecay[Int(edge)]
                let user = Int(graph.edgeUser[Int(edge)])
                for other in graph.userEdges[user] {
                    let b = Int(graph.edgeItem[Int(other)])
                    if b == a { continue }
                    if accumulator[b] == 0 { touched.append(Int32(b)) }
                    accumulator[b] += max(da, edgeDecay[Int(other)])
                }
            }
            heap.removeAll()
            let ma = fresh.mass[a]
            for b in touched {
                let mb = fresh.mass[Int(b)]
                heap.offer(b, mb > 0 ? accumulator[Int(b)] / (ma * mb).squareRoot() : 0)
            }
            let kept = heap.sortedDescending()
            fresh.setRow(Int32(a), items: kept.map(\.item), weights: kept.map { accumulator[Int($0.item)] })
            for b in touched { accumulator[Int(b)] = 0 }
        }
        index = fresh
    }

    /// Adds the co-occurrences of a new user-item edge with the user's other items.
    /// Repeated interactions leave the (binary) matrix unchanged.
    /// - Complexity: O(degree of the user).
    public mutating func observe(_ application: EventApplication, at time: Double, graph: HeteroGraph) {
        guard application.isNewEdge else { return }
        let item = application.item
        let weight = index.scale(at: time)
        for edge in graph.userEdges[Int(application.user)] {
            let other = graph.edgeItem[Int(edge)]
            if other == item { continue }
            index.add(item, other, weight)
            index.add(other, item, weight)
            signals?.addPair(item, other, at: time, halfLife: index.halfLife)
        }
        index.addMass(item, weight)
        signals?.addMass(item, at: time, halfLife: index.halfLife)
    }

    /// Writes the user's score for every item into `scores` (length = the graph's item count).
    /// - Complexity: O(sum of the user's items' row lengths + items).
    public func score(user: Int32, graph: HeteroGraph, into scores: UnsafeMutableBufferPointer<Float>) {
        for k in scores.indices { scores[k] = 0 }
        guard Int(user) < graph.userEdges.count else { return }
        for edge in graph.userEdges[Int(user)] {
            index.accumulate(row: graph.edgeItem[Int(edge)], coefficient: 1, alpha: 0.5, into: scores)
        }
        index.normalise(scores, alpha: 0.5)
    }
}
