import ArgumentParser
import Dashboard
import Foundation
import Remote

/// `driftscope attach`: the dashboard, against an engine that `driftscope serve` runs.
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
            """)

    @Argument(help: ArgumentHelp("unix:PATH, HOST:PORT or tcp:HOST:PORT (default: unix:\(ServeDefaults.socketPath())).", valueName: "endpoint"))
    var endpoint: String?

    @Option(name: .long, help: ArgumentHelp("The server's token file (TCP; default \(ServeDefaults.tokenPath())).", valueName: "file"))
    var tokenFile: String?

    @Option(name: .long, help: "Colour theme: dark, light, colourblind, mono, or a user theme's name.")
    var theme: String?

    func validate() throws {
        if let endpoint {
            do { _ = try Endpoint(parsing: endpoint) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        let target = try endpoint.map { try Endpoint(parsing: $0) } ?? .unix(path: ServeDefaults.socketPath())
        var token: String?
        if tokenFile != nil || target.isTCP {
            do { token = try TokenFile.read(path: tokenFile ?? ServeDefaults.tokenPath()) } catch { throw CommandError("\(error)") }
        }
        // Connect first: a refusal or an absent server is the error worth reading.
        let remote: RemoteEngine
        do {
            remote = try RemoteEngine.connect(to: target, token: token, client: "driftscope \(Driftscope.configuration.version) attach")
        } catch {
            throw CommandError("\(error)")
        }
        defer { remote.close() }
        if let problem = DashboardApp.checkTerminal() {
            FileHandle.standardError.write(Data("driftscope attach: \(problem)\n".utf8))
            throw ExitCode(DashboardCommand.cannotDrawStatus)
        }
        try DashboardApp.run(connection: remote, options: DashboardOptions(themeName: theme))
    }
}
