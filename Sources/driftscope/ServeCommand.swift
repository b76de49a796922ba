import ArgumentParser
import Foundation
import InterestGraph
import RedisStream
import Remote

/// `driftscope serve`: the engine with no screen, for dashboards to attach to.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the engine without a screen; dashboards attach to it (driftscope attach).",
        discussion: """
            Logs to stderr; SIGTERM or SIGINT stops it cleanly (the workspace is
            closed as the dashboard's q would). The first dashboard to attach
            holds control, the others watch.
              driftscope serve --scenario small --workspace shop.sqlite
              driftscope serve --workspace shop.sqlite --resume
              driftscope serve --listen tcp:127.0.0.1:7070 --token-file tok
              driftscope serve --source redis://127.0.0.1:6379/shop --own 0,1 --of 4 \\
                --workspace e1.sqlite --listen unix:/tmp/e1.sock
            With --own, the engine reads only those partitions of the stream and
            claims them in Redis (NAME:owner:K); a partition another engine owns
            is refused. `driftscope partitions URL` lists the owners.
            A Unix socket is created 0600. TCP always needs a token: serve
            writes a random one into --token-file (0600) when the file does not
            exist. Traffic is not encrypted: from another machine, tunnel the
            Unix socket over ssh (see the README).
            """)

    @OptionGroup var engineOptions: EngineOptions

    @OptionGroup var ownership: OwnershipOptions

    @Option(name: .long, help: ArgumentHelp("unix:PATH, tcp:PORT (on 127.0.0.1) or tcp:HOST:PORT (default: unix:\(ServeDefaults.socketPath())).", valueName: "endpoint"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp("File holding the token dashboards must give (created 0600 with a random token if missing); required for TCP (default \(ServeDefaults.tokenPath())).", valueName: "file"))
    var tokenFile: String?

    @Option(name: .long, help: "Seconds between status lines on stderr (0: none).")
    var logEvery: Double = 10

    @Option(name: .long, help: ArgumentHelp("Score exactly every S-th eligible event prequentially over the whole run (instead of a rolling, time-budgeted sample); the status lines show HR@10 over all scored events.", valueName: "S"))
    var prequentialEvery: Int?

    @Option(name: .long, help: ArgumentHelp("Train one background batch per N ingested events, never on idle time (default: a share of the engine's time).", valueName: "N"))
    var trainEvery: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a starting hyperparameter, key=value (repeatable; the keys of `eval --set`).", valueName: "key=value"))
    var overrides: [String] = []

    func validate() throws {
        for item in overrides where !item.contains("=") {
            throw ValidationError("--set expects key=value, got \"\(item)\"")
        }
        if let listen { _ = try Self.endpoint(listen) }
        guard logEvery >= 0 else { throw ValidationError("--log-every must be 0 or more seconds") }
        if let prequentialEvery, prequentialEvery < 1 { throw ValidationError("--prequential-every must be 1 or more") }
        if let trainEvery, trainEvery < 1 { throw ValidationError("--train-every must be 1 or more") }
    }

    static func endpoint(_ text: String) throws -> Endpoint {
        do { return try Endpoint(parsing: text) } catch { throw ValidationError("--listen \(error)") }
    }

    func run() throws {
        var hyperparameters = Hyperparameters()
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            do { try hyperparameters.set(parts[0], to: parts.count > 1 ? parts[1] : "") } catch { throw CommandError("--set \(item): \(error)") }
        }
        var engineOptions = engineOptions
        let owned = try ownership.apply(to: &engineOptions)
        try engineOptions.checkScenario()
        let endpoint = try listen.map(Self.endpoint) ?? .unix(path: try ServeDefaults.prepareSocketPath())
        var options = ServerOptions()
        options.serverName = "driftscope \(Driftscope.configuration.version)"
        if endpoint.isTCP || tokenFile != nil {
            let path = tokenFile ?? ServeDefaults.tokenPath()
            try ServeDefaults.prepareDirectory(of: path)
            do { options.token = try TokenFile.readOrCreate(path: path) } catch { throw CommandError("\(error)") }
            ServeLog.write("dashboards need the token in \(path) (attach --token-file \(path))")
        }
        // Engines that split the users share the item side through Redis.
        var sync: RedisItemSync?
        if let owned, let id = owned.engine, ownership.syncEvery > 0 {
            do { sync = try RedisItemSync(url: owned, engine: id, interval: ownership.syncEvery) } catch { throw CommandError("cannot share item vectors through \(owned.streamAddress): \(error)") }
        }
        let (engine, run) = try engineOptions.makeEngine { configuration in
            configuration.hyperparameters = hyperparameters
            configuration.itemSync = sync
            configuration.shareCounts = ownership.syncCounts
            configuration.prequentialSampleEvery = prequentialEvery
            configuration.trainEveryEvents = trainEvery
            // An engine's share of the users must not change how it trains (SCALE-OUT.md §3).
            if owned != nil { configuration.trainingMode = .sampled }
        }
        if let owned { ServeLog.write(OwnershipOptions.report(owned)) }
        let server = EngineServer(engine: engine, options: options, log: ServeLog.write)
        let bound: Endpoint
        do { bound = try server.start(endpoint) } catch { throw CommandError("\(error)") }
        if !bound.isLoopback {
            ServeLog.write("warning: \(bound) is reachable from other machines and the traffic is not encrypted; prefer 127.0.0.1 or a Unix socket with an ssh tunnel")
        }
        ServeLog.write("listening on \(bound)" + (run.map { " · recording run \($0) into \(engineOptions.recording.path ?? "")" } ?? ""))
        engine.start()
        let signal = ServeSignals.install()
        var lastLog = ProcessInfo.processInfo.systemUptime
        while signal.wait(timeout: .now() + 0.25) == .timedOut {
            let now = ProcessInfo.processInfo.systemUptime
            guard logEvery > 0, now - lastLog >= logEvery else { continue }
            lastLog = now
            ServeLog.write(ServeLog.status(engine.snapshot(), server.statistics(), sync: sync?.statistics))
        }
        ServeLog.write("stopping")
        server.stop()
        engine.stop()
        sync?.stop()
        let final = engine.snapshot()
        ServeLog.write(ServeLog.status(final, server.statistics(), sync: sync?.statistics))
        ServeLog.write("stopped after \(final.statistics.events) events" + (run.map { "; run \($0) is recorded (resume with --resume)" } ?? ""))
    }
}

