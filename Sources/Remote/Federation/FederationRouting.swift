public import InterestGraph

/// Where a command goes when one dashboard drives several engines (`driftscope attach A,B`).
///
/// A user lives in exactly one partition, FNV-1a 64 of the id mod the stream's partition count
/// (the rule `publish` places events by), and a partition in exactly one engine: commands about
/// a user go to that engine. Commands that change how every engine runs go to all of them.
public enum FederationRouting {
    /// Where a user's commands go.
    public enum UserRoute: Sendable, Hashable {
        /// The engine (index in the `attach` list) that reads the user's partition.
        case engine(Int, partition: Int)
        /// The engine that reads the user's partition is down.
        case down(Int, partition: Int)
        /// No attached engine reads the user's partition.
        case unowned(partition: Int)
        /// No engine reads a partitioned stream (or none has said so yet): ask them all, the
        /// one that knows the user answers.
        case everyone
    }

    /// The user's partition, as `publish` and `serve --own` compute it.
    public static func partition(ofUser user: String, partitions count: Int) -> Int {
        UserPartition.index(ofUser: user, partitions: count)
    }

    /// - Parameters:
    ///   - partitions: the partitions each engine reads, in `attach` order (as last known).
    ///   - connected: whether each engine is reachable now.
    ///   - count: the stream's partition count (0: unknown).
    public static func route(user: String, partitions: [[Int]], connected: [Bool], count: Int) -> UserRoute {
        guard count > 0, partitions.contains(where: { !$0.isEmpty }) else { return .everyone }
        let p = partition(ofUser: user, partitions: count)
        // A live owner first: two engines may (wrongly) read the same partition.
        let owners = partitions.indices.filter { partitions[$0].contains(p) }
        if let live = owners.first(where: { connected[$0] }) { return .engine(live, partition: p) }
        if let dead = owners.first { return .down(dead, partition: p) }
        return .unowned(partition: p)
    }

    /// Which engines a command that is not about one user goes to.
    public enum Scope: Sendable, Hashable {
        /// Every engine (pause, speed, tuning, reset, seek, item audiences, id completion...).
        case all
        /// The engine whose graph the dashboard is browsing (node numbers are per engine).
        case answering
        /// The engine that owns this user.
        case user(String)
    }

    public static func scope(of command: EngineCommand) -> Scope {
        switch command {
        case .selectUser(let user), .forgetUser(let user), .inject(let user, _, _): .user(user)
        case .browse: .answering
        case .pause, .resume, .togglePause, .step, .setSpeed, .setHyperparameter, .resetModel, .selectItem,
             .complete, .listDormant, .seek, .shutdown: .all
        }
    }
}
