import ArgumentParser
import Dashboard
import Foundation
import InterestGraph
import Remote

/// `driftscope attach`: the dashboard, against an engine that `driftscope serve` runs, or
/// against several engines that share a partitioned stream (`attach A,B,C,D`).
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Open the dashboard on an engine that driftscope serve runs (here or through a tunnel).",
        discussion: """
            The same screens and keys as driftscope dashboard. The first
            dashboard attached holds control (pause, step, speed, tuning, inject,
            reset, forget); the others watch, and C takes control. Quitting a
            dashboard never stops the engine.
              driftscope attach                  # the default socket
              driftscope attach unix:/tmp/shop.sock
              driftscope attach 127.0.0.1:7070 --token-file tok

            Several engines that each own partitions of one stream (serve --own)
            show as one: list them separated by commas. They are named A, B, ...
            in that order; a user's screens come from the engine that reads the
            user's partition, counts and metrics are merged, and an engine that
            goes down is named with its partitions until it comes back.
              driftscope attach unix:/tmp/a.sock,unix:/tmp/b.sock
              driftscope attach 127.0.0.1:7070,127.0.0.1:7071 --token-file a.tok --token-file b.tok
            """)

    @Argument(help: ArgumentHelp("unix:PATH, HOST:PORT or tcp:HOST:PORT, or several separated by commas (default: unix:\(ServeDefaults.socketPath())).", valueName: "endpoint"))
    var endpoint: String?

    @Option(name: .long, help: ArgumentHelp("The server's token file (TCP; default \(ServeDefaults.tokenPath())). With several endpoints: once for all of them, or once per endpoint in the same order.", valueName: "file"))
    var tokenFile: [String] = []

    @Option(name: .long, help: "Colour theme: dark, light, colourblind, mono, or a user theme's name.")
    var theme: String?

    /// Engines one dashboard can follow (named A to Z).
    static let maxEngines = 26

    /// The endpoints of the argument, in order; refuses an empty item, a repeated endpoint
    /// or more than ``maxEngines``.
    static func endpoints(_ text: String) throws -> [Endpoint] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard items.count <= maxEngines else { throw ValidationError("at most \(maxEngines) engines, got \(items.count)") }
        var seen = Set<Endpoint>()
        return try items.enumerated().map { i, item in
            guard !item.isEmpty else { throw ValidationError("'\(text)': endpoint \(i + 1) is empty (expected A,B,... separated by single commas)") }
            let e: Endpoint
            do { e = try Endpoint(parsing: item) } catch { throw ValidationError("\(error)") }
            guard seen.insert(e).inserted else { throw ValidationError("'\(item)' is listed twice") }
            return e
        }
    }

    func validate() throws {
        let count = try endpoint.map { try Self.endpoints($0).count } ?? 1
        guard tokenFile.count <= 1 || tokenFile.count == count else {
            throw ValidationError("\(tokenFile.count) --token-file for \(count) endpoints: give one for all of them, or one per endpoint in the same order")
        }
    }

    /// The token each endpoint is given: from its own file when there is one per endpoint,
    /// else from the one file (or the default one) for TCP endpoints and, when a file was
    /// named, for Unix ones too.
    func tokens(for targets: [Endpoint]) throws -> [String?] {
        var read: [String: String] = [:]
        return try targets.enumerated().map { i, target in
            let path: String
            if tokenFile.count == targets.count && targets.count > 1 {
                path = tokenFile[i]
            } else if let only = tokenFile.first {
                path = only
            } else if target.isTCP {
                path = ServeDefaults.tokenPath()
            } else {
                return nil
            }
            if let token = read[path] { return token }
            do { read[path] = try TokenFile.read(path: path) } catch { throw CommandError("\(error)") }
            return read[path]
        }
    }

    func run() throws {
        let targets = try endpoint.map { try Self.endpoints($0) } ?? [.unix(path: ServeDefaults.socketPath())]
        let tokens = try tokens(for: targets)
        // Connect first: a refusal or an absent server is the error worth reading. Every engine
        // must answer at start, so the dashboard knows which partitions each one reads.
        var remotes: [RemoteEngine] = []
        defer { remotes.forEach { $0.close() } }
        for (i, target) in targets.enumerated() {
            do {
                remotes.append(try RemoteEngine.connect(to: target, token: tokens[i], client: "driftscope \(Driftscope.configuration.version) attach"))
            } catch {
                throw CommandError(targets.count == 1 ? "\(error)" : "engine \(FederationMerge.name(ofEngine: i)) (\(target)): \(error)")
            }
        }
        if let problem = DashboardApp.checkTerminal() {
            FileHandle.standardError.write(Data("driftscope attach: \(problem)\n".utf8))
            throw ExitCode(DashboardCommand.cannotDrawStatus)
        }
        let options = DashboardOptions(themeName: theme)
        if remotes.count == 1 {
            try DashboardApp.run(connection: remotes[0], options: options)
        } else {
            let federation = FederatedEngine(remotes.map { (endpoint: $0.endpoint.description, connection: $0 as any EngineConnection) })
            try DashboardApp.run(connection: federation, options: options)
        }
    }
}
