import Foundation
import GRDB
import InterestGraph
@testable import Workspace

/// A fresh directory under the system temporary directory, removed on `deinit`.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("driftscope-workspace-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Deterministic events: position k always gives the same event, so a log can be checked
/// event by event against the generator.
enum SampleEvents {
    static func event(at position: Int64) -> Event {
        let k = Int(position)
        let action = Action.allCases[k % Action.allCases.count]
        var attributes: ItemAttributes?
        if k % 5 == 0 {
            attributes = ItemAttributes(categories: ["c\(k % 7)", "genre \(k % 3)"], brand: k % 10 == 0 ? "brand-\(k % 4)" : nil, price: k % 15 == 0 ? Double(k % 100) + 0.99 : nil)
        }
        return Event(
            user: "u\(k % 97)", item: "i\(k % 211)", action: action, timestamp: 1_700_000_000 + Double(k) * 1.25,
            value: action == .rating ? Double(k % 5 + 1) : nil, attributes: attributes)
    }

    static func recorded(_ positions: Range<Int64>) -> [RecordedEvent] {
        positions.map { RecordedEvent(position: $0, event: event(at: $0)) }
    }
}

enum TestFiles {
    static func bytes(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path)
    }

    static func write(_ data: Data, to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }

    /// A raw GRDB connection to any SQLite file, for looking at a workspace from outside.
    static func raw(_ path: String, readonly: Bool = false) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = readonly
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    static func makeWorkspace(in directory: TemporaryDirectory, name: String = "workspace.sqlite") throws -> Workspace {
        try Workspace(path: directory.file(name))
    }

    static func beginRun(_ workspace: Workspace, hyperparameters: String = #"{"learning_rate":0.01,"dim":64}"#, source: String = "ml-100k") throws -> Int64 {
        try workspace.beginRun(source: .replay, name: source, seed: 7, codeVersion: "test", hyperparameters: Array(hyperparameters.utf8), at: 1_000)
    }
}