/// Where `serve` listens and keeps its token when not told.
enum ServeDefaults {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `$XDG_RUNTIME_DIR/driftscope.sock` (a per-user 0700 directory), else
    /// `$XDG_STATE_HOME/driftscope/engine.sock`.
    static func socketPath() -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") { return runtime + "/driftscope.sock" }
        return stateDirectory() + "/engine.sock"
    }

    static func tokenPath() -> String { stateDirectory() + "/token" }

    static func stateDirectory() -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (NSHomeDirectory() + "/.local/state")
        return state + "/driftscope"
    }

    static func prepareSocketPath() throws -> String {
        let path = socketPath()
        try prepareDirectory(of: path)
        return path
    }

    /// Creates the file's directory (0700) when it is missing.
    static func prepareDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandError("\(directory): cannot create the directory (\(error.localizedDescription))")
        }
    }
}

/// Lines on stderr with a UTC time stamp.
enum ServeLog {
    static func write(_ text: String) {
        let stamp = Date().formatted(.iso8601)
        Console.error("\(stamp) serve: \(text)")
    }

    static func status(_ s: EngineSnapshot, _ server: ServerStatistics, sync: RedisItemSync.Statistics? = nil) -> String {
        let state = s.source.isFinished ? "source finished" : (s.isPaused ? "paused" : "running")
        return "\(state) · \(s.statistics.events) events (\(Int(s.eventsPerSecond))/s) · \(s.statistics.users) users · \(s.statistics.items) items · step \(s.trainingStep)"
            + " · \(server.dashboards) dashboard(s) · \(server.bytesSent / 1024) KiB sent, \(server.snapshotsCoalesced) snapshots coalesced for slow readers"
            + (s.source.stream?.lastError.map { " · stream: \($0)" } ?? "")
            + " · prequential HR@10 \(Format.fixed(s.prequential.hitRate10, 4)) over \(s.prequential.windowCount) scored (\(s.prequential.scored) in all)"
            + (sync.map(itemSync) ?? "")
    }

    /// The shared item side: what went through Redis and the largest staleness seen.
    static func itemSync(_ t: RedisItemSync.Statistics) -> String {
        " · items: sent \(t.sentBatches) batches / \(t.sentRows) rows / \(t.sentBytes) B, received \(t.receivedBatches) / \(t.receivedRows) rows / \(t.receivedBytes) B"
            + " (\(Int(t.bytesPerSecond)) B/s through Redis), applied \(t.appliedRows) rows, created \(t.createdItems) items, \(t.unknownRows) rows of unknown items, \(t.lostBatches) batches lost, \(t.duplicateBatches) duplicates skipped,"
            + " counts: sent \(t.sentSignals) / merged \(t.mergedSignals) entries, \(t.droppedPairs) pairs dropped,"
            + " staleness max \(Format.fixed(t.maxStaleness, 3)) s (transit max \(Format.fixed(t.maxTransit, 3)) s)"
            + (t.lastError.map { " · items error: \($0)" } ?? "")
    }
}

/// SIGINT and SIGTERM, turned into a semaphore the main thread waits on.
enum ServeSignals {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() -> DispatchSemaphore {
        let semaphore = DispatchSemaphore(value: 0)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { semaphore.signal() }
            source.resume()
            sources.append(source)
        }
        return semaphore
    }
}
