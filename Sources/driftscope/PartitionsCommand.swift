import ArgumentParser
import Foundation
import InterestGraph
import RedisStream

/// `driftscope partitions URL`: who owns each partition of a shared stream, and what is
/// unowned (read by no engine).
struct PartitionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "List a Redis stream's partitions: length, the group's lag, and the engine that owns each.",
        discussion: """
            Engines started with `serve --own K,... --of N` claim their partitions in Redis \
            (NAME:owner:K = engine id, renewed every few seconds, expiring 15 s after the \
            engine's last heartbeat). A partition no engine owns is read by nobody: this \
            command lists those, and exits 3 with --check when there is one.

            Examples:
              driftscope partitions redis://127.0.0.1:6379/shop
              driftscope partitions redis://127.0.0.1:6379/shop?partitions=8 --json
              driftscope partitions redis://127.0.0.1:6379/shop --check
            """)

    @Argument(help: ArgumentHelp("The stream: redis://HOST:PORT/NAME[?partitions=N&group=G].", valueName: "url"))
    var url: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Exit with status 3 when a partition is owned by no engine.")
    var check = false

    func run() throws {
        let stream = try StreamSources.url(url)
        let rows: [PartitionTable.Row]
        do { rows = try PartitionTable.read(stream) } catch { throw CommandError("cannot read \(stream.streamAddress): \(error)") }
        let unowned = rows.filter { $0.owner.engine == nil }.map(\.partition)
        if json {
            struct Partition: Encodable {
                var partition: Int
                var key: String
                var length: Int
                var lag: Int?
                var owner: String?
                var expires_in_ms: Int?
            }
            struct Output: Encodable {
                var stream: String
                var group: String
                var partitions: [Partition]
                var unowned: [Int]
            }
            try Console.printJSON(Output(
                stream: stream.streamAddress, group: stream.group,
                partitions: rows.map { Partition(partition: $0.partition, key: $0.key, length: $0.length, lag: $0.lag, owner: $0.owner.engine, expires_in_ms: $0.owner.expiresInMilliseconds) },
                unowned: unowned))
        } else {
            print("\(stream.streamAddress): \(rows.count) partition(s), group \(stream.group)")
            func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
                let fill = String(repeating: " ", count: max(0, width - text.count))
                return right ? fill + text : text + fill
            }
            print(pad("partition", 10) + pad("key", 20) + pad("entries", 11, right: true) + pad("lag", 11, right: true) + "  owner")
            for r in rows {
                let owner = r.owner.engine.map { e in "\(e)" + (r.owner.expiresInMilliseconds.map { " (claim expires in \(Format.fixed(Double($0) / 1000, 1)) s unless renewed)" } ?? "") } ?? "-"
                print(pad("\(r.partition)", 10) + pad(r.key, 20) + pad(Format.count(r.length), 11, right: true)
                    + pad(r.lag.map { Format.count($0) } ?? "?", 11, right: true) + "  " + owner)
            }
            print(unowned.isEmpty ? "every partition is owned" : "unowned (no engine reads them): \(StreamURL.describe(partitions: unowned))")
        }
        if check, !unowned.isEmpty { throw ExitCode(3) }
    }
}
