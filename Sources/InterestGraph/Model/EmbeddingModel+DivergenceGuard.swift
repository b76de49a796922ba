extension EmbeddingModel {
    /// Healthy batches between snapshots of the parameters.
    static let snapshotInterval = 20
    /// Healthy batches before an exploding loss can be judged against the recent mean.
    static let warmupBatches = 5

    /// Copies the ego tables and optimiser state as the last known good parameters.
    mutating func takeSnapshot() {
        snapshot = ParameterSnapshot(
            tables: [egoUsers, egoItems, egoCategories, egoBrands, egoEntities],
            moments: moments, adamStep: adamStep)
    }

    /// Folds a healthy loss into the running mean and snapshots every few batches.
    mutating func recordHealthy(loss: Float, snapshots: Bool = true) {
        healthyBatches += 1
        if let recent = recentLoss {
            recentLoss = 0.9 * recent + 0.1 * loss
        } else {
            recentLoss = loss
        }
        // Sampled training keeps no whole-table snapshot: copying every table is O(shop).
        if snapshots, healthyBatches % Self.snapshotInterval == 0 { takeSnapshot() }
    }

    /// Returns a report (after rolling back) when `loss` shows divergence, else nil.
    /// Non-finite parameters are caught by the optimiser step itself.
    mutating func checkDivergence(loss: Float) -> DivergenceReport? {
        guard let reason = divergenceReason(loss: loss) else { return nil }
        return rollBack(reason: reason, loss: loss)
    }

    /// The BPR loss of a model that ranks at random, `ln 2`.
    static let randomModelLoss: Float = 0.6931472

    /// Why `loss` counts as divergence, or nil when it does not.
    ///
    /// A loss must exceed `divergenceFactor` times the recent healthy loss *and* `floor`: a
    /// model still better than chance is not diverging. Without the floor a well-fitted model
    /// (a small graph trained for hundreds of epochs while a live stream trickles in, recent
    /// loss 0.01) saw every batch with new events (0.24) as an explosion and halved its
    /// learning rate 258 times, to zero (found by the serve + Redis end-to-end test).
    func divergenceReason(loss: Float, floor: Float = randomModelLoss) -> DivergenceReport.Reason? {
        if !loss.isFinite { return .nonFiniteLoss }
        if healthyBatches >= Self.warmupBatches, let recent = recentLoss, recent > 0, loss > h.divergenceFactor * recent, loss > floor {
            return .explodingLoss
        }
        return nil
    }

    /// A sampled batch's loss must also pass this to count as exploding: twice the loss of a
    /// random model (`2 ln 2` for BPR). Small sampled batches are noisy, and once a model
    /// fits well (recent loss 0.04) one batch of hard negatives at 0.2 is not divergence;
    /// halving the learning rate for it, as the whole-graph rule would, starved training.
    static let sampledExplodingFloor: Float = 2 * randomModelLoss

    /// Halves the learning rate and logs the report, restoring nothing (the sampled path,
    /// which checks before any parameter moves and keeps no whole-table snapshot).
    mutating func halveLearningRate(reason: DivergenceReport.Reason, loss: Float) -> DivergenceReport {
        let previous = h.learningRate
        var adjusted = hyperparameters
        adjusted.learningRate = max(previous * 0.5, 1e-7)
        hyperparameters = adjusted
        h.learningRate = adjusted.learningRate
        let report = DivergenceReport(batch: batches, reason: reason, loss: loss, previousLearningRate: previous, newLearningRate: h.learningRate)
        divergences.append(report)
        return report
    }

    /// Restores the last good parameters, halves the learning rate, refreshes the finals.
    @discardableResult
    mutating func rollBack(reason: DivergenceReport.Reason, loss: Float) -> DivergenceReport {
        let previous = h.learningRate
        if let snapshot {
            let dimensionMatches = snapshot.tables[0].dimension == egoUsers.dimension
            if dimensionMatches {
                // Keep rows that were added after the snapshot (new nodes), restore the rest.
                func restore(_ table: inout EmbeddingTable, _ saved: EmbeddingTable) {
                    let n = min(table.storage.count, saved.storage.count)
                    table.storage.replaceSubrange(0..<n, with: saved.storage[0..<n])
                    // Rows added since may hold NaN too: zero them if so.
                    if table.storage.count > n, !table.storage[n...].allSatisfy(\.isFinite) {
                        for k in n..<table.storage.count { table.storage[k] = 0 }
                    }
                }
                restore(&egoUsers, snapshot.tables[0])
                restore(&egoItems, snapshot.tables[1])
                restore(&egoCategories, snapshot.tables[2])
                restore(&egoBrands, snapshot.tables[3])
                restore(&egoEntities, snapshot.tables[4])
                moments = snapshot.moments
                for k in moments.indices { moments[k].ensure(table(NodeKind(rawValue: UInt8(k))!).storage.count) }
                adamStep = snapshot.adamStep
            }
        }
        var adjusted = hyperparameters
        adjusted.learningRate = max(previous * 0.5, 1e-7)
        hyperparameters = adjusted
        h.learningRate = adjusted.learningRate
        // Finals and sessions must not keep poisoned values either.
        refreshFinals()
        if !sessions.isFinite { sessions.zeroAll() }
        let report = DivergenceReport(batch: batches, reason: reason, loss: loss, previousLearningRate: previous, newLearningRate: h.learningRate)
        divergences.append(report)
        return report
    }
}
