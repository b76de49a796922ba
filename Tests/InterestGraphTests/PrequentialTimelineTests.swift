import Testing
@testable import InterestGraph

/// The prequential timeline `eval --workspace` records: cumulative metrics that end at the
/// protocol's final numbers.
@Suite struct PrequentialTimelineTests {
    @Test(arguments: [0, 50, 77])
    func timelineEndsAtTheFinalMetrics(every: Int) {
        let (events, catalogue) = EngineTests.stream(events: 600)
        var model = Recommender(kind: .mostPop, hyperparameters: Hyperparameters())
        let metrics = PrequentialEvaluation.run(model: &model, events: events, catalogue: catalogue, timelineEvery: every)
        guard every > 0 else {
            #expect(metrics.timeline.isEmpty)
            return
        }
        // One point per `every` streamed events, plus the end when it falls between.
        #expect(metrics.timeline.count == (metrics.streamed + every - 1) / every)
        #expect(metrics.timeline.dropLast().allSatisfy { $0.streamed % every == 0 })
        let last = metrics.timeline.last!
        #expect(last.streamed == metrics.streamed)
        #expect(last.scored == metrics.scored)
        #expect(last.hitRate10 == metrics.hitRate10)
        #expect(last.mrr == metrics.mrr)
        #expect(last.events == 600)
        #expect(zip(metrics.timeline, metrics.timeline.dropFirst()).allSatisfy { $0.events < $1.events && $0.scored <= $1.scored })
        // The same run without a timeline scores the same.
        var again = Recommender(kind: .mostPop, hyperparameters: Hyperparameters())
        let plain = PrequentialEvaluation.run(model: &again, events: events, catalogue: catalogue)
        #expect(plain.hitRate10 == metrics.hitRate10 && plain.mrr == metrics.mrr)
    }
}
