import Foundation
import Testing
@testable import InterestGraph

/// A resume loads the checkpoint where it was written: the events logged before it rebuild
/// the graph and bookkeeping without online steps, the events after it are learned again.
@Suite struct ResumeFromCheckpointTests {
    /// An engine that ran (ingest and background training) until at least `position`
    /// events, and its checkpoint there.
    static func recordedRun(until position: Int, then end: Int? = nil) throws -> (events: [Event], checkpoint: ModelCheckpoint, atCheckpoint: EmbeddingModel, final: EngineCore) {
        var (events, catalogue) = EngineTests.stream(events: 900)
        // u0 goes quiet after event 300 (a newcomer takes its turns), so some user has no
        // event after a checkpoint written later.
        for k in 300..<events.count where events[k].user == "u0" { events[k].user = "late" }
        var core = EngineCore(configuration: EngineTests.configuration(), source: AnyEventSource(ArrayEventSource(name: "test", events: events, catalogue: catalogue)))
        // Event by event, a batch every 64 events: the checkpoint lands exactly at `position`.
        func run(until position: Int) {
            while core.clock.source.position < position {
                guard case .event(let event) = core.clock.tick() else { break }
                core.ingest(event, score: false)
                if core.clock.source.position % 64 == 0, core.model.trainBatch(graph: core.graph).pairs > 0 {
                    core.trainingStep += 1
                }
            }
        }
        run(until: position)
        let checkpoint = try #require(core.makeCheckpoint())
        let atCheckpoint = try #require(core.model.embedding)
        if let end { run(until: end) }
        return (events, checkpoint, atCheckpoint, core)
    }

    /// A fresh engine resumed from the first `logged` events and `checkpoint`.
    static func resumed(events: [Event], logged: Int, checkpoint: ModelCheckpoint?) -> EngineCore {
        var configuration = EngineTests.configuration()
        let log = Array(events[..<logged])
        configuration.resume = ResumePlan(sourcePosition: Int64(logged), checkpoint: checkpoint, events: log)
        let (_, catalogue) = EngineTests.stream(events: 0)
        return EngineCore(configuration: configuration, source: AnyEventSource(ArrayEventSource(name: "test", events: events, catalogue: catalogue)))
    }

    @Test func theCheckpointsFinalTablesComeBackBitForBit() throws {
        let run = try Self.recordedRun(until: 400)
        #expect(run.final.trainingStep > 0, "batches ran, so the finals are not the online steps' alone")
        let cut = Int(run.checkpoint.sourcePosition)
        #expect(EmbeddingModel.hasFinals(run.checkpoint.tables.keys))
        let restored = Self.resumed(events: run.events, logged: cut, checkpoint: run.checkpoint)
        let model = try #require(restored.model.embedding)
        #expect(restored.graph.eventsApplied == cut)
        #expect(restored.trainingStep == run.checkpoint.step)
        #expect(model.finalUsers.storage.array == run.atCheckpoint.finalUsers.storage.array)
        #expect(model.finalItems.storage.array == run.atCheckpoint.finalItems.storage.array)
        #expect(model.egoUsers.storage.array == run.atCheckpoint.egoUsers.storage.array)
        #expect(model.sessions.storage.array == run.atCheckpoint.sessions.storage.array)
        #expect(model.replay.count == run.atCheckpoint.replay.count, "every logged event is a training sample again")
        #expect(model.knownItems.sorted() == run.atCheckpoint.knownItems.sorted())
        #expect(restored.message == "resumed: \(cut) logged events replayed")
    }

    /// Before finals were saved, a resume replayed every online step and took the finals that
    /// replay left: they are not the checkpoint's (which batches had moved).
    @Test func aCheckpointWithoutFinalsStillResumes() throws {
        let run = try Self.recordedRun(until: 400)
        let cut = Int(run.checkpoint.sourcePosition)
        var old = run.checkpoint
        for name in EmbeddingModel.finalTableNames { old.tables[name] = nil }
        #expect(!EmbeddingModel.hasFinals(old.tables.keys))
        let restored = Self.resumed(events: run.events, logged: cut, checkpoint: old)
        let model = try #require(restored.model.embedding)
        #expect(model.egoUsers.storage.array == run.atCheckpoint.egoUsers.storage.array)
        #expect(model.finalUsers.storage.array != run.atCheckpoint.finalUsers.storage.array)
        #expect(restored.graph.eventsApplied == cut)
    }

