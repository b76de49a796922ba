import GRDB

/// The workspace schema, as an ordered list of migrations.
///
/// To change the schema, write `static func v2(_ db: Database) throws` below and append
/// `("v2", v2)` to ``migrations``: a workspace opened by the new build is migrated in one
/// transaction, and an older build refuses it with ``WorkspaceError/Kind/newerSchema``
/// instead of guessing. Never edit a migration that has shipped.
enum WorkspaceSchema {
    /// `PRAGMA application_id` of every workspace: "DRFT" in ASCII. Checked in the file header
    /// before anything else, so a file that is not ours is never opened for writing.
    static let applicationID: Int32 = 0x4452_4654

    static let migrations: [(identifier: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1", v1),
        ("v2", v2),
        ("v3", v3),
        ("v4", v4),
    ]

    /// The schema version this build writes (`PRAGMA user_version` mirrors it for tools).
    static var version: Int { migrations.count }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, migration) in migrations.enumerated() {
            let version = index + 1
            migrator.registerMigration(migration.identifier) { db in
                try migration.migrate(db)
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
        }
        return migrator
    }

    /// The first schema: runs, the event log, hyperparameter changes, metrics, checkpoints and
    /// bookmarks. See docs/WORKSPACE.md for the meaning of every column.
    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at REAL NOT NULL,
                ended_at REAL,
                updated_at REAL NOT NULL,
                source_kind TEXT NOT NULL,
                source TEXT NOT NULL,
                seed INTEGER,
                code_version TEXT NOT NULL,
                initial_hyperparameters TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'finished'))
            );

            -- The event log, in batches: one row holds up to a few thousand consecutive events
            -- of one run (EventBatchCodec), so that logging keeps up with ingestion.
            -- Positions of different rows of a run never overlap (trigger below), which makes
            -- (run_id, position) unique per event. `forget` may leave a row with fewer events
            -- than its range (even none), never a different range.
            CREATE TABLE event_batches (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                first_position INTEGER NOT NULL,
                last_position INTEGER NOT NULL,
                count INTEGER NOT NULL,
                data BLOB NOT NULL,
                CHECK (count >= 0 AND last_position >= first_position AND count <= last_position - first_position + 1)
            );
            CREATE UNIQUE INDEX event_batches_by_position ON event_batches(run_id, first_position);
            CREATE TRIGGER event_batches_no_overlap BEFORE INSERT ON event_batches
            WHEN (SELECT last_position FROM event_batches
                  WHERE run_id = NEW.run_id AND first_position <= NEW.last_position
                  ORDER BY first_position DESC LIMIT 1) >= NEW.first_position
            BEGIN
                SELECT RAISE(ABORT, 'event positions already logged for this run');
            END;

            CREATE TABLE changes (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                time REAL NOT NULL,
                key TEXT NOT NULL,
                old_value REAL NOT NULL,
                new_value REAL NOT NULL,
                origin TEXT NOT NULL,
                note TEXT NOT NULL
            );
            CREATE INDEX changes_by_run ON changes(run_id, id);

            CREATE TABLE metrics (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                wall_time REAL NOT NULL,
                clock REAL NOT NULL,
                loss REAL,
                hr10 REAL NOT NULL,
                mrr REAL NOT NULL,
                events_per_second REAL NOT NULL,
                events INTEGER NOT NULL
            );
            CREATE INDEX metrics_by_run ON metrics(run_id, id);

            CREATE TABLE checkpoints (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                created_at REAL NOT NULL,
                step INTEGER NOT NULL,
                graph_clock REAL NOT NULL,
                source_position INTEGER NOT NULL,
                hyperparameters BLOB NOT NULL,
                user_ids BLOB NOT NULL,
                item_ids BLOB NOT NULL
            );
            CREATE INDEX checkpoints_by_run ON checkpoints(run_id, id);

            CREATE TABLE checkpoint_tables (
                id INTEGER PRIMARY KEY,
                checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                count INTEGER NOT NULL,
                data BLOB NOT NULL
            );
            CREATE UNIQUE INDEX checkpoint_tables_by_name ON checkpoint_tables(checkpoint_id, name);

            CREATE TABLE bookmarks (
                id INTEGER PRIMARY KEY,
                run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                user TEXT NOT NULL,
                note TEXT NOT NULL,
                created_at REAL NOT NULL
            );
            CREATE INDEX bookmarks_by_user ON bookmarks(user);
            """)
    }

    /// v2: each run's item catalogue (``CatalogueStore``), so `export-events` writes
    /// category, brand and price on every row and the catalogue beside the events: sources
    /// whose rows carry no attributes (the simulator, MovieLens) lost them before.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run_catalogues (
                run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
                items INTEGER NOT NULL,
                data BLOB NOT NULL
            );
            """)
    }

    /// v3: the source id of each event that has one (a Redis stream entry, `shop:3
    /// 1712345678901-0`), written in the transaction that logs the event, so a resumed run
    /// knows which redelivered entries it already holds (exactly-once effect; see
    /// ``SourcePositionLedger``). Older runs simply have no rows here.
    static func v3(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE event_source_ids (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                source_id TEXT NOT NULL,
                PRIMARY KEY (run_id, position)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX event_source_ids_by_id ON event_source_ids(run_id, source_id);
            """)
    }

    /// v4: each run's log-wide names (event log format 3): users, items, labels (categories
    /// and brands) and attribute sets, numbered in the order the run's log first used them.
    /// Each commit stores its new names of one kind as one row (`count` length-prefixed
    /// entries numbered from `first_number`), in the transaction of the rows that use them.
    /// A name blanked by `forget` keeps its number. Format-1 and -2 rows need no names.
    static func v4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE event_names (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 3),
                first_number INTEGER NOT NULL CHECK (first_number >= 0),
                count INTEGER NOT NULL CHECK (count > 0),
                data BLOB NOT NULL
            );
            CREATE UNIQUE INDEX event_names_by_number ON event_names(run_id, kind, first_number);
            """)
    }
}
