import Foundation

/// The live-tunable hyperparameters, described as data: one table drives the snapshot's
/// ``Tunable`` list, the `setHyperparameter` command, and the change log.
struct TunableSpec: Sendable {
    var key: String
    var label: String
    var minimum: Double
    var maximum: Double
    var step: Double
    var isMultiplicative: Bool
    var format: String
    var needsReset = false
    var read: @Sendable (Hyperparameters) -> Double
    var write: @Sendable (inout Hyperparameters, Double) -> Void
}

extension TunableSpec {
    static let day = 86_400.0

    /// Every value the dashboard can change while the engine runs.
    static let all: [TunableSpec] = [
        TunableSpec(key: "learning_rate", label: "learning rate", minimum: 1e-5, maximum: 1, step: 1.5, isMultiplicative: true, format: "%.5f",
                    read: { Double($0.learningRate) }, write: { $0.learningRate = Float($1) }),
        TunableSpec(key: "l2", label: "L2 regularisation", minimum: 0, maximum: 0.1, step: 2, isMultiplicative: true, format: "%.1e",
                    read: { Double($0.l2) }, write: { $0.l2 = Float($1) }),
        TunableSpec(key: "negatives", label: "negatives per positive", minimum: 1, maximum: 64, step: 1, isMultiplicative: false, format: "%.0f",
                    read: { Double($0.negatives) }, write: { $0.negatives = Int($1.rounded()) }),
        TunableSpec(key: "layers", label: "propagation layers", minimum: 0, maximum: 4, step: 1, isMultiplicative: false, format: "%.0f",
                    read: { Double($0.layers) }, write: { $0.layers = Int($1.rounded()) }),
        TunableSpec(key: "half_life_days", label: "decay half-life (days)", minimum: 0.25, maximum: 365, step: 1.5, isMultiplicative: true, format: "%.2f",
                    read: { $0.halfLife / day }, write: { $0.halfLife = $1 * day }),
        TunableSpec(key: "online_steps", label: "online steps per event", minimum: 0, maximum: 16, step: 1, isMultiplicative: false, format: "%.0f",
                    read: { Double($0.onlineSteps) }, write: { $0.onlineSteps = Int($1.rounded()) }),
        TunableSpec(key: "online_learning_rate", label: "online learning rate", minimum: 0, maximum: 1, step: 1.5, isMultiplicative: true, format: "%.4f",
                    read: { Double($0.onlineLearningRate) }, write: { $0.onlineLearningRate = Float($1) }),
        TunableSpec(key: "batch_size", label: "batch size", minimum: 64, maximum: 65_536, step: 2, isMultiplicative: true, format: "%.0f",
                    read: { Double($0.batchSize) }, write: { $0.batchSize = Int($1.rounded()) }),
        TunableSpec(key: "weight.view", label: "weight: view", minimum: 0, maximum: 32, step: 0.5, isMultiplicative: false, format: "%.1f",
                    read: { Double($0.actionWeights[.view]) }, write: { $0.actionWeights[.view] = Float($1) }),
        TunableSpec(key: "weight.click", label: "weight: click", minimum: 0, maximum: 32, step: 0.5, isMultiplicative: false, format: "%.1f",
                    read: { Double($0.actionWeights[.click]) }, write: { $0.actionWeights[.click] = Float($1) }),
        TunableSpec(key: "weight.cart", label: "weight: cart", minimum: 0, maximum: 32, step: 0.5, isMultiplicative: false, format: "%.1f",
                    read: { Double($0.actionWeights[.cart]) }, write: { $0.actionWeights[.cart] = Float($1) }),
        TunableSpec(key: "weight.purchase", label: "weight: purchase", minimum: 0, maximum: 64, step: 1, isMultiplicative: false, format: "%.1f",
                    read: { Double($0.actionWeights[.purchase]) }, write: { $0.actionWeights[.purchase] = Float($1) }),
        TunableSpec(key: "weight.rating", label: "weight: rating (per star)", minimum: 0, maximum: 16, step: 0.25, isMultiplicative: false, format: "%.2f",
                    read: { Double($0.actionWeights[.rating]) }, write: { $0.actionWeights[.rating] = Float($1) }),
        TunableSpec(key: "dimension", label: "embedding size (reset)", minimum: 8, maximum: 256, step: 2, isMultiplicative: true, format: "%.0f", needsReset: true,
                    read: { Double($0.dimension) }, write: { $0.dimension = Int($1.rounded()) }),
    ]

    static func named(_ key: String) -> TunableSpec? { all.first { $0.key == key } }

    func tunable(_ h: Hyperparameters) -> Tunable {
        Tunable(key: key, label: label, value: read(h), minimum: minimum, maximum: maximum, step: step, isMultiplicative: isMultiplicative, format: format, needsReset: needsReset)
    }
}

extension EngineCore {
    var tunables: [Tunable] {
        let h = model.hyperparameters
        return TunableSpec.all.map { $0.tunable(h) } + changeTunables
    }

    /// Sets one tunable (clamped to its range), applies it at the next batch or event, and logs it.
    mutating func setTunable(_ key: String, to requested: Double) {
        guard let spec = TunableSpec.named(key) else {
            message = "unknown hyperparameter '\(key)'; known: \(TunableSpec.all.map(\.key).joined(separator: ", "))"
            return
        }
        guard requested.isFinite else {
            message = "\(spec.label): \(requested) is not a number"
            return
        }
        var h = model.hyperparameters
        let old = spec.read(h)
        spec.write(&h, min(max(requested, spec.minimum), spec.maximum))
        let new = spec.read(h)
        guard new != old else { return }
        model.update(hyperparameters: h, graph: graph)
        // The graph owns decay and action weights for edges; keep it in step with the model.
        graph.decay = DecayPolicy(halfLife: model.hyperparameters.sanitised.halfLife)
        graph.actionWeights = model.hyperparameters.actionWeights
        let note = spec.needsReset ? "takes effect after a model reset (R)" : "applied from the next batch"
        log(ChangeRecord(step: trainingStep, time: Date().timeIntervalSince1970, key: key, oldValue: old, newValue: new, origin: .user, note: note))
        message = "\(spec.label): \(String(format: spec.format, old)) → \(String(format: spec.format, new))"
    }
}
