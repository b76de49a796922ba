import Foundation
package import InterestGraph

/// Writes events into a user-partitioned stream (`XADD NAME:k * user ... item ...`), in
/// pipelined batches, optionally paced to a multiple of real time.
///
/// Each entry carries the CSV columns: `user`, `item`, `timestamp` (epoch seconds),
/// `action`, and when known `value`, `category` (`|`-separated), `brand`, `price` (from
/// the event, else from `catalogue`), so a reader that starts mid-stream still learns the
/// item's attributes.
package struct StreamPublisher {
    package struct Report: Sendable, Encodable {
        package var events = 0
        package var perPartition: [Int]
        package var seconds = 0.0
    }

    package let url: StreamURL
    package let partitions: Int
    private let redis: RedisConnection
    /// Commands per pipelined write.
    static let pipeline = 512

    package init(url: StreamURL, partitions: Int, timeout: Double = 2) throws {
        self.url = url
        self.partitions = partitions
        redis = try RedisConnection(host: url.host, port: url.port, timeout: timeout)
    }

    /// The entry's field-value list.
    package static func fields(of event: Event, attributes: ItemAttributes?) -> [String] {
        var f = ["user", event.user, "item", event.item, "timestamp", String(event.timestamp), "action", event.action.name]
        if let v = event.value { f += ["value", String(v)] }
        if let a = event.attributes ?? attributes {
            if !a.categories.isEmpty { f += ["category", a.categories.joined(separator: "|")] }
            if let b = a.brand { f += ["brand", b] }
            if let p = a.price { f += ["price", String(p)] }
        }
        return f
    }

    /// Publishes `source`'s events in its order, at most `limit`; `speed` 0 writes as fast
    /// as Redis takes them, else paces them to event time divided by `speed`.
    package func publish(_ source: inout some EventSource, speed: Double, limit: Int?, progress: ((Int) -> Void)? = nil) throws -> Report {
        var report = Report(perPartition: [Int](repeating: 0, count: partitions))
        // Every partition exists (with the readers' group, from the start) before the first
        // entry: an engine started while the first events are written would otherwise see
        // only the partitions they happened to land in and refuse its --of as the wrong count.
        try redis.createGroups(streams: (0..<partitions).map { url.key(partition: $0) }, group: url.group)
        let catalogue = source.catalogue
        let start = Date().timeIntervalSince1970
        var firstTime: Double?
        var batch: [[String]] = []
        batch.reserveCapacity(Self.pipeline)
        func flush() throws {
            guard !batch.isEmpty else { return }
            for reply in try redis.send(batch) {
                if case .error(let message) = reply { throw RedisError(kind: .reply, message: "\(url.streamAddress): XADD: \(message)") }
            }
            report.events += batch.count
            batch.removeAll(keepingCapacity: true)
            progress?(report.events)
        }
        while limit.map({ report.events + batch.count < $0 }) ?? true, let event = source.next() {
            if speed > 0 {
                let t0 = firstTime ?? event.timestamp
                firstTime = t0
                let due = start + (event.timestamp - t0) / speed
                let wait = due - Date().timeIntervalSince1970
                if wait > 0.002 {
                    try flush()
                    Thread.sleep(forTimeInterval: wait)
                }
            }
            let k = StreamURL.partition(ofUser: event.user, partitions: partitions)
            report.perPartition[k] += 1
            batch.append(["XADD", url.key(partition: k), "*"] + Self.fields(of: event, attributes: catalogue.items[event.item]))
            if batch.count >= Self.pipeline { try flush() }
        }
        try flush()
        report.seconds = Date().timeIntervalSince1970 - start
        return report
    }
}
