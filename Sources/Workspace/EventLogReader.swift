public import InterestGraph
import Foundation
import GRDB

/// Streams a run's event log in position order, in constant memory.
///
/// ```swift
/// var reader = try workspace.events(run: run, from: 0)
/// while let recorded = try reader.next() { graph.apply(recorded.event) }
/// ```
///
/// Reads a few batch rows at a time through a GRDB cursor, each page in its own short read,
/// so a recorder may keep appending meanwhile: the reader sees what was committed when it
/// reaches that position.
public struct EventLogReader {
    let database: DatabaseQueue
    let path: String
    public let run: Int64
    /// Positions below this have been read from the file (the buffer holds the rest of them).
    private var pageEnd: Int64
    private var buffer: [RecordedEvent] = []
    private var index = 0
    private var exhausted = false
    /// The run's log-wide names (format-3 rows), read as far as the rows read so far need.
    private var names = LogNames()

    /// Batch rows per page (each up to ``EventLog/maxBatch`` events).
    static let pageRows = 4

    init(database: DatabaseQueue, path: String, run: Int64, from position: Int64) {
        self.database = database
        self.path = path
        self.run = run
        self.pageEnd = max(0, position)
    }

    /// Where reading continues: the position of the next buffered event, else the position
    /// after everything read so far.
    public var nextPosition: Int64 {
        index < buffer.count ? buffer[index].position : pageEnd
    }

    /// The next event, or `nil` at the end of the log.
    /// - Throws: ``WorkspaceError`` when the file cannot be read or a batch is damaged.
    public mutating func next() throws -> RecordedEvent? {
        if index == buffer.count {
            guard !exhausted else { return nil }
            try refill()
            guard index < buffer.count else { return nil }
        }
        defer { index += 1 }
        return buffer[index]
    }

    private mutating func refill() throws {
        buffer.removeAll(keepingCapacity: true)
        index = 0
        // Rows emptied by `forget` hold no events: keep paging until something is found.
        while buffer.isEmpty, !exhausted {
            try readPage()
        }
    }

    private mutating func readPage() throws {
        let from = pageEnd
        let run = self.run
        let path = self.path
        var page: [RecordedEvent] = []
        var rows = 0
        var covered: Int64?
        // Moved out, not copied: appending to a shared array would copy every name per page.
        var names = LogNames()
        swap(&names, &self.names)
        defer { swap(&names, &self.names) }
        do {
            try database.read { db in
                var refreshed = false
                // Start at the row that holds `from` (rows never overlap), then move forward.
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT first_position, last_position, data FROM event_batches
                    WHERE run_id = ?1 AND first_position >= COALESCE(
                        (SELECT first_position FROM event_batches WHERE run_id = ?1 AND first_position <= ?2
                         ORDER BY first_position DESC LIMIT 1), ?2)
                    ORDER BY first_position LIMIT ?3
                    """, arguments: [run, from, Self.pageRows])
                while let row = try cursor.next() {
                    rows += 1
                    let first: Int64 = row["first_position"]
                    covered = row["last_position"]
                    let damaged = WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), batch at position \(first) does not decode")
                    // Borrow the blob bytes without copying them out of SQLite.
                    try row.withUnsafeData(atIndex: 2) { data in
                        guard let data else { throw damaged }
                        // Names committed with this row or before: read in this same read
                        // transaction, so the row never names a number not yet seen.
                        if data.first == EventBatchCodec.loggedFormat, !refreshed {
                            do {
                                try names.refresh(run: run, in: db)
                            } catch is EventBatchCodec.Damaged {
                                throw WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), a stored name does not decode")
                            }
                            refreshed = true
                        }
                        do {
                            try data.withUnsafeBytes { raw in
                                try EventBatchCodec.decode(raw, firstPosition: first, names: names) { e in
                                    if e.position >= from { page.append(e) }
                                    return true
                                }
                            }
                        } catch {
                            throw damaged
                        }
                    }
                }
            }
        } catch {
            throw WorkspaceFile.mapped(error, path: path)
        }
        if rows < Self.pageRows { exhausted = true }
        buffer = page
        // Every position up to the last row's range has now been seen.
        if let covered { pageEnd = max(pageEnd, covered + 1) }
    }
}

extension Workspace {
    /// The run's logged events from `position` on, in order (see ``EventLogReader``).
    public func events(run: Int64, from position: Int64 = 0) throws -> EventLogReader {
        EventLogReader(database: database, path: path, run: run, from: position)
    }

    /// The position after the last logged event of `run` (0 when none): a resumed source
    /// skips this many events and continues, so no event is logged twice or skipped.
    public func loggedPosition(run: Int64) throws -> Int64 {
        try read { db in try EventLog.loggedPosition(run: run, in: db) }
    }

    /// Events in the run's log.
    public func eventCount(run: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM event_batches WHERE run_id = ?", arguments: [run]) ?? 0 }
    }
}
