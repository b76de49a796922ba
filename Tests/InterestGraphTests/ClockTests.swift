import Testing
@testable import InterestGraph

/// Events one simulated minute apart, starting at t = 1000.
func minuteEvents(_ n: Int, start: Double = 1_000) -> [Event] {
    (0..<n).map { Event(user: "u\($0 % 3)", item: "i\($0)", action: .view, timestamp: start + Double($0) * 60) }
}

extension ReplayClock.Tick {
    var event: Event? {
        if case .event(let e) = self { return e }
        return nil
    }
    var waitSeconds: Double? {
        if case .wait(let s) = self { return s }
        return nil
    }
}

@Suite("Replay clock and event sources")
struct ClockTests {
    @Test func asFastAsPossibleReleasesEverythingInOrder() {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(50)), speed: 0, wallClock: wall)
        var times: [Double] = []
        while case .event(let e) = clock.tick() { times.append(e.timestamp) }
        #expect(times.count == 50)
        #expect(times == times.sorted())
        #expect(clock.tick() == .finished)
        #expect(clock.isFinished)
        #expect(clock.status.position == 50 && clock.status.total == 50 && clock.status.isFinished)
        #expect(clock.simTime == 1_000 + 49 * 60)
    }

    @Test func realTimeMultipleMapsWallSecondsToSimSeconds() throws {
        let wall = ManualWallClock(500)
        // x60: one wall second is one simulated minute.
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(5)), speed: 60, wallClock: wall)
        #expect(clock.tick().event?.timestamp == 1_000)  // the first event is due at once
        let wait = try #require(clock.tick().waitSeconds)
        #expect(abs(wait - 1) < 1e-9)
        wall.advance(by: 0.5)
        #expect(abs((clock.tick().waitSeconds ?? 0) - 0.5) < 1e-9)
        #expect(abs(clock.simTime - 1_030) < 1e-9)
        wall.advance(by: 0.5)
        #expect(clock.tick().event?.timestamp == 1_060)
        // Falling behind: everything due is released back to back.
        wall.advance(by: 10)
        #expect(clock.tick().event?.timestamp == 1_120)
        #expect(clock.tick().event?.timestamp == 1_180)
        #expect(clock.tick().event?.timestamp == 1_240)
        #expect(clock.tick() == .finished)
    }

    /// A wait for a file's reader (events due, not read yet) is told apart from a wait for
    /// the replay's pace: the engine counts the first as a backlog (training keeps to its
    /// share, the reader gets the cores), the second as idle time.
    @Test func aWaitForTheReaderIsToldApartFromAWaitForThePace() throws {
        let load = StreamingLoad(chunkSize: 2)
        load.deliver(ItemCatalogue())
        for e in minuteEvents(2) { load.append(e) }
        var fast = ReplayClock(source: StreamingReplaySource(name: "t", catalogue: ItemCatalogue(), load: load), speed: 0, wallClock: ManualWallClock())
        #expect(fast.tick().event != nil && !fast.isWaitingForSource)
        #expect(fast.tick().event != nil && !fast.isWaitingForSource)
        #expect(fast.tick().waitSeconds != nil)
        #expect(fast.isWaitingForSource, "the reader is behind")
        load.finish(error: nil)
        #expect(fast.tick() == .finished)
        #expect(!fast.isWaitingForSource)
        // Paced (x60, events a minute apart): the wait is the replay's own.
        var paced = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(3)), speed: 60, wallClock: ManualWallClock())
        #expect(paced.tick().event != nil)
        #expect(paced.tick().waitSeconds != nil)
        #expect(!paced.isWaitingForSource)
    }

    @Test func speedIsClampedAndChangesReanchor() throws {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(4)), speed: 0.5, wallClock: wall)
        #expect(clock.speed == 1)
        clock.setSpeed(1e9)
        #expect(clock.speed == 100_000)
        clock.setSpeed(-3)
        #expect(clock.speed == 0)
        clock.setSpeed(.nan)
        #expect(clock.speed == 0)
        clock.setSpeed(60)
        #expect(clock.tick().event != nil)
        wall.advance(by: 0.5)  // half-way to the next event
        clock.setSpeed(30)  // now one wall second is 30 simulated seconds
        #expect(abs((clock.tick().waitSeconds ?? 0) - 1) < 1e-9)
        wall.advance(by: 1)
        #expect(clock.tick().event?.timestamp == 1_060)
    }

    @Test func pauseFreezesTimeAndResumeDoesNotBurst() throws {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(10)), speed: 60, wallClock: wall)
        _ = clock.tick()
        wall.advance(by: 0.25)
        clock.pause()
        #expect(clock.isPaused)
        let frozen = clock.simTime
        wall.advance(by: 1_000)
        #expect(clock.tick() == .paused)
        #expect(clock.simTime == frozen)
        clock.resume()
        // Still 0.75 s to the next event: the paused time did not pile up.
        #expect(abs((clock.tick().waitSeconds ?? 0) - 0.75) < 1e-9)
        clock.togglePause()
        #expect(clock.isPaused)
        clock.togglePause()
        #expect(!clock.isPaused)
    }

    @Test func stepReleasesExactlyTheAskedEventsWhilePaused() {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(10)), speed: 1, wallClock: wall)
        clock.pause()
        clock.step(events: 3)
        var released: [Double] = []
        while case .event(let e) = clock.tick() { released.append(e.timestamp) }
        #expect(released == [1_000, 1_060, 1_120])
        #expect(clock.tick() == .paused)
        #expect(clock.simTime == 1_120)
        #expect(clock.released == 3)
    }

    @Test func seekForwardFastForwardsThenPlaysFromTheTarget() throws {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(20)), speed: 60, wallClock: wall)
        #expect(clock.seek(to: 1_000 + 10 * 60 - 30) == false)
        var released: [Double] = []
        while case .event(let e) = clock.tick() { released.append(e.timestamp) }
        // Events before the target come out at once; the one after it waits its turn.
        #expect(released.count == 10)
        #expect(abs(clock.simTime - (1_000 + 570)) < 1e-9)
        #expect(clock.tick().event == nil)
        wall.advance(by: 0.5)
        #expect(clock.tick().event?.timestamp == 1_600)
    }

    @Test func seekSkipDropsEventsBeforeTheTarget() {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(20)), speed: 0, wallClock: wall)
        clock.seek(to: 1_000 + 15 * 60, mode: .skip)
        var released: [Double] = []
        while case .event(let e) = clock.tick() { released.append(e.timestamp) }
        #expect(released.first == 1_900)
        #expect(released.count == 5)
    }

    @Test func seekBackwardRestartsThenFastForwards() {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(20)), speed: 0, wallClock: wall)
        for _ in 0..<15 { _ = clock.tick() }
        #expect(clock.released == 15)
        clock.setSpeed(60)
        #expect(clock.seek(to: 1_000 + 5 * 60) == true)
        #expect(clock.tick() == .restarted)
        var released: [Double] = []
        while case .event(let e) = clock.tick() { released.append(e.timestamp) }
        #expect(released == (0...5).map { 1_000 + Double($0) * 60 })
        #expect(clock.released == 6)
        #expect(clock.source.position == 6)
    }

    @Test func pausedSeekStillArrivesAtTheTarget() {
        let wall = ManualWallClock()
        var clock = ReplayClock(source: ArrayEventSource(name: "m", events: minuteEvents(20)), speed: 60, wallClock: wall)
        clock.pause()
        clock.seek(to: 1_000 + 8 * 60 + 1)
        var n = 0
        while case .event = clock.tick() { n += 1 }
        #expect(n == 9)
        #expect(clock.tick() == .paused)
        #expect(clock.simTime == 1_000 + 8 * 60 + 1)
    }

    @Test func simulatedWarmUpIsFastForwarded() throws {
        var s = tinyScenario()
        s.warmupDays = 3
        let source = SimulationSource(scenario: s)
        let warm = try #require(source.warmupEnd)
        #expect(warm == s.start + 3 * 86_400)
        let wall = ManualWallClock()
        var clock = ReplayClock(source: source, speed: 3_600, wallClock: wall)
        var last = 0.0
        var n = 0
        loop: while true {
            switch clock.tick() {
            case .event(let e): last = e.timestamp; n += 1
            default: break loop
            }
        }
        // Everything up to the end of the warm-up without any wall time passing.
        #expect(n > 1_000)
        #expect(last < warm)
        #expect(abs(clock.simTime - warm) < 1e-6)
        let skipped = ReplayClock(source: source, speed: 3_600, wallClock: wall, skipWarmup: false)
        #expect(skipped.simTime == 0)
    }

    @Test func arraySourceSortsStablyByTime() {
        let events = [
            Event(user: "a", item: "1", action: .view, timestamp: 30),
            Event(user: "b", item: "2", action: .view, timestamp: 10),
            Event(user: "c", item: "3", action: .view, timestamp: 30),
            Event(user: "d", item: "4", action: .view, timestamp: 10),
            Event(user: "e", item: "5", action: .view, timestamp: 20),
        ]
        var source = ArrayEventSource(name: "file", events: events)
        #expect(source.events.map(\.user) == ["b", "d", "e", "a", "c"])
        #expect(source.kind == .replay && source.totalCount == 5 && source.name == "file")
        #expect(source.peekTime() == 10)
        _ = source.next()
        _ = source.next()
        #expect(source.position == 2)
        source.restart()
        #expect(source.next()?.user == "b")
        #expect(source.groundTruth == nil && source.warmupEnd == nil)
    }

    @Test func typeErasedSourceForwardsEverything() {
        var any = AnyEventSource(ArrayEventSource(name: "x", events: minuteEvents(3)))
        #expect(any.name == "x" && any.kind == .replay && any.totalCount == 3)
        #expect(any.peekTime() == 1_000)
        #expect(any.next()?.item == "i0")
        #expect(any.position == 1)
        any.restart()
        #expect(any.position == 0)
        var clock = ReplayClock(source: any, speed: 0, wallClock: ManualWallClock())
        #expect(clock.tick().event?.item == "i0")
    }

    @Test func systemWallClockMovesForward() {
        let wall = SystemWallClock()
        let a = wall.now()
        var x = 0.0
        for k in 0..<10_000 { x += Double(k) }
        #expect(x > 0)
        #expect(wall.now() >= a)
    }
}
