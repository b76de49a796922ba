import Foundation

/// A hyperparameter edit that could not be applied.
public struct HyperparameterError: Error, CustomStringConvertible, Sendable, Hashable {
    public var key: String
    public var value: String
    public var expected: String

    public var description: String {
        "cannot set \(key) to \"\(value)\": expected \(expected)"
    }
}

extension Hyperparameters {
    /// Every key ``set(_:to:)`` accepts, in display order.
    public static let keys: [String] = [
        "dimension", "layers", "learningRate", "l2", "negatives", "batchSize", "optimizer",
        "negativeSampling", "threads", "seed", "epochs", "initialScale", "halfLife",
        "edgeWeighting", "sideWeight", "entityMinItems", "replayHalfLife", "replayCapacity",
        "onlineSteps", "onlineLearningRate", "sessionDecay", "sessionWeight", "popularityWeight",
        "covisitWeight", "covisitWindow", "neighbours", "divergenceFactor",
        "weight.view", "weight.click", "weight.cart", "weight.purchase", "weight.review", "weight.rating",
    ]

    /// Sets one hyperparameter from text, as typed in the dashboard, a config file or
    /// `--set key=value`. Half-lives are in seconds, or with a suffix `s`, `m`, `h`, `d`
    /// (`7d`); `inf` disables decay. Keys are case-insensitive.
    public mutating func set(_ key: String, to value: String) throws {
        let v = value.trimmingCharacters(in: .whitespaces)
        func int() throws -> Int {
            guard let x = Int(v) else { throw HyperparameterError(key: key, value: value, expected: "an integer") }
            return x
        }
        func float() throws -> Float {
            guard let x = Float(v), x.isFinite else { throw HyperparameterError(key: key, value: value, expected: "a finite number") }
            return x
        }
        func duration() throws -> Double {
            let lower = v.lowercased()
            if lower == "inf" || lower == "infinity" || lower == "none" { return .infinity }
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
            if let last = lower.last, let unit = units[last], let x = Double(lower.dropLast()), x > 0 { return x * unit }
            guard let x = Double(lower), x > 0 else {
                throw HyperparameterError(key: key, value: value, expected: "a positive duration such as 3600, 12h, 7d or inf")
            }
            return x
        }
        func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
            guard let x = T.allCases.first(where: { $0.rawValue.lowercased() == v.lowercased() }) else {
                throw HyperparameterError(key: key, value: value, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return x
        }
        switch key.lowercased() {
        case "dimension": dimension = try int()
        case "layers": layers = try int()
        case "learningrate", "lr": learningRate = try float()
        case "l2": l2 = try float()
        case "negatives": negatives = try int()
        case "batchsize": batchSize = try int()
        case "optimizer": optimizer = try choice(Optimizer.self)
        case "negativesampling": negativeSampling = try choice(NegativeSampling.self)
        case "threads": threads = try int()
        case "seed":
            guard let x = UInt64(v) else { throw HyperparameterError(key: key, value: value, expected: "a non-negative integer") }
            seed = x
        case "epochs": epochs = try int()
        case "initialscale": initialScale = try float()
        case "halflife": halfLife = try duration()
        case "edgeweighting": edgeWeighting = try choice(EdgeWeighting.self)
        case "sideweight": sideWeight = try float()
        case "entityminitems": entityMinItems = try int()
        case "replayhalflife": replayHalfLife = try duration()
        case "replaycapacity": replayCapacity = try int()
        case "onlinesteps": onlineSteps = try int()
        case "onlinelearningrate": onlineLearningRate = try float()
        case "sessiondecay": sessionDecay = try float()
        case "sessionweight": sessionWeight = try float()
        case "popularityweight": popularityWeight = try float()
        case "covisitweight": covisitWeight = try float()
        case "covisitwindow": covisitWindow = try int()
        case "neighbours", "neighbors": neighbours = try int()
        case "divergencefactor": divergenceFactor = try float()
        case let k where k.hasPrefix("weight."):
            guard let action = Action(parsing: k.dropFirst("weight.".count)) else {
                throw HyperparameterError(key: key, value: value, expected: "weight.ACTION with ACTION one of " + Action.allCases.map(\.name).joined(separator: ", "))
            }
            actionWeights[action] = try float()
        default:
            throw HyperparameterError(key: key, value: value, expected: "a key among " + Self.keys.joined(separator: ", "))
        }
    }

    /// The current value of every key, as text ``set(_:to:)`` accepts.
    public var settings: [(key: String, value: String)] {
        func d(_ x: Double) -> String { x.isFinite ? String(x) : "inf" }
        return [
            ("dimension", "\(dimension)"), ("layers", "\(layers)"), ("learningRate", "\(learningRate)"),
            ("l2", "\(l2)"), ("negatives", "\(negatives)"), ("batchSize", "\(batchSize)"),
            ("optimizer", optimizer.rawValue), ("negativeSampling", negativeSampling.rawValue),
            ("threads", "\(threads)"), ("seed", "\(seed)"), ("epochs", "\(epochs)"),
            ("initialScale", "\(initialScale)"), ("halfLife", d(halfLife)), ("edgeWeighting", edgeWeighting.rawValue),
            ("sideWeight", "\(sideWeight)"), ("entityMinItems", "\(entityMinItems)"),
            ("replayHalfLife", d(replayHalfLife)), ("replayCapacity", "\(replayCapacity)"),
            ("onlineSteps", "\(onlineSteps)"), ("onlineLearningRate", "\(onlineLearningRate)"),
            ("sessionDecay", "\(sessionDecay)"), ("sessionWeight", "\(sessionWeight)"),
            ("popularityWeight", "\(popularityWeight)"), ("covisitWeight", "\(covisitWeight)"),
            ("covisitWindow", "\(covisitWindow)"), ("neighbours", "\(neighbours)"),
            ("divergenceFactor", "\(divergenceFactor)"),
        ] + Action.allCases.map { ("weight.\($0.name)", "\(actionWeights[$0])") }
    }
}
