import Foundation

/// Serving vectors for catalogue items the model has never seen an interaction for.
///
/// After a full fit such an item has an untrained random ego row, so its propagated
/// embedding is mostly noise; in the streaming path it only gets a cold-start row when its
/// first event arrives (``EmbeddingModel/observe(_:at:graph:)``). Serving does not wait: an
/// un-interacted item with side information is placed among the items it resembles.
///
/// For each side node `s` of the item (its categories, its brand, and the eight most specific
/// knowledge-graph entities it reaches: linked, or one relation away) with `P_s` known items
/// behind it, take
/// the centroid `c_s` of their final embeddings. The item's vector points along
/// `sum_s w_s c_s` with `w_s = log(1 + K / |P_s|)` (`K` known items): a brand of 10 products
/// pulls harder than a department of 500. Its length is the `w`-weighted mean length of the
/// peers' vectors: a centroid is shorter than the vectors it averages, and at that length a
/// new item never reached a top-10 in the cold-start tests (so it would never be shown and
/// never learned about); at a typical length it reaches the top-10 of nearly every user who
/// favours its category and almost no one else's (ServingColdStartTests). Items in the model's item space, not the
/// side nodes' own embeddings, so this works for MF-BPR too (whose side tables are untrained).
///
/// Centroids are cached for the lifetime of one value; serving builds one per model and
/// catalogue state into a ``ColdItemTable`` instead of one per request.
struct ColdItemVectors {
    struct Centroid {
        /// Sum of the peers' final rows divided by their count (`stride` floats).
        var mean: [Float]
        var meanNorm: Float
        var peers: Int
    }

    /// At most this many entities (the most specific) shape a cold item's vector.
    static let entitySides = 8

    let model: EmbeddingModel
    let graph: HeteroGraph
    let knownCount: Int
    private var centroids: [NodeRef: Centroid?] = [:]
    private var breadth: [Int32: Int] = [:]
    /// Scratch for ``write(_:into:)``, reused across items.
    private var sides: [NodeRef] = []
    private var entities: [(entity: Int32, breadth: Int)] = []

    init(model: EmbeddingModel, graph: HeteroGraph) {
        self.model = model
        self.graph = graph
        knownCount = model.knownItems.count
    }

    var stride: Int { model.stride }

    /// Whether the model has a trained row for `item`.
    func isKnown(_ item: Int32) -> Bool {
        let i = Int(item)
        return i >= 0 && i < model.itemKnown.count && model.itemKnown[i] && i < model.finalItems.rows
    }

    /// Live items without a trained row, which ``vector(for:)`` covers.
    func coldItems() -> [Int32] {
        (0..<graph.itemCapacity).lazy.map(Int32.init).filter { graph.isLive(item: $0) && !isKnown($0) }
    }

    /// The item's serving vector (`stride` floats, padding zero): its final row when known,
    /// else the side-information estimate; `nil` when it has neither.
    /// - Complexity: O(stride) for a known item; for a cold one see ``write(_:into:)``.
    mutating func vector(for item: Int32) -> [Float]? {
        if isKnown(item) {
            let base = Int(item) * stride
            return Array(model.finalItems.storage[base..<(base + stride)])
        }
        var v = [Float](repeating: 0, count: stride)
        let found = v.withUnsafeMutableBufferPointer { write(item, into: $0.baseAddress!) }
        return found ? v : nil
    }

    /// Writes a cold item's side-information estimate into `out` (`stride` floats, padding
    /// zero); returns `false` (and leaves `out` unspecified) when it has none.
    /// - Complexity: O(reached entities' KG degree + side nodes * stride) plus, the first time
    ///   a side node is met, O(peers * stride); the side lists reuse this value's buffers.
    mutating func write(_ item: Int32, into out: UnsafeMutablePointer<Float>) -> Bool {
        guard graph.isLive(item: item), knownCount > 0 else { return false }
        sides.removeAll(keepingCapacity: true)
        for c in graph.categories(ofItem: item) { sides.append(NodeRef(.category, c)) }
        if let b = graph.brand(ofItem: item) { sides.append(NodeRef(.brand, b)) }
        // The most specific entities only: those behind more than half the catalogue (a
        // language, a country) say little about an item and cost the most to average, and a
        // film reaches dozens of entities through its cast and crew.
        let broad = max(graph.itemCapacity / 2, 2)
        entities.removeAll(keepingCapacity: true)
        for (entity, _) in graph.sortedEntityReach(ofItem: item) {
            let n: Int
            if let known = breadth[entity] { n = known } else {
                n = graph.reachCount(ofEntity: entity)
                breadth[entity] = n
            }
            if n <= broad { entities.append((entity, n)) }
        }
        entities.sort { $0.breadth != $1.breadth ? $0.breadth < $1.breadth : $0.entity < $1.entity }
        for e in entities.prefix(Self.entitySides) { sides.append(NodeRef(.entity, e.entity)) }

        let stride = self.stride
        out.initialize(repeating: 0, count: stride)
        var totalWeight: Float = 0
        var length: Float = 0
        for side in sides {
            guard let c = centroid(side) else { continue }
            let w = Float(log1p(Double(knownCount) / Double(c.peers)))
            c.mean.withUnsafeBufferPointer { m in VectorKernels.axpy(w, m.baseAddress!, out, stride) }
            totalWeight += w
            length += w * c.meanNorm
        }
        guard totalWeight > 0 else { return false }
        let norm = VectorKernels.squaredNorm(out, stride).squareRoot()
        guard norm > 0, norm.isFinite else { return false }
        let scale = (length / totalWeight) / norm
        VectorKernels.scale(scale, out, stride)
        return true
    }

    /// The centroid of the known items behind a side node (cached; `nil` when none).
    private mutating func centroid(_ side: NodeRef) -> Centroid? {
        if let cached = centroids[side] { return cached }
        var peers: [Int32]
        switch side.kind {
        case .category: peers = graph.items(inCategory: side.index)
        case .brand: peers = graph.items(ofBrand: side.index)
        case .entity:
            peers = graph.items(linkedTo: side.index)
            for l in graph.entityLinks[Int(side.index)] { peers.append(contentsOf: graph.items(linkedTo: l.entity)) }
        case .user, .item: peers = []
        }
        peers.removeAll { !isKnown($0) || !graph.isLive(item: $0) }
        var result: Centroid?
        if !peers.isEmpty {
            let stride = self.stride
            var mean = [Float](repeating: 0, count: stride)
            var norms: Float = 0
            let share = 1 / Float(peers.count)
            model.finalItems.storage.withUnsafeBufferPointer { table in
                mean.withUnsafeMutableBufferPointer { m in
                    for p in peers {
                        let row = table.baseAddress! + Int(p) * stride
                        VectorKernels.axpy(share, row, m.baseAddress!, stride)
                        norms += VectorKernels.squaredNorm(row, stride).squareRoot()
                    }
                }
            }
            result = Centroid(mean: mean, meanNorm: norms * share, peers: peers.count)
        }
        // Peers are known items, so a cold item is never its own peer and the cache serves
        // every cold item.
        centroids[side] = .some(result)
        return result
    }
}
