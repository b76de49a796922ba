/// What the dashboard (or a script) can ask the running engine to do.
///
/// Commands are queued and applied on the engine thread between steps, so sending one never
/// blocks the caller. Unknown ids are answered through ``EngineSnapshot/message``.
public enum EngineCommand: Sendable, Hashable, Codable {
    case pause
    case resume
    case togglePause
    /// Processes this many events (and one training batch) while paused.
    case step(events: Int)
    /// Replay speed as a multiple of real time; `0` means as fast as possible.
    case setSpeed(Double)
    /// Sets a tunable by its key (see ``Tunable/key``); applied at the next batch and logged.
    case setHyperparameter(key: String, value: Double)
    /// Re-initialises the model (embeddings and optimiser state) with the current settings.
    case resetModel
    /// Makes `id` the selected user, whose profile, drift and recommendations are published.
    case selectUser(String)
    /// Selects the item whose audience is published.
    case selectItem(String)
    /// Publishes up to ``IdCompletion/limit`` ids of `kind` (users or items) starting with
    /// `prefix`, in ``EngineSnapshot/completion`` (the `/` prompt's suggestions).
    case complete(prefix: String, kind: NodeKind)
    /// Publishes the neighbourhood of this node (the dashboard keeps the breadcrumb trail).
    case browse(NodeRef)
    /// Applies a synthetic event now, at the graph clock ("what if they buy this?").
    case inject(user: String, item: String, action: Action)
    /// Removes a user from the graph, the model and every derived trace.
    case forgetUser(String)
    /// Publishes the users idle for more than `factor` times their usual gap between sessions
    /// in ``EngineSnapshot/dormant`` (an O(users) scan, so only when asked).
    case listDormant(factor: Double)
    /// Jumps the source clock to a time (forward, or backward by restarting the source).
    case seek(to: Double)
    /// Stops the engine thread.
    case shutdown
}
