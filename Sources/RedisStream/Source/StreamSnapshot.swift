package import InterestGraph

/// Reads every entry a stream holds now (`XRANGE` over each partition), without a consumer
/// group: what `eval` and `ingest` (without a workspace) analyse, leaving the groups'
/// positions alone.
package enum StreamSnapshot {
    package struct Result: Sendable {
        package var dataset: LoadedDataset
        package var partitions: Int
        package var rejectedByReason: [String: Int]
        package var examples: [StreamRejection]
        package var rejected: Int { rejectedByReason.values.reduce(0, +) }
    }

    /// The events in time order (stable: ties keep partition, then entry order).
    /// - Throws: ``RedisError`` when the server cannot be read; the first
    ///   ``StreamRejection`` in strict mode; ``DatasetError`` for a bad `--map`.
    package static func load(_ url: StreamURL, strict: Bool = false, columnMap: [String: String] = [:], maxExamples: Int = 10) throws -> Result {
        var decoder = try RecordEventDecoder(columnMap: columnMap)
        let redis = try RedisConnection(host: url.host, port: url.port, timeout: 5)
        let partitions = try url.partitions ?? StreamFeed.discoverPartitions(url, redis)
        var events: [Event] = []
        var rejectedByReason: [String: Int] = [:]
        var examples: [StreamRejection] = []
        var catalogue = ItemCatalogue()
        for k in 0..<partitions {
            let key = url.key(partition: k)
            var start = "-"
            while true {
                let entries = try redis.range(stream: key, start: start, count: 4_096)
                guard let last = entries.last else { break }
                start = "(" + last.id
                for entry in entries {
                    switch decoder.event(record: entry.bytes, bounds: entry.bounds) {
                    case .success(let event):
                        if let a = event.attributes { catalogue.merge(item: event.item, attributes: a) }
                        events.append(event)
                    case .failure(let problem):
                        let rejection = StreamRejection(key: key, id: entry.id, field: problem.field, reason: problem.reason, kind: problem.kind.rawValue)
                        if strict { throw rejection }
                        rejectedByReason[rejection.kind, default: 0] += 1
                        if examples.count < maxExamples { examples.append(rejection) }
                    }
                }
            }
        }
        let order = events.indices.sorted { a, b in
            events[a].timestamp != events[b].timestamp ? events[a].timestamp < events[b].timestamp : a < b
        }
        var report = ReadReport()
        report.accepted = events.count
        report.rejectedByReason = rejectedByReason
        let dataset = LoadedDataset(name: url.streamAddress, events: order.map { events[$0] }, catalogue: catalogue, report: report)
        return Result(dataset: dataset, partitions: partitions, rejectedByReason: rejectedByReason, examples: examples)
    }
}
