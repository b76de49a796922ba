import Foundation
import GRDB
import InterestGraph

/// SQL over `event_batches`: appending, the logged position, and erasing one user.
enum EventLog {
    /// Events per row at most: bounds the memory of a reader and of a `forget` rewrite.
    static let maxBatch = 8192

    struct EncodedBatch: Sendable {
        var first: Int64
        var last: Int64
        var count: Int
        var data: Data
    }

    /// Encodes strictly increasing events, given as consecutive parts (the slices the engine
    /// handed over, never copied), into rows of at most ``maxBatch`` events.
    /// - Complexity: O(total bytes).
    static func encode(_ parts: [ArraySlice<RecordedEvent>]) -> [EncodedBatch] {
        var out: [EncodedBatch] = []
        var cursor = (part: 0, index: parts.first?.startIndex ?? 0)
        while let batch = EventBatchCodec.encode(parts, cursor: &cursor, limit: maxBatch) {
            out.append(EncodedBatch(first: batch.first, last: batch.last, count: batch.count, data: batch.data))
        }
        return out
    }

    static func encode(_ events: ArraySlice<RecordedEvent>) -> [EncodedBatch] {
        encode([events])
    }

    static func insert(_ batches: [EncodedBatch], run: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO event_batches (run_id, first_position, last_position, count, data) VALUES (?, ?, ?, ?, ?)")
        for b in batches {
            try statement.execute(arguments: [run, b.first, b.last, b.count, b.data])
        }
    }

    /// The position after the last logged event of `run` (0 for an empty log): where a
    /// resumed source continues.
    /// - Complexity: O(log batches), through the `(run_id, first_position)` index.
    static func loggedPosition(run: Int64, in db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(
            db, sql: "SELECT last_position FROM event_batches WHERE run_id = ? ORDER BY first_position DESC LIMIT 1",
            arguments: [run])
        return last.map { $0 + 1 } ?? 0
    }

    /// Removes every event of `user` from every run; returns how many.
    ///
    /// Rows are found with a byte search over the blobs (`instr`), then decoded, filtered
    /// and rewritten, so the user's id leaves no copy in a live row; `secure_delete` zeroes
    /// the old pages.
    static func forget(user: String, in db: Database, path: String) throws -> Int {
        let needle = Data(user.utf8)
        let candidates = try Int64.fetchAll(db, sql: "SELECT id FROM event_batches WHERE instr(data, ?) > 0", arguments: [needle])
        var removed = 0
        for id in candidates {
            guard let row = try Row.fetchOne(db, sql: "SELECT run_id, first_position, data FROM event_batches WHERE id = ?", arguments: [id]) else { continue }
            let data: Data = row["data"]
            let first: Int64 = row["first_position"]
            let run: Int64 = row["run_id"]
            let events = try decode(data, first: first, run: run, path: path)
            let kept = events.filter { $0.event.user != user }
            guard kept.count < events.count else { continue }
            removed += events.count - kept.count
            // The row keeps its position range, even when emptied: positions stay logged, so
            // a resumed source never reads the forgotten events back in.
            try db.execute(
                sql: "UPDATE event_batches SET count = ?, data = ? WHERE id = ?",
                arguments: [kept.count, EventBatchCodec.encode(kept[...], base: first), id])
        }
        return removed
    }

    static func decode(_ data: Data, first: Int64, run: Int64, path: String) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        do {
            try data.withUnsafeBytes { raw in
                try EventBatchCodec.decode(raw, firstPosition: first) { out.append($0); return true }
            }
        } catch {
            throw WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), batch at position \(first) does not decode")
        }
        return out
    }
}
