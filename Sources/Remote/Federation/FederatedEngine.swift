// One dashboard over several engines that share a partitioned stream (`driftscope attach
// A,B,C,D`): routes each command to the engine it concerns and merges their snapshots.
public import InterestGraph
import Synchronization

/// Several engines presented to the dashboard as one ``EngineConnection``.
///
/// Each engine owns some partitions of the stream (`serve --own`); its snapshot says which
/// (``StreamStatus/partitions``) and how many the stream has. A command about a user goes to
/// the engine that reads the user's partition (``FederationRouting``); the others go to every
/// engine. ``snapshot()`` merges the connected engines' latest snapshots
/// (``FederationMerge``) and counts changes itself, so `sequence`, `rateSamples` and
/// `messageCount` only ever move forward even when an engine restarts. An engine that is down
/// is left out of the merge and named in ``attachment`` (``FederationStatus``); its own client
/// (``RemoteEngine``) reconnects, and the federation takes it back when it does.
public final class FederatedEngine: EngineConnection {
    public struct Member: Sendable {
        public var name: String
        public var endpoint: String
        public var connection: any EngineConnection

        public init(name: String, endpoint: String, connection: any EngineConnection) {
            self.name = name
            self.endpoint = endpoint
            self.connection = connection
        }
    }

    public let members: [Member]
    private let state: Mutex<State>

    /// Names the engines A, B, C, ... in the order given.
    public convenience init(_ connections: [(endpoint: String, connection: any EngineConnection)]) {
        self.init(members: connections.enumerated().map {
            Member(name: FederationMerge.name(ofEngine: $0.offset), endpoint: $0.element.endpoint, connection: $0.element.connection)
        })
    }

    public init(members: [Member]) {
        self.members = members
        state = Mutex(State(count: members.count))
    }

    /// Engines in this process that split a replay's users (``Engine/splitting(dataset:engines:configuration:)``):
    /// engine `k` holds partition `k` of as many as there are engines, known from the start
    /// (a replay's snapshot names no stream partitions), so a user's commands go to the
    /// engine holding the user from the first key on.
    package convenience init(splitting engines: [Engine]) {
        self.init(engines.enumerated().map { (endpoint: "thread \($0.offset + 1)", connection: $0.element as any EngineConnection) })
        state.withLock { s in
            for k in engines.indices { s.partitions[k] = [k] }
            s.partitionCount = engines.count
        }
    }

    static func isConnected(_ connection: any EngineConnection) -> Bool {
        connection.attachment?.role != .disconnected
    }

    // MARK: EngineConnection

    public func snapshot() -> EngineSnapshot {
        let inputs = members.map { FederationMerge.Input(snapshot: $0.connection.snapshot(), isConnected: Self.isConnected($0.connection)) }
        let (context, counters, reselect) = state.withLock { s in
            s.observe(inputs)
            return (s.context, s.counters, s.reselect)
        }
        // An engine that came back (a restarted `serve --resume`) has forgotten what the
        // dashboard had selected on it: ask again, once this dashboard is the one in control
        // there (the session message can follow the welcome).
        if let (i, user) = reselect, inputs[i].isConnected, members[i].connection.attachment?.role ?? .controller == .controller {
            members[i].connection.send(.selectUser(user))
            state.withLock { if $0.reselect?.engine == i { $0.reselect = nil } }
        }
        var merged = FederationMerge.merge(inputs, context)
        merged.sequence = counters.sequence
        merged.rateSamples = counters.rateSamples
        merged.message = counters.message
        merged.messageCount = counters.messageCount
        return merged
    }

    public func send(_ command: EngineCommand) {
        let connected = members.map { Self.isConnected($0.connection) }
        var targets: [Int] = []
        var sent = command
        switch FederationRouting.scope(of: command) {
        case .all:
            targets = connected.indices.filter { connected[$0] }
            if case .togglePause = command {
                // Engines can disagree (one was restarted): toggle the whole, so they agree again.
                let paused = targets.allSatisfy { members[$0].connection.snapshot().isPaused }
                sent = paused ? .resume : .pause
            }
            state.withLock { $0.broadcasting(command) }
        case .answering:
            let answering = state.withLock { $0.answering }
            if let a = answering, connected[a] {
                targets = [a]
            } else if let first = connected.firstIndex(of: true) {
                targets = [first]
            }
        case .user(let user):
            targets = state.withLock { $0.route(command, user: user, connected: connected) }
        }
        for i in targets { members[i].connection.send(sent) }
    }

