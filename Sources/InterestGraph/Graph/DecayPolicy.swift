import Foundation

/// Exponential time decay with a half-life, applied lazily on read.
///
/// A value `v` stored at time `t0` is worth `v * 2^(-(t - t0) / halfLife)` at time `t`.
/// Elapsed time is clamped at zero, so an out-of-order read never inflates a value.
public struct DecayPolicy: Sendable, Hashable, Codable {
    /// Half-life in seconds; `.infinity` disables decay.
    public var halfLife: Double

    public init(halfLife: Double) {
        self.halfLife = halfLife > 0 ? halfLife : .infinity
    }

    /// Thirty days: a shop's interests move in weeks, not hours.
    public static let `default` = DecayPolicy(halfLife: 30 * 86_400)
    public static let none = DecayPolicy(halfLife: .infinity)

    /// The multiplier for a value `elapsed` seconds old.
    /// - Complexity: O(1); one `exp2`.
    @inline(__always)
    public func factor(elapsed: Double) -> Double {
        guard elapsed > 0, halfLife.isFinite else { return 1 }
        return exp2(-elapsed / halfLife)
    }
}

/// How much each action adds to a user-item edge.
///
/// Ratings scale with their value (`rating` weight per star), everything else adds its weight.
public struct ActionWeights: Sendable, Hashable, Codable {
    /// Indexed by `Action.rawValue`.
    public var weights: [Float]

    public init(view: Float = 1, click: Float = 2, cart: Float = 4, purchase: Float = 8, review: Float = 6, ratingPerStar: Float = 1) {
        weights = [view, click, cart, purchase, review, ratingPerStar]
    }

    public static let `default` = ActionWeights()

    public subscript(action: Action) -> Float {
        get { weights[Int(action.rawValue)] }
        set { weights[Int(action.rawValue)] = newValue }
    }

    /// The weight one event adds. A rating without a value counts as three stars.
    @inline(__always)
    public func weight(for action: Action, value: Double?) -> Float {
        let base = weights[Int(action.rawValue)]
        if action == .rating {
            let stars = Float(value ?? 3)
            return base * max(stars, 0.5)
        }
        return base
    }
}
