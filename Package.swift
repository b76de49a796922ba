// swift-tools-version:6.0
import PackageDescription

// MARK: - Products and dependencies

let package = Package(
    name: "Driftscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "driftscope", targets: ["driftscope"]),
        .library(name: "InterestGraph", targets: ["InterestGraph"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        // MARK: - Public modules

        /// The engine: events, readers, the interest graph, models, serving, evaluation,
        /// simulation and the threaded `Engine` facade. No terminal code, no printing.
        .target(name: "InterestGraph", dependencies: ["CPrefetch", "CPageMapping"]),
        /// Cache prefetch hints (`__builtin_prefetch`) for the per-event path; nothing else.
        .target(name: "CPrefetch"),
        /// `mremap` for the large aligned tables (its C declaration is variadic); nothing else.
        .target(name: "CPageMapping"),

        /// The terminal dashboard: cell grid, widgets, panels, themes, key map, app loop.
        /// Only `Dashboard/Terminal/` imports CNCursesW.
        .target(name: "Dashboard", dependencies: ["InterestGraph", "CNCursesW"]),

        /// Workspaces: runs, the event log, metrics, checkpoints and bookmarks in one SQLite
        /// file (through GRDB), behind the engine's `RunRecorder` protocol.
        .target(name: "Workspace", dependencies: [
            "InterestGraph", .product(name: "GRDB", package: "GRDB.swift"),
            // The C API, for reading a file header through SQLite's own file layer (WorkspaceFile).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),

        /// Redis Streams as an event source (consumer groups, exactly-once with a workspace)
        /// and the publisher. Only `RedisStream/Client/` imports CHiredis.
        .target(name: "RedisStream", dependencies: ["InterestGraph", "CHiredis"]),
        /// A shared engine over a socket: the wire format of the engine contract, the server
        /// (`driftscope serve`) and the client connection a dashboard attaches with.
        .target(name: "Remote", dependencies: [
            "InterestGraph",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        /// The command-line tool.
        .executableTarget(
            name: "driftscope",
            dependencies: [
                "InterestGraph", "Dashboard", "Workspace", "RedisStream", "Remote",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Implementation details

        /// ncursesw, with a shim for the macros and globals Swift cannot import.
        /// No `pkgConfig:` on purpose: SwiftPM drops the -D flags it prints (with a warning) and
        /// shim.h defines what they would have; the module map links ncursesw itself.
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncursesw5-dev"])]),

        /// hiredis, the Redis client C library (protocol parsing included); the shim only
        /// adds accessors. No `pkgConfig:` for the same reason as CNCursesW.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),

        // MARK: - Tests

        .testTarget(name: "InterestGraphTests", dependencies: ["InterestGraph"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "InterestGraph", "TestSupport"], resources: [.copy("Snapshots")]),
        .testTarget(name: "DriftscopeCLITests", dependencies: ["InterestGraph", "Workspace", "TestSupport"]),
        .testTarget(name: "RemoteTests", dependencies: ["Remote", "InterestGraph", "TestSupport"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "InterestGraph", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RedisStreamTests", dependencies: ["RedisStream", "Workspace", "InterestGraph", "TestSupport"]),

        /// Shared by the test targets: child processes with output in files, the built binary.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
    ]
)

// MARK: - Settings applied to every target

// CPrefetch and CPageMapping are C targets: Swift settings have nothing to apply to.
for target in package.targets where target.type != .system && !["CPrefetch", "CPageMapping"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
