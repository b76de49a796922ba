import ArgumentParser
import Foundation
import InterestGraph

/// `driftscope bench serve`: serving latency at the shop's size (issue 10, item 4).
///
/// Fits a model cheaply (scores do not depend on its quality), then times, per call, the
/// top-20 of sampled users over every item (cold items included), the top-100 audience of
/// sampled items over every user, and the 20 most similar items. The first query of each
/// kind after a model change builds the serving caches; that build is reported on its own.
/// `--reference` also times the straightforward paths and counts results that differ.
struct BenchServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Time top-20 per user, audience top-100 and similar items over the whole shop (p50/p99).")

    @Option(help: "Training epochs before timing (scores do not depend on quality).")
    var epochs: Int = 1

    @Option(help: "Fit on the first N events only (0: all); later items stay cold, as in a shop's new arrivals.")
    var events: Int = 0

    @Option(help: "Instead of a full epoch, initialise and train only this many batches (0: fit). For the largest shops, where an epoch takes many minutes.")
    var batches: Int = 0

    @Option(help: "Users sampled for top-20.")
    var users: Int = 500

    @Option(help: "Items sampled for audiences and similar items.")
    var items: Int = 50

    @Flag(help: "Also time the reference (per-request cold vectors, row-major scans) and compare results.")
    var reference = false

    @OptionGroup var options: BenchLearningOptions

    func run() throws {
        let dataset = try options.load()
        let events = self.events > 0 ? Array(dataset.events.prefix(self.events)) : dataset.events
        let graph = TemporalEvaluation.trainingGraph(train: events, catalogue: dataset.catalogue)
        // Items listed in the catalogue but never named by an event are in the graph too
        // (graph.load), so they are the cold items.
        var h = try options.hyperparameters()
        h.epochs = max(1, epochs)
        var model = Recommender(kind: options.kind, hyperparameters: h)
        let fitSeconds = BenchClock.seconds {
            if batches > 0 {
                model.reinitialise(graph: graph)
                for _ in 0..<batches { model.trainBatch(graph: graph) }
                model.refreshServingScreen()  // as an engine does before it serves
                model.refreshFinals()
            } else {
                model.fit(graph: graph)
            }
        }
        let stats = graph.statistics
        let liveUsers = (0..<graph.userCapacity).filter { graph.isLive(user: Int32($0)) }.map(Int32.init)
        let liveItems = (0..<graph.itemCapacity).filter { graph.isLive(item: Int32($0)) }.map(Int32.init)
        var rng = SeededGenerator(seed: 7)
        let sampledUsers = (0..<max(1, users)).map { _ in liveUsers[Int(rng.next() % UInt64(liveUsers.count))] }
        let sampledItems = (0..<max(1, items)).map { _ in liveItems[Int(rng.next() % UInt64(liveItems.count))] }

        // First queries on the fitted model: the cold-item table is built by the first
        // top-k; user query blocks and item norms by the second audience / similar-items
        // query (the first one scans the model's tables, as a live engine's would).
        var coldCount = 0
        let buildItems = BenchClock.seconds {
            _ = Serving.topItems(user: sampledUsers[0], k: 20, graph: graph, model: model)
            coldCount = model.embedding?.coldItemCount(graph: graph) ?? 0
        }
        let firstAudience = BenchClock.seconds { _ = Serving.audience(item: sampledItems[0], k: 100, graph: graph, model: model) }
        let buildUsers = BenchClock.seconds { _ = Serving.audience(item: sampledItems[0], k: 100, graph: graph, model: model) }
        let firstSimilar = BenchClock.seconds { _ = Serving.similarItems(to: sampledItems[0], k: 20, graph: graph, model: model) }
        let buildNorms = BenchClock.seconds { _ = Serving.similarItems(to: sampledItems[0], k: 20, graph: graph, model: model) }

        func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
            let s = samples.sorted()
            let at = { (q: Double) in s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))] * 1000 }
            return (at(0.5), at(0.99))
        }
        /// Wall and thread-CPU percentiles per call (CPU time is the fair figure on a shared
        /// machine: a 1 ms call preempted once shows 10 ms of wall time).
        func time<T>(_ inputs: [Int32], _ body: (Int32) -> T) -> (p50: Double, p99: Double, cpu50: Double, cpu99: Double, results: [T]) {
            var samples: [Double] = []
            var cpu: [Double] = []
            var results: [T] = []
            for x in inputs {
                var r: T?
                var wall = 0.0
                cpu.append(Stopwatch.cpuSeconds { wall = BenchClock.seconds { r = body(x) } })
                samples.append(wall)
                results.append(r!)
            }
            let p = percentiles(samples)
            let c = percentiles(cpu)
            return (p.p50, p.p99, c.p50, c.p99, results)
        }
        let top = time(sampledUsers) { Serving.topItems(user: $0, k: 20, graph: graph, model: model) }
        // The same lists scored directly (no bfloat16 screening): what screening saves, and a
        // check that it changes nothing (same items, scores and order).
        let direct = time(sampledUsers) { Serving.topItems(user: $0, k: 20, graph: graph, model: model, screening: false) }
        let screeningMismatches = zip(top.results, direct.results).filter { $0 != $1 }.count
        let explained = time(Array(sampledUsers.prefix(100))) { Serving.recommend(user: $0, k: 20, graph: graph, model: model).count }
        let audience = time(sampledItems) { Serving.audience(item: $0, k: 100, graph: graph, model: model) }
        let similar = time(sampledItems) { Serving.similarItems(to: $0, k: 20, graph: graph, model: model) }
        let similarDirect = time(sampledItems) { Serving.similarItems(to: $0, k: 20, graph: graph, model: model, screening: false) }
        let similarMismatches = zip(similar.results, similarDirect.results).filter { $0 != $1 }.count

        var values: [String: Any] = [
            "model": options.kind.rawValue, "users": stats.users, "items": stats.items, "cold_items": coldCount,
            "events": events.count, "fit_seconds": fitSeconds,
            "top20_p50_ms": top.p50, "top20_p99_ms": top.p99,
            "recommend_explained_p50_ms": explained.p50, "recommend_explained_p99_ms": explained.p99,
            "audience100_p50_ms": audience.p50, "audience100_p99_ms": audience.p99,
            "similar20_p50_ms": similar.p50, "similar20_p99_ms": similar.p99,
            "cache_build_items_ms": buildItems * 1000, "cache_build_users_ms": buildUsers * 1000,
            "cache_build_norms_ms": buildNorms * 1000,
            "first_audience_ms": firstAudience * 1000, "first_similar_ms": firstSimilar * 1000,
            "top20_cpu_p50_ms": top.cpu50, "top20_cpu_p99_ms": top.cpu99,
            "top20_direct_p50_ms": direct.p50, "top20_direct_p99_ms": direct.p99,
            "top20_direct_cpu_p50_ms": direct.cpu50, "top20_direct_cpu_p99_ms": direct.cpu99,
            "similar20_direct_cpu_p50_ms": similarDirect.cpu50, "similar20_direct_cpu_p99_ms": similarDirect.cpu99,
            "screening_mismatches": screeningMismatches + similarMismatches,
            "audience100_cpu_p50_ms": audience.cpu50, "audience100_cpu_p99_ms": audience.cpu99,
            "similar20_cpu_p50_ms": similar.cpu50, "similar20_cpu_p99_ms": similar.cpu99,
        ]
        if let bytes = model.embedding?.servingCacheBytes {
            values["cache_bytes_per_user"] = bytes.perUser
            values["cache_bytes_per_item"] = bytes.perItem
            values["cache_bytes_per_cold_item"] = bytes.perColdItem
        }
        var text = String(
            format: "%@, %d users, %d items (%d cold), fit %.1f s on %d events\n"
                + "                        wall p50    wall p99    CPU p50     CPU p99\n"
                + "top-20 per user        %8.3f ms %8.3f ms %8.3f ms %8.3f ms  (%d users)\n"
                + "  scored directly      %8.3f ms %8.3f ms %8.3f ms %8.3f ms  (%d lists differ)\n"
                + "  with explanations    %8.3f ms %8.3f ms %8.3f ms %8.3f ms\n"
                + "audience top-100       %8.3f ms %8.3f ms %8.3f ms %8.3f ms  (%d items)\n"
                + "similar items top-20   %8.3f ms %8.3f ms %8.3f ms %8.3f ms\n"
                + "  scored directly      %8.3f ms %8.3f ms %8.3f ms %8.3f ms  (%d lists differ)\n"
                + "after a model change: cold-item table %.1f ms (first top-k); first audience %.1f ms, "
                + "user query blocks %.1f ms (second); first similar %.1f ms, item norms %.1f ms (second)",
            options.kind.rawValue, stats.users, stats.items, coldCount, fitSeconds, events.count,
            top.p50, top.p99, top.cpu50, top.cpu99, sampledUsers.count,
            direct.p50, direct.p99, direct.cpu50, direct.cpu99, screeningMismatches,
            explained.p50, explained.p99, explained.cpu50, explained.cpu99,
            audience.p50, audience.p99, audience.cpu50, audience.cpu99, sampledItems.count,
            similar.p50, similar.p99, similar.cpu50, similar.cpu99,
            similarDirect.p50, similarDirect.p99, similarDirect.cpu50, similarDirect.cpu99, similarMismatches,
            buildItems * 1000, firstAudience * 1000, buildUsers * 1000, firstSimilar * 1000, buildNorms * 1000)
        if reference {
            let n = min(sampledUsers.count, 50)
            let m = min(sampledItems.count, 10)
            let rTop = time(Array(sampledUsers.prefix(n))) { Serving.referenceRecommend(user: $0, k: 20, graph: graph, model: model) }
            let rAudience = time(Array(sampledItems.prefix(m))) { Serving.referenceAudience(item: $0, k: 100, graph: graph, model: model) }
            let rSimilar = time(Array(sampledItems.prefix(m))) { Serving.referenceSimilarItems(to: $0, k: 20, graph: graph, model: model) }
            // Same ids in the same order, or a swap of two near-equal scores (float rounding).
            func differs(_ a: [Int32], _ b: [Int32]) -> Bool { Set(a) != Set(b) }
            let topDiff = zip(rTop.results, top.results).filter { differs($0.map(\.item), $1.map(\.item)) }.count
            let audienceDiff = zip(rAudience.results, audience.results).filter { differs($0.map(\.user), $1.map(\.user)) }.count
            let similarDiff = zip(rSimilar.results, similar.results).filter { differs($0.map(\.item), $1.map(\.item)) }.count
            values["reference_top20_p50_ms"] = rTop.p50
            values["reference_top20_p99_ms"] = rTop.p99
            values["reference_audience100_p50_ms"] = rAudience.p50
            values["reference_audience100_p99_ms"] = rAudience.p99
            values["reference_similar20_p50_ms"] = rSimilar.p50
            values["reference_similar20_p99_ms"] = rSimilar.p99
            values["reference_mismatches"] = topDiff + audienceDiff + similarDiff
            text += String(
                format: "\nreference top-20       %8.3f ms %8.3f ms  (%d users)\n"
                    + "reference audience     %8.3f ms %8.3f ms  (%d items)\n"
                    + "reference similar      %8.3f ms %8.3f ms\n"
                    + "result sets differing from the reference: top-20 %d, audience %d, similar %d",
                rTop.p50, rTop.p99, n, rAudience.p50, rAudience.p99, m, rSimilar.p50, rSimilar.p99, topDiff, audienceDiff, similarDiff)
        }
        try options.emit(values, text: text)
    }
}