    /// Events logged after the checkpoint are learned again (online steps on their rows),
    /// and a user with no event after it keeps the checkpoint's row exactly.
    @Test func eventsAfterTheCheckpointAreLearnedAgain() throws {
        let run = try Self.recordedRun(until: 400, then: 800)
        let cut = Int(run.checkpoint.sourcePosition)
        let logged = Int(run.final.clock.source.position)
        #expect(logged > cut + 50)
        let restored = Self.resumed(events: run.events, logged: logged, checkpoint: run.checkpoint)
        let model = try #require(restored.model.embedding)
        #expect(restored.graph.eventsApplied == logged)
        #expect(restored.graph.liveEdgeCount == run.final.graph.liveEdgeCount)

        let later = Set(run.events[cut..<logged].map(\.user))
        let earlier = Set(run.events[..<cut].map(\.user))
        let quiet = try #require(earlier.subtracting(later).sorted().first, "the stream has a user with no event after the checkpoint")
        let active = try #require(later.intersection(earlier).sorted().first)
        func row(_ table: EmbeddingTable, _ user: String) throws -> [Float] {
            let id = try #require(restored.graph.userID(user))
            return Array(table.storage.array[Int(id) * table.stride ..< (Int(id) + 1) * table.stride])
        }
        #expect(try row(model.finalUsers, quiet) == row(run.atCheckpoint.finalUsers, quiet))
        #expect(try row(model.finalUsers, active) != row(run.atCheckpoint.finalUsers, active))
    }

    /// The tables are read on their own thread and handed out once: the plan keeps no copy.
    @Test func aPendingCheckpointIsHandedOutOnce() throws {
        let run = try Self.recordedRun(until: 200)
        let saved = run.checkpoint
        let pending = PendingCheckpoint(sourcePosition: saved.sourcePosition, tableNames: saved.tables.keys) { saved }
        #expect(pending.hasFinals)
        #expect(pending.sourcePosition == saved.sourcePosition)
        let first = try pending.take().get()
        #expect(first?.tables == saved.tables)
        #expect(try pending.take().get() == nil)
        let old = PendingCheckpoint(sourcePosition: 1, tableNames: ["user", "item"]) { nil }
        #expect(!old.hasFinals)
    }

    /// A checkpoint that cannot be read is said, and the run resumes from the log alone.
    @Test func anUnreadableCheckpointResumesFromTheLogAlone() throws {
        let run = try Self.recordedRun(until: 300)
        let cut = Int(run.checkpoint.sourcePosition)
        var configuration = EngineTests.configuration()
        let log = Array(run.events[..<cut])
        struct Damaged: Error, CustomStringConvertible { var description: String { "damaged checkpoint 3" } }
        let pending = PendingCheckpoint(sourcePosition: run.checkpoint.sourcePosition, tableNames: run.checkpoint.tables.keys) { throw Damaged() }
        configuration.resume = ResumePlan(sourcePosition: Int64(cut), pendingCheckpoint: pending, events: log)
        let (_, catalogue) = EngineTests.stream(events: 0)
        let restored = EngineCore(configuration: configuration, source: AnyEventSource(ArrayEventSource(name: "test", events: run.events, catalogue: catalogue)))
        #expect(restored.graph.eventsApplied == cut)
        #expect(restored.trainingStep == 0)
        #expect(restored.message == "the checkpoint could not be read (damaged checkpoint 3); training starts again from the log")
        // Not the zeros the skipped online steps left: the model started again from the graph.
        let model = try #require(restored.model.embedding)
        let users = model.finalUsers.storage.array
        #expect(users.allSatisfy { $0.isFinite })
        #expect(users.contains { $0 != 0 })
        #expect(model.replay.count > 0)
    }
}