    /// Takes control of every engine at once.
    public func requestControl() {
        for m in members { m.connection.requestControl() }
    }

    /// In control when this dashboard controls every connected engine; watching when it
    /// watches any; disconnected when no engine is reachable. The federation says which
    /// engine answers the user screens and which partitions are down.
    public var attachment: EngineAttachment? {
        let each = members.map(\.connection.attachment)
        let connected = each.map { $0?.role != .disconnected }
        let live = each.indices.filter { connected[$0] }
        let role: EngineAttachment.Role = live.isEmpty ? .disconnected
            : live.allSatisfy({ (each[$0]?.role ?? .controller) == .controller }) ? .controller : .watcher
        let lead = live.first.flatMap { each[$0] } ?? each.compactMap { $0 }.first
        let (partitions, count, answering) = state.withLock { ($0.partitions, $0.partitionCount, $0.answering) }
        let status = members.indices.map { i in
            FederationStatus.Member(name: members[i].name, endpoint: members[i].endpoint, partitions: partitions[i], isConnected: connected[i])
        }
        let federation = FederationStatus(members: status, partitionCount: count, answering: answering)
        return EngineAttachment(role: role, dashboard: lead?.dashboard ?? 1, controller: lead?.controller, dashboards: lead?.dashboards ?? 1,
                                endpoint: members.map { "\($0.name)=\($0.endpoint)" }.joined(separator: " "), federation: federation)
    }
}

// MARK: - State

extension FederatedEngine {
    /// What the federation remembers between calls: what each engine last showed (to count
    /// changes), the partitions each reads, who answers the user screens, open questions.
    struct State {
        var partitions: [[Int]]
        var partitionCount = 0
        var answering: Int?
        /// The user last selected through this federation (selected again on an engine that
        /// restarts).
        var selectedUser: String?
        var audienceItem: String?
        var completion: (prefix: String, kind: NodeKind)?
        /// An engine that came back while answering the user screens, and the user to select
        /// on it again.
        var reselect: (engine: Int, user: String)?

        var counters = Counters()
        private var lastSequence: [UInt64?]
        private var lastConnected: [Bool?]
        private var lastRateSamples: [Int?]
        private var lastMessageCount: [Int?]
        private var lastSelected: [String?]
        /// "no item 'x'" answers to a question asked of every engine: shown only when every
        /// engine said it (one engine not knowing an item it never saw is no news).
        private var expectedNotFound: [String] = []
        private var heldNotFound: [String?]

        struct Counters {
            var sequence: UInt64 = 0
            var rateSamples = 0
            var message: String?
            var messageCount = 0
        }

        init(count: Int) {
            partitions = Array(repeating: [], count: count)
            lastSequence = Array(repeating: nil, count: count)
            lastConnected = Array(repeating: nil, count: count)
            lastRateSamples = Array(repeating: nil, count: count)
            lastMessageCount = Array(repeating: nil, count: count)
            lastSelected = Array(repeating: nil, count: count)
            heldNotFound = Array(repeating: nil, count: count)
        }

        var context: FederationMerge.Context {
            FederationMerge.Context(answering: answering, audienceItem: audienceItem, completion: completion)
        }

