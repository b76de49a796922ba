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
    /// Numbers for the names of rows written before the log numbered them (formats 1, 2).
    private var legacyNumbering = EventNumbering()

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
        var page: [RecordedEvent] = []
        try readRows { first, data, names in
            try EventBatchCodec.decode(data, firstPosition: first, names: names) { e in
                if e.position >= from { page.append(e) }
                return true
            }
            return true
        }
        buffer = page
    }

    /// Calls `body` with the rest of the log, up to (not including) position `end`, in pages
    /// of numbers (``LoggedEventPage``, a few thousand events each) and the names they stand
    /// for: what a resume replays, with no `Event` built per event.
    ///
    /// A format-3 row's numbers are the run's own (`event_names`); rows written before names
    /// were numbered (formats 1 and 2) are numbered here, on a page of their own.
    /// - Precondition: no events buffered by ``next()`` are waiting.
    /// - Throws: ``WorkspaceError`` when the file cannot be read or a batch is damaged.
    package mutating func forEachPage(before end: Int64, _ body: (LoggedEventPage, LoggedEventNames) throws -> Void) throws {
        precondition(index == buffer.count, "pages continue where next() stopped only once its buffer is read")
        var page = LoggedEventPage()
        while !exhausted, pageEnd < end {
            let from = pageEnd
            page.removeAll()
            var numbered: Bool?
            var numbering = legacyNumbering
            legacyNumbering = EventNumbering()
            defer { legacyNumbering = numbering }
            try readRows { first, data, names in
                let isNumbered = data.first == EventBatchCodec.loggedFormat
                // One page, one kind of numbers: a row of the other kind starts the next page.
                if let numbered, numbered != isNumbered { return false }
                numbered = isNumbered
                if isNumbered {
                    try EventBatchCodec.decodeNumbers(data, firstPosition: first, names: names) { position, action, timestamp, value, user, item, set in
                        guard position < end else { return false }
                        if position >= from { page.append(position: position, action: action, timestamp: timestamp, value: value, user: user, item: item, set: set) }
                        return true
                    }
                } else {
                    try EventBatchCodec.decode(data, firstPosition: first) { e in
                        guard e.position < end else { return false }
                        if e.position >= from { numbering.append(e.event, at: e.position, to: &page) }
                        return true
                    }
                }
                return true
            }
            guard !page.isEmpty else { continue }
            if numbered == true {
                try body(page, names.pageNames)
            } else {
                try body(page, numbering.names)
            }
        }
    }

    /// Reads up to ``pageRows`` batch rows from ``pageEnd`` on in one read transaction and
    /// hands each to `row` with the run's names as far as the row needs them. `row` returns
    /// false to leave that row, and the rest, to the next read.
    private mutating func readRows(_ row: (_ first: Int64, _ data: UnsafeRawBufferPointer, _ names: LogNames) throws -> Bool) throws {
        let from = pageEnd
        let run = self.run
        let path = self.path
        var rows = 0
        var consumedAll = true
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
                while let stored = try cursor.next() {
                    rows += 1
                    let first: Int64 = stored["first_position"]
                    let last: Int64 = stored["last_position"]
                    let damaged = WorkspaceError(.corrupt, "\(path): damaged event log: run \(run), batch at position \(first) does not decode")
                    // Borrow the blob bytes without copying them out of SQLite.
                    let taken = try stored.withUnsafeData(atIndex: 2) { data -> Bool in
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
                            return try data.withUnsafeBytes { raw in try row(first, raw, names) }
                        } catch {
                            throw damaged
                        }
                    }
                    guard taken else {
                        consumedAll = false
                        break
                    }
                    covered = last
                }
            }
        } catch {
            throw WorkspaceFile.mapped(error, path: path)
        }
        if consumedAll, rows < Self.pageRows { exhausted = true }
        // Every position up to the last row taken has now been seen.
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
