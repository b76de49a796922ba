import Foundation
import GRDB
import InterestGraph
import Testing
@testable import Workspace

/// A run's item catalogue (schema v2): stored by the recorder, read back intact, used by the
/// export for rows whose events carry no attributes.
@Suite("Workspace: run catalogues")
struct CatalogueStoreTests {
    static func sample() -> ItemCatalogue {
        var c = ItemCatalogue()
        c.items["i1"] = ItemAttributes(categories: ["Books/Sci-Fi", "Books, \"Rare\""], brand: "Orbit", price: 12.99)
        c.items["i2"] = ItemAttributes(categories: [], brand: nil, price: 0.1)
        c.items["é-3"] = ItemAttributes(categories: ["Home"], brand: "Ünïcode\nbrand", price: nil)
        c.itemEntities["i1"] = ["author:le-guin", "series:hainish"]
        c.itemEntities["only-linked"] = ["m.0abc"]
        c.titles["i1"] = "The Dispossessed"
        c.launches["i2"] = 1_709_300_000
        c.triples = [KnowledgeTriple(head: "author:le-guin", relation: "born_in", tail: "place:berkeley")]
        return c
    }

    static func same(_ a: ItemCatalogue, _ b: ItemCatalogue) -> Bool {
        a.items == b.items && a.itemEntities == b.itemEntities && a.titles == b.titles && a.launches == b.launches && a.triples == b.triples
    }

    @Test func blobRoundTripsAndRejectsDamage() throws {
        let catalogue = Self.sample()
        let data = CatalogueBlob.encode(catalogue)
        #expect(Self.same(try #require(CatalogueBlob.decode(data)), catalogue))
        #expect(CatalogueBlob.encode(catalogue) == data, "deterministic")
        for cut in [0, 1, data.count / 2, data.count - 1] {
            #expect(CatalogueBlob.decode(data.prefix(cut)) == nil, "truncated at \(cut)")
        }
        var wrongFormat = data
        wrongFormat[0] = 9
        #expect(CatalogueBlob.decode(wrongFormat) == nil)
    }

    @Test func recorderStoresTheCatalogueAndExportUsesIt() throws {
        let directory = try TemporaryDirectory()
        let workspace = try TestFiles.makeWorkspace(in: directory)
        let run = try TestFiles.beginRun(workspace)
        let recorder = try WorkspaceRecorder(workspace: workspace, run: run)
        try recorder.record(catalogue: Self.sample())
        try recorder.record(events: [
            RecordedEvent(position: 0, event: Event(user: "u1", item: "i1", action: .view, timestamp: 1_709_252_242)),
            RecordedEvent(position: 1, event: Event(user: "u1", item: "i2", action: .purchase, timestamp: 1_709_252_242.5, value: 2)),
            RecordedEvent(position: 2, event: Event(user: "u2", item: "i9", action: .view, timestamp: 1_709_252_300,
                                                    attributes: ItemAttributes(categories: ["Own"], brand: "B", price: 3))),
        ])
        try recorder.finish(at: 2_000)
        #expect(Self.same(try #require(try workspace.catalogue(run: run)), Self.sample()))

        let out = directory.file("events.csv")
        #expect(try workspace.exportEvents(run: run, to: out) == 3)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text == #"""
            user,item,timestamp,action,value,category,brand,price
            u1,i1,1709252242,view,,"Books/Sci-Fi|Books, ""Rare""",Orbit,12.99
            u1,i2,1709252242.5,purchase,2,,,0.1
            u2,i9,1709252300,view,,Own,B,3

            """#)
        let catalogueFile = directory.file("events.catalogue.csv")
        #expect(try Workspace.exportCatalogue(Self.sample(), to: catalogueFile) == 4)
        let (read, report) = try DatasetLoader.loadCatalogue(catalogueFile, options: ReadOptions())
        #expect(report.rejected == 0)
        #expect(read.items["i1"]?.brand == "Orbit")
        #expect(read.items["i1"]?.price == 12.99)
        #expect(read.titles["i1"] == "The Dispossessed")
        #expect(read.itemEntities["only-linked"] == ["m.0abc"])
        #expect(read.items["é-3"]?.brand == "Ünïcode\nbrand")
    }

    /// A workspace written before v2 is migrated on a read-write open; opened read-only it is
    /// read as it is (no table, no catalogue), and left at v1.
    @Test func aVersion1FileMigratesOrReadsAsItIs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("old.sqlite")
        do { _ = try Workspace(path: path) }
        let raw = try TestFiles.raw(path)
        try raw.write { db in
            try db.execute(sql: "DROP TABLE run_catalogues; DROP TABLE event_source_ids; DROP TABLE event_names; DELETE FROM grdb_migrations WHERE identifier IN ('v2', 'v3', 'v4'); PRAGMA user_version = 1")
            try db.execute(sql: "INSERT INTO runs (started_at, updated_at, source_kind, source, code_version, initial_hyperparameters, status) VALUES (1, 1, 'replay', 'x', 'old', '{}', 'finished')")
        }
        try raw.close()
        let reader = try Workspace(path: path, create: false, access: .readOnly)
        #expect(try reader.catalogue(run: 1) == nil)
        #expect(try reader.runs().count == 1)
        let check = try TestFiles.raw(path, readonly: true)
        #expect(try check.read { db in try db.tableExists("run_catalogues") } == false)
        try check.close()

        let writer = try Workspace(path: path, create: false)
        #expect(try writer.catalogue(run: 1) == nil)
        try writer.saveCatalogue(Self.sample(), run: 1)
        #expect(Self.same(try #require(try writer.catalogue(run: 1)), Self.sample()))
    }
}