        /// Takes in the engines' latest snapshots: counts changes, learns partitions, hears
        /// answers, follows the selection, notes an engine that came back.
        mutating func observe(_ inputs: [FederationMerge.Input]) {
            var changed = false, rates = false
            for (i, input) in inputs.enumerated() {
                let s = input.snapshot, connected = input.isConnected
                if lastConnected[i] != connected {
                    if lastConnected[i] == false, connected, answering == i, let user = selectedUser { reselect = (i, user) }
                    lastConnected[i] = connected
                    changed = true
                }
                guard connected else { continue }
                if let stream = s.source.stream, !stream.partitions.isEmpty {
                    partitions[i] = stream.partitions.map(\.index).sorted()
                    partitionCount = max(partitionCount, stream.partitionCount)
                }
                if lastSequence[i] != s.sequence {
                    lastSequence[i] = s.sequence
                    changed = true
                }
                if lastRateSamples[i] != s.rateSamples {
                    rates = lastRateSamples[i] != nil || rates
                    lastRateSamples[i] = s.rateSamples
                }
                if lastMessageCount[i] != s.messageCount {
                    if lastMessageCount[i] != nil, let text = s.message { heard(text, from: i, connected: inputs.map(\.isConnected)) }
                    lastMessageCount[i] = s.messageCount
                }
                let selected = s.selectedUser?.id
                if selected != lastSelected[i] {
                    // The engine whose selection changed last answers the user screens (how a
                    // watching dashboard follows the one in control).
                    if selected != nil { answering = i }
                    lastSelected[i] = selected
                }
            }
            if answering == nil {
                answering = inputs.indices.first { inputs[$0].isConnected && inputs[$0].snapshot.selectedUser != nil }
            }
            if rates { counters.rateSamples += 1 }
            if changed { counters.sequence += 1 }
        }

        /// An engine's answer: shown, or held when it is a "not found" to a question every
        /// engine was asked.
        private mutating func heard(_ text: String, from i: Int, connected: [Bool]) {
            guard expectedNotFound.contains(text) else {
                heldNotFound[i] = nil
                say(text)
                return
            }
            heldNotFound[i] = text
            if connected.indices.allSatisfy({ !connected[$0] || heldNotFound[$0] == text }) {
                expectedNotFound.removeAll { $0 == text }
                heldNotFound = heldNotFound.map { _ in nil }
                say(text)
            }
        }

        mutating func say(_ text: String) {
            counters.message = text
            counters.messageCount += 1
            counters.sequence += 1
        }

        private mutating func expectNotFound(_ text: String) {
            heldNotFound = heldNotFound.map { _ in nil }
            expectedNotFound.removeAll { $0 == text }
            expectedNotFound.append(text)
            if expectedNotFound.count > 8 { expectedNotFound.removeFirst() }
        }

        /// Remembers what a command sent to every engine asked for. What the merge shows
        /// changes with it, so the sequence moves (the dashboard redraws on a new sequence).
        mutating func broadcasting(_ command: EngineCommand) {
            switch command {
            case .selectItem(let item):
                audienceItem = item
                expectNotFound("no item '\(item)'")
                counters.sequence += 1
            case .complete(let prefix, let kind):
                completion = (prefix, kind)
                counters.sequence += 1
            default:
                break
            }
        }

        /// The engines a command about `user` goes to; says why when none can take it.
        mutating func route(_ command: EngineCommand, user: String, connected: [Bool]) -> [Int] {
            switch FederationRouting.route(user: user, partitions: partitions, connected: connected, count: partitionCount) {
            case .engine(let i, _):
                if case .selectUser = command {
                    if answering != i { counters.sequence += 1 }
                    answering = i
                    selectedUser = user
                    reselect = nil
                }
                return [i]
            case .down(let i, let p):
                say("user \(user) is in partition \(p), read by engine \(FederationMerge.name(ofEngine: i)), which is down")
                return []
            case .unowned(let p):
                say("user \(user) is in partition \(p), which no attached engine reads")
                return []
            case .everyone:
                let live = connected.indices.filter { connected[$0] }
                switch command {
                case .inject:
                    // Injecting creates the user: on one engine only, the one showing them.
                    if let a = answering, connected[a] { return [a] }
                    return Array(live.prefix(1))
                case .selectUser:
                    selectedUser = user
                    expectNotFound("no user '\(user)'")
                default:
                    expectNotFound("no user '\(user)'")
                }
                return live
            }
        }
    }
}
